/**
 * Pull through cache rules through the ECR API: Create, Describe, Update,
 * Delete and ValidatePullThroughCacheRule, with ECR's validation and errors.
 * The registry's pull path does the caching (registry/pull-through.ts); this
 * module also reads a rule's upstream credentials from Secrets Manager for it.
 */
import type {
  CreatePullThroughCacheRuleRequest, CreatePullThroughCacheRuleResponse, DeletePullThroughCacheRuleRequest,
  DeletePullThroughCacheRuleResponse, DescribePullThroughCacheRulesRequest, DescribePullThroughCacheRulesResponse,
  PullThroughCacheRule, UpdatePullThroughCacheRuleRequest, UpdatePullThroughCacheRuleResponse,
  UpstreamRegistry, ValidatePullThroughCacheRuleRequest, ValidatePullThroughCacheRuleResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import type { UpstreamCredentialResolver } from '../../registry/pull-through.js';
import {
  classifyUpstream, deleteRule, getRule, listRules, putRule, type PullThroughRule, type PullThroughRuleDoc,
} from './store/pull-through-rules.js';
import { parseArn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { readSecretValue } from '../secrets-manager/index.js';
import { checkRegistryId, decodeToken, encodeToken, pageSize } from './common.js';
import { invalidParameter } from './errors.js';

const PREFIX_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const CREDENTIAL_ARN_RE = /^arn:aws:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;
/** ECR's quota "Pull through cache rules per registry" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html). */
const MAX_RULES = 50;

const ruleNotFound = (prefix: string, account: string) =>
  new AwsError('PullThroughCacheRuleNotFoundException', `The pull through cache rule with prefix '${prefix}' does not exist in the registry with id '${account}'`);

/** ECR treats `prefix/` as `prefix` ("There is always an assumed / applied to the end of the prefix"). */
function checkPrefix(value: string | undefined, field: string): string {
  const prefix = (value ?? '').replace(/\/$/, '');
  if (prefix === 'ROOT') return prefix;
  if (prefix.length < 2 || prefix.length > 30 || !PREFIX_RE.test(prefix)) {
    throw invalidParameter(
      `Invalid parameter at '${field}' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 30'`,
    );
  }
  return prefix;
}

/** Rules live in the caller's own registry: another registryId is refused as ECR refuses writes to it. */
function ownRegistry(ctx: RequestContext, registryId: string | undefined): string {
  checkRegistryId(registryId);
  if (registryId !== undefined && registryId !== ctx.account) {
    throw new AwsError('AccessDeniedException', `User: arn:aws:iam::${ctx.account}:root is not authorized to manage pull through cache rules in the registry with id '${registryId}'`, { status: 400 });
  }
  return ctx.account;
}

function requireRule(ctx: RequestContext, input: { registryId?: string; ecrRepositoryPrefix?: string }): PullThroughRule {
  const account = ownRegistry(ctx, input.registryId);
  const prefix = checkPrefix(input.ecrRepositoryPrefix, 'ecrRepositoryPrefix');
  const rule = getRule({ sql: ctx.sql, account, region: ctx.region }, prefix);
  if (!rule) throw ruleNotFound(prefix, account);
  return rule;
}

/** The rule's credentials, as ECR reads them: a secret holding {"username": …, "accessToken": …}. */
function readCredentials(sql: Statements, credentialArn: string, now: number): { username: string; password: string } {
  const where = parseArn(credentialArn);
  if (!where) throw new Error(`${credentialArn} is not a Secrets Manager ARN`);
  const { version } = readSecretValue({ sql, account: where.account, region: where.region }, credentialArn, undefined, undefined, now);
  let doc: { username?: unknown; accessToken?: unknown };
  try {
    doc = JSON.parse(version.stringValue ?? '');
  } catch {
    throw new Error('the secret value is not JSON');
  }
  if (typeof doc?.username !== 'string' || typeof doc?.accessToken !== 'string') {
    throw new Error('the secret value must be JSON with "username" and "accessToken"');
  }
  return { username: doc.username, password: doc.accessToken };
}

/** For the registry: a rule's upstream credentials at pull time. */
export function pullThroughCredentials(sql: Statements): UpstreamCredentialResolver {
  return (rule, now) => (rule.credentialArn ? readCredentials(sql, rule.credentialArn, now) : undefined);
}

function checkCredentialArn(ctx: RequestContext, credentialArn: string): void {
  if (credentialArn.length < 50 || credentialArn.length > 612 || !CREDENTIAL_ARN_RE.test(credentialArn)) {
    throw invalidParameter(
      "Invalid parameter at 'credentialArn' failed to satisfy constraint: 'must satisfy regular expression '^arn:aws:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr\\-pullthroughcache\\/[a-zA-Z0-9\\/_+=.@-]+$' and have length between 50 and 612'",
    );
  }
  const where = parseArn(credentialArn)!;
  try {
    readSecretValue({ sql: ctx.sql, account: where.account, region: where.region }, credentialArn, undefined, undefined, ctx.clock.now());
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    throw new AwsError('SecretNotFoundException', `The specified secret '${credentialArn}' could not be found: ${err.message}`);
  }
}

const toRule = (r: PullThroughRule): PullThroughCacheRule => ({
  ecrRepositoryPrefix: r.ecrRepositoryPrefix,
  upstreamRegistryUrl: r.upstreamRegistryUrl,
  createdAt: new Date(r.createdAt),
  registryId: r.account,
  ...(r.credentialArn ? { credentialArn: r.credentialArn } : {}),
  ...(r.customRoleArn ? { customRoleArn: r.customRoleArn } : {}),
  upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
  ...(r.upstreamRegistry ? { upstreamRegistry: r.upstreamRegistry as UpstreamRegistry } : {}),
  updatedAt: new Date(r.updatedAt),
});

export function createPullThroughCacheRule(ctx: RequestContext, input: CreatePullThroughCacheRuleRequest): CreatePullThroughCacheRuleResponse {
  const account = ownRegistry(ctx, input.registryId);
  const prefix = checkPrefix(input.ecrRepositoryPrefix, 'ecrRepositoryPrefix');
  const url = input.upstreamRegistryUrl ?? '';
  const kind = classifyUpstream(url);
  if (!kind) {
    throw new AwsError('UnsupportedUpstreamRegistryException', `The upstream registry URL '${url}' is not supported. Specify the URL of a supported upstream registry.`);
  }
  if (kind.ecr && kind.ecr.account === account && kind.ecr.region === ctx.region) {
    // A registry caching itself would ask itself for every miss, forever.
    throw invalidParameter('The upstream registry URL cannot be the registry the pull through cache rule belongs to.');
  }
  const named = input.upstreamRegistry;
  if (named !== undefined && kind.registry !== undefined && named !== kind.registry) {
    throw new AwsError('UnsupportedUpstreamRegistryException', `The upstream registry URL '${url}' does not belong to the upstream registry '${named}'.`);
  }
  if (kind.credentials === 'required' && !input.credentialArn) {
    // ECR's own wording (aws-controllers-k8s/community#2589).
    throw new AwsError('UnsupportedUpstreamRegistryException', 'The specified upstream registry requires authentication. Specify a valid Secrets Manager ARN');
  }
  if (input.credentialArn !== undefined) checkCredentialArn(ctx, input.credentialArn);
  if (input.customRoleArn !== undefined && kind.registry !== 'ecr') {
    throw invalidParameter('A custom role ARN can only be specified for an Amazon ECR upstream registry.');
  }
  if (prefix === 'ROOT' && kind.registry !== 'ecr' && kind.registry !== undefined) {
    throw invalidParameter("The ecrRepositoryPrefix 'ROOT' can only be used with an Amazon ECR upstream registry.");
  }
  const upstreamPrefix = input.upstreamRepositoryPrefix === undefined ? 'ROOT' : checkPrefix(input.upstreamRepositoryPrefix, 'upstreamRepositoryPrefix');
  if (prefix === 'ROOT' && upstreamPrefix !== 'ROOT') {
    throw invalidParameter('The upstreamRepositoryPrefix can only be set when the ecrRepositoryPrefix is not ROOT.');
  }
  if (getRule({ sql: ctx.sql, account, region: ctx.region }, prefix)) {
    throw new AwsError('PullThroughCacheRuleAlreadyExistsException', `A pull through cache rule with prefix '${prefix}' already exists in the registry with id '${account}'`);
  }
  if (listRules({ sql: ctx.sql, account, region: ctx.region }).length >= MAX_RULES) {
    throw new AwsError('LimitExceededException', `The maximum number of pull through cache rules (${MAX_RULES}) in the registry with id '${account}' has been reached.`);
  }
  const now = ctx.clock.now();
  const doc: PullThroughRuleDoc = {
    ecrRepositoryPrefix: prefix,
    upstreamRegistryUrl: url,
    ...(kind.registry ?? named ? { upstreamRegistry: kind.registry ?? named } : {}),
    ...(input.credentialArn ? { credentialArn: input.credentialArn } : {}),
    ...(input.customRoleArn ? { customRoleArn: input.customRoleArn } : {}),
    upstreamRepositoryPrefix: upstreamPrefix,
    createdAt: now,
    updatedAt: now,
  };
  putRule({ sql: ctx.sql, account, region: ctx.region }, doc);
  const { updatedAt: _u, ...out } = toRule(getRule({ sql: ctx.sql, account, region: ctx.region }, prefix)!);
  return out;
}

export function describePullThroughCacheRules(ctx: RequestContext, input: DescribePullThroughCacheRulesRequest): DescribePullThroughCacheRulesResponse {
  const account = ownRegistry(ctx, input.registryId);
  let rules = listRules({ sql: ctx.sql, account, region: ctx.region });
  if (input.ecrRepositoryPrefixes?.length) {
    const wanted = input.ecrRepositoryPrefixes.map((p) => checkPrefix(p, 'ecrRepositoryPrefixes'));
    for (const p of wanted) if (!rules.some((r) => r.ecrRepositoryPrefix === p)) throw ruleNotFound(p, account);
    rules = rules.filter((r) => wanted.includes(r.ecrRepositoryPrefix));
  }
  const limit = pageSize(input.maxResults, 1000);
  const start = decodeToken(input.nextToken);
  const size = input.maxResults === undefined ? 100 : limit;
  return {
    pullThroughCacheRules: rules.slice(start, start + size).map(toRule),
    nextToken: rules.length > start + size ? encodeToken(start + size) : undefined,
  };
}

export function updatePullThroughCacheRule(ctx: RequestContext, input: UpdatePullThroughCacheRuleRequest): UpdatePullThroughCacheRuleResponse {
  const rule = requireRule(ctx, input);
  const kind = classifyUpstream(rule.upstreamRegistryUrl);
  if (input.credentialArn !== undefined) checkCredentialArn(ctx, input.credentialArn);
  if (input.customRoleArn !== undefined && kind?.registry !== 'ecr') {
    throw invalidParameter('A custom role ARN can only be specified for an Amazon ECR upstream registry.');
  }
  const { account, region, seq: _s, ...doc } = rule;
  const updated: PullThroughRuleDoc = {
    ...doc,
    ...(input.credentialArn !== undefined ? { credentialArn: input.credentialArn } : {}),
    ...(input.customRoleArn !== undefined ? { customRoleArn: input.customRoleArn } : {}),
    updatedAt: ctx.clock.now(),
    lastUpstreamFailure: null,
  };
  putRule({ sql: ctx.sql, account, region }, updated);
  return {
    ecrRepositoryPrefix: updated.ecrRepositoryPrefix,
    registryId: account,
    updatedAt: new Date(updated.updatedAt),
    ...(updated.credentialArn ? { credentialArn: updated.credentialArn } : {}),
    ...(updated.customRoleArn ? { customRoleArn: updated.customRoleArn } : {}),
    upstreamRepositoryPrefix: updated.upstreamRepositoryPrefix,
  };
}

export function deletePullThroughCacheRule(ctx: RequestContext, input: DeletePullThroughCacheRuleRequest): DeletePullThroughCacheRuleResponse {
  const rule = requireRule(ctx, input);
  deleteRule({ sql: ctx.sql, account: rule.account, region: rule.region }, rule.ecrRepositoryPrefix);
  const { updatedAt: _u, upstreamRegistry: _r, ...out } = toRule(rule);
  return out;
}

/**
 * What Berth can check inside an API call: the upstream URL is supported, the
 * credentials secret is readable and well-formed, and the most recent pull
 * through this rule reached the upstream (ECR probes the upstream here; an API
 * call in Berth never waits on the network, so the last pull's outcome stands in).
 */
export function validatePullThroughCacheRule(ctx: RequestContext, input: ValidatePullThroughCacheRuleRequest): ValidatePullThroughCacheRuleResponse {
  const rule = requireRule(ctx, input);
  let failure: string | undefined;
  if (!classifyUpstream(rule.upstreamRegistryUrl)) failure = `The upstream registry URL '${rule.upstreamRegistryUrl}' is not supported.`;
  if (!failure && rule.credentialArn) {
    try {
      readCredentials(ctx.sql, rule.credentialArn, ctx.clock.now());
    } catch (err) {
      failure = `Unable to use the credentials in ${rule.credentialArn}: ${(err as Error).message}`;
    }
  }
  if (!failure && rule.lastUpstreamFailure) failure = `The last request to the upstream registry failed: ${rule.lastUpstreamFailure}`;
  return {
    ecrRepositoryPrefix: rule.ecrRepositoryPrefix,
    registryId: rule.account,
    upstreamRegistryUrl: rule.upstreamRegistryUrl,
    ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}),
    ...(rule.customRoleArn ? { customRoleArn: rule.customRoleArn } : {}),
    upstreamRepositoryPrefix: rule.upstreamRepositoryPrefix,
    isValid: !failure,
    ...(failure ? { failure } : {}),
  };
}
