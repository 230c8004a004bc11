/**
 * S3's operations (see README.md for what is and is not supported). Every
 * other operation S3's model declares answers 501 InternalFailure naming it.
 * The gateway's streaming handler (gateway/s3.ts) runs each in one transaction
 * with an S3Context; PutObject and UploadPart get their body already received
 * into a file. This file is that handler's door into S3: besides the operations
 * it exports what streaming a body needs (checksums, multipart completion's two
 * steps, the body errors).
 */
import * as config from './bucket-config.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './buckets.js';
import type { S3Context } from './context.js';
import { listObjects, listObjectsV2 } from './listing.js';
import {
  abortMultipartUpload, beforeUploadPart, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart,
} from './multipart.js';
import { beforePutObject, copyObject, deleteObject, deleteObjects, getObject, headObject, putObject } from './objects.js';

export type S3Operation = (ctx: S3Context, input: any) => unknown;

export const provider: Record<string, S3Operation> = {
  createBucket,
  headBucket,
  listBuckets,
  getBucketLocation,
  deleteBucket,
  putObject,
  getObject,
  headObject,
  deleteObject,
  deleteObjects,
  copyObject,
  listObjectsV2,
  listObjects,
  createMultipartUpload,
  uploadPart,
  listParts,
  listMultipartUploads,
  abortMultipartUpload,
  completeMultipartUpload,
  ...(config as Record<string, S3Operation>),
};

/**
 * Operations whose request body is an object's bytes, each with the checks it can make without them: the
 * front door runs those first, then receives the body into a file, then runs the operation.
 */
export const BODY_OPERATIONS: Record<string, S3Operation> = { PutObject: beforePutObject, UploadPart: beforeUploadPart };

// What the streaming handler needs besides the operations.
export { asAlgorithm, CHECKSUM_ALGORITHMS, checksumDigest, checksumHeader, type ChecksumAlgorithm } from './checksums.js';
export type { BodyRef, ReceivedBody, S3Context } from './context.js';
export { badDigest, entityTooLarge, incompleteBody, invalidDigest, malformedXml } from './errors.js';
export { planCompletion, type AssembledBody, type CompletionPlan } from './multipart.js';
export { completeMultipartUpload };
export { anonymousAccount } from './anonymous.js';
