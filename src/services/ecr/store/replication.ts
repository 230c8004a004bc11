/**
 * ECR private image replication in SQLite (migration 18): the registry's
 * replication configuration, a status row per (pushed image, destination),
 * and the copy itself. A push (registry PUT manifest or ECR PutImage) queues
 * the destinations its repository's rules select, IN_PROGRESS, inside the
 * push's transaction; the ecr-replication controller then copies the image
 * and records COMPLETE or FAILED. Everything here is synchronous and runs in
 * the caller's transaction.
 *
 * The copy is a metadata copy: blobs are content-addressed and shared by the
 * whole Berth, so replicating links the image's blobs into the destination
 * repository and writes its manifests (children of an index first) and tags
 * through the same image logic a push uses (images.ts), tag immutability and
 * scan on push included.
 */
import type { ReplicationConfiguration, ReplicationDestination } from '@aws-sdk/client-ecr';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { createRepositoryFor } from './creation-templates.js';
import { RegistryError } from '../../../registry/errors.js';
import { putManifest } from './images.js';
import { parseManifest } from '../../../registry/manifest-format.js';
import { blobSize, linkBlob } from './blobs.js';
import { digestForTag, getManifest, tagsOf, type ManifestRow } from './manifests.js';
import { getRepo, type RepoRow } from './repositories.js';
import type { RepoRef } from '../../../registry/names.js';
import { policyAllows } from './policy.js';
import { getRegistryPolicy } from './settings.js';
import { awsManagedKeyArn, isAwsManagedKey } from './managed-key.js';

const KEY = 'account = ? AND region = ? AND repo = ?';
const key = (ref: RepoRef) => [ref.account, ref.region, ref.name] as const;

// --- configuration ----------------------------------------------------------

export function getReplicationConfig({ sql, account, region }: Scope): ReplicationConfiguration | undefined {
  const doc = sql.get('SELECT doc FROM ecr_replication_configs WHERE account = ? AND region = ?').pluck().get(account, region) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function putReplicationConfig({ sql, account, region }: Scope, config: ReplicationConfiguration): void {
  sql.get('INSERT INTO ecr_replication_configs (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc')
    .run(account, region, JSON.stringify(config));
}

/** The unique destinations whose rules select this repository (no filters, or a PREFIX_MATCH filter it starts with). */
export function destinationsFor(config: ReplicationConfiguration | undefined, repositoryName: string): ReplicationDestination[] {
  const out = new Map<string, ReplicationDestination>();
  for (const rule of config?.rules ?? []) {
    const filters = rule.repositoryFilters ?? [];
    if (filters.length && !filters.some((f) => f.filterType === 'PREFIX_MATCH' && repositoryName.startsWith(f.filter ?? ''))) continue;
    for (const d of rule.destinations ?? []) out.set(`${d.registryId}|${d.region}`, { region: d.region, registryId: d.registryId });
  }
  return [...out.values()];
}

// --- status rows ------------------------------------------------------------

/** The controller key of one pushed image: account|region|repo|digest. */
export const replicationKey = (ref: RepoRef, digest: string) => `${ref.account}|${ref.region}|${ref.name}|${digest}`;

export function parseReplicationKey(k: string): { ref: RepoRef; digest: string } | undefined {
  const [account, region, name, digest] = k.split('|');
  return account && region && name && digest ? { ref: { account, region, name }, digest } : undefined;
}

export type ReplicationState = 'IN_PROGRESS' | 'COMPLETE' | 'FAILED';

export interface ReplicationRow {
  destAccount: string;
  destRegion: string;
  status: ReplicationState;
  failureCode: string | null;
  queuedAt: number;
}

interface RawRow {
  dest_account: string;
  dest_region: string;
  status: ReplicationState;
  failure_code: string | null;
  queued_at: number;
}

const toRow = (r: RawRow): ReplicationRow => ({
  destAccount: r.dest_account, destRegion: r.dest_region, status: r.status, failureCode: r.failure_code, queuedAt: r.queued_at,
});

/**
 * Called by both front doors after a push stored an image: marks every
 * destination the registry's rules select IN_PROGRESS. Returns the
 * controller key to publish once the transaction commits, or undefined when
 * nothing replicates. Copies never queue further copies (ECR: "A replication
 * action only occurs once per image push").
 */
export function queueReplication(sql: Statements, now: number, repo: RepoRef, digest: string): string | undefined {
  const destinations = destinationsFor(getReplicationConfig({ sql, account: repo.account, region: repo.region }), repo.name);
  if (!destinations.length) return undefined;
  const upsert = sql.get(
    `INSERT INTO ecr_replication_statuses (account, region, repo, digest, dest_account, dest_region, status, failure_code, queued_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, 'IN_PROGRESS', NULL, ?, ?)
     ON CONFLICT DO UPDATE SET status = 'IN_PROGRESS', failure_code = NULL, queued_at = excluded.queued_at, updated_at = excluded.updated_at`,
  );
  for (const d of destinations) upsert.run(...key(repo), digest, d.registryId, d.region, now, now);
  return replicationKey(repo, digest);
}

export function replicationStatuses(sql: Statements, ref: RepoRef, digest: string): ReplicationRow[] {
  return (sql.get(`SELECT * FROM ecr_replication_statuses WHERE ${KEY} AND digest = ? ORDER BY dest_account, dest_region`)
    .all(...key(ref), digest) as RawRow[]).map(toRow);
}

/** Keys of every image with a destination still IN_PROGRESS (a restarted Berth resumes them). */
export function pendingReplicationKeys(sql: Statements): string[] {
  const rows = sql.get("SELECT DISTINCT account, region, repo, digest FROM ecr_replication_statuses WHERE status = 'IN_PROGRESS'")
    .all() as { account: string; region: string; repo: string; digest: string }[];
  // Replication backfills still to be driven ride on the same controller (key backfill:<id>).
  const backfills = sql.get("SELECT id FROM ecr_replication_backfills WHERE status IN ('PREPARING', 'IN_PROGRESS', 'STOPPING')").pluck().all() as string[];
  return [...rows.map((r) => replicationKey({ account: r.account, region: r.region, name: r.repo }, r.digest)), ...backfills.map((id) => `backfill:${id}`)];
}

function setStatus(sql: Statements, ref: RepoRef, digest: string, row: ReplicationRow, status: ReplicationState, failureCode: string | null, now: number) {
  sql.get(
    `UPDATE ecr_replication_statuses SET status = ?, failure_code = ?, updated_at = ?
     WHERE ${KEY} AND digest = ? AND dest_account = ? AND dest_region = ? AND queued_at = ?`,
  ).run(status, failureCode, now, ...key(ref), digest, row.destAccount, row.destRegion, row.queuedAt);
}

// --- the copy ---------------------------------------------------------------

/**
 * Berth's failure codes (ECR does not document its own): the destination
 * registry's policy does not let the source account replicate into it, the
 * repository is missing and may not be created, a tag there is immutable and
 * names another image, or the image's content is no longer in the registry.
 */
export type ReplicationFailure = 'ACCESS_DENIED' | 'REPOSITORY_NOT_FOUND' | 'IMAGE_TAG_ALREADY_EXISTS' | 'IMAGE_CONTENT_NOT_FOUND';

export interface ReplicationOutcome {
  destination: { registryId: string; region: string };
  status: 'COMPLETE' | 'FAILED';
  failureCode?: ReplicationFailure;
  /** The copy created the destination repository with a creation template's lifecycle policy (its controller key). */
  lifecyclePolicyKey?: string;
  /** Scans on push the copy queued in the destination (their controller keys), to publish after commit. */
  scanKeys?: string[];
}

/**
 * Copies every destination of one image still IN_PROGRESS, each all or
 * nothing (a savepoint), and records the outcomes. An image deleted before
 * its copy ran has nothing to copy: its rows go.
 */
export function replicatePending(sql: Statements, now: number, ref: RepoRef, digest: string): ReplicationOutcome[] {
  const pending = replicationStatuses(sql, ref, digest).filter((r) => r.status === 'IN_PROGRESS');
  if (!pending.length) return [];
  const source = getRepo(sql, ref);
  const manifest = source && getManifest(sql, source, digest);
  if (!source || !manifest) {
    sql.get(`DELETE FROM ecr_replication_statuses WHERE ${KEY} AND digest = ?`).run(...key(ref), digest);
    return [];
  }
  const outcomes: ReplicationOutcome[] = [];
  for (const row of pending) {
    const dest = { account: row.destAccount, region: row.destRegion };
    let failure: ReplicationFailure | undefined;
    const created: string[] = [];
    const scans: string[] = [];
    try {
      failure = sql.db.transaction(() => copyImage(sql, now, source, manifest, dest, created, scans))();
    } catch (err) {
      failure = failureOf(err);
    }
    setStatus(sql, ref, digest, row, failure ? 'FAILED' : 'COMPLETE', failure ?? null, now);
    outcomes.push({
      destination: { registryId: row.destAccount, region: row.destRegion },
      status: failure ? 'FAILED' : 'COMPLETE',
      ...(failure ? { failureCode: failure } : {}),
      ...(!failure && created.length ? { lifecyclePolicyKey: created[0] } : {}),
      ...(!failure && scans.length ? { scanKeys: scans } : {}),
    });
  }
  return outcomes;
}

export function failureOf(err: unknown): ReplicationFailure {
  if (!(err instanceof RegistryError)) throw err;
  if (err.kind === 'immutable-tag') return 'IMAGE_TAG_ALREADY_EXISTS';
  if (err.kind === 'missing-layers' || err.kind === 'missing-manifests') return 'IMAGE_CONTENT_NOT_FOUND';
  throw err;
}

/** The KMS key ECR would use in the destination: the source's, unless it was the source region's default aws/ecr key. */
function settingsFor(source: RepoRow, dest: { account: string; region: string }): RepoRow['settings'] {
  const settings = structuredClone(source.settings);
  const enc = settings.encryptionConfiguration;
  if (enc.kmsKey === `arn:aws:kms:${source.region}:${source.account}:alias/aws/ecr`) {
    enc.kmsKey = `arn:aws:kms:${dest.region}:${dest.account}:alias/aws/ecr`;
  } else if (isAwsManagedKey(enc.kmsKey, source.account, source.region)) {
    enc.kmsKey = awsManagedKeyArn(dest.account, dest.region);
  }
  return settings;
}

export function copyImage(
  sql: Statements, now: number, source: RepoRow, manifest: ManifestRow, dest: { account: string; region: string }, createdLifecyclePolicies: string[],
  queuedScans: string[],
): ReplicationFailure | undefined {
  const destRef: RepoRef = { account: dest.account, region: dest.region, name: source.name };
  // Cross-account: the destination's registry policy must grant the source account (ECR's registry permissions).
  const policy = dest.account === source.account ? undefined : getRegistryPolicy({ sql, account: dest.account, region: dest.region });
  if (dest.account !== source.account && !policyAllows(policy, source.account, 'ecr:ReplicateImage')) return 'ACCESS_DENIED';
  let repo = getRepo(sql, destRef);
  if (!repo) {
    // ECR creates the repository with the source's settings; across accounts only with ecr:CreateRepository granted.
    if (dest.account !== source.account && !policyAllows(policy, source.account, 'ecr:CreateRepository')) return 'REPOSITORY_NOT_FOUND';
    // A REPLICATION creation template in the destination registry decides its settings, else the source's.
    const created = createRepositoryFor(sql, destRef, now, 'REPLICATION', settingsFor(source, dest));
    repo = created.repo;
    if (created.lifecyclePolicyKey) createdLifecyclePolicies.push(created.lifecyclePolicyKey);
  }
  copyManifest(sql, now, source, repo, manifest, queuedScans);
  for (const tag of tagsOf(sql, source, manifest.digest)) {
    if (digestForTag(sql, repo, tag) === manifest.digest) continue;
    const { scanKey } = putManifest(sql, now, repo, { body: manifest.body, contentType: manifest.mediaType, tag });
    if (scanKey) queuedScans.push(scanKey);
  }
  return undefined;
}

/** Links the image's blobs into the destination and writes its manifest, an index's children first. */
function copyManifest(sql: Statements, now: number, source: RepoRow, dest: RepoRow, m: ManifestRow, queuedScans: string[]): void {
  if (getManifest(sql, dest, m.digest)) return;
  const parsed = parseManifest(m.body, m.mediaType);
  for (const child of parsed.manifests) {
    const row = getManifest(sql, source, child.digest);
    if (row) copyManifest(sql, now, source, dest, row, queuedScans);
  }
  for (const b of parsed.blobs) {
    if (blobSize(sql, b.digest) !== undefined) linkBlob(sql, dest, b.digest, now);
  }
  const { scanKey } = putManifest(sql, now, dest, { body: m.body, contentType: m.mediaType });
  if (scanKey) queuedScans.push(scanKey);
}
