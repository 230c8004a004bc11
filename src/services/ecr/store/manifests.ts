/**
 * A repository's manifests, what each references, and its tags (migration 3;
 * ECR's storage class from migration 24). Every function is synchronous and
 * runs inside the caller's transaction.
 */
import type { Statements } from '../../../state/db.js';
import type { RepoRef } from '../../../registry/names.js';

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

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

/** A repository's newest manifests, newest first (the console). */
export function recentManifests(sql: Statements, ref: RepoRef, limit: number): ManifestRow[] {
  return (sql.get(`SELECT * FROM registry_manifests WHERE ${KEY} ORDER BY seq DESC LIMIT ?`).all(...key(ref), limit) as RawManifest[]).map(toManifest);
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

/** Every tag with its image and when it was last set, newest first (ECR Public's DescribeImageTags). */
export function tagDetails(sql: Statements, ref: RepoRef): { tag: string; digest: string; updatedAt: number }[] {
  return sql.get(`SELECT tag, digest, updated_at AS updatedAt FROM registry_tags WHERE ${KEY} ORDER BY updated_at DESC, tag`)
    .all(...key(ref)) as { tag: string; digest: string; updatedAt: number }[];
}
