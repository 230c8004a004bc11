/**
 * The registry's metadata in SQLite (migration 3): repositories, which blobs
 * each repository may serve, manifests with what they reference, and tags.
 * Blob bytes live in the storage driver; a blob exists for the registry once
 * its row is in registry_blobs, which is written only after the bytes were
 * verified and committed. Every function is synchronous and runs inside the
 * caller's transaction.
 */
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import type { RepoRef } from '../../../registry/names.js';

/** What CreateRepository set, as ECR's Repository shape spells it. */
export interface RepositorySettings {
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: { filterType: string; filter: string }[];
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: { encryptionType: string; kmsKey?: string };
}

export interface RepoRow {
  account: string;
  region: string;
  name: string;
  arn: string;
  createdAt: number;
  settings: RepositorySettings;
  policy: string | null;
  seq: number;
}

interface RawRepo {
  account: string;
  region: string;
  name: string;
  arn: string;
  created_at: number;
  doc: string;
  policy: string | null;
  seq: number;
}

const toRepo = (r: RawRepo): RepoRow => ({
  account: r.account, region: r.region, name: r.name, arn: r.arn, createdAt: r.created_at,
  settings: JSON.parse(r.doc), policy: r.policy, seq: r.seq,
});

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

export function getRepo(sql: Statements, ref: RepoRef): RepoRow | undefined {
  const row = sql.get('SELECT * FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?').get(...key(ref)) as RawRepo | undefined;
  return row && toRepo(row);
}

export function listRepos({ sql, account, region }: Scope, afterSeq: number, limit: number): RepoRow[] {
  return (sql.get('SELECT * FROM ecr_repositories WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(account, region, afterSeq, limit) as RawRepo[]).map(toRepo);
}

/** Every repository of an account, in every region (for _catalog). */
export function catalog(sql: Statements, account: string): RepoRef[] {
  return sql.get('SELECT account, region, name FROM ecr_repositories WHERE account = ? ORDER BY region, name').all(account) as RepoRef[];
}

export function insertRepo(sql: Statements, ref: RepoRef, arn: string, createdAt: number, settings: RepositorySettings): RepoRow {
  const seq = (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ecr_repositories').get() as { n: number }).n;
  sql.get('INSERT INTO ecr_repositories (account, region, name, arn, created_at, doc, policy, seq) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)')
    .run(...key(ref), arn, createdAt, JSON.stringify(settings), seq);
  return { ...ref, arn, createdAt, settings, policy: null, seq };
}

export function saveRepoSettings(sql: Statements, ref: RepoRef, settings: RepositorySettings): void {
  sql.get('UPDATE ecr_repositories SET doc = ? WHERE account = ? AND region = ? AND name = ?').run(JSON.stringify(settings), ...key(ref));
}

export function setRepoPolicy(sql: Statements, ref: RepoRef, policy: string | null): void {
  sql.get('UPDATE ecr_repositories SET policy = ? WHERE account = ? AND region = ? AND name = ?').run(policy, ...key(ref));
}

/** Drops the repository and everything in it; the blobs themselves stay for GC. */
export function deleteRepo(sql: Statements, ref: RepoRef): void {
  for (const table of [
    'registry_tags', 'registry_manifest_refs', 'registry_manifests', 'registry_repo_blobs',
    'ecr_lifecycle_policies', 'ecr_lifecycle_previews', 'ecr_image_scans',
    'ecr_replication_statuses', 'ecr_pull_through_tags',
  ]) {
    sql.get(`DELETE FROM ${table} WHERE ${KEY}`).run(...key(ref));
  }
  sql.get('DELETE FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?').run(...key(ref));
}

// --- blobs ---------------------------------------------------------------

export function blobSize(sql: Statements, digest: string): number | undefined {
  return (sql.get('SELECT size FROM registry_blobs WHERE digest = ?').get(digest) as { size: number } | undefined)?.size;
}

export function recordBlob(sql: Statements, digest: string, size: number, now: number): void {
  sql.get('INSERT INTO registry_blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING').run(digest, size, now);
}

/** Lets the repository serve the blob; (re)linking restarts the blob's grace period against GC. */
export function linkBlob(sql: Statements, ref: RepoRef, digest: string, now: number): void {
  sql.get(
    `INSERT INTO registry_repo_blobs (account, region, repo, digest, linked_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET linked_at = excluded.linked_at`,
  ).run(...key(ref), digest, now);
}

/** Refreshes a link's grace period against GC (at most every `minAgeMs`, to keep reads write-free). */
export function touchLink(sql: Statements, ref: RepoRef, digest: string, now: number, minAgeMs: number): void {
  sql.get(`UPDATE registry_repo_blobs SET linked_at = ? WHERE ${KEY} AND digest = ? AND linked_at < ?`).run(now, ...key(ref), digest, now - minAgeMs);
}

export function unlinkBlob(sql: Statements, ref: RepoRef, digest: string): boolean {
  return sql.get(`DELETE FROM registry_repo_blobs WHERE ${KEY} AND digest = ?`).run(...key(ref), digest).changes > 0;
}

/** The size of a blob this repository may serve, undefined if it may not. */
export function repoBlobSize(sql: Statements, ref: RepoRef, digest: string): number | undefined {
  const row = sql.get(
    `SELECT b.size FROM registry_repo_blobs l JOIN registry_blobs b ON b.digest = l.digest
     WHERE l.account = ? AND l.region = ? AND l.repo = ? AND l.digest = ?`,
  ).get(...key(ref), digest) as { size: number } | undefined;
  return row?.size;
}

// --- manifests and tags --------------------------------------------------

export interface ManifestRow {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  subject: string | null;
  imageSize: number;
  body: Buffer;
  pushedAt: number;
  lastPulledAt: number | null;
  /** ECR's storage class: ACTIVE (standard) or ARCHIVED (migration 24); an archived image cannot be pulled. */
  imageStatus: 'ACTIVE' | 'ARCHIVED';
  lastArchivedAt: number | null;
  lastActivatedAt: number | null;
  seq: number;
}

interface RawManifest {
  digest: string;
  media_type: string;
  artifact_type: string | null;
  subject: string | null;
  image_size: number;
  body: Buffer;
  pushed_at: number;
  last_pulled_at: number | null;
  image_status: 'ACTIVE' | 'ARCHIVED';
  last_archived_at: number | null;
  last_activated_at: number | null;
  seq: number;
}

const toManifest = (r: RawManifest): ManifestRow => ({
  digest: r.digest, mediaType: r.media_type, artifactType: r.artifact_type, subject: r.subject,
  imageSize: r.image_size, body: r.body, pushedAt: r.pushed_at, lastPulledAt: r.last_pulled_at,
  imageStatus: r.image_status ?? 'ACTIVE', lastArchivedAt: r.last_archived_at ?? null, lastActivatedAt: r.last_activated_at ?? null, seq: r.seq,
});

export function getManifest(sql: Statements, ref: RepoRef, digest: string): ManifestRow | undefined {
  const row = sql.get(`SELECT * FROM registry_manifests WHERE ${KEY} AND digest = ?`).get(...key(ref), digest) as RawManifest | undefined;
  return row && toManifest(row);
}

export function listManifests(sql: Statements, ref: RepoRef, afterSeq: number, limit: number): ManifestRow[] {
  return (sql.get(`SELECT * FROM registry_manifests WHERE ${KEY} AND seq > ? ORDER BY seq LIMIT ?`)
    .all(...key(ref), afterSeq, limit) as RawManifest[]).map(toManifest);
}

export function countManifests(sql: Statements, ref: RepoRef): number {
  return (sql.get(`SELECT COUNT(*) AS n FROM registry_manifests WHERE ${KEY}`).get(...key(ref)) as { n: number }).n;
}

export interface ManifestRef {
  ref: string;
  kind: 'blob' | 'manifest';
}

export function insertManifest(sql: Statements, ref: RepoRef, m: Omit<ManifestRow, 'seq' | 'lastPulledAt' | 'imageStatus' | 'lastArchivedAt' | 'lastActivatedAt'>, refs: ManifestRef[]): void {
  const seq = (sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM registry_manifests WHERE ${KEY}`).get(...key(ref)) as { n: number }).n;
  sql.get(
    `INSERT INTO registry_manifests (account, region, repo, digest, media_type, artifact_type, subject, image_size, body, pushed_at, last_pulled_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
  ).run(...key(ref), m.digest, m.mediaType, m.artifactType, m.subject, m.imageSize, m.body, m.pushedAt, seq);
  const add = sql.get('INSERT INTO registry_manifest_refs (account, region, repo, digest, ref, kind) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  for (const r of refs) add.run(...key(ref), m.digest, r.ref, r.kind);
}

export function deleteManifestRow(sql: Statements, ref: RepoRef, digest: string): void {
  sql.get(`DELETE FROM registry_tags WHERE ${KEY} AND digest = ?`).run(...key(ref), digest);
  sql.get(`DELETE FROM registry_manifest_refs WHERE ${KEY} AND digest = ?`).run(...key(ref), digest);
  sql.get(`DELETE FROM registry_manifests WHERE ${KEY} AND digest = ?`).run(...key(ref), digest);
  sql.get(`DELETE FROM ecr_image_scans WHERE ${KEY} AND digest = ?`).run(...key(ref), digest);
}

/** Digests of the indexes in this repository that list `digest` as a child manifest. */
export function parentIndexes(sql: Statements, ref: RepoRef, digest: string): string[] {
  return sql.get(`SELECT digest FROM registry_manifest_refs WHERE ${KEY} AND ref = ? AND kind = 'manifest'`)
    .pluck().all(...key(ref), digest) as string[];
}

export function referrers(sql: Statements, ref: RepoRef, subject: string): ManifestRow[] {
  return (sql.get(`SELECT * FROM registry_manifests WHERE ${KEY} AND subject = ? ORDER BY seq`).all(...key(ref), subject) as RawManifest[]).map(toManifest);
}

/** Moves an image between ECR's storage classes: ARCHIVED stamps lastArchivedAt, ACTIVE (a restore) lastActivatedAt. */
export function setImageStatus(sql: Statements, ref: RepoRef, digest: string, status: 'ACTIVE' | 'ARCHIVED', now: number): void {
  const column = status === 'ARCHIVED' ? 'last_archived_at' : 'last_activated_at';
  sql.get(`UPDATE registry_manifests SET image_status = ?, ${column} = ? WHERE ${KEY} AND digest = ?`).run(status, now, ...key(ref), digest);
}

export function touchPull(sql: Statements, ref: RepoRef, digest: string, now: number): void {
  sql.get(`UPDATE registry_manifests SET last_pulled_at = ? WHERE ${KEY} AND digest = ?`).run(now, ...key(ref), digest);
}

export function digestForTag(sql: Statements, ref: RepoRef, tag: string): string | undefined {
  return sql.get(`SELECT digest FROM registry_tags WHERE ${KEY} AND tag = ?`).pluck().get(...key(ref), tag) as string | undefined;
}

export function tagsOf(sql: Statements, ref: RepoRef, digest: string): string[] {
  return sql.get(`SELECT tag FROM registry_tags WHERE ${KEY} AND digest = ? ORDER BY updated_at, tag`).pluck().all(...key(ref), digest) as string[];
}

export function setTag(sql: Statements, ref: RepoRef, tag: string, digest: string, now: number): void {
  sql.get(
    `INSERT INTO registry_tags (account, region, repo, tag, digest, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account, region, repo, tag) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at`,
  ).run(...key(ref), tag, digest, now);
}

export function deleteTag(sql: Statements, ref: RepoRef, tag: string): boolean {
  return sql.get(`DELETE FROM registry_tags WHERE ${KEY} AND tag = ?`).run(...key(ref), tag).changes > 0;
}

/** Tags in lexical order after `last` (the spec's tag-list pagination). */
export function listTags(sql: Statements, ref: RepoRef, last: string, limit: number): string[] {
  return sql.get(`SELECT tag FROM registry_tags WHERE ${KEY} AND tag > ? ORDER BY tag LIMIT ?`).pluck().all(...key(ref), last, limit) as string[];
}
