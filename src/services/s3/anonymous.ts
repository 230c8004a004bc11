/**
 * Unsigned requests (`aws s3 cp --no-sign-request`, `curl`): S3 serves them
 * only where the bucket's policy is public for the action and resource and
 * its public access block does not restrict public policies (the default for
 * new buckets does). Served requests act as the bucket's owner; everything
 * else is AccessDenied, as S3 answers anonymous callers.
 */
import type { Statements } from '../../state/db.js';
import { accessDenied, noSuchBucket } from './errors.js';
import { allowsAnonymous, isPublicPolicy, parsePolicy, publicAccessBlock } from './policy.js';
import { findBucket } from './store.js';

/** The IAM action each object and bucket operation is authorised as. */
const ACTIONS: Record<string, string> = {
  GetObject: 's3:GetObject', HeadObject: 's3:GetObject', PutObject: 's3:PutObject', DeleteObject: 's3:DeleteObject',
  CopyObject: 's3:PutObject', CreateMultipartUpload: 's3:PutObject', UploadPart: 's3:PutObject', CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload', ListParts: 's3:ListMultipartUploadParts',
  ListObjects: 's3:ListBucket', ListObjectsV2: 's3:ListBucket', HeadBucket: 's3:ListBucket',
  ListMultipartUploads: 's3:ListBucketMultipartUploads', GetBucketLocation: 's3:GetBucketLocation',
};

/** The account an anonymous request acts as, or AccessDenied. */
export function anonymousAccount(sql: Statements, operation: string, bucket: string | undefined, key: string | undefined): string {
  const action = ACTIONS[operation];
  const b = bucket === undefined ? undefined : findBucket(sql, bucket);
  // S3 tells anyone that a bucket does not exist.
  if (bucket !== undefined && !b) throw noSuchBucket(bucket);
  if (!action || !b || b.doc.Policy === undefined) throw accessDenied();
  const policy = parsePolicy(b.doc.Policy, b.name);
  if (publicAccessBlock(b)?.RestrictPublicBuckets && isPublicPolicy(policy)) throw accessDenied();
  const resource = action === 's3:ListBucket' || action === 's3:ListBucketMultipartUploads' || action === 's3:GetBucketLocation'
    ? `arn:aws:s3:::${b.name}` : `arn:aws:s3:::${b.name}/${key ?? ''}`;
  if (!allowsAnonymous(policy, action, resource)) throw accessDenied();
  return b.account;
}
