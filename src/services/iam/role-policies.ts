/** A role's permissions: inline policies (PutRolePolicy) and attached managed policies. */
import type {
  AttachRolePolicyRequest, DeleteRolePolicyRequest, DetachRolePolicyRequest, GetRolePolicyRequest,
  GetRolePolicyResponse, ListAttachedRolePoliciesRequest, ListAttachedRolePoliciesResponse, ListRolePoliciesRequest,
  ListRolePoliciesResponse, PutRolePolicyRequest,
} from '@aws-sdk/client-iam';
import type { RequestContext } from '../provider.js';
import { limitExceeded, noSuchPolicy, noSuchRolePolicy, policyNotAttachable } from './errors.js';
import { checkName, checkPathPrefix, checkPolicyText, paginate } from './inputs.js';
import { isAwsManagedPolicy, parsePolicyArn } from './policies.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { requireRole, scopeOf } from './roles.js';
import {
  attachPolicyRow, attachedPolicyArns, deleteRolePolicyRow, detachPolicyRow, findPolicyByArn, getRolePolicyDocument,
  putRolePolicyRow, rolePolicyNames,
} from './store.js';

/** IAM's default quotas: managed policies per role, and inline policy characters per role (whitespace not counted). */
const MAX_ATTACHED_PER_ROLE = 10;
const MAX_INLINE_CHARS_PER_ROLE = 10240;

export function putRolePolicy(ctx: RequestContext, input: PutRolePolicyRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  checkPolicyDocument(input.PolicyDocument!, 'identity');
  const scope = scopeOf(ctx);
  const size = (text: string) => text.replace(/\s/g, '').length;
  const others = rolePolicyNames(scope, role.RoleName).filter((n) => n !== input.PolicyName);
  const total = others.reduce((n, name) => n + size(getRolePolicyDocument(scope, role.RoleName, name) ?? ''), size(input.PolicyDocument!));
  if (total > MAX_INLINE_CHARS_PER_ROLE) {
    throw limitExceeded(`Maximum policy size of ${MAX_INLINE_CHARS_PER_ROLE} bytes exceeded for role ${role.RoleName}`);
  }
  putRolePolicyRow(scope, role.RoleName, input.PolicyName!, input.PolicyDocument!);
  return {};
}

export function getRolePolicy(ctx: RequestContext, input: GetRolePolicyRequest): GetRolePolicyResponse {
  const role = requireRole(ctx, input.RoleName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  const doc = getRolePolicyDocument(scopeOf(ctx), role.RoleName, input.PolicyName!);
  if (doc === undefined) throw noSuchRolePolicy(input.PolicyName!);
  return { RoleName: role.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodePolicy(doc) };
}

export function deleteRolePolicy(ctx: RequestContext, input: DeleteRolePolicyRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  if (!deleteRolePolicyRow(scopeOf(ctx), role.RoleName, input.PolicyName!)) throw noSuchRolePolicy(input.PolicyName!);
  return {};
}

export function listRolePolicies(ctx: RequestContext, input: ListRolePoliciesRequest): ListRolePoliciesResponse {
  const role = requireRole(ctx, input.RoleName);
  const page = paginate(rolePolicyNames(scopeOf(ctx), role.RoleName), (n) => n, input.Marker, input.MaxItems);
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function attachRolePolicy(ctx: RequestContext, input: AttachRolePolicyRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  parsePolicyArn(input.PolicyArn);
  const arn = input.PolicyArn!;
  if (!isAwsManagedPolicy(arn) && !findPolicyByArn(ctx.sql, arn)) throw policyNotAttachable(arn);
  const attached = attachedPolicyArns(scopeOf(ctx), role.RoleName);
  if (attached.includes(arn)) return {};
  if (attached.length >= MAX_ATTACHED_PER_ROLE) throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MAX_ATTACHED_PER_ROLE}`);
  attachPolicyRow(scopeOf(ctx), role.RoleName, arn);
  return {};
}

export function detachRolePolicy(ctx: RequestContext, input: DetachRolePolicyRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  parsePolicyArn(input.PolicyArn);
  if (!detachPolicyRow(scopeOf(ctx), role.RoleName, input.PolicyArn!)) throw noSuchPolicy(input.PolicyArn!);
  return {};
}

export function listAttachedRolePolicies(ctx: RequestContext, input: ListAttachedRolePoliciesRequest): ListAttachedRolePoliciesResponse {
  const role = requireRole(ctx, input.RoleName);
  const prefix = checkPathPrefix(input.PathPrefix);
  const attached = attachedPolicyArns(scopeOf(ctx), role.RoleName)
    .map((arn) => ({ arn, ...parsePolicyArn(arn) }))
    .filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, (p) => p.name.toLowerCase() + '\u0000' + p.arn, input.Marker, input.MaxItems);
  return {
    AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}
