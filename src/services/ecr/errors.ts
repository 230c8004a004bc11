/** ECR errors by their AWS names, with ECR's own wording. */
import { AwsError } from '../../protocol/errors.js';
import type { RegistryError } from '../../registry/errors.js';

export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);

export const repositoryNotFound = (name: string, account: string) =>
  new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${account}'`);

export const imageNotFound = (message: string) => new AwsError('ImageNotFoundException', message);

export const uploadNotFound = (id: string, name: string, account: string) =>
  new AwsError('UploadNotFoundException', `The upload with id '${id}' does not exist in the repository with name '${name}' in the registry with id '${account}'`);

/** A caller of another account without a repository policy granting the action. */
export const accessDenied = (account: string, action: string, resource: string) =>
  new AwsError(
    'AccessDeniedException',
    `User: arn:aws:iam::${account}:root is not authorized to perform: ${action} on resource: ${resource} because no resource-based policy allows the ${action} action`,
    { status: 400 },
  );

/** How a registry error reads through the ECR API (PutImage and the layer API share the registry's checks). */
export function fromRegistryError(err: RegistryError, repo: { name: string; account: string }): AwsError {
  const detail = err.detail as { digests?: string[] } | undefined;
  switch (err.kind) {
    case 'immutable-tag': return new AwsError('ImageTagAlreadyExistsException', err.message);
    case 'unchanged-image': return new AwsError('ImageAlreadyExistsException', err.message);
    case 'missing-layers':
      return new AwsError(
        'LayersNotFoundException',
        `Layers with digests '[${(detail?.digests ?? []).join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${repo.account}' do not exist`,
      );
    case 'missing-manifests':
      return new AwsError(
        'ReferencedImagesNotFoundException',
        `Manifests with digests '[${(detail?.digests ?? []).join(', ')}]' referenced by the manifest list do not exist in the repository with name '${repo.name}'`,
      );
    case 'digest-mismatch': return new AwsError('ImageDigestDoesNotMatchException', err.message);
    default:
      return invalidParameter(`Invalid parameter at 'imageManifest' failed to satisfy constraint: '${err.message}'`);
  }
}
