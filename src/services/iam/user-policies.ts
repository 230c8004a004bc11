/**
 * A user's permissions (issue 23): inline policies (PutUserPolicy) and attached
 * managed policies, with the quotas and messages of their role counterparts.
 */
import type {
  AttachUserPolicyRequest, DeleteUserPolicyRequest, DetachUserPolicyRequest, GetUserPolicyRequest, GetUserPolicyResponse,
  ListAttachedUserPoliciesRequest, ListAttachedUserPoliciesResponse, ListUserPoliciesRequest, ListUserPoliciesResponse,
  PutUserPolicyRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../provider.js';
import { limitExceeded, noSuchEntity, noSuchPolicy, policyNotAttachable } from './errors.js';
import { checkName, checkPathPrefix, checkPolicyText, paginate } from './inputs.js';
import { isAwsManagedPolicy, parsePolicyArn } from './policies.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { scopeOf } from './roles.js';
import {
  attachUserPolicyRow, deleteUserPolicyRow, detachUserPolicyRow, findPolicyByArn, getUserPolicyDocument, putUserPolicyRow,
  userAttachedPolicyArns, userPolicyNames,
} from './store.js';
import { requireUser } from './users.js';

/** IAM's default quotas: managed policies per user, and inline policy characters per user (whitespace not counted). */
const MAX_ATTACHED_PER_USER = 10;
const MAX_INLINE_CHARS_PER_USER = 2048;

const noSuchUserPolicy = (name: string) => noSuchEntity(`The user policy with name ${name} cannot be found.`);

export function putUserPolicy(ctx: RequestContext, input: PutUserPolicyRequest): Record<string, never> {
  const user = requireUser(ctx, input.UserName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  checkPolicyDocument(input.PolicyDocument!, 'identity');
  const scope = scopeOf(ctx);
  const size = (text: string) => text.replace(/\s/g, '').length;
  const others = userPolicyNames(scope, user.UserName).filter((n) => n !== input.PolicyName);
  const total = others.reduce((n, name) => n + size(getUserPolicyDocument(scope, user.UserName, name) ?? ''), size(input.PolicyDocument!));
  if (total > MAX_INLINE_CHARS_PER_USER) {
    throw limitExceeded(`Maximum policy size of ${MAX_INLINE_CHARS_PER_USER} bytes exceeded for user ${user.UserName}`);
  }
  putUserPolicyRow(scope, user.UserName, input.PolicyName!, input.PolicyDocument!);
  return {};
}

export function getUserPolicy(ctx: RequestContext, input: GetUserPolicyRequest): GetUserPolicyResponse {
  const user = requireUser(ctx, input.UserName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  const doc = getUserPolicyDocument(scopeOf(ctx), user.UserName, input.PolicyName!);
  if (doc === undefined) throw noSuchUserPolicy(input.PolicyName!);
  return { UserName: user.UserName, PolicyName: input.PolicyName, PolicyDocument: encodePolicy(doc) };
}

export function deleteUserPolicy(ctx: RequestContext, input: DeleteUserPolicyRequest): Record<string, never> {
  const user = requireUser(ctx, input.UserName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  if (!deleteUserPolicyRow(scopeOf(ctx), user.UserName, input.PolicyName!)) throw noSuchUserPolicy(input.PolicyName!);
  return {};
}

export function listUserPolicies(ctx: RequestContext, input: ListUserPoliciesRequest): ListUserPoliciesResponse {
  const user = requireUser(ctx, input.UserName);
  const page = paginate(userPolicyNames(scopeOf(ctx), user.UserName), (n) => n, input.Marker, input.MaxItems);
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function attachUserPolicy(ctx: RequestContext, input: AttachUserPolicyRequest): Record<string, never> {
  const user = requireUser(ctx, input.UserName);
  parsePolicyArn(input.PolicyArn);
  const arn = input.PolicyArn!;
  if (!isAwsManagedPolicy(arn) && !findPolicyByArn(ctx.sql, arn)) throw policyNotAttachable(arn);
  const attached = userAttachedPolicyArns(scopeOf(ctx), user.UserName);
  if (attached.includes(arn)) return {};
  if (attached.length >= MAX_ATTACHED_PER_USER) throw limitExceeded(`Cannot exceed quota for PoliciesPerUser: ${MAX_ATTACHED_PER_USER}`);
  attachUserPolicyRow(scopeOf(ctx), user.UserName, arn);
  return {};
}

export function detachUserPolicy(ctx: RequestContext, input: DetachUserPolicyRequest): Record<string, never> {
  const user = requireUser(ctx, input.UserName);
  parsePolicyArn(input.PolicyArn);
  if (!detachUserPolicyRow(scopeOf(ctx), user.UserName, input.PolicyArn!)) throw noSuchPolicy(input.PolicyArn!);
  return {};
}

export function listAttachedUserPolicies(ctx: RequestContext, input: ListAttachedUserPoliciesRequest): ListAttachedUserPoliciesResponse {
  const user = requireUser(ctx, input.UserName);
  const prefix = checkPathPrefix(input.PathPrefix);
  const attached = userAttachedPolicyArns(scopeOf(ctx), user.UserName)
    .map((arn) => ({ arn, ...parsePolicyArn(arn) }))
    .filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, (p) => p.name.toLowerCase() + '\u0000' + p.arn, input.Marker, input.MaxItems);
  return {
    AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}
