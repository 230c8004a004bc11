/**
 * Which blobs exist and which repository may serve which (migration 3). Blob
 * bytes live in the registry's storage driver; a blob exists for the registry
 * once its row is in registry_blobs, written only after the bytes were
 * verified and committed. Every function is synchronous and runs inside the
 * caller's transaction.
 */
import type { Statements } from '../../../state/db.js';
import type { RepoRef } from '../../../registry/names.js';

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

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

// --- garbage collection (registry/gc.ts) ----------------------------------------

/** Drops links older than `before` that no manifest of their repository references; returns how many. */
export function unlinkUnreferenced(sql: Statements, before: number): number {
  return sql.get(
    `DELETE FROM registry_repo_blobs AS l WHERE linked_at < ? AND NOT EXISTS (
       SELECT 1 FROM registry_manifest_refs r
       WHERE r.account = l.account AND r.region = l.region AND r.repo = l.repo AND r.ref = l.digest)`,
  ).run(before).changes;
}

/** Blobs no repository links. */
export function unlinkedBlobs(sql: Statements): string[] {
  return sql.get('SELECT digest FROM registry_blobs b WHERE NOT EXISTS (SELECT 1 FROM registry_repo_blobs l WHERE l.digest = b.digest)')
    .pluck().all() as string[];
}

export const isLinked = (sql: Statements, digest: string): boolean => !!sql.get('SELECT 1 FROM registry_repo_blobs WHERE digest = ?').get(digest);

export function deleteBlobRow(sql: Statements, digest: string): void {
  sql.get('DELETE FROM registry_blobs WHERE digest = ?').run(digest);
}
