/**
 * Secrets: CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret (recovery
 * window or forced), RestoreSecret, TagResource, UntagResource.
 */
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
  UpdateSecretRequest,
  UpdateSecretResponse,
} from '@aws-sdk/client-secrets-manager';
import type { RequestContext } from '../provider.js';
import { getTags, putTags, removeTags } from '../../state/tags.js';
import { invalidParameter, invalidRequest, markedForDeletion, resourceExists, secretNotFound } from './errors.js';
import {
  findSecret, insertSecret, newSecretArn, removeSecret, saveSecret, versionsOf, type Scope, type StoredSecret,
} from './store.js';
import { addVersion, checkValue, CURRENT, liveSecret, sameValue } from './versions.js';

const NAME_RE = /^[a-zA-Z0-9/_+=.@-]+$/;
const MAX_TAGS = 50;
const DAY_MS = 86_400_000;

/** LastAccessedDate is kept to the day, as Secrets Manager reports it. */
export const accessDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

export function tagsOf(s: Scope, arn: string): Tag[] {
  return getTags(s, arn).map((t) => ({ Key: t.key, Value: t.value }));
}

/** ARN → VersionId → staging labels, for versions that still carry one. */
export function versionsToStages(s: Scope, arn: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of versionsOf(s, arn)) if (v.stages.length) out[v.versionId] = v.stages;
  return out;
}

function checkTags(s: Scope, arn: string | undefined, tags: Tag[]) {
  for (const t of tags) {
    if (/^aws:/i.test(t.Key ?? '')) throw invalidParameter('Invalid tag key: tag keys that begin with "aws:" are reserved for AWS use.');
  }
  const existing = new Set(arn ? getTags(s, arn).map((t) => t.key) : []);
  const added = new Set(tags.map((t) => t.Key)).size - tags.filter((t) => existing.has(t.Key!)).length;
  if (existing.size + added > MAX_TAGS) throw invalidParameter('Number of tags exceeds the maximum of 50.');
}

export function createSecret(ctx: RequestContext, input: CreateSecretRequest): CreateSecretResponse {
  const name = input.Name!;
  if (!NAME_RE.test(name)) {
    throw invalidParameter('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  const value = checkValue(input, false);
  const now = ctx.clock.now();
  const existing = findSecret(ctx, name, now);
  if (existing) {
    if (existing.deletedAt !== undefined) {
      throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    // A retry of the same CreateSecret (same token, same value) answers as the first call did.
    const replay = input.ClientRequestToken && versionsOf(ctx, existing.arn).find((v) => v.versionId === input.ClientRequestToken);
    if (replay && value && sameValue(replay, value)) return { ARN: existing.arn, Name: existing.name, VersionId: replay.versionId };
    throw resourceExists(`The operation failed because the secret ${name} already exists.`);
  }
  checkTags(ctx, undefined, input.Tags ?? []);
  const secret: StoredSecret = {
    name, arn: newSecretArn(ctx, name), createdAt: now, lastChangedAt: now, seq: 0,
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
  };
  insertSecret(ctx, secret);
  if (input.Tags?.length) putTags(ctx, secret.arn, input.Tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  const version = value ? addVersion(ctx, secret, value, input.ClientRequestToken, [CURRENT], now) : undefined;
  return { ARN: secret.arn, Name: name, ...(version ? { VersionId: version.versionId } : {}) };
}

export function describeSecret(ctx: RequestContext, input: DescribeSecretRequest): DescribeSecretResponse {
  const secret = findSecret(ctx, input.SecretId!, ctx.clock.now());
  if (!secret) throw secretNotFound();
  const tags = tagsOf(ctx, secret.arn);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    ...(secret.kmsKeyId !== undefined ? { KmsKeyId: secret.kmsKeyId } : {}),
    LastChangedDate: new Date(secret.lastChangedAt),
    ...(secret.lastAccessedAt !== undefined ? { LastAccessedDate: new Date(secret.lastAccessedAt) } : {}),
    ...(secret.deletedAt !== undefined ? { DeletedDate: new Date(secret.deletedAt) } : {}),
    ...(tags.length ? { Tags: tags } : {}),
    VersionIdsToStages: versionsToStages(ctx, secret.arn),
    CreatedDate: new Date(secret.createdAt),
  };
}

export function updateSecret(ctx: RequestContext, input: UpdateSecretRequest): UpdateSecretResponse {
  const now = ctx.clock.now();
  const secret = liveSecret(ctx, input.SecretId!, now);
  const value = checkValue(input, false);
  if (input.Description !== undefined) secret.description = input.Description;
  if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId;
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  const version = value ? addVersion(ctx, secret, value, input.ClientRequestToken, [CURRENT], now) : undefined;
  return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.versionId } : {}) };
}

export function deleteSecret(ctx: RequestContext, input: DeleteSecretRequest): DeleteSecretResponse {
  const now = ctx.clock.now();
  const secret = findSecret(ctx, input.SecretId!, now);
  if (!secret) throw secretNotFound();
  const window = input.RecoveryWindowInDays;
  if (window !== undefined && input.ForceDeleteWithoutRecovery) {
    throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  if (input.ForceDeleteWithoutRecovery) {
    removeSecret(ctx, secret.arn);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
  }
  if (secret.deletedAt !== undefined) throw markedForDeletion();
  const days = window ?? 30;
  if (days < 7 || days > 30) throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  secret.deletedAt = now;
  secret.purgeAt = now + days * DAY_MS;
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(secret.purgeAt) };
}

export function restoreSecret(ctx: RequestContext, input: RestoreSecretRequest): RestoreSecretResponse {
  const now = ctx.clock.now();
  const secret = findSecret(ctx, input.SecretId!, now);
  if (!secret) throw secretNotFound();
  delete secret.deletedAt;
  delete secret.purgeAt;
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, never> {
  const now = ctx.clock.now();
  const secret = liveSecret(ctx, input.SecretId!, now);
  const tags = input.Tags ?? [];
  checkTags(ctx, secret.arn, tags);
  putTags(ctx, secret.arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): Record<string, never> {
  const now = ctx.clock.now();
  const secret = liveSecret(ctx, input.SecretId!, now);
  removeTags(ctx, secret.arn, input.TagKeys ?? []);
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  return {};
}
