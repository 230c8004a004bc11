/**
 * IAM users (issue 23): create, read, list, delete. Tags given at creation are
 * kept in the shared `tags` table under the user ARN. Berth's default
 * long-term credentials (`test`, any 12-digit key, configured keys) are the
 * account's root, so GetUser without a name describes the caller: the root
 * user, or the user whose access key signed the request.
 */
import type {
  CreateUserRequest, CreateUserResponse, DeleteUserRequest, GetUserRequest, GetUserResponse, ListUsersRequest,
  ListUsersResponse, User,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id } from '../../shared/ids.js';
import { dropAllTags, getTags, putTags } from '../../state/tags.js';
import { getOrCreateMeta } from '../../state/meta.js';
import type { RequestContext } from '../provider.js';
import { alreadyExists, deleteConflict, noSuchUser, validation } from './errors.js';
import { checkName, checkPath, checkPathPrefix, checkTags, paginate } from './inputs.js';
import { scopeOf } from './roles.js';
import {
  accessKeysOf, allUsers, deleteUserRow, findUser, groupsOfUser, insertUser, userAttachedPolicyArns, userPolicyNames, type StoredUser,
} from './store.js';

/** The user or NoSuchEntity; names match regardless of case, as in IAM. */
export function requireUser(ctx: RequestContext, name: string | undefined): StoredUser {
  checkName(name ?? '', 'userName', 64);
  const user = findUser(scopeOf(ctx), name!);
  if (!user) throw noSuchUser(name!);
  return user;
}

/** The user whose key signed this request, if it was a user's key. */
export function callerUser(ctx: RequestContext): StoredUser | undefined {
  if (!ctx.principalArn.startsWith(iamArn.user(ctx.account, ''))) return undefined;
  return findUser(scopeOf(ctx), ctx.principalArn.slice(ctx.principalArn.lastIndexOf('/') + 1));
}

const userOutput = (ctx: RequestContext, u: StoredUser, withTags: boolean): User => {
  const tags = withTags ? getTags(ctx, u.Arn) : [];
  return {
    Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: new Date(u.CreateDate),
    ...(tags.length ? { Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
  };
};

export function createUser(ctx: RequestContext, input: CreateUserRequest): CreateUserResponse {
  checkName(input.UserName ?? '', 'userName', 64);
  const path = checkPath(input.Path);
  const tags = checkTags(input.Tags);
  const scope = scopeOf(ctx);
  if (findUser(scope, input.UserName!)) throw alreadyExists(`User with name ${input.UserName} already exists.`);
  const user: StoredUser = {
    Path: path, UserName: input.UserName!, UserId: base32Id('AIDA', 17),
    Arn: iamArn.user(ctx.account, `${path.slice(1)}${input.UserName}`), CreateDate: new Date(ctx.clock.now()).toISOString(),
  };
  insertUser(scope, user);
  if (tags.length) putTags(ctx, user.Arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { User: userOutput(ctx, user, true) };
}

export function getUser(ctx: RequestContext, input: GetUserRequest): GetUserResponse {
  if (input.UserName !== undefined) return { User: userOutput(ctx, requireUser(ctx, input.UserName), true) };
  const me = callerUser(ctx);
  if (me) return { User: userOutput(ctx, me, true) };
  if (ctx.principalArn !== iamArn.root(ctx.account)) throw validation('Must specify userName when calling with non-User credentials');
  // The root user's creation date: the first time this data dir was asked, then stable.
  const created = getOrCreateMeta(ctx.db, `iam-root-created:${ctx.account}`, () => new Date(ctx.clock.now()).toISOString());
  return { User: { UserId: ctx.account, Arn: ctx.principalArn, CreateDate: new Date(created) } as GetUserResponse['User'] };
}

export function listUsers(ctx: RequestContext, input: ListUsersRequest): ListUsersResponse {
  const prefix = checkPathPrefix(input.PathPrefix);
  const users = allUsers(scopeOf(ctx)).filter((u) => u.Path.startsWith(prefix));
  const page = paginate(users, (u) => u.UserName.toLowerCase(), input.Marker, input.MaxItems);
  return { Users: page.items.map((u) => userOutput(ctx, u, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export function deleteUser(ctx: RequestContext, input: DeleteUserRequest): Record<string, never> {
  const user = requireUser(ctx, input.UserName);
  const scope = scopeOf(ctx);
  if (accessKeysOf(scope, user.UserName).length) throw deleteConflict('Cannot delete entity, must delete access keys first.');
  if (groupsOfUser(scope, user.UserName).length) throw deleteConflict('Cannot delete entity, must remove user from all groups first.');
  if (userAttachedPolicyArns(scope, user.UserName).length) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (userPolicyNames(scope, user.UserName).length) throw deleteConflict('Cannot delete entity, must delete policies first.');
  deleteUserRow(scope, user.UserName);
  dropAllTags(ctx, user.Arn);
  return {};
}
