/** Blob GET/HEAD (with a single byte Range) and DELETE. */
import { lookupDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { GC_GRACE_MS } from '../gc.js';
import { repoBlobSize, touchLink, unlinkBlob } from '../../services/ecr/store/index.js';
import type { ByteRange } from '../storage/driver.js';
import { byteRange } from '../../shared/byte-range.js';
import type { RouteContext } from './handler.js';
import { API_VERSION_HEADER, send } from './respond.js';

/** Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against the blob size; undefined = unsatisfiable. */
export function parseRange(header: string, size: number): ByteRange | undefined {
  const range = byteRange(header, size);
  return typeof range === 'string' ? undefined : range;
}

/** The blob digest the path names; a digest Berth cannot store names nothing (404, as the spec says). */
function blobDigest(ctx: RouteContext): string {
  const digest = lookupDigest(ctx.param);
  if (!digest) throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest: ctx.param } });
  return digest;
}

export async function getBlob(ctx: RouteContext): Promise<void> {
  const digest = blobDigest(ctx);
  const size = repoBlobSize(ctx.reg.sql, ctx.repo, digest);
  if (size === undefined) {
    // A pull through cache repository streams what it lacks from upstream, storing it (pull-through.ts).
    if (await ctx.reg.pullThrough?.blob({ repo: ctx.repo, head: ctx.head, res: ctx.res }, digest)) return;
    throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  }
  // A client that found the blob here may push a manifest using it: keep GC off it for a while.
  touchLink(ctx.reg.sql, ctx.repo, digest, ctx.reg.clock.now(), GC_GRACE_MS / 2);
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest,
    etag: `"${digest}"`,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
  };
  const rangeHeader = ctx.req.headers.range;
  let range: ByteRange | undefined;
  if (rangeHeader && !ctx.head) {
    range = parseRange(rangeHeader, size);
    if (!range) {
      send(ctx.res, 416, { 'content-range': `bytes */${size}` });
      return;
    }
  }
  if (ctx.head) return send(ctx.res, 200, { ...headers, 'content-length': size }, undefined);
  // Opened before the headers go, so a blob missing from storage is still a clean BLOB_UNKNOWN.
  const blob = await ctx.reg.blobs.open(digest);
  if (range) {
    ctx.res.writeHead(206, {
      ...API_VERSION_HEADER, ...headers,
      'content-range': `bytes ${range.start}-${range.end}/${size}`, 'content-length': range.end - range.start + 1,
    });
  } else {
    ctx.res.writeHead(200, { ...API_VERSION_HEADER, ...headers, 'content-length': size });
  }
  await blob.copyTo(ctx.res, range);
  ctx.res.end();
}

/** Unlinks the blob from this repository (the bytes go when no repository references them). */
export function deleteBlob(ctx: RouteContext): void {
  const digest = blobDigest(ctx);
  if (!unlinkBlob(ctx.reg.sql, ctx.repo, digest)) throw new RegistryError('BLOB_UNKNOWN', undefined, { detail: { digest } });
  send(ctx.res, 202, {});
}
