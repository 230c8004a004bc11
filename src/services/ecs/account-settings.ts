/**
 * ECS account settings: PutAccountSetting, PutAccountSettingDefault,
 * ListAccountSettings, DeleteAccountSetting. Settings are per region and per
 * principal; a principal without its own value inherits the root user's
 * (the account default), and the root user's falls back to AWS's default
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-account-settings.html).
 */
import type {
  DeleteAccountSettingRequest,
  DeleteAccountSettingResponse,
  ListAccountSettingsRequest,
  ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest,
  PutAccountSettingDefaultResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
  Setting,
  SettingName,
} from '@aws-sdk/client-ecs';
import { iamArn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { deleteSetting, putSetting, storedSetting } from './store/index.js';

interface SettingRule {
  values: string[];
  default: string;
  /** Read-only settings that AWS manages (type aws_managed). */
  awsManaged?: boolean;
  /** Only the account default (root user) may hold a value. */
  rootOnly?: boolean;
  /** Settable only with PutAccountSettingDefault. */
  defaultOnly?: boolean;
}

const ENABLED_DISABLED = ['enabled', 'disabled'];

/** Every ECS account setting with its values and AWS's default. */
export const ACCOUNT_SETTINGS: Record<SettingName, SettingRule> = {
  awsvpcTrunking: { values: ENABLED_DISABLED, default: 'disabled' },
  containerInsights: { values: ['enabled', 'disabled', 'enhanced'], default: 'disabled' },
  containerInstanceLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
  // Since June 25, 2025 ECS defaults log delivery to non-blocking.
  defaultLogDriverMode: { values: ['blocking', 'non-blocking'], default: 'non-blocking' },
  fargateEventWindows: { values: ENABLED_DISABLED, default: 'disabled' },
  fargateFIPSMode: { values: ENABLED_DISABLED, default: 'disabled', defaultOnly: true },
  fargateTaskRetirementWaitPeriod: { values: ['0', '7', '14'], default: '7', rootOnly: true },
  guardDutyActivate: { values: ['on', 'off'], default: 'off', awsManaged: true },
  serviceLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
  tagResourceAuthorization: { values: ['on', 'off'], default: 'on' },
  taskLongArnFormat: { values: ENABLED_DISABLED, default: 'enabled' },
};

const NAMES = Object.keys(ACCOUNT_SETTINGS).sort() as SettingName[];

function ruleFor(name: string | undefined): SettingRule {
  const rule = ACCOUNT_SETTINGS[name as SettingName];
  if (!rule) throw invalidParameter(`Invalid setting name: ${name}. Valid setting names are: ${NAMES.join(', ')}.`);
  return rule;
}

/** The principal a request speaks for: IAM root, user or role ARNs of the caller's account. */
function principalOf(ctx: RequestContext, principalArn: string | undefined): string {
  if (principalArn === undefined) return ctx.principalArn;
  const arn = parseArn(principalArn);
  const ok = arn && arn.service === 'iam' && arn.region === '' && /^(root|user\/.+|role\/.+)$/.test(arn.resource);
  if (!ok) throw invalidParameter(`Invalid principalArn: ${principalArn}. Specify the ARN of an IAM user, role, or the root user.`);
  if (arn.account !== ctx.account) throw invalidParameter('The principalArn must belong to the account that makes the request.');
  return principalArn;
}

function setting(name: string, value: string, principalArn: string): Setting {
  return { name: name as SettingName, value, principalArn, type: ACCOUNT_SETTINGS[name as SettingName].awsManaged ? 'aws_managed' : 'user' };
}

/** The value in effect for a principal: its own, else the account default, else AWS's default. */
export function effectiveSetting(ctx: RequestContext, name: SettingName, principal = ctx.principalArn): Setting {
  const root = iamArn.root(ctx.account);
  const own = storedSetting(ctx, principal, name);
  if (own !== undefined) return setting(name, own, principal);
  return setting(name, storedSetting(ctx, root, name) ?? ACCOUNT_SETTINGS[name].default, root);
}

function put(ctx: RequestContext, principal: string, name: string | undefined, value: string | undefined, viaDefault: boolean): Setting {
  const rule = ruleFor(name);
  if (rule.awsManaged) throw invalidParameter(`The ${name} account setting is read-only. Amazon GuardDuty manages it.`);
  if (rule.defaultOnly && !viaDefault) throw invalidParameter(`The ${name} account setting can only be changed with PutAccountSettingDefault.`);
  if (rule.rootOnly && principal !== iamArn.root(ctx.account)) {
    throw invalidParameter(`The ${name} account setting can only be set for the root user.`);
  }
  if (!rule.values.includes(value ?? '')) {
    throw invalidParameter(`Invalid value for ${name}: ${value}. Valid values are ${rule.values.join(', ')}.`);
  }
  putSetting(ctx, principal, name!, value!);
  return setting(name!, value!, principal);
}

export function putAccountSetting(ctx: RequestContext, input: PutAccountSettingRequest): PutAccountSettingResponse {
  return { setting: put(ctx, principalOf(ctx, input.principalArn), input.name, input.value, false) };
}

export function putAccountSettingDefault(ctx: RequestContext, input: PutAccountSettingDefaultRequest): PutAccountSettingDefaultResponse {
  return { setting: put(ctx, iamArn.root(ctx.account), input.name, input.value, true) };
}

export function deleteAccountSetting(ctx: RequestContext, input: DeleteAccountSettingRequest): DeleteAccountSettingResponse {
  const rule = ruleFor(input.name);
  if (rule.awsManaged) throw invalidParameter(`The ${input.name} account setting is read-only. Amazon GuardDuty manages it.`);
  const principal = principalOf(ctx, input.principalArn);
  const own = storedSetting(ctx, principal, input.name!);
  deleteSetting(ctx, principal, input.name!);
  // The response names the setting that was removed (or, if none was set, the one now in effect).
  return { setting: own !== undefined ? setting(input.name!, own, principal) : effectiveSetting(ctx, input.name!, principal) };
}

export function listAccountSettings(ctx: RequestContext, input: ListAccountSettingsRequest): ListAccountSettingsResponse {
  if (input.name !== undefined) ruleFor(input.name);
  if (input.value !== undefined && input.name === undefined) {
    throw invalidParameter('You must also specify an account setting name to filter by value.');
  }
  const limit = pageSize(input.maxResults, 10);
  const principal = principalOf(ctx, input.principalArn);
  const names = input.name ? [input.name] : NAMES;
  let settings: Setting[];
  if (input.effectiveSettings) {
    settings = names.map((n) => effectiveSetting(ctx, n, principal));
  } else {
    settings = names.flatMap((n) => {
      const v = storedSetting(ctx, principal, n);
      return v === undefined ? [] : [setting(n, v, principal)];
    });
  }
  if (input.value !== undefined) settings = settings.filter((s) => s.value === input.value);
  const start = decodeNextToken(input.nextToken);
  return {
    settings: settings.slice(start, start + limit),
    nextToken: start + limit < settings.length ? encodeNextToken(start + limit) : undefined,
  };
}
