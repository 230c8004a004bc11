/**
 * Image operations both front doors share: a registry push (PUT manifest) and
 * ECR's PutImage store a manifest the same way; DELETE manifest and
 * BatchDeleteImage remove one the same way. Synchronous, inside the caller's
 * SQLite transaction, so a manifest, its references and its tag appear
 * together or not at all.
 */
import type { Statements } from '../../../state/db.js';
import { arn } from '../../../shared/arns.js';
import { algorithmOf, CANONICAL, digestBytes, isDigest } from '../../../registry/digest.js';
import { RegistryError } from '../../../registry/errors.js';
import { parseManifest, type ParsedManifest } from '../../../registry/manifest-format.js';
import { repoBlobSize } from './blobs.js';
import { deleteManifestRow, digestForTag, getManifest, insertManifest, parentIndexes, setImageStatus, setTag, tagsOf, type ManifestRef, type ManifestRow } from './manifests.js';
import { type RepoRow, type RepositorySettings } from './repositories.js';
import { TAG_RE, type RepoRef } from '../../../registry/names.js';

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
import { scanOnPush } from './scans.js';

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Whether a tag may not move, under the repository's mutability and its exclusion filters. */
export function isTagImmutable(settings: RepositorySettings, tag: string): boolean {
  const excluded = (settings.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcard(f.filter).test(tag));
  switch (settings.imageTagMutability) {
    case 'IMMUTABLE': return true;
    case 'IMMUTABLE_WITH_EXCLUSION': return !excluded;
    case 'MUTABLE_WITH_EXCLUSION': return excluded;
    default: return false;
  }
}

/** ECR's wording, which docker prints after "tag invalid:". */
function immutableTag(repo: RepoRow, tag: string): RegistryError {
  const why = repo.settings.imageTagMutability === 'IMMUTABLE' ? 'the repository is immutable' : 'the tag is immutable';
  return new RegistryError(
    'TAG_INVALID',
    `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because ${why}.`,
    { kind: 'immutable-tag' },
  );
}

export interface PutManifestInput {
  body: Buffer;
  contentType?: string;
  tag?: string;
  /** The digest the caller named (PUT by digest, PutImage's imageDigest): must match the body. */
  digest?: string;
  /** ECR PutImage refuses a manifest and tag that are already there; a registry push accepts them. */
  unchangedIsError?: boolean;
}

export interface PutManifestResult {
  digest: string;
  manifest: ParsedManifest;
  /** True when the manifest was not in the repository before. */
  created: boolean;
  /** A scan on push this push queued (its controller key): the caller publishes `ecr.image-scan` after commit. */
  scanKey?: string;
}

/**
 * ECR's events for EventBridge (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html):
 * "ECR Image Action" (a push or delete; `resources` empty) and "ECR Image Scan" (a basic scan finished; `resources`
 * the repository's ARN), appended in the transaction that makes the change; EventBridge drains them in order onto
 * the default bus (takeEcrEvents). The outbox keeps the detail only: a scan's is the one with a `scan-status`.
 */
export type EcrEventDetail =
  | { result: 'SUCCESS'; 'repository-name': string; 'image-digest': string; 'action-type': 'PUSH' | 'DELETE'; 'image-tag'?: string }
  | { 'scan-status': string; 'repository-name': string; 'image-digest': string; 'image-tags': string[]; 'finding-severity-counts': Record<string, number> };

export interface EcrEvent {
  id: number;
  account: string;
  region: string;
  detailType: 'ECR Image Action' | 'ECR Image Scan';
  resources: string[];
  detail: EcrEventDetail;
  /** Real epoch ms. */
  at: number;
}

function appendEvent(sql: Statements, repo: RepoRef, detail: EcrEventDetail, now: number) {
  // ECR Public's images (stored here under its namespace in place of a region) make no ECR events.
  if (!REGION_RE.test(repo.region)) return;
  sql.get('INSERT INTO ecr_event_outbox (account, region, detail, at) VALUES (?, ?, ?, ?)').run(repo.account, repo.region, JSON.stringify(detail), now);
}

export function appendImageAction(sql: Statements, repo: RepoRef, action: 'PUSH' | 'DELETE', digest: string, tag: string | undefined, now: number) {
  appendEvent(sql, repo, {
    result: 'SUCCESS', 'repository-name': repo.name, 'image-digest': digest, 'action-type': action, ...(tag !== undefined ? { 'image-tag': tag } : {}),
  }, now);
}

/** A finished basic scan: its status (COMPLETE, FAILED, …), the image's tags, the findings counted by severity. */
export function appendImageScan(sql: Statements, repo: RepoRef, digest: string, tags: string[], status: string, counts: Record<string, number>, now: number) {
  appendEvent(sql, repo, {
    'scan-status': status, 'repository-name': repo.name, 'image-digest': digest, 'image-tags': tags, 'finding-severity-counts': counts,
  }, now);
}

/** The oldest `limit` events not yet drained, and a function that forgets them (call it in the same transaction). */
export function takeEcrEvents(sql: Statements, limit: number): { events: EcrEvent[]; done(): void } {
  const rows = sql.get('SELECT * FROM ecr_event_outbox ORDER BY id LIMIT ?').all(limit) as { id: number; account: string; region: string; detail: string; at: number }[];
  return {
    events: rows.map((r): EcrEvent => {
      const detail = JSON.parse(r.detail) as EcrEventDetail;
      const scan = 'scan-status' in detail;
      return {
        id: r.id, account: r.account, region: r.region, detail, at: r.at,
        detailType: scan ? 'ECR Image Scan' : 'ECR Image Action',
        resources: scan ? [arn('ecr', r.region, r.account, `repository/${detail['repository-name']}`)] : [],
      };
    }),
    done: () => { if (rows.length) sql.get('DELETE FROM ecr_event_outbox WHERE id <= ?').run(rows[rows.length - 1].id); },
  };
}

export function putManifest(sql: Statements, now: number, repo: RepoRow, input: PutManifestInput): PutManifestResult {
  const { tag } = input;
  if (tag !== undefined && !TAG_RE.test(tag)) throw new RegistryError('TAG_INVALID', `invalid tag '${tag}'`, { detail: { tag } });
  const manifest = parseManifest(input.body, input.contentType);
  // Addressed in the algorithm of the digest the caller named; pushed by tag, in the canonical one (sha256).
  const digest = digestBytes(input.body, input.digest !== undefined ? algorithmOf(input.digest) : CANONICAL);
  if (input.digest !== undefined && input.digest !== digest) {
    throw new RegistryError('DIGEST_INVALID', `manifest digest ${digest} does not match ${input.digest}`, {
      kind: 'digest-mismatch', detail: { digest: input.digest },
    });
  }
  const existing = getManifest(sql, repo, digest);
  let scanKey: string | undefined;
  if (tag !== undefined) {
    const current = digestForTag(sql, repo, tag);
    if (input.unchangedIsError && current === digest) {
      throw new RegistryError('TAG_INVALID', `Image with digest '${digest}' and tag '${tag}' already exists in the repository with name '${repo.name}' in registry with id '${repo.account}'`, { kind: 'unchanged-image' });
    }
    // ECR refuses even an identical re-push to an immutable tag (moby/buildkit#3776).
    if (current !== undefined && isTagImmutable(repo.settings, tag)) throw immutableTag(repo, tag);
  } else if (input.unchangedIsError && existing) {
    throw new RegistryError('MANIFEST_INVALID', `Image with digest '${digest}' already exists in the repository with name '${repo.name}' in registry with id '${repo.account}'`, { kind: 'unchanged-image' });
  }

  if (!existing) {
    const imageSize = checkReferences(sql, repo, manifest);
    const refs: ManifestRef[] = [
      ...manifest.blobs.map((b) => ({ ref: b.digest, kind: 'blob' as const })),
      ...manifest.manifests.map((m) => ({ ref: m.digest, kind: 'manifest' as const })),
    ];
    insertManifest(sql, repo, {
      digest, mediaType: manifest.mediaType, artifactType: manifest.artifactType ?? null,
      subject: manifest.subject?.digest ?? null, imageSize, body: input.body, pushedAt: now,
    }, refs);
    // ECR scan on push (repository or registry scanning configuration): a new image gets a scan queued.
    scanKey = scanOnPush(sql, now, repo, digest, { mediaType: manifest.mediaType, artifactType: manifest.artifactType ?? null });
  } else if (existing.imageStatus === 'ARCHIVED') {
    // ECR: re-pushing an archived image restores it to standard storage.
    setImageStatus(sql, repo, digest, 'ACTIVE', now);
  }
  if (tag !== undefined) setTag(sql, repo, tag, digest, now);
  appendImageAction(sql, repo, 'PUSH', digest, tag, Date.now());
  return { digest, manifest, created: !existing, ...(scanKey ? { scanKey } : {}) };
}

/** Every referenced blob and child manifest must be in the repository; returns ECR's image size. */
function checkReferences(sql: Statements, repo: RepoRef, manifest: ParsedManifest): number {
  const missingBlobs = [];
  for (const b of manifest.blobs) {
    const size = repoBlobSize(sql, repo, b.digest);
    if (size === undefined) missingBlobs.push(b.digest);
    else if (size !== b.size) throw new RegistryError('MANIFEST_INVALID', `manifest invalid: blob ${b.digest} is ${size} bytes, the manifest says ${b.size}`);
  }
  if (missingBlobs.length) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missingBlobs[0]}`, {
      kind: 'missing-layers', detail: { digest: missingBlobs[0], digests: missingBlobs },
    });
  }
  if (!manifest.isIndex) return manifest.layerBytes;
  let largest = 0;
  const missing = [];
  for (const m of manifest.manifests) {
    const child = getManifest(sql, repo, m.digest);
    if (!child) missing.push(m.digest);
    else largest = Math.max(largest, child.imageSize);
  }
  if (missing.length) {
    throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest unknown to registry: ${missing[0]}`, {
      kind: 'missing-manifests', detail: { digest: missing[0], digests: missing },
    });
  }
  // ECR: "If the image is a manifest list, this will be the max size of all manifests in the list."
  return largest;
}

/** The manifest a tag or digest names, if the repository has it. */
export function resolveManifest(sql: Statements, repo: RepoRef, reference: string): ManifestRow | undefined {
  const digest = isDigest(reference) ? reference : digestForTag(sql, repo, reference);
  return digest ? getManifest(sql, repo, digest) : undefined;
}

/** Deletes an image and its tags; an image an index in the repository lists cannot go first. Returns its tags. */
export function deleteImage(sql: Statements, repo: RepoRef, digest: string): string[] {
  const parents = parentIndexes(sql, repo, digest);
  if (parents.length) {
    throw new RegistryError('DENIED', `The image ${digest} is referenced by the manifest list ${parents[0]}; delete that first.`, {
      kind: 'referenced-by-index', status: 409,
    });
  }
  const tags = tagsOf(sql, repo, digest);
  deleteManifestRow(sql, repo, digest);
  for (const tag of tags.length ? tags : [undefined]) appendImageAction(sql, repo, 'DELETE', digest, tag, Date.now());
  return tags;
}
