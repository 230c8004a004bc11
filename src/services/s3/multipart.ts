/**
 * Multipart uploads (what `aws s3 cp` and the SDKs' upload helpers use for
 * large files): CreateMultipartUpload, UploadPart (the body arrives received,
 * like PutObject's), ListParts, ListMultipartUploads, AbortMultipartUpload,
 * CompleteMultipartUpload. Completing is two steps around the front door's
 * concatenation of the part files: `planCompletion` checks the part list, the
 * front door writes the object's body, `completeMultipartUpload` commits it if
 * the parts are still the ones it read.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { randomBytes } from 'node:crypto';
import type {
  AbortMultipartUploadOutput, AbortMultipartUploadRequest, CompleteMultipartUploadOutput, CompleteMultipartUploadRequest,
  CreateMultipartUploadOutput, CreateMultipartUploadRequest, ListMultipartUploadsOutput, ListMultipartUploadsRequest,
  ListPartsOutput, ListPartsRequest, UploadPartOutput, UploadPartRequest,
} from '@aws-sdk/client-s3';
import { asAlgorithm, checksumMember, compositeChecksum, multipartEtag, type ChecksumAlgorithm } from './checksums.js';
import { canonicalUserId } from './buckets.js';
import { isReceivedBody, type ReceivedBody, type S3Context } from './context.js';
import {
  entityTooSmall, invalidArgument, invalidPart, invalidPartOrder, invalidRequest, malformedXml, noSuchUpload, preconditionFailed,
} from './errors.js';
import { ObjectFiles } from './files.js';
import { checkKey, checksumOutput, docFromRequest, writeObject } from './objects.js';
import {
  deleteUploadRows, findObject, findUpload, insertUpload, ownBucket, partsOf, putPartRow, uploadsOf, type PartRow, type UploadRow,
} from './store.js';

const MAX_PART_NUMBER = 10_000;
/** Every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS_LISTED = 1000;

function theUpload(ctx: S3Context, bucket: string, key: string, uploadId: string): UploadRow {
  const u = findUpload(ctx.sql, uploadId);
  if (!u || u.bucket !== bucket || u.key !== key) throw noSuchUpload(uploadId);
  return u;
}

export function createMultipartUpload(ctx: S3Context, input: CreateMultipartUploadRequest): CreateMultipartUploadOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  checkKey(input.Key!);
  const algorithm = input.ChecksumAlgorithm ? asAlgorithm(input.ChecksumAlgorithm) : undefined;
  if (input.ChecksumAlgorithm && !algorithm) throw invalidRequest(`Checksum algorithm ${input.ChecksumAlgorithm} is not supported.`);
  // CRC64NVME checksums are always of the full object; the others default to composite (a checksum of checksums).
  const type = input.ChecksumType ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : algorithm ? 'COMPOSITE' : undefined);
  if (type === 'FULL_OBJECT' && algorithm && !algorithm.startsWith('CRC')) {
    throw invalidRequest(`The ${algorithm} checksum algorithm cannot be used with the FULL_OBJECT checksum type.`);
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') throw invalidRequest('The CRC64NVME checksum algorithm cannot be used with the COMPOSITE checksum type.');
  const uploadId = randomBytes(48).toString('base64url');
  insertUpload(ctx.sql, {
    uploadId, bucket: b.name, key: input.Key!, initiated: ctx.clock.now(),
    doc: { ...docFromRequest(input), ChecksumAlgorithm: algorithm, ChecksumType: algorithm ? type : undefined },
  });
  return {
    Bucket: b.name, Key: input.Key, UploadId: uploadId,
    ChecksumAlgorithm: algorithm, ChecksumType: algorithm ? type : undefined,
  };
}

function checkPartNumber(n: number | undefined): number {
  if (n === undefined || !Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 'partNumber', String(n));
  }
  return n;
}

/** UploadPart's checks that do not need the body (run before it is received too). */
export function beforeUploadPart(ctx: S3Context, input: UploadPartRequest): { upload: UploadRow; partNumber: number } {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  return { upload: theUpload(ctx, b.name, input.Key!, input.UploadId!), partNumber: checkPartNumber(input.PartNumber) };
}

export function uploadPart(ctx: S3Context, input: UploadPartRequest): UploadPartOutput {
  const { upload: u, partNumber } = beforeUploadPart(ctx, input);
  const body = input.Body;
  if (!isReceivedBody(body)) throw invalidRequest('UploadPart needs a request body.');
  const id = ObjectFiles.newId();
  ctx.files.commit(body.staged, id);
  ctx.onRollback(() => ctx.files.remove(id));
  const etag = `"${body.md5}"`;
  const checksum = body.checksum ? { ...body.checksum, type: 'COMPOSITE' as const } : undefined;
  const old = putPartRow(ctx.sql, {
    uploadId: u.uploadId, partNumber, file: id, size: body.size, etag, lastModified: ctx.clock.now(), doc: { Checksum: checksum },
  });
  if (old !== undefined) ctx.afterCommit(() => ctx.files.remove(old));
  return { ETag: etag, ...(checksum ? { [checksumMember(checksum.algorithm)]: checksum.value } : {}) };
}

export function abortMultipartUpload(ctx: S3Context, input: AbortMultipartUploadRequest): AbortMultipartUploadOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const u = theUpload(ctx, b.name, input.Key!, input.UploadId!);
  const files = deleteUploadRows(ctx.sql, u.uploadId);
  ctx.afterCommit(() => files.forEach((f) => ctx.files.remove(f)));
  return {};
}

export function listParts(ctx: S3Context, input: ListPartsRequest): ListPartsOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const u = theUpload(ctx, b.name, input.Key!, input.UploadId!);
  const max = Math.min(input.MaxParts ?? MAX_PARTS_LISTED, MAX_PARTS_LISTED);
  const marker = input.PartNumberMarker ? Number(input.PartNumberMarker) : 0;
  if (!Number.isInteger(marker) || marker < 0) throw invalidArgument('Invalid part number marker', 'part-number-marker', input.PartNumberMarker);
  const all = partsOf(ctx.sql, u.uploadId).filter((p) => p.partNumber > marker);
  const page = all.slice(0, Math.max(0, max));
  const owner = { ID: canonicalUserId(b.account) };
  return {
    Bucket: b.name, Key: u.key, UploadId: u.uploadId,
    PartNumberMarker: String(marker),
    NextPartNumberMarker: page.length ? String(page[page.length - 1].partNumber) : undefined,
    MaxParts: max,
    IsTruncated: all.length > page.length,
    Parts: page.map((p) => ({
      PartNumber: p.partNumber, LastModified: new Date(p.lastModified), ETag: p.etag, Size: p.size,
      ...(p.doc.Checksum ? { [checksumMember(p.doc.Checksum.algorithm)]: p.doc.Checksum.value } : {}),
    })),
    Initiator: owner, Owner: owner,
    StorageClass: (u.doc.StorageClass ?? 'STANDARD') as ListPartsOutput['StorageClass'],
    ChecksumAlgorithm: u.doc.ChecksumAlgorithm, ChecksumType: u.doc.ChecksumType,
  };
}

export function listMultipartUploads(ctx: S3Context, input: ListMultipartUploadsRequest): ListMultipartUploadsOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const prefix = input.Prefix ?? '';
  const max = Math.min(input.MaxUploads ?? MAX_PARTS_LISTED, MAX_PARTS_LISTED);
  const owner = { ID: canonicalUserId(b.account) };
  const keyMarker = input.KeyMarker ?? '';
  const idMarker = input.UploadIdMarker;
  const all = uploadsOf(ctx.sql, b.name).filter((u) => u.key.startsWith(prefix) &&
    (u.key > keyMarker || (u.key === keyMarker && idMarker !== undefined && u.uploadId > idMarker)));
  const page = all.slice(0, max);
  const last = page[page.length - 1];
  return {
    Bucket: b.name, Prefix: prefix, KeyMarker: input.KeyMarker ?? '', UploadIdMarker: input.UploadIdMarker ?? '',
    MaxUploads: max, IsTruncated: all.length > page.length,
    NextKeyMarker: all.length > page.length ? last?.key : undefined,
    NextUploadIdMarker: all.length > page.length ? last?.uploadId : undefined,
    Uploads: page.map((u) => ({
      Key: u.key, UploadId: u.uploadId, Initiated: new Date(u.initiated), Initiator: owner, Owner: owner,
      StorageClass: (u.doc.StorageClass ?? 'STANDARD') as 'STANDARD', ChecksumAlgorithm: u.doc.ChecksumAlgorithm, ChecksumType: u.doc.ChecksumType,
    })),
  };
}

/** The parts a completion names, checked against what was uploaded. */
export interface CompletionPlan {
  upload: UploadRow;
  parts: PartRow[];
  /** The algorithm the assembled body must be checksummed with (FULL_OBJECT uploads). */
  fullObjectChecksum?: ChecksumAlgorithm;
}

const unquote = (etag: string | undefined) => (etag ?? '').trim().replace(/^"|"$/g, '');

export function planCompletion(ctx: S3Context, input: CompleteMultipartUploadRequest): CompletionPlan {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  const upload = theUpload(ctx, b.name, input.Key!, input.UploadId!);
  const requested = input.MultipartUpload?.Parts ?? [];
  if (!requested.length) throw malformedXml();
  const uploaded = new Map(partsOf(ctx.sql, upload.uploadId).map((p) => [p.partNumber, p]));
  const parts: PartRow[] = [];
  let previous = 0;
  for (const r of requested) {
    const n = r.PartNumber;
    if (n === undefined || !Number.isInteger(n)) throw malformedXml();
    if (n <= previous) throw invalidPartOrder();
    previous = n;
    const p = uploaded.get(n);
    if (!p || unquote(r.ETag) !== unquote(p.etag)) throw invalidPart(n);
    parts.push(p);
  }
  parts.slice(0, -1).forEach((p) => {
    if (p.size < MIN_PART_SIZE) throw entityTooSmall();
  });
  const alg = upload.doc.ChecksumAlgorithm;
  return { upload, parts, fullObjectChecksum: alg && upload.doc.ChecksumType === 'FULL_OBJECT' ? alg : undefined };
}

export interface AssembledBody extends ReceivedBody {
  /** The part files the body was made from (the completion is refused if they changed meanwhile). */
  from: string[];
}

export function completeMultipartUpload(
  ctx: S3Context,
  input: CompleteMultipartUploadRequest & { Body?: AssembledBody },
): CompleteMultipartUploadOutput {
  const plan = planCompletion(ctx, input);
  const body = input.Body;
  if (!body || body.from.join() !== plan.parts.map((p) => p.file).join()) {
    // A part was re-uploaded while the body was being assembled.
    throw invalidRequest('The parts of this upload changed while it was being completed; retry the completion.');
  }
  const { upload, parts } = plan;
  // If-None-Match: * makes the completion create-only, as for PutObject.
  if (input.IfNoneMatch !== undefined && findObject(ctx.sql, upload.bucket, upload.key)) {
    throw preconditionFailed('If-None-Match');
  }
  const id = ObjectFiles.newId();
  ctx.files.commit(body.staged, id);
  ctx.onRollback(() => ctx.files.remove(id));
  const alg = upload.doc.ChecksumAlgorithm;
  let checksum: { algorithm: ChecksumAlgorithm; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' } | undefined;
  if (alg && upload.doc.ChecksumType === 'FULL_OBJECT' && body.checksum) {
    checksum = { algorithm: alg, value: body.checksum.value, type: 'FULL_OBJECT' };
  } else if (alg && parts.every((p) => p.doc.Checksum?.algorithm === alg)) {
    checksum = { algorithm: alg, value: compositeChecksum(alg, parts.map((p) => p.doc.Checksum!.value)), type: 'COMPOSITE' };
  }
  const { ChecksumAlgorithm: _a, ChecksumType: _t, ...headers } = upload.doc;
  const etag = multipartEtag(parts.map((p) => p.etag));
  writeObject(ctx, {
    bucket: upload.bucket, key: upload.key, file: id, size: body.size, etag, lastModified: ctx.clock.now(),
    doc: { ...headers, Checksum: checksum, PartsCount: parts.length, PartSizes: parts.map((p) => p.size) },
  });
  const files = deleteUploadRows(ctx.sql, upload.uploadId);
  ctx.afterCommit(() => files.forEach((f) => ctx.files.remove(f)));
  return {
    Location: `/${upload.bucket}/${encodeURIComponent(upload.key).replace(/%2F/g, '/')}`,
    Bucket: upload.bucket, Key: upload.key, ETag: etag, ...checksumOutput(checksum),
  };
}
