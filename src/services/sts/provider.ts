/**
 * STS: GetCallerIdentity (who Berth took the caller for), AssumeRole (a
 * session of an IAM role) and GetSessionToken. Temporary keys are stored
 * (sessions.ts) and recognised by the gateway as their principal.
 */
import type {
  AssumeRoleRequest, AssumeRoleResponse, Credentials, GetCallerIdentityResponse, GetSessionTokenRequest,
  GetSessionTokenResponse,
} from '@aws-sdk/client-sts';
import { AwsError } from '../../protocol/errors.js';
import { accountOf, iamArn, stsArn } from '../../shared/arns.js';
import { findAccessKey, findRoleByArn, findUser, updateRole } from '../iam/store.js';
import type { Provider, RequestContext } from '../provider.js';
import { findSession, issueSession, type Session } from './store/index.js';

const validation = (message: string) => new AwsError('ValidationError', message, { status: 400 });
const constraint = (value: unknown, member: string, rule: string) =>
  validation(`1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${rule}`);
const accessDenied = (message: string) => new AwsError('AccessDenied', message, { status: 403 });

/** Sessions of roles assumed with role credentials are limited to an hour (role chaining). */
const CHAINED_MAX_SECONDS = 3600;
const ROOT_SESSION_MAX_SECONDS = 3600;

function length(value: string, member: string, min: number, max: number) {
  if (value.length < min) throw constraint(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(value, member, `Member must have length less than or equal to ${max}`);
}

/**
 * AssumeRole's optional members: session policies are kept with the session (evaluated with --enforce-iam), tags
 * are not recorded; all are checked against their limits. The model's own constraints (role ARN and session name, MFA members, tags, source identity, external
 * id, durations) are checked before any provider runs (protocol/validate.ts); these are the limits it lacks or
 * leaves to the service (a policy's 2048 characters, ten policy ARNs, members it does not require).
 */
function checkOptional(input: AssumeRoleRequest) {
  if (input.Policy !== undefined) length(input.Policy, 'policy', 1, 2048);
  if ((input.PolicyArns?.length ?? 0) > 10) throw constraint(input.PolicyArns!.length, 'policyArns', 'Member must have length less than or equal to 10');
  for (const p of input.PolicyArns ?? []) length(p.arn ?? '', 'policyArns.member.arn', 20, 2048);
  for (const c of input.ProvidedContexts ?? []) {
    length(c.ProviderArn ?? '', 'providedContexts.member.providerArn', 20, 2048);
    length(c.ContextAssertion ?? '', 'providedContexts.member.contextAssertion', 4, 2048);
  }
}

/** The caller's UserId: an IAM user's id (`AIDA…`) for a user's access key, else the account (the root). */
function callerUserId(ctx: RequestContext): string {
  const key = findAccessKey(ctx.sql, ctx.accessKeyId);
  if (!key?.userName) return ctx.account;
  return findUser({ sql: ctx.sql, account: key.account }, key.userName)?.UserId ?? ctx.account;
}

const credentialsOf = (s: Session): Credentials => ({
  AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiresAt),
});

export const provider: Provider = {
  getCallerIdentity(ctx: RequestContext): GetCallerIdentityResponse {
    const session = findSession(ctx.sql, ctx.accessKeyId);
    if (session) return { UserId: session.userId, Account: session.account, Arn: session.arn };
    return { UserId: callerUserId(ctx), Account: ctx.account, Arn: ctx.principalArn };
  },

  assumeRole(ctx: RequestContext, input: AssumeRoleRequest): AssumeRoleResponse {
    const roleArn = input.RoleArn!;
    const sessionName = input.RoleSessionName!;
    checkOptional(input);
    // With --enforce-iam the gateway has already evaluated the role's trust policy (and the caller's policies).
    const role = findRoleByArn(ctx.sql, roleArn);
    if (!role) throw accessDenied(`User: ${ctx.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const chained = !!findSession(ctx.sql, ctx.accessKeyId)?.roleArn;
    const duration = input.DurationSeconds ?? 3600;
    if (chained && duration > CHAINED_MAX_SECONDS) {
      throw validation('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (duration > (role.MaxSessionDuration ?? 3600)) throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const account = accountOf(roleArn);
    const now = ctx.clock.now();
    const session = issueSession(ctx.sql, now, {
      account,
      arn: stsArn.assumedRole(account, role.RoleName, sessionName),
      userId: `${role.RoleId}:${sessionName}`,
      roleArn: role.Arn,
      durationSeconds: duration,
      // Session policies further limit the session (evaluated with --enforce-iam).
      sessionPolicy: input.Policy,
      sessionPolicyArns: input.PolicyArns?.map((p) => p.arn!),
    });
    updateRole({ sql: ctx.sql, account }, { ...role, RoleLastUsed: { LastUsedDate: new Date(now).toISOString() as unknown as Date, Region: ctx.region } });
    return {
      Credentials: credentialsOf(session),
      AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
      ...(input.SourceIdentity !== undefined ? { SourceIdentity: input.SourceIdentity } : {}),
    };
  },

  getSessionToken(ctx: RequestContext, input: GetSessionTokenRequest): GetSessionTokenResponse {
    if (findSession(ctx.sql, ctx.accessKeyId)) throw accessDenied('Cannot call GetSessionToken with session credentials');
    // AWS caps the root's sessions at one hour; an IAM user's last 12 hours by default, up to 36.
    const isRoot = ctx.principalArn === iamArn.root(ctx.account);
    const duration = isRoot ? Math.min(input.DurationSeconds ?? 43200, ROOT_SESSION_MAX_SECONDS) : input.DurationSeconds ?? 43200;
    const session = issueSession(ctx.sql, ctx.clock.now(), {
      account: ctx.account, arn: ctx.principalArn, userId: callerUserId(ctx), durationSeconds: duration,
    });
    return { Credentials: credentialsOf(session) };
  },
};
