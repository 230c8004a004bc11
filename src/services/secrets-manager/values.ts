/**
 * Secret values: GetSecretValue, BatchGetSecretValue, PutSecretValue,
 * ListSecretVersionIds, UpdateSecretVersionStage.
 */
import type {
  APIErrorType,
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  SecretValueEntry,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from '@aws-sdk/client-secrets-manager';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { invalidNextToken, invalidParameter } from './errors.js';
import { decodeOffset, encodeOffset, matchingSecrets } from './list.js';
import { accessDay } from './secrets.js';
import { saveSecret, versionsOf } from './store.js';
import { addVersion, attachStages, checkValue, CURRENT, liveSecret, readSecretValue, type SecretValue } from './versions.js';

function valueEntry(r: SecretValue): SecretValueEntry {
  return {
    ARN: r.secret.arn,
    Name: r.secret.name,
    VersionId: r.version.versionId,
    ...(r.version.stringValue !== undefined ? { SecretString: r.version.stringValue } : {}),
    ...(r.version.binaryValue !== undefined ? { SecretBinary: r.version.binaryValue } : {}),
    VersionStages: r.version.stages,
    CreatedDate: new Date(r.version.createdAt),
  };
}

/** Reading a value records the day it was read (LastAccessedDate). */
function read(ctx: RequestContext, secretId: string, versionId?: string, stage?: string): SecretValue {
  const now = ctx.clock.now();
  const r = readSecretValue(ctx, secretId, versionId, stage, now);
  if (r.secret.lastAccessedAt !== accessDay(now)) {
    r.secret.lastAccessedAt = accessDay(now);
    saveSecret(ctx, r.secret);
  }
  return r;
}

export function getSecretValue(ctx: RequestContext, input: GetSecretValueRequest): GetSecretValueResponse {
  return valueEntry(read(ctx, input.SecretId!, input.VersionId, input.VersionStage));
}

export function batchGetSecretValue(ctx: RequestContext, input: BatchGetSecretValueRequest): BatchGetSecretValueResponse {
  const ids = input.SecretIdList ?? [];
  if (ids.length && input.Filters?.length) throw invalidParameter('Either secret id list or filter is allowed. You cannot provide both.');
  if (!ids.length && !input.Filters?.length) throw invalidParameter('Either secret id list or filter is required.');
  const SecretValues: SecretValueEntry[] = [];
  const Errors: APIErrorType[] = [];
  if (ids.length) {
    for (const id of ids) {
      try {
        SecretValues.push(valueEntry(read(ctx, id)));
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        Errors.push({ SecretId: id, ErrorCode: err.code, Message: err.message });
      }
    }
    return { SecretValues, Errors };
  }
  const limit = input.MaxResults ?? 20;
  const start = decodeOffset(input.NextToken, invalidNextToken);
  const all = matchingSecrets(ctx, input.Filters, false).filter((s) => versionsOf(ctx, s.arn).some((v) => v.stages.includes(CURRENT)));
  for (const s of all.slice(start, start + limit)) SecretValues.push(valueEntry(read(ctx, s.arn)));
  return { SecretValues, Errors, ...(all.length > start + limit ? { NextToken: encodeOffset(start + limit) } : {}) };
}

export function putSecretValue(ctx: RequestContext, input: PutSecretValueRequest): PutSecretValueResponse {
  const now = ctx.clock.now();
  const secret = liveSecret(ctx, input.SecretId!, now);
  const value = checkValue(input, true)!;
  const stages = input.VersionStages?.length ? input.VersionStages : [CURRENT];
  const version = addVersion(ctx, secret, value, input.ClientRequestToken, stages, now);
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  const after = versionsOf(ctx, secret.arn).find((v) => v.versionId === version.versionId)!;
  return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: after.stages };
}

export function listSecretVersionIds(ctx: RequestContext, input: ListSecretVersionIdsRequest): ListSecretVersionIdsResponse {
  const secret = liveSecret(ctx, input.SecretId!, ctx.clock.now());
  const limit = input.MaxResults ?? 100;
  const start = decodeOffset(input.NextToken, invalidNextToken);
  const all = versionsOf(ctx, secret.arn).filter((v) => input.IncludeDeprecated || v.stages.length).reverse();
  return {
    ARN: secret.arn,
    Name: secret.name,
    Versions: all.slice(start, start + limit).map((v) => ({
      VersionId: v.versionId,
      VersionStages: v.stages,
      CreatedDate: new Date(v.createdAt),
      ...(secret.lastAccessedAt !== undefined ? { LastAccessedDate: new Date(secret.lastAccessedAt) } : {}),
    })),
    ...(all.length > start + limit ? { NextToken: encodeOffset(start + limit) } : {}),
  };
}

export function updateSecretVersionStage(ctx: RequestContext, input: UpdateSecretVersionStageRequest): UpdateSecretVersionStageResponse {
  const now = ctx.clock.now();
  const secret = liveSecret(ctx, input.SecretId!, now);
  const stage = input.VersionStage!;
  const versions = versionsOf(ctx, secret.arn);
  const holder = versions.find((v) => v.stages.includes(stage));
  for (const id of [input.RemoveFromVersionId, input.MoveToVersionId]) {
    if (id !== undefined && !versions.some((v) => v.versionId === id)) {
      throw invalidParameter(`The specified VersionId ${id} doesn't exist for this secret.`);
    }
  }
  if (input.RemoveFromVersionId !== undefined && holder?.versionId !== input.RemoveFromVersionId) {
    throw invalidParameter(`The parameter RemoveFromVersionId doesn't match. Staging label ${stage} is currently attached to version ${holder?.versionId ?? '(none)'}.`);
  }
  if (input.MoveToVersionId !== undefined && holder && holder.versionId !== input.MoveToVersionId && input.RemoveFromVersionId === undefined) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (input.MoveToVersionId !== undefined) {
    // Moving AWSCURRENT leaves its old holder AWSPREVIOUS, as a rotation does.
    attachStages(ctx, secret.arn, input.MoveToVersionId, [stage]);
  } else if (stage === CURRENT) {
    throw invalidParameter(`You can only move staging label ${CURRENT} to a different secret version. It can't be completely removed.`);
  } else if (holder) {
    attachStages(ctx, secret.arn, '', [stage]);
  }
  secret.lastChangedAt = now;
  saveSecret(ctx, secret);
  return { ARN: secret.arn, Name: secret.name };
}
