/**
 * Image scans and the registry scanning configuration in SQLite (migration
 * 14), and scan on push. A scan is a row: StartImageScan or a push records it
 * IN_PROGRESS; the ecr-image-scan controller runs the scanner and records the
 * outcome. Functions are synchronous, inside the caller's transaction.
 *
 * A push (through /v2/, ECR's PutImage or a replicated copy) that queues a scan
 * returns its key; the caller publishes it as `ecr.image-scan` on the change
 * feed once the push's transaction has committed.
 */
import type { ImageScanFinding, ScanningRepositoryFilter } from '@aws-sdk/client-ecr';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import type { RepoRow } from './repositories.js';
import type { RepoRef } from '../../../registry/names.js';
import { isIndexType } from '../../../registry/manifest-format.js';
import { appendImageScan } from './images.js';
import { tagsOf } from './manifests.js';
// Types only: the scanner itself is loaded on the first scan (../index.ts), not with the registry's store.
import type { ScanOutcome } from '../scanner/index.js';

const IMAGE_CONFIG_TYPES = ['application/vnd.docker.container.image.v1+json', 'application/vnd.oci.image.config.v1+json'];

/** Whether a manifest is a container image (not an index, not another kind of artifact): what basic scanning scans. */
export function isScannable(m: { mediaType: string; artifactType: string | null }): boolean {
  return !isIndexType(m.mediaType) && IMAGE_CONFIG_TYPES.includes(m.artifactType ?? '');
}

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

/** The controller key of one image's scan: account|region|repo|digest. */
export const scanKey = (ref: RepoRef, digest: string) => `${ref.account}|${ref.region}|${ref.name}|${digest}`;

export function parseScanKey(k: string): { ref: RepoRef; digest: string } | undefined {
  const [account, region, name, digest] = k.split('|');
  return account && region && name && digest ? { ref: { account, region, name }, digest } : undefined;
}

export type ScanRowStatus = 'IN_PROGRESS' | ScanOutcome['status'];

export interface ScanRow {
  status: ScanRowStatus;
  description: string | null;
  startedAt: number;
  completedAt: number | null;
  sourceUpdatedAt: number | null;
  findings: ImageScanFinding[];
}

interface RawScan {
  status: ScanRowStatus;
  description: string | null;
  started_at: number;
  completed_at: number | null;
  source_updated_at: number | null;
  findings: string | null;
}

export function getScan(sql: Statements, ref: RepoRef, digest: string): ScanRow | undefined {
  const r = sql.get(`SELECT * FROM ecr_image_scans WHERE ${KEY} AND digest = ?`).get(...key(ref), digest) as RawScan | undefined;
  return r && {
    status: r.status, description: r.description, startedAt: r.started_at, completedAt: r.completed_at,
    sourceUpdatedAt: r.source_updated_at, findings: r.findings ? JSON.parse(r.findings) : [],
  };
}

/** Records a scan as requested now (IN_PROGRESS); earlier results are replaced. */
export function startScan(sql: Statements, ref: RepoRef, digest: string, now: number): void {
  sql.get(
    `INSERT INTO ecr_image_scans (account, region, repo, digest, status, description, started_at, completed_at, source_updated_at, findings)
     VALUES (?, ?, ?, ?, 'IN_PROGRESS', NULL, ?, NULL, NULL, NULL)
     ON CONFLICT (account, region, repo, digest) DO UPDATE SET status = 'IN_PROGRESS', description = NULL, started_at = excluded.started_at,
       completed_at = NULL, source_updated_at = NULL, findings = NULL`,
  ).run(...key(ref), digest, now);
}

/**
 * Stores a scan's outcome, if the scan that ran is still the one requested, and appends its "ECR Image Scan" event
 * (store/images.ts) in the same transaction. Returns whether it did.
 */
export function finishScan(sql: Statements, ref: RepoRef, digest: string, startedAt: number, outcome: ScanOutcome, now: number): boolean {
  const stored = sql.get(
    `UPDATE ecr_image_scans SET status = ?, description = ?, completed_at = ?, source_updated_at = ?, findings = ?
     WHERE ${KEY} AND digest = ? AND status = 'IN_PROGRESS' AND started_at = ?`,
  ).run(outcome.status, outcome.description, now, outcome.sourceUpdatedAt ?? null, JSON.stringify(outcome.findings), ...key(ref), digest, startedAt).changes > 0;
  if (stored) {
    const counts: Record<string, number> = {};
    for (const f of outcome.findings) counts[f.severity!] = (counts[f.severity!] ?? 0) + 1;
    appendImageScan(sql, ref, digest, tagsOf(sql, ref, digest), outcome.status, counts, now);
  }
  return stored;
}

export function scanKeysInProgress(sql: Statements): string[] {
  return (sql.get("SELECT account, region, repo, digest FROM ecr_image_scans WHERE status = 'IN_PROGRESS'").all() as
    { account: string; region: string; repo: string; digest: string }[])
    .map((r) => scanKey({ account: r.account, region: r.region, name: r.repo }, r.digest));
}

// --- registry scanning configuration ----------------------------------------

export interface RegistryScanningRuleDoc {
  scanFrequency: string;
  repositoryFilters: { filter: string; filterType: string }[];
}

export interface RegistryScanningDoc {
  scanType: string;
  rules: RegistryScanningRuleDoc[];
}

/** Without a configuration the registry does BASIC scanning with no rules (ECR's default). */
export function getRegistryScanning({ sql, account, region }: Scope): RegistryScanningDoc {
  const doc = sql.get('SELECT doc FROM ecr_registry_scanning WHERE account = ? AND region = ?').pluck().get(account, region) as string | undefined;
  return doc ? JSON.parse(doc) : { scanType: 'BASIC', rules: [] };
}

export function putRegistryScanning({ sql, account, region }: Scope, doc: RegistryScanningDoc): void {
  sql.get('INSERT INTO ecr_registry_scanning (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc')
    .run(account, region, JSON.stringify(doc));
}

/**
 * A scanning filter: without a wildcard it matches names containing it; with
 * one, `*` stands for any run of characters in a whole-name match
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html).
 */
export function scanFilterMatches(filter: string, repositoryName: string): boolean {
  if (!filter.includes('*')) return repositoryName.includes(filter);
  const re = filter.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${re}$`).test(repositoryName);
}

/** The repository's scanning as BatchGetRepositoryScanningConfiguration reports it. */
export function repositoryScanning(sql: Statements, repo: RepoRow): { scanFrequency: 'SCAN_ON_PUSH' | 'MANUAL'; appliedScanFilters: ScanningRepositoryFilter[] } {
  const cfg = getRegistryScanning({ sql, account: repo.account, region: repo.region });
  const applied = cfg.rules
    .filter((r) => r.scanFrequency === 'SCAN_ON_PUSH')
    .flatMap((r) => r.repositoryFilters)
    .filter((f) => scanFilterMatches(f.filter, repo.name)) as ScanningRepositoryFilter[];
  const onPush = applied.length > 0 || repo.settings.imageScanningConfiguration.scanOnPush;
  return { scanFrequency: onPush ? 'SCAN_ON_PUSH' : 'MANUAL', appliedScanFilters: applied };
}

// --- scan on push ---------------------------------------------------------------

/**
 * Called when a push stores a new image: queues a scan if the repository scans
 * on push (its own scanOnPush, or a registry SCAN_ON_PUSH filter that matches
 * it) and the image is one basic scanning can scan. Returns the scan's key, for
 * the caller to publish as `ecr.image-scan` once its transaction has committed.
 */
export function scanOnPush(sql: Statements, now: number, repo: RepoRow, digest: string, m: { mediaType: string; artifactType: string | null }): string | undefined {
  if (!isScannable(m) || repositoryScanning(sql, repo).scanFrequency !== 'SCAN_ON_PUSH') return undefined;
  startScan(sql, repo, digest, now);
  return scanKey(repo, digest);
}
