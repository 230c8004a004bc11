/**
 * ListObjectsV2 and ListObjects (v1): keys in UTF-8 binary order, rolled up
 * into CommonPrefixes at the delimiter, paged by max-keys (at most 1000) with
 * an opaque continuation token (v2) or a marker (v1); `encoding-type=url`
 * percent-encodes keys and prefixes as S3 does (botocore asks for it and
 * decodes them).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type {
  ListObjectsOutput, ListObjectsRequest, ListObjectsV2Output, ListObjectsV2Request, _Object,
} from '@aws-sdk/client-s3';
import { canonicalUserId } from './buckets.js';
import type { S3Context } from './context.js';
import { invalidArgument } from './errors.js';
import { objectsFrom, ownBucket, type ObjectRow } from './store.js';

const MAX_KEYS = 1000;

interface Page {
  contents: ObjectRow[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix on the page. */
  last?: { value: string; isPrefix: boolean };
}

interface Walk {
  bucket: string;
  prefix: string;
  delimiter?: string;
  /** Only keys after this one. */
  after?: string;
  /** Skip keys under this common prefix (it was the last item of the previous page). */
  skipPrefix?: string;
  max: number;
}

function walk(ctx: S3Context, w: Walk): Page {
  const page: Page = { contents: [], prefixes: [], truncated: false };
  if (w.max === 0) return page;
  const from = [w.prefix, w.after ?? '', w.skipPrefix ?? ''].reduce((a, b) => (b > a ? b : a));
  let count = 0;
  for (const o of objectsFrom(ctx.sql, w.bucket, from)) {
    // Keys with the prefix are one contiguous run starting at the prefix: the first key past it ends the walk.
    if (!o.key.startsWith(w.prefix)) break;
    if (w.after !== undefined && o.key <= w.after) continue;
    if (w.skipPrefix !== undefined && o.key.startsWith(w.skipPrefix)) continue;
    let item: { value: string; isPrefix: boolean } = { value: o.key, isPrefix: false };
    if (w.delimiter) {
      const at = o.key.indexOf(w.delimiter, w.prefix.length);
      if (at >= 0) item = { value: o.key.slice(0, at + w.delimiter.length), isPrefix: true };
    }
    if (item.isPrefix && page.last?.isPrefix && page.last.value === item.value) continue;
    if (count === w.max) {
      page.truncated = true;
      break;
    }
    if (item.isPrefix) page.prefixes.push(item.value);
    else page.contents.push(o);
    page.last = item;
    count++;
  }
  return page;
}

function maxKeys(value: number | undefined): number {
  if (value === undefined) return MAX_KEYS;
  if (!Number.isInteger(value) || value < 0) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(value));
  return Math.min(value, MAX_KEYS);
}

/** S3's encoding-type=url: percent-encoding that keeps "/" readable. */
const urlEncode = (s: string) => encodeURIComponent(s).replace(/%2F/g, '/');

function encoder(type: string | undefined): (s: string | undefined) => string | undefined {
  if (type === undefined) return (s) => s;
  if (type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return (s) => (s === undefined ? undefined : urlEncode(s));
}

const TOKEN_VERSION = 'b1';

function encodeToken(last: { value: string; isPrefix: boolean }): string {
  return Buffer.from(JSON.stringify([TOKEN_VERSION, last.isPrefix ? 'p' : 'k', last.value])).toString('base64url');
}

function decodeToken(token: string): { after?: string; skipPrefix?: string } {
  try {
    const [v, kind, value] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (v === TOKEN_VERSION && typeof value === 'string') return kind === 'p' ? { skipPrefix: value } : { after: value };
  } catch { /* reported below */ }
  throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

function entry(o: ObjectRow, owner: string | undefined): _Object {
  const c = o.doc.Checksum;
  return {
    Key: o.key,
    LastModified: new Date(o.lastModified),
    ETag: o.etag,
    Size: o.size,
    StorageClass: (o.doc.StorageClass ?? 'STANDARD') as _Object['StorageClass'],
    ChecksumAlgorithm: c ? [c.algorithm as NonNullable<_Object['ChecksumAlgorithm']>[number]] : undefined,
    ChecksumType: c?.type,
    Owner: owner ? { ID: owner } : undefined,
  };
}

export function listObjectsV2(ctx: S3Context, input: ListObjectsV2Request): ListObjectsV2Output {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const enc = encoder(input.EncodingType);
  const max = maxKeys(input.MaxKeys);
  const resume = input.ContinuationToken !== undefined ? decodeToken(input.ContinuationToken) : {};
  const after = resume.after ?? (resume.skipPrefix === undefined ? input.StartAfter || undefined : undefined);
  const page = walk(ctx, { bucket: b.name, prefix: input.Prefix ?? '', delimiter: input.Delimiter || undefined, after, skipPrefix: resume.skipPrefix, max });
  const owner = input.FetchOwner ? canonicalUserId(b.account) : undefined;
  return {
    Name: b.name,
    Prefix: enc(input.Prefix ?? ''),
    Delimiter: enc(input.Delimiter || undefined),
    MaxKeys: max,
    EncodingType: input.EncodingType,
    KeyCount: page.contents.length + page.prefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: page.truncated && page.last ? encodeToken(page.last) : undefined,
    StartAfter: enc(input.StartAfter),
    Contents: page.contents.length ? page.contents.map((o) => ({ ...entry(o, owner), Key: enc(o.key) })) : undefined,
    CommonPrefixes: page.prefixes.length ? page.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
  };
}

export function listObjects(ctx: S3Context, input: ListObjectsRequest): ListObjectsOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const enc = encoder(input.EncodingType);
  const max = maxKeys(input.MaxKeys);
  const marker = input.Marker || undefined;
  // A marker that is a common prefix (v1's NextMarker) skips the keys under it.
  const delimiter = input.Delimiter || undefined;
  const skipPrefix = marker && delimiter && marker.endsWith(delimiter) ? marker : undefined;
  const page = walk(ctx, { bucket: b.name, prefix: input.Prefix ?? '', delimiter, after: marker, skipPrefix, max });
  const owner = canonicalUserId(b.account);
  return {
    Name: b.name,
    Prefix: enc(input.Prefix ?? ''),
    Delimiter: enc(delimiter),
    Marker: enc(input.Marker ?? ''),
    MaxKeys: max,
    EncodingType: input.EncodingType,
    IsTruncated: page.truncated,
    // v1 names the next marker only when a delimiter is given; clients otherwise resume at the last key.
    NextMarker: page.truncated && delimiter && page.last ? enc(page.last.value) : undefined,
    Contents: page.contents.length ? page.contents.map((o) => ({ ...entry(o, owner), Key: enc(o.key) })) : undefined,
    CommonPrefixes: page.prefixes.length ? page.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
  };
}
