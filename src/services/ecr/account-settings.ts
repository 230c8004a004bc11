/**
 * Registry-wide settings: GetAccountSetting / PutAccountSetting
 * (BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING — the last
 * one decides whether pushes may mount blobs across repositories, see
 * registry/http/upload-routes.ts), and the pull time update exclusions
 * (Register/DeregisterPullTimeUpdateExclusion, ListPullTimeUpdateExclusions):
 * IAM principals whose pulls do not move an image's lastRecordedPullTime.
 */
import type {
  DeregisterPullTimeUpdateExclusionRequest, DeregisterPullTimeUpdateExclusionResponse, GetAccountSettingRequest,
  GetAccountSettingResponse, ListPullTimeUpdateExclusionsRequest, ListPullTimeUpdateExclusionsResponse,
  PutAccountSettingRequest, PutAccountSettingResponse, RegisterPullTimeUpdateExclusionRequest,
  RegisterPullTimeUpdateExclusionResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import {
  ACCOUNT_SETTINGS, addPullTimeExclusion, getAccountSetting as readSetting, pullTimeExclusions, putAccountSetting as writeSetting, removePullTimeExclusion,
} from './store/settings.js';
import { resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize } from './common.js';
import { invalidParameter } from './errors.js';

function checkName(name: string | undefined): string {
  const n = name ?? '';
  if (n.length < 1 || n.length > 64) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${n}' at 'name' failed to satisfy constraint: Member must have length between 1 and 64`);
  }
  if (!ACCOUNT_SETTINGS[n]) {
    throw invalidParameter(`Invalid parameter at 'name' failed to satisfy constraint: 'Member must satisfy enum value set: [${Object.keys(ACCOUNT_SETTINGS).join(', ')}]'`);
  }
  return n;
}

export function getAccountSetting(ctx: RequestContext, input: GetAccountSettingRequest): GetAccountSettingResponse {
  const name = checkName(input.name);
  return { name, value: readSetting(ctx, name) };
}

export function putAccountSetting(ctx: RequestContext, input: PutAccountSettingRequest): PutAccountSettingResponse {
  const name = checkName(input.name);
  const { values } = ACCOUNT_SETTINGS[name];
  const value = input.value ?? '';
  if (!values.includes(value)) {
    throw invalidParameter(`Invalid parameter at 'value' failed to satisfy constraint: 'Valid values for ${name} are: [${values.join(', ')}]'`);
  }
  writeSetting(ctx, name, value);
  return { name, value };
}

// --- pull time update exclusions -------------------------------------------------

const PRINCIPAL_RE = /^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)\/[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
/** The model's PullTimeUpdateExclusionList holds at most 100 principals. */
const MAX_EXCLUSIONS = 100;

function checkPrincipal(arn: string | undefined): string {
  const a = arn ?? '';
  if (a.length > 200 || !PRINCIPAL_RE.test(a)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${a}' at 'principalArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PRINCIPAL_RE.source}`);
  }
  return a;
}

/**
 * Whether the caller's pulls leave lastRecordedPullTime alone: its user or
 * role is excluded (a session of an assumed role counts as the role).
 */
export function pullTimeExcluded(ctx: RequestContext): boolean {
  const assumed = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(ctx.principalArn);
  return pullTimeExclusions(ctx).some((arn) => arn === ctx.principalArn ||
    (!!assumed && arn.startsWith(`arn:aws:iam::${assumed[1]}:role/`) && resourceId(arn) === assumed[2]));
}

export function registerPullTimeUpdateExclusion(ctx: RequestContext, input: RegisterPullTimeUpdateExclusionRequest): RegisterPullTimeUpdateExclusionResponse {
  const principalArn = checkPrincipal(input.principalArn);
  const current = pullTimeExclusions(ctx);
  if (current.includes(principalArn)) {
    throw new AwsError('ExclusionAlreadyExistsException', `The principal '${principalArn}' is already excluded from pull time updates in the registry with id '${ctx.account}'`);
  }
  if (current.length >= MAX_EXCLUSIONS) {
    throw new AwsError('LimitExceededException', `The registry with id '${ctx.account}' already has the maximum of ${MAX_EXCLUSIONS} pull time update exclusions`);
  }
  addPullTimeExclusion(ctx, principalArn);
  return { principalArn };
}

export function deregisterPullTimeUpdateExclusion(
  ctx: RequestContext, input: DeregisterPullTimeUpdateExclusionRequest,
): DeregisterPullTimeUpdateExclusionResponse {
  const principalArn = checkPrincipal(input.principalArn);
  if (!removePullTimeExclusion(ctx, principalArn)) {
    throw new AwsError('ExclusionNotFoundException', `The principal '${principalArn}' is not excluded from pull time updates in the registry with id '${ctx.account}'`);
  }
  return { principalArn };
}

export function listPullTimeUpdateExclusions(ctx: RequestContext, input: ListPullTimeUpdateExclusionsRequest): ListPullTimeUpdateExclusionsResponse {
  const limit = input.maxResults === undefined ? 100 : pageSize(input.maxResults);
  const all = pullTimeExclusions(ctx);
  const start = decodeToken(input.nextToken);
  return {
    pullTimeUpdateExclusions: all.slice(start, start + limit),
    nextToken: all.length > start + limit ? encodeToken(start + limit) : undefined,
  };
}
