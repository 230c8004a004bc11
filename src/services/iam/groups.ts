/**
 * IAM groups (issue 23): a group's members and its inline and attached
 * policies, which apply to every member. GroupId is `AGPA` + 17 base32
 * characters; names are unique and looked up regardless of case.
 */
import type {
  AddUserToGroupRequest, AttachGroupPolicyRequest, CreateGroupRequest, CreateGroupResponse, DeleteGroupPolicyRequest, DeleteGroupRequest,
  DetachGroupPolicyRequest, GetGroupPolicyRequest, GetGroupPolicyResponse, GetGroupRequest, GetGroupResponse, Group,
  ListAttachedGroupPoliciesRequest, ListAttachedGroupPoliciesResponse, ListGroupPoliciesRequest, ListGroupPoliciesResponse,
  ListGroupsForUserRequest, ListGroupsForUserResponse, ListGroupsRequest, ListGroupsResponse, PutGroupPolicyRequest, RemoveUserFromGroupRequest,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { alreadyExists, deleteConflict, limitExceeded, noSuchEntity, noSuchPolicy, policyNotAttachable } from './errors.js';
import { checkName, checkPath, checkPathPrefix, checkPolicyText, paginate } from './inputs.js';
import { isAwsManagedPolicy, parsePolicyArn } from './policies.js';
import { checkPolicyDocument, encodePolicy } from './policy-document.js';
import { scopeOf } from './roles.js';
import {
  addGroupMember, allGroups, attachGroupPolicyRow, deleteGroupPolicyRow, deleteGroupRow, detachGroupPolicyRow, findGroup, findPolicyByArn,
  findUser, getGroupPolicyDocument, groupAttachedPolicyArns, groupMembers, groupPolicyNames, groupsOfUser, insertGroup, putGroupPolicyRow,
  removeGroupMember, type StoredGroup,
} from './store.js';
import { requireUser } from './users.js';

const MAX_ATTACHED_PER_GROUP = 10;
const MAX_INLINE_CHARS_PER_GROUP = 5120;

const noSuchGroup = (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`);

function requireGroup(ctx: RequestContext, name: string | undefined): StoredGroup {
  checkName(name ?? '', 'groupName', 128);
  const g = findGroup(scopeOf(ctx), name!);
  if (!g) throw noSuchGroup(name!);
  return g;
}

const groupOutput = (g: StoredGroup): Group => ({ Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: new Date(g.CreateDate) });

export function createGroup(ctx: RequestContext, input: CreateGroupRequest): CreateGroupResponse {
  checkName(input.GroupName ?? '', 'groupName', 128);
  const path = checkPath(input.Path);
  const scope = scopeOf(ctx);
  if (findGroup(scope, input.GroupName!)) throw alreadyExists(`Group with name ${input.GroupName} already exists.`);
  const g: StoredGroup = {
    Path: path, GroupName: input.GroupName!, GroupId: base32Id('AGPA', 17), Arn: iamArn.group(ctx.account, input.GroupName!, path),
    CreateDate: new Date(ctx.clock.now()).toISOString(),
  };
  insertGroup(scope, g);
  return { Group: groupOutput(g) };
}

export function getGroup(ctx: RequestContext, input: GetGroupRequest): GetGroupResponse {
  const g = requireGroup(ctx, input.GroupName);
  const scope = scopeOf(ctx);
  const users = groupMembers(scope, g.GroupName).map((n) => findUser(scope, n)).filter((u): u is NonNullable<typeof u> => !!u);
  const page = paginate(users, (u) => u.UserName.toLowerCase(), input.Marker, input.MaxItems);
  return {
    Group: groupOutput(g),
    Users: page.items.map((u) => ({ Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: new Date(u.CreateDate) })),
    IsTruncated: page.IsTruncated, Marker: page.Marker,
  };
}

export function listGroups(ctx: RequestContext, input: ListGroupsRequest): ListGroupsResponse {
  const prefix = checkPathPrefix(input.PathPrefix);
  const page = paginate(allGroups(scopeOf(ctx)).filter((g) => g.Path.startsWith(prefix)), (g) => g.GroupName.toLowerCase(), input.Marker, input.MaxItems);
  return { Groups: page.items.map(groupOutput), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function listGroupsForUser(ctx: RequestContext, input: ListGroupsForUserRequest): ListGroupsForUserResponse {
  const user = requireUser(ctx, input.UserName);
  const scope = scopeOf(ctx);
  const groups = groupsOfUser(scope, user.UserName).map((n) => findGroup(scope, n)!);
  const page = paginate(groups, (g) => g.GroupName.toLowerCase(), input.Marker, input.MaxItems);
  return { Groups: page.items.map(groupOutput), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function deleteGroup(ctx: RequestContext, input: DeleteGroupRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  const scope = scopeOf(ctx);
  if (groupMembers(scope, g.GroupName).length) throw deleteConflict('Cannot delete entity, must remove users from group first.');
  if (groupAttachedPolicyArns(scope, g.GroupName).length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (groupPolicyNames(scope, g.GroupName).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  deleteGroupRow(scope, g.GroupName);
  return {};
}

export function addUserToGroup(ctx: RequestContext, input: AddUserToGroupRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  const user = requireUser(ctx, input.UserName);
  addGroupMember(scopeOf(ctx), g.GroupName, user.UserName);
  return {};
}

export function removeUserFromGroup(ctx: RequestContext, input: RemoveUserFromGroupRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  const user = requireUser(ctx, input.UserName);
  if (!removeGroupMember(scopeOf(ctx), g.GroupName, user.UserName)) throw noSuchEntity(`User ${user.UserName} is not in group ${g.GroupName}.`);
  return {};
}

export function putGroupPolicy(ctx: RequestContext, input: PutGroupPolicyRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  checkPolicyText(input.PolicyDocument ?? '', 'policyDocument');
  checkPolicyDocument(input.PolicyDocument!, 'identity');
  const scope = scopeOf(ctx);
  const size = (text: string) => text.replace(/\s/g, '').length;
  const others = groupPolicyNames(scope, g.GroupName).filter((n) => n !== input.PolicyName);
  const total = others.reduce((n, name) => n + size(getGroupPolicyDocument(scope, g.GroupName, name) ?? ''), size(input.PolicyDocument!));
  if (total > MAX_INLINE_CHARS_PER_GROUP) throw limitExceeded(`Maximum policy size of ${MAX_INLINE_CHARS_PER_GROUP} bytes exceeded for group ${g.GroupName}`);
  putGroupPolicyRow(scope, g.GroupName, input.PolicyName!, input.PolicyDocument!);
  return {};
}

export function getGroupPolicy(ctx: RequestContext, input: GetGroupPolicyRequest): GetGroupPolicyResponse {
  const g = requireGroup(ctx, input.GroupName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  const doc = getGroupPolicyDocument(scopeOf(ctx), g.GroupName, input.PolicyName!);
  if (doc === undefined) throw noSuchEntity(`The group policy with name ${input.PolicyName} cannot be found.`);
  return { GroupName: g.GroupName, PolicyName: input.PolicyName, PolicyDocument: encodePolicy(doc) };
}

export function deleteGroupPolicy(ctx: RequestContext, input: DeleteGroupPolicyRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  checkName(input.PolicyName ?? '', 'policyName', 128);
  if (!deleteGroupPolicyRow(scopeOf(ctx), g.GroupName, input.PolicyName!)) throw noSuchEntity(`The group policy with name ${input.PolicyName} cannot be found.`);
  return {};
}

export function listGroupPolicies(ctx: RequestContext, input: ListGroupPoliciesRequest): ListGroupPoliciesResponse {
  const g = requireGroup(ctx, input.GroupName);
  const page = paginate(groupPolicyNames(scopeOf(ctx), g.GroupName), (n) => n, input.Marker, input.MaxItems);
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function attachGroupPolicy(ctx: RequestContext, input: AttachGroupPolicyRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  parsePolicyArn(input.PolicyArn);
  const arn = input.PolicyArn!;
  if (!isAwsManagedPolicy(arn) && !findPolicyByArn(ctx.sql, arn)) throw policyNotAttachable(arn);
  const attached = groupAttachedPolicyArns(scopeOf(ctx), g.GroupName);
  if (attached.includes(arn)) return {};
  if (attached.length >= MAX_ATTACHED_PER_GROUP) throw limitExceeded(`Cannot exceed quota for PoliciesPerGroup: ${MAX_ATTACHED_PER_GROUP}`);
  attachGroupPolicyRow(scopeOf(ctx), g.GroupName, arn);
  return {};
}

export function detachGroupPolicy(ctx: RequestContext, input: DetachGroupPolicyRequest): Record<string, never> {
  const g = requireGroup(ctx, input.GroupName);
  parsePolicyArn(input.PolicyArn);
  if (!detachGroupPolicyRow(scopeOf(ctx), g.GroupName, input.PolicyArn!)) throw noSuchPolicy(input.PolicyArn!);
  return {};
}

export function listAttachedGroupPolicies(ctx: RequestContext, input: ListAttachedGroupPoliciesRequest): ListAttachedGroupPoliciesResponse {
  const g = requireGroup(ctx, input.GroupName);
  const prefix = checkPathPrefix(input.PathPrefix);
  const attached = groupAttachedPolicyArns(scopeOf(ctx), g.GroupName).map((arn) => ({ arn, ...parsePolicyArn(arn) })).filter((p) => p.path.startsWith(prefix));
  const page = paginate(attached, (p) => p.name.toLowerCase() + '\u0000' + p.arn, input.Marker, input.MaxItems);
  return { AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), IsTruncated: page.IsTruncated, Marker: page.Marker };
}
