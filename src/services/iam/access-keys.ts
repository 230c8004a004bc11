/**
 * Access keys (issue 23): long-term `AKIA…` keys with real 40-character
 * secrets, at most two per user (IAM's quota). Without `UserName` the keys are
 * the caller's: a user's own, or the root's (as IAM lets root create root
 * keys). The gateway finds a key here (store.findAccessKey) to learn who
 * signed and to verify the signature when enforcement is on; an Inactive key
 * is refused like an unknown one.
 */
import type {
  AccessKeyMetadata, CreateAccessKeyRequest, CreateAccessKeyResponse, DeleteAccessKeyRequest, GetAccessKeyLastUsedRequest,
  GetAccessKeyLastUsedResponse, ListAccessKeysRequest, ListAccessKeysResponse, UpdateAccessKeyRequest,
} from '@aws-sdk/client-iam';
import { iamArn } from '../../shared/arns.js';
import { base32Id, randomSecret } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { constraint, limitExceeded, noSuchEntity, validation } from './errors.js';
import { scopeOf } from './roles.js';
import {
  accessKeysOf, deleteAccessKeyRow, findAccessKey, insertAccessKey, setAccessKeyStatus, type StoredAccessKey,
} from './store.js';
import { callerUser, requireUser } from './users.js';

const MAX_KEYS_PER_USER = 2;

/** Whose keys a request names: the user by name, else the caller (a user, or the root: null). */
function ownerOf(ctx: RequestContext, userName: string | undefined): string | null {
  if (userName !== undefined) return requireUser(ctx, userName).UserName;
  const me = callerUser(ctx);
  if (me) return me.UserName;
  if (ctx.principalArn !== iamArn.root(ctx.account)) throw validation('Must specify userName when calling with non-User credentials');
  return null;
}

const noSuchKey = (id: string) => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

function requireKey(ctx: RequestContext, id: string | undefined, owner: string | null): StoredAccessKey {
  const key = findAccessKey(ctx.sql, id ?? '');
  if (!key || key.account !== ctx.account || (key.userName ?? null)?.toLowerCase() !== owner?.toLowerCase()) throw noSuchKey(id ?? '');
  return key;
}

const metadata = (k: StoredAccessKey): AccessKeyMetadata => ({
  ...(k.userName !== null ? { UserName: k.userName } : {}), AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: new Date(k.createdAt),
});

export function createAccessKey(ctx: RequestContext, input: CreateAccessKeyRequest): CreateAccessKeyResponse {
  const owner = ownerOf(ctx, input.UserName);
  if (accessKeysOf(scopeOf(ctx), owner).length >= MAX_KEYS_PER_USER) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS_PER_USER}`);
  const key: StoredAccessKey = {
    accessKeyId: base32Id('AKIA', 16), account: ctx.account, userName: owner, secret: randomSecret(40), status: 'Active',
    // AWS states creation in whole seconds.
    createdAt: Math.floor(ctx.clock.now() / 1000) * 1000, lastUsedAt: null, lastUsedRegion: null, lastUsedService: null,
  };
  insertAccessKey(ctx.sql, key);
  return {
    AccessKey: {
      UserName: owner ?? ctx.account, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secret,
      CreateDate: new Date(key.createdAt),
    },
  };
}

export function listAccessKeys(ctx: RequestContext, input: ListAccessKeysRequest): ListAccessKeysResponse {
  const owner = ownerOf(ctx, input.UserName);
  return { AccessKeyMetadata: accessKeysOf(scopeOf(ctx), owner).map(metadata), IsTruncated: false };
}

export function updateAccessKey(ctx: RequestContext, input: UpdateAccessKeyRequest): Record<string, never> {
  const owner = ownerOf(ctx, input.UserName);
  if (input.Status !== 'Active' && input.Status !== 'Inactive') {
    throw constraint(input.Status, 'status', 'Member must satisfy enum value set: [Active, Inactive]');
  }
  const key = requireKey(ctx, input.AccessKeyId, owner);
  setAccessKeyStatus(ctx.sql, key.accessKeyId, input.Status);
  return {};
}

export function deleteAccessKey(ctx: RequestContext, input: DeleteAccessKeyRequest): Record<string, never> {
  const owner = ownerOf(ctx, input.UserName);
  deleteAccessKeyRow(ctx.sql, requireKey(ctx, input.AccessKeyId, owner).accessKeyId);
  return {};
}

/** Any key of the account; a key never used answers Region and ServiceName "N/A", as IAM does. */
export function getAccessKeyLastUsed(ctx: RequestContext, input: GetAccessKeyLastUsedRequest): GetAccessKeyLastUsedResponse {
  const key = findAccessKey(ctx.sql, input.AccessKeyId ?? '');
  if (!key || key.account !== ctx.account) throw noSuchKey(input.AccessKeyId ?? '');
  return {
    UserName: key.userName ?? ctx.account,
    AccessKeyLastUsed: key.lastUsedAt === null
      ? { ServiceName: 'N/A', Region: 'N/A' } as GetAccessKeyLastUsedResponse['AccessKeyLastUsed']
      : { LastUsedDate: new Date(Math.floor(key.lastUsedAt / 1000) * 1000), ServiceName: key.lastUsedService!, Region: key.lastUsedRegion! },
  };
}
