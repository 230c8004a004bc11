/**
 * Buckets: CreateBucket, HeadBucket, ListBuckets, GetBucketLocation, DeleteBucket.
 * Names are global (one account owns each); a bucket records the region it
 * was created in, and requests signed for another region are served anyway
 * (AWS would redirect them).
 */
import { createHash } from 'node:crypto';
import type {
  CreateBucketOutput, CreateBucketRequest, DeleteBucketRequest, GetBucketLocationOutput, GetBucketLocationRequest,
  HeadBucketOutput, HeadBucketRequest, ListBucketsOutput, ListBucketsRequest,
} from '@aws-sdk/client-s3';
import { s3Arn } from '../../shared/arns.js';
import type { S3Context } from './context.js';
import {
  bucketAlreadyExists, bucketAlreadyOwnedByYou, bucketNotEmpty, illegalLocationConstraint, invalidArgument, invalidBucketName,
  invalidLocationConstraint,
} from './errors.js';
import { bucketHasObjects, bucketsOf, deleteBucketRow, deleteUploadRows, findBucket, insertBucket, ownBucket, uploadsOf } from './store.js';

/** The region whose buckets have no LocationConstraint (S3 reports it as null). */
const US_EAST_1 = 'us-east-1';

/**
 * General purpose bucket naming rules.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return false;
  return !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
}

/** The canonical user id S3 shows as an account's owner id (64 hex digits). */
export const canonicalUserId = (account: string) => createHash('sha256').update(`berth-canonical-user:${account}`).digest('hex');

export function createBucket(ctx: S3Context, input: CreateBucketRequest): CreateBucketOutput {
  const name = input.Bucket!;
  if (!isValidBucketName(name)) throw invalidBucketName(name);
  const constraint = input.CreateBucketConfiguration?.LocationConstraint as string | undefined;
  // The constraint must name the region the request was sent to; us-east-1 is the one region that takes none.
  if (ctx.region === US_EAST_1) {
    if (constraint === US_EAST_1) throw invalidLocationConstraint();
    if (constraint) throw illegalLocationConstraint(ctx.region, constraint);
  } else if (constraint !== ctx.region) {
    throw illegalLocationConstraint(ctx.region, constraint || undefined);
  }
  const existing = findBucket(ctx.sql, name);
  if (existing) {
    if (existing.account !== ctx.account) throw bucketAlreadyExists(name);
    // "For legacy compatibility, if you re-create an existing bucket that you already own in the North Virginia
    // Region, Amazon S3 returns 200 OK" (the BucketAlreadyOwnedByYou error's documentation).
    if (ctx.region !== US_EAST_1 || existing.region !== US_EAST_1) throw bucketAlreadyOwnedByYou(name);
    return { Location: `/${name}`, BucketArn: s3Arn.bucket(name) };
  }
  insertBucket(ctx.sql, {
    name, account: ctx.account, region: ctx.region, createdAt: ctx.clock.now(),
    doc: { LocationConstraint: constraint || undefined, ObjectOwnership: input.ObjectOwnership ?? 'BucketOwnerEnforced' },
  });
  return { Location: `/${name}`, BucketArn: s3Arn.bucket(name) };
}

export function headBucket(ctx: S3Context, input: HeadBucketRequest & { ExpectedBucketOwner?: string }): HeadBucketOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  return { BucketRegion: b.region, BucketArn: s3Arn.bucket(b.name), AccessPointAlias: false };
}

export function getBucketLocation(ctx: S3Context, input: GetBucketLocationRequest): GetBucketLocationOutput {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  return { LocationConstraint: (b.region === US_EAST_1 ? undefined : b.region) as GetBucketLocationOutput['LocationConstraint'] };
}

const MAX_BUCKETS = 10_000;

export function listBuckets(ctx: S3Context, input: ListBucketsRequest): ListBucketsOutput {
  const max = input.MaxBuckets ?? MAX_BUCKETS;
  if (!Number.isInteger(max) || max < 1 || max > MAX_BUCKETS) {
    throw invalidArgument(`Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS}`, 'max-buckets', String(input.MaxBuckets));
  }
  let after = '';
  if (input.ContinuationToken !== undefined) {
    after = Buffer.from(input.ContinuationToken, 'base64url').toString('utf8');
    if (!after) throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', input.ContinuationToken);
  }
  const all = bucketsOf(ctx.sql, ctx.account).filter((b) =>
    b.name > after && (!input.Prefix || b.name.startsWith(input.Prefix)) && (!input.BucketRegion || b.region === input.BucketRegion));
  const page = all.slice(0, max);
  return {
    Buckets: page.map((b) => ({ Name: b.name, CreationDate: new Date(b.createdAt), BucketRegion: b.region, BucketArn: s3Arn.bucket(b.name) })),
    Owner: { ID: canonicalUserId(ctx.account) },
    Prefix: input.Prefix,
    ContinuationToken: all.length > max ? Buffer.from(page[page.length - 1].name).toString('base64url') : undefined,
  };
}

export function deleteBucket(ctx: S3Context, input: DeleteBucketRequest): void {
  const b = ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);
  if (bucketHasObjects(ctx.sql, b.name)) throw bucketNotEmpty(b.name);
  // Incomplete multipart uploads do not keep a bucket alive: they go with it.
  for (const u of uploadsOf(ctx.sql, b.name)) {
    const files = deleteUploadRows(ctx.sql, u.uploadId);
    ctx.afterCommit(() => files.forEach((f) => ctx.files.remove(f)));
  }
  deleteBucketRow(ctx.sql, b.name);
}
