/**
 * Instance profiles: the container EC2 passes an instance's role in. A profile
 * holds at most one role (IAM's InstanceSessionsPerInstanceProfile quota);
 * a role in a profile cannot be deleted, nor a profile holding a role.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
 */
import type {
  AddRoleToInstanceProfileRequest, CreateInstanceProfileRequest, CreateInstanceProfileResponse, DeleteInstanceProfileRequest,
  GetInstanceProfileRequest, GetInstanceProfileResponse, InstanceProfile, ListInstanceProfilesForRoleRequest,
  ListInstanceProfilesForRoleResponse, ListInstanceProfilesRequest, ListInstanceProfilesResponse, ListInstanceProfileTagsRequest,
  ListInstanceProfileTagsResponse, RemoveRoleFromInstanceProfileRequest, TagInstanceProfileRequest, UntagInstanceProfileRequest,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id } from '../../shared/ids.js';
import { countTags, dropAllTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { alreadyExists, deleteConflict, limitExceeded, noSuchEntity, noSuchRole } from './errors.js';
import { checkName, checkPath, checkPathPrefix, checkTags, MAX_TAGS, paginate, tooManyTags } from './inputs.js';
import { requireRole, roleOutput, scopeOf } from './roles.js';
import {
  allInstanceProfiles, deleteInstanceProfileRow, findInstanceProfile, findRole, insertInstanceProfile, instanceProfilesOfRole,
  setInstanceProfileRole, type StoredInstanceProfile,
} from './store.js';

const noSuchProfile = (name: string) => noSuchEntity(`Instance Profile ${name} cannot be found.`);

function requireProfile(ctx: RequestContext, name: string | undefined): StoredInstanceProfile {
  checkName(name ?? '', 'instanceProfileName', 128);
  const p = findInstanceProfile(scopeOf(ctx), name!);
  if (!p) throw noSuchProfile(name!);
  return p;
}

/** The wire shape: its role (as ListRoles shows roles), and its tags when asked for. */
function profileOutput(ctx: RequestContext, p: StoredInstanceProfile, withTags: boolean): InstanceProfile {
  const role = p.RoleName ? findRole(scopeOf(ctx), p.RoleName) : undefined;
  const tags = withTags ? getTags(ctx, p.Arn).map((t) => ({ Key: t.key, Value: t.value })) : [];
  return {
    Path: p.Path,
    InstanceProfileName: p.InstanceProfileName,
    InstanceProfileId: p.InstanceProfileId,
    Arn: p.Arn,
    CreateDate: new Date(p.CreateDate),
    Roles: role ? [roleOutput(ctx, role, 'list')] : [],
    ...(tags.length ? { Tags: tags } : {}),
  };
}

export function createInstanceProfile(ctx: RequestContext, input: CreateInstanceProfileRequest): CreateInstanceProfileResponse {
  checkName(input.InstanceProfileName ?? '', 'instanceProfileName', 128);
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  const scope = scopeOf(ctx);
  if (findInstanceProfile(scope, input.InstanceProfileName!)) throw alreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`);
  const p: StoredInstanceProfile = {
    InstanceProfileName: input.InstanceProfileName!,
    InstanceProfileId: base32Id('AIPA', 17),
    Arn: iamArn.instanceProfile(ctx.account, input.InstanceProfileName!, path),
    Path: path,
    CreateDate: new Date(ctx.clock.now()).toISOString(),
  };
  insertInstanceProfile(scope, p);
  if (tags.length) putTags(ctx, p.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { InstanceProfile: profileOutput(ctx, p, true) };
}

export function getInstanceProfile(ctx: RequestContext, input: GetInstanceProfileRequest): GetInstanceProfileResponse {
  return { InstanceProfile: profileOutput(ctx, requireProfile(ctx, input.InstanceProfileName), true) };
}

export function listInstanceProfiles(ctx: RequestContext, input: ListInstanceProfilesRequest): ListInstanceProfilesResponse {
  const prefix = checkPathPrefix(input.PathPrefix);
  const all = allInstanceProfiles(scopeOf(ctx)).filter((p) => p.Path.startsWith(prefix));
  const page = paginate(all, (p) => p.InstanceProfileName.toLowerCase(), input.Marker, input.MaxItems);
  // Listed without tags, as IAM lists them.
  return { InstanceProfiles: page.items.map((p) => profileOutput(ctx, p, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function listInstanceProfilesForRole(ctx: RequestContext, input: ListInstanceProfilesForRoleRequest): ListInstanceProfilesForRoleResponse {
  const role = requireRole(ctx, input.RoleName);
  const all = instanceProfilesOfRole(scopeOf(ctx), role.RoleName);
  const page = paginate(all, (p) => p.InstanceProfileName.toLowerCase(), input.Marker, input.MaxItems);
  return { InstanceProfiles: page.items.map((p) => profileOutput(ctx, p, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function addRoleToInstanceProfile(ctx: RequestContext, input: AddRoleToInstanceProfileRequest): Record<string, never> {
  const p = requireProfile(ctx, input.InstanceProfileName);
  const role = requireRole(ctx, input.RoleName);
  if (p.RoleName) throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
  setInstanceProfileRole(scopeOf(ctx), p.InstanceProfileName, role.RoleName);
  return {};
}

export function removeRoleFromInstanceProfile(ctx: RequestContext, input: RemoveRoleFromInstanceProfileRequest): Record<string, never> {
  const p = requireProfile(ctx, input.InstanceProfileName);
  const role = requireRole(ctx, input.RoleName);
  if (p.RoleName?.toLowerCase() !== role.RoleName.toLowerCase()) throw noSuchRole(input.RoleName!);
  setInstanceProfileRole(scopeOf(ctx), p.InstanceProfileName, null);
  return {};
}

export function deleteInstanceProfile(ctx: RequestContext, input: DeleteInstanceProfileRequest): Record<string, never> {
  const p = requireProfile(ctx, input.InstanceProfileName);
  if (p.RoleName) throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  deleteInstanceProfileRow(scopeOf(ctx), p.InstanceProfileName);
  dropAllTags(ctx, p.Arn);
  return {};
}

export function tagInstanceProfile(ctx: RequestContext, input: TagInstanceProfileRequest): Record<string, never> {
  const p = requireProfile(ctx, input.InstanceProfileName);
  const tags = checkTags(input.Tags);
  const current = getTags(ctx, p.Arn);
  const existing = new Set(current.map((t) => t.key.toLowerCase()));
  if (countTags(ctx, p.Arn) + tags.filter((t) => !existing.has(t.Key!.toLowerCase())).length > MAX_TAGS) throw tooManyTags();
  // Keys are case-insensitive: a new casing replaces the old tag.
  removeTags(ctx, p.Arn, current.filter((c) => tags.some((t) => t.Key!.toLowerCase() === c.key.toLowerCase() && t.Key !== c.key)).map((c) => c.key));
  putTags(ctx, p.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return {};
}

export function untagInstanceProfile(ctx: RequestContext, input: UntagInstanceProfileRequest): Record<string, never> {
  const p = requireProfile(ctx, input.InstanceProfileName);
  const lower = new Set((input.TagKeys ?? []).map((k) => k.toLowerCase()));
  removeTags(ctx, p.Arn, getTags(ctx, p.Arn).filter((t) => lower.has(t.key.toLowerCase())).map((t) => t.key));
  return {};
}

export function listInstanceProfileTags(ctx: RequestContext, input: ListInstanceProfileTagsRequest): ListInstanceProfileTagsResponse {
  const p = requireProfile(ctx, input.InstanceProfileName);
  const tags = getTags(ctx, p.Arn).map((t, i) => ({ t: { Key: t.key, Value: t.value }, key: String(i).padStart(4, '0') }));
  const page = paginate(tags, (x) => x.key, input.Marker, input.MaxItems);
  return { Tags: page.items.map((x) => x.t), IsTruncated: page.IsTruncated, Marker: page.Marker };
}
