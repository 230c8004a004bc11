/**
 * Lifecycle policies and previews in SQLite (migration 13), and the one
 * function that applies a policy: the provider records desired state here,
 * the ecr-lifecycle controller calls `applyLifecyclePolicy` and
 * `completePreview`. Both evaluate with `evaluateLifecyclePolicy` over the
 * same image list (`lifecycleImages`), so a preview is what a run deletes.
 * Every function is synchronous and runs inside the caller's transaction.
 */
import { deleteImage } from './images.js';
import { listManifests, tagsOf } from './manifests.js';
import type { RepoRef } from '../../../registry/names.js';
import type { Statements } from '../../../state/db.js';
import { evaluateLifecyclePolicy, parseLifecyclePolicy, type LifecycleExpiry, type LifecycleImage } from '../lifecycle-evaluate.js';

/** How often each policy is applied (ECR: "within 24 hours"; Berth is quicker so local loops stay short). */
export const LIFECYCLE_INTERVAL_MS = 10 * 60 * 1000;

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

/** The controller key of a repository: account|region|name (names never contain '|'). */
export const repoKey = (ref: RepoRef) => `${ref.account}|${ref.region}|${ref.name}`;

export function parseRepoKey(k: string): RepoRef | undefined {
  const [account, region, name] = k.split('|');
  return account && region && name ? { account, region, name } : undefined;
}

export interface PolicyRow {
  text: string;
  updatedAt: number;
  evaluatedAt: number | null;
  /** Put since the last run: apply now, whatever the schedule. */
  dirty: boolean;
}

export function getPolicy(sql: Statements, ref: RepoRef): PolicyRow | undefined {
  const r = sql.get(`SELECT policy_text, updated_at, evaluated_at, dirty FROM ecr_lifecycle_policies WHERE ${KEY}`).get(...key(ref)) as
    { policy_text: string; updated_at: number; evaluated_at: number | null; dirty: number } | undefined;
  return r && { text: r.policy_text, updatedAt: r.updated_at, evaluatedAt: r.evaluated_at, dirty: !!r.dirty };
}

export function putPolicy(sql: Statements, ref: RepoRef, text: string, now: number): void {
  sql.get(
    `INSERT INTO ecr_lifecycle_policies (account, region, repo, policy_text, updated_at, evaluated_at, dirty) VALUES (?, ?, ?, ?, ?, NULL, 1)
     ON CONFLICT (account, region, repo) DO UPDATE SET policy_text = excluded.policy_text, updated_at = excluded.updated_at, dirty = 1`,
  ).run(...key(ref), text, now);
}

export function deletePolicy(sql: Statements, ref: RepoRef): void {
  sql.get(`DELETE FROM ecr_lifecycle_policies WHERE ${KEY}`).run(...key(ref));
}

export function policyKeys(sql: Statements): string[] {
  return (sql.get('SELECT account, region, repo FROM ecr_lifecycle_policies').all() as { account: string; region: string; repo: string }[])
    .map((r) => repoKey({ account: r.account, region: r.region, name: r.repo }));
}

/**
 * The images a lifecycle policy considers, in push order. Images an index of
 * the repository lists are left out: they cannot be deleted before their index
 * (the registry refuses), and they go when the index does.
 */
export function lifecycleImages(sql: Statements, ref: RepoRef): LifecycleImage[] {
  const children = new Set(sql.get(`SELECT DISTINCT ref FROM registry_manifest_refs WHERE ${KEY} AND kind = 'manifest'`).pluck().all(...key(ref)) as string[]);
  return listManifests(sql, ref, 0, Number.MAX_SAFE_INTEGER)
    .filter((m) => !children.has(m.digest))
    .map((m) => ({ digest: m.digest, tags: tagsOf(sql, ref, m.digest), pushedAt: m.pushedAt }));
}

/** Whether the policy is due: put since its last run, or last run an interval ago. Returns ms until due. */
export function dueInMs(policy: PolicyRow, now: number): number {
  if (policy.dirty || policy.evaluatedAt === null) return 0;
  return Math.max(0, policy.evaluatedAt + LIFECYCLE_INTERVAL_MS - now);
}

/**
 * Applies the repository's policy now: deletes what it expires the way
 * BatchDeleteImage deletes an image by digest (tags and manifest go, blobs
 * stay for GC), and records the run. Returns what was expired.
 */
export function applyLifecyclePolicy(sql: Statements, ref: RepoRef, now: number): LifecycleExpiry[] {
  const policy = getPolicy(sql, ref);
  if (!policy) return [];
  let expired: LifecycleExpiry[] = [];
  try {
    expired = evaluateLifecyclePolicy(parseLifecyclePolicy(policy.text), lifecycleImages(sql, ref), now);
  } catch {
    // A stored policy was valid when put; if validation has since tightened, leave the images alone.
  }
  for (const e of expired) deleteImage(sql, ref, e.digest);
  sql.get(`UPDATE ecr_lifecycle_policies SET evaluated_at = ?, dirty = 0 WHERE ${KEY}`).run(now, ...key(ref));
  return expired;
}

// --- previews --------------------------------------------------------------

export type PreviewStatus = 'IN_PROGRESS' | 'COMPLETE' | 'EXPIRED' | 'FAILED';

export interface PreviewRow {
  text: string;
  status: PreviewStatus;
  startedAt: number;
  results: LifecycleExpiry[] | null;
}

export function getPreview(sql: Statements, ref: RepoRef): PreviewRow | undefined {
  const r = sql.get(`SELECT policy_text, status, started_at, results FROM ecr_lifecycle_previews WHERE ${KEY}`).get(...key(ref)) as
    { policy_text: string; status: PreviewStatus; started_at: number; results: string | null } | undefined;
  return r && { text: r.policy_text, status: r.status, startedAt: r.started_at, results: r.results ? JSON.parse(r.results) : null };
}

export function startPreview(sql: Statements, ref: RepoRef, text: string, now: number): void {
  sql.get(
    `INSERT INTO ecr_lifecycle_previews (account, region, repo, policy_text, status, started_at, results) VALUES (?, ?, ?, ?, 'IN_PROGRESS', ?, NULL)
     ON CONFLICT (account, region, repo) DO UPDATE SET policy_text = excluded.policy_text, status = 'IN_PROGRESS', started_at = excluded.started_at, results = NULL`,
  ).run(...key(ref), text, now);
}

/** Evaluates an in-progress preview now and stores its results (COMPLETE). */
export function completePreview(sql: Statements, ref: RepoRef, now: number): PreviewRow | undefined {
  const preview = getPreview(sql, ref);
  if (!preview || preview.status !== 'IN_PROGRESS') return preview;
  let status: PreviewStatus = 'COMPLETE';
  let results: LifecycleExpiry[] = [];
  try {
    results = evaluateLifecyclePolicy(parseLifecyclePolicy(preview.text), lifecycleImages(sql, ref), now);
  } catch {
    status = 'FAILED';
  }
  sql.get(`UPDATE ecr_lifecycle_previews SET status = ?, results = ? WHERE ${KEY}`).run(status, JSON.stringify(results), ...key(ref));
  return { ...preview, status, results };
}

export function previewKeysInProgress(sql: Statements): string[] {
  return (sql.get("SELECT account, region, repo FROM ecr_lifecycle_previews WHERE status = 'IN_PROGRESS'").all() as
    { account: string; region: string; repo: string }[]).map((r) => repoKey({ account: r.account, region: r.region, name: r.repo }));
}
