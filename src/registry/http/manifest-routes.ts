/**
 * Manifests by tag or digest: GET/HEAD with content negotiation, PUT
 * (validated, references checked, tag immutability enforced as ECR does),
 * DELETE (by digest removes the image; by tag removes only the tag).
 */
import type { IncomingMessage } from 'node:http';
import { isDigest, lookupDigest, requireDigest, sha256 } from '../digest.js';
import { RegistryError } from '../errors.js';
import {
  deleteImage, deleteTag, getManifest as loadManifest, type ManifestRow, putManifest as storeManifest, queueReplication, resolveManifest, touchPull,
} from '../../services/ecr/store/index.js';
import { acceptedTypes, accepts, defaultChild, isIndexType, MAX_MANIFEST_BYTES, translateManifest } from '../manifest-format.js';
import type { RouteContext } from './handler.js';
import { send } from './respond.js';

/** ECR's text for a tag or digest that is not there (docker prints "manifest unknown: …"). */
const manifestUnknown = (reference: string) =>
  new RegistryError('MANIFEST_UNKNOWN', 'Requested image not found', { detail: { reference } });

interface Served {
  /** The stored image (its pull time moves). */
  row: ManifestRow;
  body: Buffer;
  mediaType: string;
  digest: string;
}

/** What to serve a client whose Accept header rules out the stored media type. */
function negotiate(ctx: RouteContext, m: ManifestRow): Served {
  const accept = ctx.req.headers.accept;
  const as = (row: ManifestRow): Served => ({ row, body: row.body, mediaType: row.mediaType, digest: row.digest });
  if (accepts(accept, m.mediaType)) return as(m);
  // A client that cannot read indexes gets the index's default platform image (distribution does the same).
  if (isIndexType(m.mediaType)) {
    const child = defaultChild(m.body);
    const row = child && loadManifest(ctx.reg.sql, ctx.repo, child.digest);
    if (row && accepts(accept, row.mediaType)) return as(row);
  }
  // ECR translates Docker schema 2 and OCI image manifests for a pull by tag (never by digest).
  const translated = !isDigest(ctx.param) && translateManifest(m.body, m.mediaType, acceptedTypes(accept));
  if (translated) return { row: m, ...translated, digest: sha256(translated.body) };
  throw new RegistryError('MANIFEST_UNKNOWN', `manifest of type ${m.mediaType} not found in an accepted format`, { detail: { accept } });
}

/** A reference with a colon is a digest; one of an algorithm Berth cannot store names nothing (404, as the spec says). */
function checkReference(reference: string): void {
  if (reference.includes(':') && !lookupDigest(reference)) throw manifestUnknown(reference);
}

export async function getManifest(ctx: RouteContext): Promise<void> {
  checkReference(ctx.param);
  const cached = resolveManifest(ctx.reg.sql, ctx.repo, ctx.param);
  // A pull through cache repository fetches what it lacks from upstream (pull-through.ts).
  const found = ctx.reg.pullThrough ? await ctx.reg.pullThrough.manifest(ctx.repo, ctx.param, cached, ctx.req.headers.accept) : cached;
  // An archived image cannot be pulled: ECR answers 404 until it is restored.
  if (!found || found.imageStatus === 'ARCHIVED') throw manifestUnknown(ctx.param);
  const m = negotiate(ctx, found);
  // A GET is a pull: ECR records lastRecordedPullTime (a HEAD only checks).
  if (!ctx.head) touchPull(ctx.reg.sql, ctx.repo, m.row.digest, ctx.reg.clock.now());
  send(ctx.res, 200, { 'content-type': m.mediaType, 'docker-content-digest': m.digest, etag: `"${m.digest}"` }, m.body, ctx.head);
}

/** Reads at most `limit` bytes; SIZE beyond it is refused without buffering the rest. */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function putManifest(ctx: RouteContext): Promise<void> {
  const reference = ctx.param;
  const byDigest = reference.includes(':');
  if (byDigest) requireDigest(reference);
  // The spec's `tag` query parameters: tags for a manifest pushed by digest, which is how a client
  // tags a manifest addressed by another algorithm than the canonical sha256 (a push by tag is sha256).
  const tags = byDigest ? ctx.query.getAll('tag') : [];
  const declared = Number(ctx.req.headers['content-length'] ?? 0);
  if (declared > MAX_MANIFEST_BYTES) {
    throw new RegistryError('MANIFEST_INVALID', `manifest invalid: larger than ${MAX_MANIFEST_BYTES} bytes`, { status: 413 });
  }
  const body = await readLimited(ctx.req, MAX_MANIFEST_BYTES);
  if (!body) throw new RegistryError('MANIFEST_INVALID', `manifest invalid: larger than ${MAX_MANIFEST_BYTES} bytes`, { status: 413 });
  const contentType = ctx.req.headers['content-type'];
  const { reg, repo } = ctx;
  let replication: string | undefined;
  const result = reg.db.transaction(() => {
    const stored = storeManifest(reg.sql, reg.clock.now(), repo, {
      body,
      contentType,
      ...(byDigest ? { digest: reference, ...(tags.length ? { tag: tags[0] } : {}) } : { tag: reference }),
    });
    // All the tags or none: a refused tag (invalid, immutable) rolls the push back.
    for (const tag of tags.slice(1)) storeManifest(reg.sql, reg.clock.now(), repo, { body, contentType, digest: reference, tag });
    // ECR replication: the push queues its copies; the controller runs them once this commits.
    replication = queueReplication(reg.sql, reg.clock.now(), repo, stored.digest);
    return stored;
  })();
  if (replication) reg.changes?.publish('ecr.replication', replication);
  reg.changes?.publish('ecr.image-action', `${repo.account}|${repo.region}`);
  // ECR scan on push: the scan the push queued runs once the push has committed.
  if (result.scanKey) reg.changes?.publish('ecr.image-scan', result.scanKey);
  const headers: Record<string, string> = {
    location: `/v2/${ctx.wire}/manifests/${result.digest}`,
    'docker-content-digest': result.digest,
  };
  // OCI 1.1: a registry that processed `subject` says so, and clients skip the referrers tag fallback.
  if (result.manifest.subject) headers['oci-subject'] = result.manifest.subject.digest;
  send(ctx.res, 201, headers);
}

export function deleteManifest(ctx: RouteContext): void {
  const { reg, repo, param } = ctx;
  reg.db.transaction(() => {
    if (param.includes(':')) {
      const digest = lookupDigest(param);
      if (!digest || !loadManifest(reg.sql, repo, digest)) throw manifestUnknown(param);
      deleteImage(reg.sql, repo, digest);
    } else if (!deleteTag(reg.sql, repo, param)) {
      throw manifestUnknown(param);
    }
  })();
  reg.changes?.publish('ecr.image-action', `${repo.account}|${repo.region}`);
  send(ctx.res, 202, {});
}
