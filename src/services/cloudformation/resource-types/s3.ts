/** AWS::S3::Bucket and AWS::S3::BucketPolicy, through S3's operations. */
import { generatedName, gone, json, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const attributes = (ctx: ResourceContext, name: string) => ({
  Arn: `arn:aws:s3:::${name}`,
  DomainName: `${name}.s3.amazonaws.com`,
  RegionalDomainName: `${name}.s3.${ctx.region}.amazonaws.com`,
  DualStackDomainName: `${name}.s3.dualstack.${ctx.region}.amazonaws.com`,
  WebsiteURL: `http://${name}.s3-website-${ctx.region}.amazonaws.com`,
});

/** The bucket's sub-resources (versioning, encryption, public access block, lifecycle, tags), each through its Put operation. */
async function configure(ctx: ResourceContext, name: string, p: Props, old: Props = {}) {
  const s3 = (op: string, input: object) => ctx.invoke('s3', op, { Bucket: name, ...input });
  if (p.VersioningConfiguration) await s3('PutBucketVersioning', { VersioningConfiguration: { Status: p.VersioningConfiguration.Status } });
  if (p.BucketEncryption) {
    await s3('PutBucketEncryption', {
      ServerSideEncryptionConfiguration: { Rules: p.BucketEncryption.ServerSideEncryptionConfiguration ?? [] },
    });
  }
  if (p.PublicAccessBlockConfiguration) await s3('PutPublicAccessBlock', { PublicAccessBlockConfiguration: p.PublicAccessBlockConfiguration });
  else if (old.PublicAccessBlockConfiguration) await s3('DeletePublicAccessBlock', {});
  if (p.LifecycleConfiguration) {
    await s3('PutBucketLifecycleConfiguration', {
      LifecycleConfiguration: {
        Rules: (p.LifecycleConfiguration.Rules ?? []).map((r: Props) => {
          const { Id, Status, Prefix, ExpirationInDays, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload, ...rest } = r;
          return {
            ID: Id, Status, Filter: { Prefix: Prefix ?? '' },
            ...(ExpirationInDays !== undefined ? { Expiration: { Days: Number(ExpirationInDays) } } : {}),
            ...(NoncurrentVersionExpiration ? { NoncurrentVersionExpiration: { NoncurrentDays: Number(NoncurrentVersionExpiration.NoncurrentDays) } } : {}),
            ...(AbortIncompleteMultipartUpload ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: Number(AbortIncompleteMultipartUpload.DaysAfterInitiation) } } : {}),
            ...rest,
          };
        }),
      },
    });
  }
  const tags = tagsOf(ctx, p.Tags);
  if (tags.length) await s3('PutBucketTagging', { Tagging: { TagSet: tags } });
}

export const BUCKET: ResourceType = {
  replaceOn: ['BucketName'],
  async create(ctx, p) {
    const name = p.BucketName ?? generatedName(ctx, 63, { lower: true });
    await ctx.invoke('s3', 'CreateBucket', {
      Bucket: name,
      ...(ctx.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: ctx.region } } : {}),
    });
    await configure(ctx, name, p);
    return { physicalId: name, attributes: attributes(ctx, name) };
  },
  async update(ctx, name, p, old) {
    await configure(ctx, name, p, old);
    return { physicalId: name, attributes: attributes(ctx, name) };
  },
  async delete(ctx, name) {
    await gone(() => ctx.invoke('s3', 'DeleteBucket', { Bucket: name }), 'NoSuchBucket');
  },
};

export const BUCKET_POLICY: ResourceType = {
  replaceOn: ['Bucket'],
  async create(ctx, p) {
    await ctx.invoke('s3', 'PutBucketPolicy', { Bucket: p.Bucket, Policy: json(p.PolicyDocument) });
    return { physicalId: generatedName(ctx, 64) };
  },
  async update(ctx, id, p) {
    await ctx.invoke('s3', 'PutBucketPolicy', { Bucket: p.Bucket, Policy: json(p.PolicyDocument) });
    return { physicalId: id };
  },
  async delete(ctx, _id, p) {
    await gone(() => ctx.invoke('s3', 'DeleteBucketPolicy', { Bucket: p.Bucket }), 'NoSuchBucket', 'NoSuchBucketPolicy');
  },
};
