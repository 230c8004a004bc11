/**
 * ECR Public: the control API of Berth's public registry. What is and is not supported: README.md beside this
 * file. Every operation is the service's in us-east-1 and us-west-2 (ECR Public is global: both see one registry
 * per account) and refused elsewhere (common.ts checkRegion).
 */
import type { OperationFn, Provider } from '../provider.js';
import { getAuthorizationToken } from './auth.js';
import { getRegistryCatalogData, getRepositoryCatalogData, putRegistryCatalogData, putRepositoryCatalogData } from './catalog-data.js';
import { checkRegion } from './common.js';
import { batchDeleteImage, describeImages, describeImageTags, putImage } from './images.js';
import { batchCheckLayerAvailability, completeLayerUpload, initiateLayerUpload, uploadLayerPart } from './layers.js';
import { deleteRepositoryPolicy, getRepositoryPolicy, setRepositoryPolicy } from './policies.js';
import { describeRegistries } from './registries.js';
import { createRepository, deleteRepository, describeRepositories } from './repositories.js';
import { listTagsForResource, tagResource, untagResource } from './tagging.js';

const OPERATIONS: Provider = {
  createRepository,
  describeRepositories,
  deleteRepository,
  getRepositoryCatalogData,
  putRepositoryCatalogData,
  getRegistryCatalogData,
  putRegistryCatalogData,
  describeRegistries,
  putImage,
  describeImages,
  describeImageTags,
  batchDeleteImage,
  batchCheckLayerAvailability,
  initiateLayerUpload,
  uploadLayerPart,
  completeLayerUpload,
  getAuthorizationToken,
  setRepositoryPolicy,
  getRepositoryPolicy,
  deleteRepositoryPolicy,
  tagResource,
  untagResource,
  listTagsForResource,
};

const inRegion = (name: string, fn: OperationFn): OperationFn => (ctx, input) => {
  checkRegion(ctx, name.charAt(0).toUpperCase() + name.slice(1));
  return fn(ctx, input);
};

export const provider: Provider = Object.fromEntries(Object.entries(OPERATIONS).map(([name, fn]) => [name, inRegion(name, fn)]));
