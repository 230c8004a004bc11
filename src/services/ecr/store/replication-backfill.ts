/**
 * ECR replication backfills in SQLite (migration 24): copies of the images
 * already in a registry when its replication configuration was put, to one
 * configured destination. StartReplicationBackfill records a backfill
 * PREPARING; the ecr-replication controller (key `backfill:<id>`) then lists
 * the qualifying images — every image and tag combination the current rules
 * select for the destination, one item each — turning it IN_PROGRESS, and
 * copies them a bounded batch per pass through the same copy a push's
 * replication uses (replication.ts), until COMPLETE, or FAILED once at least
 * 100 replications ran and half or more of them failed (ECR's rule).
 * StopReplicationBackfill cancels the items not yet run (each batch is one
 * transaction, so nothing is ever half-way: STOPPED at once).
 */
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { getManifest, listManifests, parentIndexes, tagsOf } from './manifests.js';
import { getRepo, listRepos } from './repositories.js';
import { copyImage, destinationsFor, failureOf, getReplicationConfig, type ReplicationFailure } from './replication.js';

export type BackfillStatus = 'PREPARING' | 'IN_PROGRESS' | 'COMPLETE' | 'FAILED' | 'STOPPING' | 'STOPPED';
export const ACTIVE_BACKFILL: BackfillStatus[] = ['PREPARING', 'IN_PROGRESS', 'STOPPING'];

/** Images copied per controller pass (each image is its own savepoint; the pass one transaction). */
const BATCH = 25;
/** ECR: the failure threshold "is evaluated only after at least 100 replications have been processed". */
const THRESHOLD_MIN = 100;
/** Berth's failureCode for a backfill that hit the threshold (ECR documents none). */
export const THRESHOLD_FAILURE = 'FAILURE_THRESHOLD_EXCEEDED';

export interface BackfillRow {
  id: string;
  account: string;
  region: string;
  destAccount: string;
  destRegion: string;
  status: BackfillStatus;
  failureCode: string | null;
  startedAt: number;
  endedAt: number | null;
  /** Null until the backfill has finished PREPARING. */
  total: number | null;
  seq: number;
}

interface RawBackfill {
  id: string; account: string; region: string; dest_account: string; dest_region: string; status: BackfillStatus;
  failure_code: string | null; started_at: number; ended_at: number | null; total: number | null; seq: number;
}

const toRow = (r: RawBackfill): BackfillRow => ({
  id: r.id, account: r.account, region: r.region, destAccount: r.dest_account, destRegion: r.dest_region, status: r.status,
  failureCode: r.failure_code, startedAt: r.started_at, endedAt: r.ended_at, total: r.total, seq: r.seq,
});

export const backfillKey = (id: string) => `backfill:${id}`;
export const parseBackfillKey = (k: string) => (k.startsWith('backfill:') ? k.slice('backfill:'.length) : undefined);

export function insertBackfill(
  { sql, account, region }: Scope, id: string, dest: { account: string; region: string }, now: number,
): BackfillRow {
  const seq = (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ecr_replication_backfills').get() as { n: number }).n;
  sql.get(
    `INSERT INTO ecr_replication_backfills (id, account, region, dest_account, dest_region, status, failure_code, started_at, ended_at, total, seq)
     VALUES (?, ?, ?, ?, ?, 'PREPARING', NULL, ?, NULL, NULL, ?)`,
  ).run(id, account, region, dest.account, dest.region, now, seq);
  return getBackfill(sql, id)!;
}

export function getBackfill(sql: Statements, id: string): BackfillRow | undefined {
  const r = sql.get('SELECT * FROM ecr_replication_backfills WHERE id = ?').get(id) as RawBackfill | undefined;
  return r && toRow(r);
}

export function listBackfills({ sql, account, region }: Scope): BackfillRow[] {
  return (sql.get('SELECT * FROM ecr_replication_backfills WHERE account = ? AND region = ? ORDER BY seq').all(account, region) as RawBackfill[]).map(toRow);
}

export interface BackfillProgress {
  totalReplicationCount: number;
  completedReplicationCount: number;
  failedReplicationCount: number;
  failureCodes: string[];
}

/** Undefined until preparation finished (ECR: null while PREPARING, and if stopped then). */
export function backfillProgress(sql: Statements, b: BackfillRow): BackfillProgress | undefined {
  if (b.total === null) return undefined;
  const count = (status: string) =>
    (sql.get('SELECT COUNT(*) AS n FROM ecr_replication_backfill_items WHERE backfill_id = ? AND status = ?').get(b.id, status) as { n: number }).n;
  const codes = sql.get(
    "SELECT DISTINCT failure_code FROM ecr_replication_backfill_items WHERE backfill_id = ? AND status = 'FAILED' AND failure_code IS NOT NULL ORDER BY failure_code",
  ).pluck().all(b.id) as string[];
  return { totalReplicationCount: b.total, completedReplicationCount: count('COMPLETE'), failedReplicationCount: count('FAILED'), failureCodes: codes };
}

export interface BackfillItem {
  repo: string;
  digest: string;
  tag: string | null;
  status: 'COMPLETE' | 'FAILED';
  failureCode: string | null;
}

/** The replications that ran (COMPLETE or FAILED), in the order they were listed; cancelled ones are not results. */
export function backfillResults(sql: Statements, id: string, status: string | undefined): BackfillItem[] {
  const rows = sql.get(
    `SELECT repo, digest, tag, status, failure_code FROM ecr_replication_backfill_items
     WHERE backfill_id = ? AND status IN ('COMPLETE', 'FAILED') AND (? IS NULL OR status = ?) ORDER BY n`,
  ).all(id, status ?? null, status ?? null) as { repo: string; digest: string; tag: string | null; status: 'COMPLETE' | 'FAILED'; failure_code: string | null }[];
  return rows.map((r) => ({ repo: r.repo, digest: r.digest, tag: r.tag, status: r.status, failureCode: r.failure_code }));
}

function finish(sql: Statements, b: BackfillRow, status: BackfillStatus, failureCode: string | null, now: number): void {
  sql.get("UPDATE ecr_replication_backfill_items SET status = 'CANCELLED' WHERE backfill_id = ? AND status = 'PENDING'").run(b.id);
  sql.get('UPDATE ecr_replication_backfills SET status = ?, failure_code = ?, ended_at = ? WHERE id = ?').run(status, failureCode, now, b.id);
}

/** Stops a PREPARING or IN_PROGRESS backfill: what has not run yet is cancelled. Berth never has a copy in flight, so STOPPED at once. */
export function stopBackfill(sql: Statements, b: BackfillRow, now: number): BackfillStatus {
  finish(sql, b, 'STOPPED', null, now);
  return 'STOPPED';
}

/** Lists the qualifying images: active images of the repositories the current rules select for the destination. */
function prepare(sql: Statements, b: BackfillRow): void {
  const config = getReplicationConfig({ sql, account: b.account, region: b.region });
  const insert = sql.get(
    "INSERT INTO ecr_replication_backfill_items (backfill_id, n, repo, digest, tag, status, failure_code) VALUES (?, ?, ?, ?, ?, 'PENDING', NULL)",
  );
  let n = 0;
  for (const repo of listRepos({ sql, account: b.account, region: b.region }, 0, Number.MAX_SAFE_INTEGER)) {
    if (!destinationsFor(config, repo.name).some((d) => d.registryId === b.destAccount && d.region === b.destRegion)) continue;
    for (const m of listManifests(sql, repo, 0, Number.MAX_SAFE_INTEGER)) {
      // Archived images cannot be copied; an index's platform images go with the index.
      if (m.imageStatus === 'ARCHIVED' || parentIndexes(sql, repo, m.digest).length) continue;
      const tags = tagsOf(sql, repo, m.digest);
      for (const tag of tags.length ? tags : [null]) insert.run(b.id, ++n, repo.name, m.digest, tag);
    }
  }
  sql.get("UPDATE ecr_replication_backfills SET status = 'IN_PROGRESS', total = ? WHERE id = ?").run(n, b.id);
}

export interface BackfillPass {
  /** More to do: run the key again. */
  more: boolean;
  copied: { repo: string; digest: string; failureCode?: ReplicationFailure | 'IMAGE_NOT_FOUND' }[];
  /** Destination repositories created with a creation template's lifecycle policy (their controller keys). */
  lifecyclePolicyKeys: string[];
  /** Scans on push the copies queued (their controller keys), to publish after commit. */
  scanKeys: string[];
}

/** One bounded pass of a backfill, in the caller's transaction. */
export function advanceBackfill(sql: Statements, now: number, id: string): BackfillPass {
  const pass: BackfillPass = { more: false, copied: [], lifecyclePolicyKeys: [], scanKeys: [] };
  let b = getBackfill(sql, id);
  if (!b || !ACTIVE_BACKFILL.includes(b.status)) return pass;
  if (b.status === 'STOPPING') {
    stopBackfill(sql, b, now);
    return pass;
  }
  if (b.status === 'PREPARING') {
    prepare(sql, b);
    b = getBackfill(sql, id)!;
  }
  const groups = sql.get(
    `SELECT repo, digest FROM ecr_replication_backfill_items WHERE backfill_id = ? AND status = 'PENDING'
     GROUP BY repo, digest ORDER BY MIN(n) LIMIT ?`,
  ).all(id, BATCH) as { repo: string; digest: string }[];
  const dest = { account: b.destAccount, region: b.destRegion };
  const mark = sql.get("UPDATE ecr_replication_backfill_items SET status = ?, failure_code = ? WHERE backfill_id = ? AND repo = ? AND digest = ? AND status = 'PENDING'");
  const record = sql.get(
    `INSERT INTO ecr_replication_statuses (account, region, repo, digest, dest_account, dest_region, status, failure_code, queued_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET status = excluded.status, failure_code = excluded.failure_code, queued_at = excluded.queued_at, updated_at = excluded.updated_at`,
  );
  for (const g of groups) {
    const ref = { account: b.account, region: b.region, name: g.repo };
    const source = getRepo(sql, ref);
    const manifest = source && getManifest(sql, source, g.digest);
    let failure: ReplicationFailure | 'IMAGE_NOT_FOUND' | undefined;
    if (!source || !manifest || manifest.imageStatus === 'ARCHIVED') {
      failure = 'IMAGE_NOT_FOUND';
    } else {
      try {
        failure = sql.db.transaction(() => copyImage(sql, now, source, manifest, dest, pass.lifecyclePolicyKeys, pass.scanKeys))();
      } catch (err) {
        failure = failureOf(err);
      }
      // DescribeImageReplicationStatus reports the backfilled copy like a pushed one.
      record.run(b.account, b.region, g.repo, g.digest, b.destAccount, b.destRegion, failure ? 'FAILED' : 'COMPLETE', failure ?? null, now, now);
    }
    mark.run(failure ? 'FAILED' : 'COMPLETE', failure ?? null, id, g.repo, g.digest);
    pass.copied.push({ repo: g.repo, digest: g.digest, ...(failure ? { failureCode: failure } : {}) });
  }
  const counts = sql.get(
    `SELECT SUM(status = 'PENDING') AS pending, SUM(status = 'FAILED') AS failed, SUM(status IN ('COMPLETE', 'FAILED')) AS processed
     FROM ecr_replication_backfill_items WHERE backfill_id = ?`,
  ).get(id) as { pending: number | null; failed: number | null; processed: number | null };
  const processed = counts.processed ?? 0;
  const failed = counts.failed ?? 0;
  if (processed >= THRESHOLD_MIN && failed * 2 >= processed) finish(sql, b, 'FAILED', THRESHOLD_FAILURE, now);
  else if (!counts.pending) finish(sql, b, 'COMPLETE', null, now);
  else pass.more = true;
  return pass;
}
