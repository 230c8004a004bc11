/** IAM roles: create, read, list, update, delete, and their tags. */
import type {
  CreateRoleRequest, CreateRoleResponse, DeleteRoleRequest, GetRoleRequest, GetRoleResponse, ListRoleTagsRequest,
  ListRoleTagsResponse, ListRolesRequest, ListRolesResponse, Role, TagRoleRequest, UntagRoleRequest,
  UpdateAssumeRolePolicyRequest, UpdateRoleRequest,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { countTags, dropAllTags, getTags, putTags, removeTags } from '../../state/tags.js';
import { alreadyExists, deleteConflict, noSuchRole, policyNotAttachable } from './errors.js';
import {
  checkDescription, checkName, checkPath, checkPathPrefix, checkPolicyText, checkTags, MAX_TAGS, paginate, tooManyTags,
} from './inputs.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { isAwsManagedPolicy } from './policies.js';
import {
  allRoles, attachedPolicyArns, deleteRoleRow, findPolicyByArn, findRole, insertRole, instanceProfilesOfRole, rolePolicyNames, updateRole,
  bumpPolicyStamp, type IamScope, type StoredRole,
} from './store.js';

export const DEFAULT_MAX_SESSION_DURATION = 3600;

export const scopeOf = (ctx: RequestContext): IamScope => ({ sql: ctx.sql, account: ctx.account });

/** The role or NoSuchEntity; names match regardless of case, as in IAM. */
export function requireRole(ctx: RequestContext, name: string | undefined): StoredRole {
  checkName(name ?? '', 'roleName', 64);
  const role = findRole(scopeOf(ctx), name!);
  if (!role) throw noSuchRole(name!);
  return role;
}

const tagsOf = (ctx: RequestContext, arn: string) => getTags(ctx, arn).map((t) => ({ Key: t.key, Value: t.value }));

/** The wire shape: the trust policy URL-encoded, as IAM returns it. */
export function roleOutput(ctx: RequestContext, role: StoredRole, detail: 'full' | 'list'): Role {
  const out: Role = {
    ...role,
    CreateDate: new Date(role.CreateDate),
    AssumeRolePolicyDocument: role.AssumeRolePolicyDocument && encodePolicy(role.AssumeRolePolicyDocument),
  };
  // ListRoles leaves out tags, the permissions boundary and last use (documented in ListRoles).
  if (detail === 'list') {
    delete out.PermissionsBoundary;
    delete out.RoleLastUsed;
    return out;
  }
  const tags = tagsOf(ctx, role.Arn);
  if (tags.length) out.Tags = tags;
  if (out.RoleLastUsed?.LastUsedDate) out.RoleLastUsed = { ...out.RoleLastUsed, LastUsedDate: new Date(out.RoleLastUsed.LastUsedDate) };
  return out;
}

function checkMaxSessionDuration(value: number | undefined): number {
  // Its range (3600-43200) is the model's, checked before any provider runs (protocol/validate.ts).
  return value ?? DEFAULT_MAX_SESSION_DURATION;
}

/** A permissions boundary names a managed policy that exists (AWS managed ones always do). */
function checkBoundary(ctx: RequestContext, arn: string | undefined) {
  if (arn === undefined) return undefined;
  if (!isAwsManagedPolicy(arn) && !findPolicyByArn(ctx.sql, arn)) throw policyNotAttachable(arn);
  return { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: arn };
}

export function createRole(ctx: RequestContext, input: CreateRoleRequest): CreateRoleResponse {
  checkName(input.RoleName ?? '', 'roleName', 64);
  const path = checkPath(input.Path);
  checkPolicyText(input.AssumeRolePolicyDocument ?? '', 'assumeRolePolicyDocument');
  checkDescription(input.Description);
  const maxSession = checkMaxSessionDuration(input.MaxSessionDuration);
  const tags = checkTags(input.Tags);
  checkPolicyDocument(input.AssumeRolePolicyDocument!, 'trust');
  const scope = scopeOf(ctx);
  if (findRole(scope, input.RoleName!)) throw alreadyExists(`Role with name ${input.RoleName} already exists.`);
  const boundary = checkBoundary(ctx, input.PermissionsBoundary);
  const role: StoredRole = {
    Path: path,
    RoleName: input.RoleName!,
    RoleId: base32Id('AROA', 17),
    Arn: iamArn.role(ctx.account, input.RoleName!, path),
    CreateDate: new Date(ctx.clock.now()).toISOString(),
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    MaxSessionDuration: maxSession,
    ...(boundary ? { PermissionsBoundary: boundary } : {}),
    RoleLastUsed: {},
  };
  insertRole(scope, role);
  if (tags.length) putTags(ctx, role.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  const out = roleOutput(ctx, role, 'full');
  delete out.RoleLastUsed;
  return { Role: out };
}

export function getRole(ctx: RequestContext, input: GetRoleRequest): GetRoleResponse {
  return { Role: roleOutput(ctx, requireRole(ctx, input.RoleName), 'full') };
}

export function listRoles(ctx: RequestContext, input: ListRolesRequest): ListRolesResponse {
  const prefix = checkPathPrefix(input.PathPrefix);
  const roles = allRoles(scopeOf(ctx)).filter((r) => r.Path.startsWith(prefix));
  const page = paginate(roles, (r) => r.RoleName.toLowerCase(), input.Marker, input.MaxItems);
  return { Roles: page.items.map((r) => roleOutput(ctx, r, 'list')), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function deleteRole(ctx: RequestContext, input: DeleteRoleRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  const scope = scopeOf(ctx);
  if (attachedPolicyArns(scope, role.RoleName).length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (rolePolicyNames(scope, role.RoleName).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  if (instanceProfilesOfRole(scope, role.RoleName).length) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  deleteRoleRow(scope, role.RoleName);
  dropAllTags(ctx, role.Arn);
  return {};
}

export function updateRoleOp(ctx: RequestContext, input: UpdateRoleRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  checkDescription(input.Description);
  if (input.Description !== undefined) role.Description = input.Description;
  if (input.MaxSessionDuration !== undefined) role.MaxSessionDuration = checkMaxSessionDuration(input.MaxSessionDuration);
  updateRole(scopeOf(ctx), role);
  return {};
}

export function updateAssumeRolePolicy(ctx: RequestContext, input: UpdateAssumeRolePolicyRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  checkPolicyDocument(input.PolicyDocument!, 'trust');
  role.AssumeRolePolicyDocument = input.PolicyDocument;
  updateRole(scopeOf(ctx), role);
  return {};
}

export function tagRole(ctx: RequestContext, input: TagRoleRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  const tags = checkTags(input.Tags);
  const existing = new Set(getTags(ctx, role.Arn).map((t) => t.key.toLowerCase()));
  const added = tags.filter((t) => !existing.has(t.Key!.toLowerCase())).length;
  if (countTags(ctx, role.Arn) + added > MAX_TAGS) throw tooManyTags();
  // Keys are case-insensitive: a new casing replaces the old tag.
  const current = getTags(ctx, role.Arn);
  removeTags(ctx, role.Arn, current.filter((c) => tags.some((t) => t.Key!.toLowerCase() === c.key.toLowerCase() && t.Key !== c.key)).map((c) => c.key));
  putTags(ctx, role.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  bumpPolicyStamp(ctx.sql); // aws:PrincipalTag/* of the role's sessions
  return {};
}

export function untagRole(ctx: RequestContext, input: UntagRoleRequest): Record<string, never> {
  const role = requireRole(ctx, input.RoleName);
  const keys = input.TagKeys ?? [];
  const lower = new Set(keys.map((k) => k.toLowerCase()));
  removeTags(ctx, role.Arn, getTags(ctx, role.Arn).filter((t) => lower.has(t.key.toLowerCase())).map((t) => t.key));
  bumpPolicyStamp(ctx.sql);
  return {};
}

export function listRoleTags(ctx: RequestContext, input: ListRoleTagsRequest): ListRoleTagsResponse {
  const role = requireRole(ctx, input.RoleName);
  const tags = tagsOf(ctx, role.Arn).map((t, i) => ({ t, key: String(i).padStart(4, '0') }));
  const page = paginate(tags, (x) => x.key, input.Marker, input.MaxItems);
  return { Tags: page.items.map((x) => x.t), IsTruncated: page.IsTruncated, Marker: page.Marker };
}
