/**
 * A bucket's configurations (subresources): policy, versioning, tagging,
 * lifecycle, CORS, default encryption, public access block, ownership
 * controls, ACL, website, accelerate, request payment, logging, replication,
 * notifications and object lock. Each is kept in the bucket's document as it
 * was put and returned as S3 returns it, with S3's defaults for a bucket
 * created today (SSE-S3 encryption, all four public-access blocks on, ACLs
 * disabled) and S3's "not found" error for one that was never set.
 *
 * They are stored and returned: Berth's buckets keep one version of an object
 * whatever the versioning status, lifecycle rules do not expire objects, CORS
 * rules do not answer preflights, and only the policy is consulted (by
 * anonymous requests, see policy.ts). Terraform's `aws_s3_bucket` and CDK's
 * bootstrap read and write all of them.
 */
import type { S3Context } from './context.js';
import { accessDenied, invalidArgument, invalidRequest, malformedXml, s3Error } from './errors.js';
import { isPublicPolicy, parsePolicy, publicAccessBlock } from './policy.js';
import { ownBucket, updateBucketDoc, type BucketDoc, type BucketRow } from './store.js';
import { canonicalUserId } from './buckets.js';

type Input = Record<string, any> & { Bucket?: string; ExpectedBucketOwner?: string };

const bucketOf = (ctx: S3Context, input: Input) => ownBucket(ctx, input.Bucket!, input.ExpectedBucketOwner);

function save(ctx: S3Context, b: BucketRow, change: Partial<BucketDoc>): void {
  const doc: BucketDoc = { ...b.doc, ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete (doc as Record<string, unknown>)[k];
  updateBucketDoc(ctx.sql, b.name, doc);
}

/** The 404 S3 answers for a configuration that was never put (or was deleted). */
const notFound = (code: string, message: string, bucket: string) => s3Error(code, 404, message, { BucketName: bucket });

// --- policy ------------------------------------------------------------------

export function putBucketPolicy(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const policy = parsePolicy(input.Policy, b.name);
  // With BlockPublicPolicy on (the default for new buckets), S3 refuses a policy that grants public access.
  if (publicAccessBlock(b)?.BlockPublicPolicy && isPublicPolicy(policy)) {
    throw s3Error('AccessDenied', 403, 'User is not authorized to perform: s3:PutBucketPolicy on resource because public policies are blocked by the BlockPublicPolicy block public access setting.');
  }
  save(ctx, b, { Policy: input.Policy });
}

export function getBucketPolicy(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (b.doc.Policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist', b.name);
  return { Policy: b.doc.Policy };
}

export function deleteBucketPolicy(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { Policy: undefined });
}

export function getBucketPolicyStatus(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (b.doc.Policy === undefined) throw notFound('NoSuchBucketPolicy', 'The bucket policy does not exist', b.name);
  return { PolicyStatus: { IsPublic: isPublicPolicy(parsePolicy(b.doc.Policy, b.name)) } };
}

// --- public access block and ownership ---------------------------------------

export function putPublicAccessBlock(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const c = input.PublicAccessBlockConfiguration ?? {};
  save(ctx, b, {
    PublicAccessBlock: {
      BlockPublicAcls: !!c.BlockPublicAcls, IgnorePublicAcls: !!c.IgnorePublicAcls,
      BlockPublicPolicy: !!c.BlockPublicPolicy, RestrictPublicBuckets: !!c.RestrictPublicBuckets,
    },
  });
}

export function getPublicAccessBlock(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  const c = publicAccessBlock(b);
  if (!c) throw notFound('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', b.name);
  return { PublicAccessBlockConfiguration: c };
}

export function deletePublicAccessBlock(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { PublicAccessBlock: null });
}

const OWNERSHIPS = new Set(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']);

export function putBucketOwnershipControls(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const rules = input.OwnershipControls?.Rules ?? [];
  if (rules.length !== 1 || !OWNERSHIPS.has(rules[0]?.ObjectOwnership)) throw malformedXml();
  save(ctx, b, { ObjectOwnership: rules[0].ObjectOwnership });
}

export function getBucketOwnershipControls(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.ObjectOwnership) throw notFound('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', b.name);
  return { OwnershipControls: { Rules: [{ ObjectOwnership: b.doc.ObjectOwnership }] } };
}

export function deleteBucketOwnershipControls(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { ObjectOwnership: undefined });
}

// --- ACL -----------------------------------------------------------------------

const PRIVATE_ACLS = new Set(['private', 'bucket-owner-full-control']);

function ownerGrant(account: string) {
  return {
    Owner: { ID: canonicalUserId(account) },
    Grants: [{ Grantee: { Type: 'CanonicalUser', ID: canonicalUserId(account) }, Permission: 'FULL_CONTROL' }],
  };
}

export function getBucketAcl(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  return b.doc.Acl ?? ownerGrant(b.account);
}

/**
 * With ACLs disabled (BucketOwnerEnforced, the default) S3 accepts only ACLs that grant the owner alone;
 * otherwise the ACL is kept and returned (it grants nothing in Berth).
 */
export function putBucketAcl(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const grantHeaders = ['GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWrite', 'GrantWriteACP'].filter((k) => input[k] !== undefined);
  const canned = input.ACL as string | undefined;
  const body = input.AccessControlPolicy as { Owner?: unknown; Grants?: unknown[] } | undefined;
  if ([canned !== undefined, grantHeaders.length > 0, body !== undefined].filter(Boolean).length !== 1) {
    throw invalidRequest('Specify exactly one of: a canned ACL, grant headers, or an AccessControlPolicy body.');
  }
  const ownerOnly = canned !== undefined ? PRIVATE_ACLS.has(canned)
    : body ? (body.Grants ?? []).every((g: any) => g?.Grantee?.ID === canonicalUserId(b.account) && g?.Permission === 'FULL_CONTROL')
    : false;
  if ((b.doc.ObjectOwnership ?? 'ObjectWriter') === 'BucketOwnerEnforced' && !ownerOnly) {
    throw s3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
  }
  if (canned !== undefined && !['private', 'public-read', 'public-read-write', 'authenticated-read', 'bucket-owner-full-control', 'log-delivery-write'].includes(canned)) {
    throw invalidArgument(`Invalid canned ACL: ${canned}`, 'x-amz-acl', canned);
  }
  save(ctx, b, { Acl: body ? { Owner: ownerGrant(b.account).Owner, Grants: body.Grants } : undefined });
}

// --- versioning ----------------------------------------------------------------

export function putBucketVersioning(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const c = input.VersioningConfiguration ?? {};
  if (c.Status !== undefined && c.Status !== 'Enabled' && c.Status !== 'Suspended') throw malformedXml();
  if (c.MFADelete === 'Enabled') throw accessDenied();
  // Once versioning was enabled a bucket can only be suspended, never returned to unversioned.
  if (c.Status === undefined && b.doc.Versioning?.Status) throw malformedXml();
  save(ctx, b, { Versioning: { Status: c.Status, MFADelete: b.doc.Versioning?.MFADelete ?? (c.MFADelete ? 'Disabled' : undefined) } });
}

export function getBucketVersioning(ctx: S3Context, input: Input) {
  const v = bucketOf(ctx, input).doc.Versioning;
  return { Status: v?.Status, MFADelete: v?.MFADelete };
}

// --- tagging ---------------------------------------------------------------------

const MAX_BUCKET_TAGS = 50;

export function putBucketTagging(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const tags: { Key: string; Value: string }[] = input.Tagging?.TagSet ?? [];
  const keys = new Set<string>();
  for (const t of tags) {
    if (keys.has(t.Key)) throw s3Error('InvalidTag', 400, 'Cannot provide multiple Tags with the same key', { TagKey: t.Key });
    keys.add(t.Key);
    if (t.Key.toLowerCase().startsWith('aws:')) throw s3Error('InvalidTag', 400, 'System tags cannot be added/updated by requester', { TagKey: t.Key });
    if (t.Key.length < 1 || t.Key.length > 128) throw s3Error('InvalidTag', 400, 'The TagKey you have provided is too long, max 128', { TagKey: t.Key });
    if ((t.Value ?? '').length > 256) throw s3Error('InvalidTag', 400, 'The TagValue you have provided is too long, max 256', { TagKey: t.Key });
  }
  if (tags.length > MAX_BUCKET_TAGS) throw s3Error('InvalidTag', 400, `Bucket tag count cannot be greater than ${MAX_BUCKET_TAGS}`);
  save(ctx, b, { TagSet: tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' })) });
}

export function getBucketTagging(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.TagSet) throw notFound('NoSuchTagSet', 'The TagSet does not exist', b.name);
  return { TagSet: b.doc.TagSet };
}

export function deleteBucketTagging(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { TagSet: undefined });
}

// --- lifecycle --------------------------------------------------------------------

const LIFECYCLE_ACTIONS = ['Expiration', 'Transitions', 'NoncurrentVersionExpiration', 'NoncurrentVersionTransitions', 'AbortIncompleteMultipartUpload'];

export function putBucketLifecycleConfiguration(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  const rules: any[] = input.LifecycleConfiguration?.Rules ?? [];
  if (!rules.length || rules.length > 1000) throw malformedXml();
  const ids = new Set<string>();
  for (const r of rules) {
    if (r.ID !== undefined) {
      if (r.ID.length > 255) throw invalidArgument('ID length should not exceed allowed limit of 255', 'ID', r.ID);
      if (ids.has(r.ID)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', r.ID);
      ids.add(r.ID);
    }
    if (r.Status !== 'Enabled' && r.Status !== 'Disabled') throw malformedXml();
    if (!LIFECYCLE_ACTIONS.some((a) => r[a] !== undefined && !(Array.isArray(r[a]) && !r[a].length))) {
      throw invalidRequest('At least one action needs to be specified in a rule');
    }
    const days = r.Expiration?.Days;
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw invalidArgument("'Days' for Expiration action must be a positive integer", 'Days', String(days));
  }
  const minSize = input.TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K';
  save(ctx, b, { Lifecycle: { Rules: rules, TransitionDefaultMinimumObjectSize: minSize } });
  return { TransitionDefaultMinimumObjectSize: minSize };
}

export function getBucketLifecycleConfiguration(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.Lifecycle) throw notFound('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', b.name);
  return b.doc.Lifecycle;
}

export function deleteBucketLifecycle(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { Lifecycle: undefined });
}

// --- CORS -------------------------------------------------------------------------

const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

export function putBucketCors(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const rules: any[] = input.CORSConfiguration?.CORSRules ?? [];
  if (!rules.length) throw malformedXml();
  if (rules.length > 100) throw invalidRequest('The number of CORS rules should not exceed allowed limit of 100 rules.');
  for (const r of rules) {
    for (const m of r.AllowedMethods ?? []) {
      if (!CORS_METHODS.has(m)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
    if (!r.AllowedMethods?.length || !r.AllowedOrigins?.length) throw malformedXml();
  }
  save(ctx, b, { CORSRules: rules });
}

export function getBucketCors(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.CORSRules) throw notFound('NoSuchCORSConfiguration', 'The CORS configuration does not exist', b.name);
  return { CORSRules: b.doc.CORSRules };
}

export function deleteBucketCors(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { CORSRules: undefined });
}

// --- default encryption -------------------------------------------------------------

/** Every bucket is encrypted with SSE-S3 unless configured otherwise (S3's default since January 2023). */
const SSE_S3 = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] };
const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);

export function putBucketEncryption(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const rules: any[] = input.ServerSideEncryptionConfiguration?.Rules ?? [];
  if (rules.length !== 1) throw malformedXml();
  const byDefault = rules[0].ApplyServerSideEncryptionByDefault;
  if (byDefault) {
    if (!SSE_ALGORITHMS.has(byDefault.SSEAlgorithm)) throw malformedXml();
    if (byDefault.KMSMasterKeyID !== undefined && byDefault.SSEAlgorithm === 'AES256') {
      throw invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
    }
  }
  save(ctx, b, { Encryption: { Rules: [{ ...rules[0], BucketKeyEnabled: rules[0].BucketKeyEnabled ?? false }] } });
}

export function getBucketEncryption(ctx: S3Context, input: Input) {
  return { ServerSideEncryptionConfiguration: bucketOf(ctx, input).doc.Encryption ?? SSE_S3 };
}

export function deleteBucketEncryption(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { Encryption: undefined });
}

// --- website, accelerate, request payment, logging, notifications ---------------------

export function putBucketWebsite(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const w = input.WebsiteConfiguration ?? {};
  if (!w.IndexDocument && !w.RedirectAllRequestsTo) {
    throw invalidArgument('A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty', 'IndexDocument');
  }
  save(ctx, b, { Website: w });
}

export function getBucketWebsite(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.Website) throw notFound('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', b.name);
  return b.doc.Website;
}

export function deleteBucketWebsite(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { Website: undefined });
}

export function putBucketAccelerateConfiguration(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const status = input.AccelerateConfiguration?.Status;
  if (status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  // Transfer Acceleration needs a DNS-compatible name without dots.
  if (b.name.includes('.')) throw invalidRequest('S3 Transfer Acceleration is not supported for buckets with periods (.) in their names');
  save(ctx, b, { Accelerate: status });
}

export function getBucketAccelerateConfiguration(ctx: S3Context, input: Input) {
  return { Status: bucketOf(ctx, input).doc.Accelerate };
}

export function putBucketRequestPayment(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const payer = input.RequestPaymentConfiguration?.Payer;
  if (payer !== 'Requester' && payer !== 'BucketOwner') throw malformedXml();
  save(ctx, b, { Payer: payer });
}

export function getBucketRequestPayment(ctx: S3Context, input: Input) {
  return { Payer: bucketOf(ctx, input).doc.Payer ?? 'BucketOwner' };
}

export function putBucketLogging(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const enabled = input.BucketLoggingStatus?.LoggingEnabled;
  if (enabled && !enabled.TargetBucket) throw malformedXml();
  save(ctx, b, { Logging: enabled });
}

export function getBucketLogging(ctx: S3Context, input: Input) {
  return { LoggingEnabled: bucketOf(ctx, input).doc.Logging };
}

export function putBucketNotificationConfiguration(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const c = input.NotificationConfiguration ?? {};
  save(ctx, b, { Notifications: Object.keys(c).length ? c : undefined });
}

export function getBucketNotificationConfiguration(ctx: S3Context, input: Input) {
  return bucketOf(ctx, input).doc.Notifications ?? {};
}

// --- replication and object lock ---------------------------------------------------------

export function putBucketReplication(ctx: S3Context, input: Input): void {
  const b = bucketOf(ctx, input);
  const c = input.ReplicationConfiguration;
  if (!c?.Role || !c.Rules?.length) throw malformedXml();
  if (b.doc.Versioning?.Status !== 'Enabled') {
    throw s3Error('InvalidRequest', 400, 'Versioning must be \'Enabled\' on the bucket to apply a replication configuration');
  }
  save(ctx, b, { Replication: c });
}

export function getBucketReplication(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  if (!b.doc.Replication) throw notFound('ReplicationConfigurationNotFoundError', 'The replication configuration was not found', b.name);
  return { ReplicationConfiguration: b.doc.Replication };
}

export function deleteBucketReplication(ctx: S3Context, input: Input): void {
  save(ctx, bucketOf(ctx, input), { Replication: undefined });
}

/** Object Lock is not implemented: a bucket never has it (CreateBucket with it enabled is refused). */
export function getObjectLockConfiguration(ctx: S3Context, input: Input) {
  const b = bucketOf(ctx, input);
  throw notFound('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', b.name);
}
