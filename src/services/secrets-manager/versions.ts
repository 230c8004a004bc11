/**
 * Secret versions and staging labels: reading a version the way GetSecretValue
 * picks it, and adding a version the way PutSecretValue moves the labels
 * (AWSCURRENT moves to the new version and the old one becomes AWSPREVIOUS).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
 */
import { randomUUID } from 'node:crypto';
import { constraint, invalidParameter, invalidRequest, markedForDeletion, resourceExists, secretNotFound, stageNotFound, versionNotFound } from './errors.js';
import { deleteVersion, findSecret, insertVersion, setStages, versionsOf, type Scope, type StoredSecret, type StoredVersion } from './store.js';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
/** Secrets Manager keeps at most about 100 versions; the oldest unlabelled ones go first. */
const MAX_VERSIONS = 100;

export interface SecretValue {
  secret: StoredSecret;
  version: StoredVersion;
}

/** A secret that exists and is not scheduled for deletion, or the AWS error. */
export function liveSecret(s: Scope, secretId: string, now: number): StoredSecret {
  const secret = findSecret(s, secretId, now);
  if (!secret) throw secretNotFound();
  if (secret.deletedAt !== undefined) throw markedForDeletion();
  return secret;
}

/** The version GetSecretValue returns for (VersionId, VersionStage), or its AWS error. */
export function readSecretValue(s: Scope, secretId: string, versionId: string | undefined, versionStage: string | undefined, now: number): SecretValue {
  const secret = liveSecret(s, secretId, now);
  const versions = versionsOf(s, secret.arn);
  let version: StoredVersion | undefined;
  if (versionId !== undefined) {
    version = versions.find((v) => v.versionId === versionId);
    if (!version) throw versionNotFound(versionId);
    if (versionStage !== undefined && !version.stages.includes(versionStage)) {
      throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
    }
  } else {
    const stage = versionStage ?? CURRENT;
    version = versions.find((v) => v.stages.includes(stage));
    if (!version) throw stageNotFound(stage);
  }
  return { secret, version };
}

export interface NewValue {
  stringValue?: string;
  binaryValue?: Buffer;
}

export function checkValue(v: { SecretString?: string; SecretBinary?: Uint8Array }, required: boolean): NewValue | undefined {
  if (v.SecretString !== undefined && v.SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (v.SecretString !== undefined) {
    if (Buffer.byteLength(v.SecretString, 'utf8') > 65536) throw constraint('*** Sensitive Data Redacted ***', 'secretString', 'Member must have length less than or equal to 65536');
    return { stringValue: v.SecretString };
  }
  if (v.SecretBinary !== undefined) return { binaryValue: Buffer.from(v.SecretBinary) };
  if (required) throw invalidRequest('You must provide either SecretString or SecretBinary.');
  return undefined;
}

export const sameValue = (v: StoredVersion, n: NewValue) =>
  v.stringValue === n.stringValue && (v.binaryValue === undefined) === (n.binaryValue === undefined) &&
  (!v.binaryValue || v.binaryValue.equals(n.binaryValue!));

/**
 * Adds a version (ClientRequestToken = VersionId) carrying `stages`, moving
 * those labels off other versions. Replaying a token with the same value is a
 * no-op (the SDKs retry with the same token); with another value it fails.
 */
export function addVersion(s: Scope, secret: StoredSecret, value: NewValue, token: string | undefined, stages: string[], now: number): StoredVersion {
  const versionId = token ?? randomUUID();
  const versions = versionsOf(s, secret.arn);
  const existing = versions.find((v) => v.versionId === versionId);
  if (existing) {
    if (sameValue(existing, value)) return existing;
    throw resourceExists("You can't modify an existing version, you can only create a new version.");
  }
  const version: StoredVersion = { versionId, ...value, stages, createdAt: now };
  insertVersion(s, secret.arn, version);
  attachStages(s, secret.arn, versionId, stages);
  pruneDeprecated(s, secret.arn);
  return version;
}

/** Puts `stages` on one version and takes them off the others; AWSCURRENT's old holder becomes AWSPREVIOUS. */
export function attachStages(s: Scope, secretArn: string, versionId: string, stages: string[]): void {
  const versions = versionsOf(s, secretArn);
  const oldCurrent = stages.includes(CURRENT) ? versions.find((v) => v.versionId !== versionId && v.stages.includes(CURRENT)) : undefined;
  for (const v of versions) {
    let next = v.versionId === versionId ? [...new Set([...v.stages, ...stages])] : v.stages.filter((x) => !stages.includes(x));
    if (oldCurrent) {
      next = next.filter((x) => x !== PREVIOUS);
      if (v.versionId === oldCurrent.versionId) next.push(PREVIOUS);
    }
    if (next.join() !== v.stages.join()) setStages(s, secretArn, v.versionId, next);
  }
}

function pruneDeprecated(s: Scope, secretArn: string): void {
  const versions = versionsOf(s, secretArn);
  let excess = versions.length - MAX_VERSIONS;
  for (const v of versions) {
    if (excess <= 0) break;
    if (v.stages.length) continue;
    deleteVersion(s, secretArn, v.versionId);
    excess--;
  }
}
