/**
 * Objects: PutObject (the body arrives already received, see gateway/s3.ts),
 * GetObject / HeadObject (ranges, conditions, response-* overrides, stored
 * checksums on x-amz-checksum-mode), DeleteObject, DeleteObjects, CopyObject.
 * Buckets are unversioned: VersionId "null" is the only version there is.
 */
import type {
  CopyObjectOutput, CopyObjectRequest, DeleteObjectOutput, DeleteObjectRequest, DeleteObjectsOutput, DeleteObjectsRequest,
  GetObjectOutput, GetObjectRequest, HeadObjectOutput, HeadObjectRequest, PutObjectOutput, PutObjectRequest,
} from '@aws-sdk/client-s3';
import { storedContentEncoding } from '../../protocol/aws-chunked.js';
import { AwsError } from '../../protocol/errors.js';
import { checksumMember, type ChecksumAlgorithm } from './checksums.js';
import { isReceivedBody, type BodyRef, type S3Context } from './context.js';
import {
  invalidArgument, invalidRange, invalidRequest, malformedXml, noSuchKey, notModified, preconditionFailed,
} from './errors.js';
import { ObjectFiles } from './files.js';
import { deleteObjectRow, findObject, ownBucket, putObjectRow, requireObject, type ObjectDoc, type ObjectRow, type StoredChecksum } from './store.js';
import { byteRange } from '../../shared/byte-range.js';

/** What S3 reports for an object stored without a Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';
const MAX_KEY_BYTES = 1024;
const MAX_DELETE_KEYS = 1000;

/** S3 limits keys to 1024 bytes of UTF-8. */
export function checkKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new AwsError('KeyTooLongError', 'Your key is too long', { status: 400 });
}

/** The headers an object keeps, from a PutObject / CopyObject (REPLACE) / CreateMultipartUpload request. */
export function docFromRequest(input: {
  ContentType?: string; ContentEncoding?: string; ContentDisposition?: string; ContentLanguage?: string; CacheControl?: string;
  Expires?: Date; WebsiteRedirectLocation?: string; StorageClass?: string; Metadata?: Record<string, string>;
}): ObjectDoc {
  const doc: ObjectDoc = {};
  doc.ContentType = input.ContentType || DEFAULT_CONTENT_TYPE;
  const encoding = storedContentEncoding(input.ContentEncoding);
  if (encoding) doc.ContentEncoding = encoding;
  if (input.ContentDisposition) doc.ContentDisposition = input.ContentDisposition;
  if (input.ContentLanguage) doc.ContentLanguage = input.ContentLanguage;
  if (input.CacheControl) doc.CacheControl = input.CacheControl;
  if (input.Expires instanceof Date && !Number.isNaN(input.Expires.getTime())) doc.Expires = input.Expires.toISOString();
  if (input.WebsiteRedirectLocation) doc.WebsiteRedirectLocation = input.WebsiteRedirectLocation;
  if (input.StorageClass && input.StorageClass !== 'STANDARD') doc.StorageClass = input.StorageClass;
  if (input.Metadata && Object.keys(input.Metadata).length) doc.Metadata = { ...input.Metadata };
  return doc;
}

/** Checksum output members (ChecksumCRC32: …, ChecksumType) for a stored checksum. */
export function checksumOutput(c: StoredChecksum | undefined): Record<string, string> {
  if (!c) return {};
  return { [checksumMember(c.algorithm)]: c.value, ChecksumType: c.type };
}

const quoted = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

/** Does an If-Match / If-None-Match list name this ETag ("*" names any)? */
function etagListMatches(header: string, etag: string): boolean {
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || quoted(v) === etag;
  });
}

/** HTTP dates have whole seconds: compare at that precision. */
const seconds = (ms: number) => Math.floor(ms / 1000);

interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/**
 * GET/HEAD preconditions in RFC 7232's order: If-Match (else If-Unmodified-Since) fails with 412,
 * then If-None-Match (else If-Modified-Since) answers 304.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (conditional requests)
 */
export function checkConditions(o: ObjectRow, c: Conditions, prefix = ''): void {
  if (c.IfMatch !== undefined) {
    if (!etagListMatches(c.IfMatch, o.etag)) throw preconditionFailed(`${prefix}If-Match`);
  } else if (c.IfUnmodifiedSince && seconds(o.lastModified) > seconds(c.IfUnmodifiedSince.getTime())) {
    throw preconditionFailed(`${prefix}If-Unmodified-Since`);
  }
  if (c.IfNoneMatch !== undefined) {
    if (etagListMatches(c.IfNoneMatch, o.etag)) throw notModified();
  } else if (c.IfModifiedSince && seconds(o.lastModified) <= seconds(c.IfModifiedSince.getTime())) {
    throw notModified();
  }
}

/** A `bytes=` range against a size; undefined means "send it all" (S3 ignores ranges it cannot parse). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const range = byteRange(header, size);
  if (range === 'unsatisfiable') throw invalidRange(header, size);
  return range === 'ignore' ? undefined : range;
}

function checkVersion(versionId: string | undefined) {
  // Unversioned buckets hold one version of each object, whose id is "null".
  if (versionId !== undefined && versionId !== 'null') throw invalidArgument('Invalid version id specified', 'versionId', versionId);
}

type ReadInput = GetObjectRequest | HeadObjectRequest;
/** GetObject's output with the body as a reference to its file (the front door streams it). */
export type ObjectRead = Omit<GetObjectOutput, 'Body'> & { Body?: BodyRef };

/** GetObject and HeadObject: everything but streaming the bytes. */
function readObject(ctx: S3Context, input: ReadInput): ObjectRead {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  checkVersion(input.VersionId);
  const o = requireObject(ctx.sql, b.name, input.Key!);
  checkConditions(o, input);
  let range: { start: number; end: number } | undefined;
  let partsCount: number | undefined;
  if (input.PartNumber !== undefined) {
    range = partRange(o, input.PartNumber);
    partsCount = o.doc.PartsCount ?? 1;
  } else {
    range = parseRange(input.Range, o.size);
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? o.size - 1;
  const d = o.doc;
  const out: ObjectRead = {
    AcceptRanges: 'bytes',
    LastModified: new Date(o.lastModified),
    ContentLength: end - start + 1,
    ETag: o.etag,
    ContentType: input.ResponseContentType ?? d.ContentType ?? DEFAULT_CONTENT_TYPE,
    ContentEncoding: input.ResponseContentEncoding ?? d.ContentEncoding,
    ContentDisposition: input.ResponseContentDisposition ?? d.ContentDisposition,
    ContentLanguage: input.ResponseContentLanguage ?? d.ContentLanguage,
    CacheControl: input.ResponseCacheControl ?? d.CacheControl,
    Expires: input.ResponseExpires ?? (d.Expires ? new Date(d.Expires) : undefined),
    WebsiteRedirectLocation: d.WebsiteRedirectLocation,
    StorageClass: d.StorageClass as GetObjectOutput['StorageClass'],
    Metadata: d.Metadata,
    PartsCount: partsCount,
    ContentRange: range ? `bytes ${start}-${end}/${o.size}` : undefined,
    Body: { file: o.file, start, end },
  };
  // A stored checksum covers the whole object: S3 sends it only for a whole-object read.
  if (input.ChecksumMode === 'ENABLED' && (!range || (input.PartNumber !== undefined && !o.doc.PartsCount))) {
    Object.assign(out, checksumOutput(d.Checksum));
  }
  return out;
}

/** The byte range of part N: a single-part object is its own part 1. */
function partRange(o: ObjectRow, partNumber: number): { start: number; end: number } {
  const sizes = o.doc.PartSizes ?? [o.size];
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > sizes.length) {
    throw invalidRange(`part ${partNumber}`, o.size);
  }
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[partNumber - 1] - 1 };
}

export function getObject(ctx: S3Context, input: GetObjectRequest): ObjectRead {
  return readObject(ctx, input);
}

export function headObject(ctx: S3Context, input: HeadObjectRequest): HeadObjectOutput {
  const { Body: _, ...out } = readObject(ctx, input);
  return out as HeadObjectOutput;
}

/** PutObject / CopyObject conditional writes: If-None-Match "*" (create only) and If-Match <etag>. */
function checkWriteConditions(existing: ObjectRow | undefined, key: string, ifMatch?: string, ifNoneMatch?: string) {
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw invalidArgument('If-None-Match only supports *', 'If-None-Match', ifNoneMatch);
    if (existing) throw preconditionFailed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (!existing) throw noSuchKey(key);
    if (!etagListMatches(ifMatch, existing.etag)) throw preconditionFailed('If-Match');
  }
}

/** Puts a committed body file in place as the object; the replaced body goes after commit. */
export function writeObject(ctx: S3Context, row: ObjectRow): void {
  const old = putObjectRow(ctx.sql, row);
  if (old !== undefined && old !== row.file) ctx.afterCommit(() => ctx.files.remove(old));
}

/** PutObject's checks that do not need the body: run before it is received too, so a doomed upload fails fast. */
export function beforePutObject(ctx: S3Context, input: PutObjectRequest) {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  checkKey(input.Key!);
  checkWriteConditions(findObject(ctx.sql, b.name, input.Key!), input.Key!, input.IfMatch, input.IfNoneMatch);
  return b;
}

export function putObject(ctx: S3Context, input: PutObjectRequest): PutObjectOutput {
  const b = beforePutObject(ctx, input);
  const key = input.Key!;
  const body = input.Body;
  if (!isReceivedBody(body)) throw invalidRequest('PutObject needs a request body.');
  const id = ObjectFiles.newId();
  ctx.files.commit(body.staged, id);
  ctx.onRollback(() => ctx.files.remove(id));
  const doc = docFromRequest(input);
  if (body.checksum) doc.Checksum = { ...body.checksum, type: 'FULL_OBJECT' };
  const etag = `"${body.md5}"`;
  writeObject(ctx, { bucket: b.name, key, file: id, size: body.size, etag, lastModified: ctx.clock.now(), doc });
  return { ETag: etag, ...checksumOutput(doc.Checksum) };
}

export function deleteObject(ctx: S3Context, input: DeleteObjectRequest): DeleteObjectOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  checkKey(input.Key!);
  checkVersion(input.VersionId);
  if (input.IfMatch !== undefined) {
    const o = requireObject(ctx.sql, b.name, input.Key!);
    if (!etagListMatches(input.IfMatch, o.etag)) throw preconditionFailed('If-Match');
  }
  const old = deleteObjectRow(ctx.sql, b.name, input.Key!);
  if (old !== undefined) ctx.afterCommit(() => ctx.files.remove(old));
  // Deleting a key that does not exist succeeds too (204).
  return {};
}

export function deleteObjects(ctx: S3Context, input: DeleteObjectsRequest): DeleteObjectsOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const objects = input.Delete?.Objects ?? [];
  if (!objects.length || objects.length > MAX_DELETE_KEYS) throw malformedXml();
  const deleted: NonNullable<DeleteObjectsOutput['Deleted']> = [];
  const errors: NonNullable<DeleteObjectsOutput['Errors']> = [];
  for (const item of objects) {
    const key = item.Key ?? '';
    if (item.VersionId !== undefined && item.VersionId !== 'null') {
      errors.push({ Key: key, VersionId: item.VersionId, Code: 'NoSuchVersion', Message: 'The specified version does not exist.' });
      continue;
    }
    const old = deleteObjectRow(ctx.sql, b.name, key);
    if (old !== undefined) ctx.afterCommit(() => ctx.files.remove(old));
    if (!input.Delete?.Quiet) deleted.push({ Key: key, VersionId: item.VersionId });
  }
  return { Deleted: deleted.length ? deleted : undefined, Errors: errors.length ? errors : undefined };
}

/** `x-amz-copy-source`: "bucket/key" or "/bucket/key", URL-encoded, optionally "?versionId=…". */
function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  let v = value.trim();
  let versionId: string | undefined;
  const q = v.indexOf('?');
  if (q >= 0) {
    versionId = new URLSearchParams(v.slice(q + 1)).get('versionId') ?? undefined;
    v = v.slice(0, q);
  }
  if (v.startsWith('/')) v = v.slice(1);
  const slash = v.indexOf('/');
  const bad = () => invalidArgument('Copy Source must mention the source bucket and key: sourcebucket/sourcekey', 'x-amz-copy-source', value);
  if (slash <= 0 || slash === v.length - 1) throw bad();
  try {
    return { bucket: decodeURIComponent(v.slice(0, slash)), key: decodeURIComponent(v.slice(slash + 1)), versionId };
  } catch {
    throw bad();
  }
}

export function copyObject(ctx: S3Context, input: CopyObjectRequest): CopyObjectOutput {
  const src = parseCopySource(input.CopySource!);
  const srcBucket = ownBucket(ctx, src.bucket, input.ExpectedSourceBucketOwner);
  checkVersion(src.versionId);
  const source = requireObject(ctx.sql, srcBucket.name, src.key);
  checkConditions(source, {
    IfMatch: input.CopySourceIfMatch, IfNoneMatch: input.CopySourceIfNoneMatch,
    IfModifiedSince: input.CopySourceIfModifiedSince, IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
  }, 'x-amz-copy-source-');
  const dest = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const key = input.Key!;
  checkKey(key);
  const replace = input.MetadataDirective === 'REPLACE';
  if (input.MetadataDirective !== undefined && !['COPY', 'REPLACE'].includes(input.MetadataDirective)) {
    throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', input.MetadataDirective);
  }
  const sameObject = dest.name === srcBucket.name && key === src.key;
  if (sameObject && !replace && !input.StorageClass && !input.WebsiteRedirectLocation) {
    throw invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  checkWriteConditions(findObject(ctx.sql, dest.name, key), key, input.IfMatch, input.IfNoneMatch);
  const doc: ObjectDoc = replace ? docFromRequest(input) : { ...source.doc };
  if (!replace && input.StorageClass) doc.StorageClass = input.StorageClass === 'STANDARD' ? undefined : input.StorageClass;
  doc.Checksum = source.doc.Checksum;
  const requested = input.ChecksumAlgorithm as ChecksumAlgorithm | undefined;
  // Berth keeps the source's checksum; one of another algorithm would need the body re-read.
  if (requested && doc.Checksum?.algorithm !== requested) doc.Checksum = undefined;
  const id = ObjectFiles.newId();
  ctx.files.link(source.file, id);
  ctx.onRollback(() => ctx.files.remove(id));
  const now = ctx.clock.now();
  writeObject(ctx, { bucket: dest.name, key, file: id, size: source.size, etag: source.etag, lastModified: now, doc });
  return {
    CopyObjectResult: { ETag: source.etag, LastModified: new Date(now), ...checksumOutput(doc.Checksum) },
  };
}
