/**
 * ECR repositories in SQLite (migration 3): name, ARN, settings and policy.
 * Deleting one drops everything in it (its blobs stay for the registry's GC).
 * Blob links are in blobs.ts, manifests and tags in manifests.ts. Every
 * function is synchronous and runs inside the caller's transaction.
 */
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import type { RepoRef } from '../../../registry/names.js';

/** A repository's URI as ECR answers it (host:port/<account>/<region>/<name>), for the console's pull commands. */
export { repositoryUri } from '../../../registry/names.js';

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

/** Every account and region with a repository (the console's registry page). */
export function repositoryScopes(sql: Statements): { account: string; region: string }[] {
  return sql.get('SELECT DISTINCT account, region FROM ecr_repositories ORDER BY account, region').all() as { account: string; region: string }[];
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
