/**
 * Secrets Manager state: a row per secret (ARN with its random suffix, deletion
 * schedule, metadata) and a row per version (value and staging labels). A
 * secret whose recovery window has passed is purged on the next read.
 * Lookups take a plain scope so the task controller resolves `secrets` and
 * `repositoryCredentials` through the same code as the API.
 */
import { randomInt } from 'node:crypto';
import { arn, parseArn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { dropAllTags } from '../../state/tags.js';

export type { Scope };

export interface SecretMeta {
  description?: string;
  kmsKeyId?: string;
  /** Epoch ms. */
  lastChangedAt: number;
  lastAccessedAt?: number;
  /** The resource policy as PutResourcePolicy stored it. */
  resourcePolicy?: string;
}

export interface StoredSecret extends SecretMeta {
  name: string;
  arn: string;
  createdAt: number;
  deletedAt?: number;
  purgeAt?: number;
  seq: number;
}

export interface StoredVersion {
  versionId: string;
  stringValue?: string;
  binaryValue?: Buffer;
  stages: string[];
  createdAt: number;
}

interface SecretRow {
  name: string;
  arn: string;
  created_at: number;
  deleted_at: number | null;
  purge_at: number | null;
  doc: string;
  seq: number;
}

interface VersionRow {
  version_id: string;
  string_value: string | null;
  binary_value: Buffer | null;
  stages: string;
  created_at: number;
}

const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>` */
export function newSecretArn(s: Scope, name: string): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
  return arn('secretsmanager', s.region, s.account, `secret:${name}-${suffix}`);
}

const toSecret = (r: SecretRow): StoredSecret => ({
  ...(JSON.parse(r.doc) as SecretMeta),
  name: r.name,
  arn: r.arn,
  createdAt: r.created_at,
  ...(r.deleted_at !== null ? { deletedAt: r.deleted_at } : {}),
  ...(r.purge_at !== null ? { purgeAt: r.purge_at } : {}),
  seq: r.seq,
});

const COLUMNS = 'name, arn, created_at, deleted_at, purge_at, doc, seq';

/** Secrets whose recovery window ended are gone for good. */
export function purgeExpired(s: Scope, now: number): void {
  const due = s.sql
    .get('SELECT arn FROM secretsmanager_secrets WHERE account = ? AND region = ? AND purge_at IS NOT NULL AND purge_at <= ?')
    .all(s.account, s.region, now) as { arn: string }[];
  for (const { arn: a } of due) removeSecret(s, a);
}

export function removeSecret(s: Scope, secretArn: string): void {
  s.sql.get('DELETE FROM secretsmanager_secret_versions WHERE arn = ?').run(secretArn);
  s.sql.get('DELETE FROM secretsmanager_secrets WHERE arn = ?').run(secretArn);
  dropAllTags(s, secretArn);
}

export function findByName(s: Scope, name: string): StoredSecret | undefined {
  const row = s.sql.get(`SELECT ${COLUMNS} FROM secretsmanager_secrets WHERE account = ? AND region = ? AND name = ?`).get(s.account, s.region, name) as
    | SecretRow
    | undefined;
  return row ? toSecret(row) : undefined;
}

/**
 * The secret a SecretId names: its name, its full ARN, or a partial ARN (the
 * ARN without the random suffix), as Secrets Manager accepts.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html#ARN_secretnamehyphen
 */
export function findSecret(s: Scope, secretId: string, now: number): StoredSecret | undefined {
  purgeExpired(s, now);
  if (!secretId.startsWith('arn:')) return findByName(s, secretId);
  const a = parseArn(secretId);
  if (!a || a.service !== 'secretsmanager' || !a.resource.startsWith('secret:')) return undefined;
  if (a.account !== s.account || a.region !== s.region) return undefined;
  const row = s.sql.get(`SELECT ${COLUMNS} FROM secretsmanager_secrets WHERE arn = ?`).get(secretId) as SecretRow | undefined;
  if (row) return toSecret(row);
  return findByName(s, a.resource.slice('secret:'.length));
}

/** Secrets in creation order (filtering happens in code: the store is small). */
export function allSecrets(s: Scope, now: number): StoredSecret[] {
  purgeExpired(s, now);
  const rows = s.sql.get(`SELECT ${COLUMNS} FROM secretsmanager_secrets WHERE account = ? AND region = ? ORDER BY seq`).all(s.account, s.region) as SecretRow[];
  return rows.map(toSecret);
}

export function insertSecret(s: Scope, secret: Omit<StoredSecret, 'seq'>): void {
  const { n } = s.sql.get('SELECT COALESCE(MAX(seq), 0) AS n FROM secretsmanager_secrets').get() as { n: number };
  s.sql
    .get('INSERT INTO secretsmanager_secrets (account, region, name, arn, created_at, deleted_at, purge_at, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, secret.name, secret.arn, secret.createdAt, secret.deletedAt ?? null, secret.purgeAt ?? null, docOf(secret), n + 1);
}

function docOf(secret: SecretMeta): string {
  const meta: SecretMeta = {
    description: secret.description,
    kmsKeyId: secret.kmsKeyId,
    lastChangedAt: secret.lastChangedAt,
    lastAccessedAt: secret.lastAccessedAt,
    resourcePolicy: secret.resourcePolicy,
  };
  return JSON.stringify(meta);
}

export function saveSecret(s: Scope, secret: StoredSecret): void {
  s.sql
    .get('UPDATE secretsmanager_secrets SET deleted_at = ?, purge_at = ?, doc = ? WHERE arn = ?')
    .run(secret.deletedAt ?? null, secret.purgeAt ?? null, docOf(secret), secret.arn);
}

const toVersion = (r: VersionRow): StoredVersion => ({
  versionId: r.version_id,
  ...(r.string_value !== null ? { stringValue: r.string_value } : {}),
  ...(r.binary_value !== null ? { binaryValue: r.binary_value } : {}),
  stages: JSON.parse(r.stages),
  createdAt: r.created_at,
});

/** Oldest first. */
export function versionsOf(s: Scope, secretArn: string): StoredVersion[] {
  const rows = s.sql
    .get('SELECT version_id, string_value, binary_value, stages, created_at FROM secretsmanager_secret_versions WHERE arn = ? ORDER BY seq')
    .all(secretArn) as VersionRow[];
  return rows.map(toVersion);
}

export function insertVersion(s: Scope, secretArn: string, v: StoredVersion): void {
  const { n } = s.sql.get('SELECT COALESCE(MAX(seq), 0) AS n FROM secretsmanager_secret_versions WHERE arn = ?').get(secretArn) as { n: number };
  s.sql
    .get('INSERT INTO secretsmanager_secret_versions (arn, version_id, string_value, binary_value, stages, created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(secretArn, v.versionId, v.stringValue ?? null, v.binaryValue ?? null, JSON.stringify(v.stages), v.createdAt, n + 1);
}

export function setStages(s: Scope, secretArn: string, versionId: string, stages: string[]): void {
  s.sql.get('UPDATE secretsmanager_secret_versions SET stages = ? WHERE arn = ? AND version_id = ?').run(JSON.stringify(stages), secretArn, versionId);
}

export function deleteVersion(s: Scope, secretArn: string, versionId: string): void {
  s.sql.get('DELETE FROM secretsmanager_secret_versions WHERE arn = ? AND version_id = ?').run(secretArn, versionId);
}
