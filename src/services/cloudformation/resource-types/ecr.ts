/** AWS::ECR::Repository, through ECR's operations. */
import { bool, generatedName, gone, json, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const attributes = (ctx: ResourceContext, name: string, arn: string, uri: string) => ({ Arn: arn, RepositoryUri: uri, RepositoryName: name });

async function policies(ctx: ResourceContext, name: string, p: Props, old: Props = {}) {
  if (p.LifecyclePolicy?.LifecyclePolicyText) {
    await ctx.invoke('ecr', 'PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: p.LifecyclePolicy.LifecyclePolicyText });
  } else if (old.LifecyclePolicy?.LifecyclePolicyText) {
    await gone(() => ctx.invoke('ecr', 'DeleteLifecyclePolicy', { repositoryName: name }), 'LifecyclePolicyNotFoundException');
  }
  if (p.RepositoryPolicyText) await ctx.invoke('ecr', 'SetRepositoryPolicy', { repositoryName: name, policyText: json(p.RepositoryPolicyText) });
  else if (old.RepositoryPolicyText) await gone(() => ctx.invoke('ecr', 'DeleteRepositoryPolicy', { repositoryName: name }), 'RepositoryPolicyNotFoundException');
}

export const REPOSITORY: ResourceType = {
  replaceOn: ['RepositoryName', 'EncryptionConfiguration'],
  async create(ctx, p) {
    const name = p.RepositoryName ?? generatedName(ctx, 256, { lower: true });
    const out = await ctx.invoke('ecr', 'CreateRepository', {
      repositoryName: name,
      ...(p.ImageTagMutability ? { imageTagMutability: p.ImageTagMutability } : {}),
      ...(p.ImageScanningConfiguration ? { imageScanningConfiguration: { scanOnPush: bool(p.ImageScanningConfiguration.ScanOnPush) ?? false } } : {}),
      ...(p.EncryptionConfiguration ? { encryptionConfiguration: { encryptionType: p.EncryptionConfiguration.EncryptionType, kmsKey: p.EncryptionConfiguration.KmsKey } } : {}),
      ...(tagsOf(ctx, p.Tags).length ? { tags: tagsOf(ctx, p.Tags) } : {}),
    });
    await policies(ctx, name, p);
    return { physicalId: name, attributes: attributes(ctx, name, out.repository.repositoryArn, out.repository.repositoryUri) };
  },
  async update(ctx, name, p, old, attrs) {
    if (p.ImageTagMutability !== old.ImageTagMutability) {
      await ctx.invoke('ecr', 'PutImageTagMutability', { repositoryName: name, imageTagMutability: p.ImageTagMutability ?? 'MUTABLE' });
    }
    if (JSON.stringify(p.ImageScanningConfiguration) !== JSON.stringify(old.ImageScanningConfiguration)) {
      await ctx.invoke('ecr', 'PutImageScanningConfiguration', { repositoryName: name, imageScanningConfiguration: { scanOnPush: bool(p.ImageScanningConfiguration?.ScanOnPush) ?? false } });
    }
    await policies(ctx, name, p, old);
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name, p) {
    await gone(() => ctx.invoke('ecr', 'DeleteRepository', { repositoryName: name, ...(bool(p.EmptyOnDelete) ? { force: true } : {}) }), 'RepositoryNotFoundException');
  },
};
