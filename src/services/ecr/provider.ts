/**
 * ECR: the control API over Berth's registry. What is and is not supported:
 * README.md beside this file. Unlisted operations answer 501 (none are left).
 */
import type { Provider } from '../provider.js';
import { getAuthorizationToken } from './auth.js';
import { batchDeleteImage, batchGetImage, describeImages, listImages, putImage, updateImageStorageClass } from './images.js';
import {
  batchCheckLayerAvailability, completeLayerUpload, getDownloadUrlForLayer, initiateLayerUpload, uploadLayerPart,
} from './layers.js';
import {
  deleteRegistryPolicy, deleteRepositoryPolicy, getRegistryPolicy, getRepositoryPolicy, putRegistryPolicy, setRepositoryPolicy,
} from './policies.js';
import {
  createRepository, deleteRepository, describeRepositories, putImageScanningConfiguration, putImageTagMutability,
} from './repositories.js';
import { listTagsForResource, tagResource, untagResource } from './tagging.js';
import {
  describeImageReplicationStatus, describeRegistry, describeReplicationBackfillResults, listReplicationBackfills,
  putReplicationConfiguration, startReplicationBackfill, stopReplicationBackfill,
} from './replication.js';
import {
  createPullThroughCacheRule, deletePullThroughCacheRule, describePullThroughCacheRules, updatePullThroughCacheRule,
  validatePullThroughCacheRule,
} from './pull-through-cache.js';
import {
  deleteLifecyclePolicy, getLifecyclePolicy, getLifecyclePolicyPreview, putLifecyclePolicy, startLifecyclePolicyPreview,
} from './lifecycle.js';
import {
  createRepositoryCreationTemplate, deleteRepositoryCreationTemplate, describeRepositoryCreationTemplates,
  updateRepositoryCreationTemplate,
} from './creation-templates.js';
import { listImageReferrers } from './referrers.js';
import {
  deregisterPullTimeUpdateExclusion, getAccountSetting, listPullTimeUpdateExclusions, putAccountSetting,
  registerPullTimeUpdateExclusion,
} from './account-settings.js';
import {
  deleteSigningConfiguration, describeImageSigningStatus, getSigningConfiguration, putSigningConfiguration,
} from './signing.js';
import {
  batchGetRepositoryScanningConfiguration, describeImageScanFindings, getRegistryScanningConfiguration,
  putRegistryScanningConfiguration, startImageScan,
} from './scanning.js';

export const provider: Provider = {
  createRepository,
  describeRepositories,
  deleteRepository,
  putImageTagMutability,
  putImageScanningConfiguration,
  listImages,
  describeImages,
  batchGetImage,
  batchDeleteImage,
  putImage,
  batchCheckLayerAvailability,
  getDownloadUrlForLayer,
  initiateLayerUpload,
  uploadLayerPart,
  completeLayerUpload,
  setRepositoryPolicy,
  getRepositoryPolicy,
  deleteRepositoryPolicy,
  putRegistryPolicy,
  getRegistryPolicy,
  deleteRegistryPolicy,
  tagResource,
  untagResource,
  listTagsForResource,
  getAuthorizationToken,
  putLifecyclePolicy,
  getLifecyclePolicy,
  deleteLifecyclePolicy,
  startLifecyclePolicyPreview,
  getLifecyclePolicyPreview,
  startImageScan,
  describeImageScanFindings,
  putRegistryScanningConfiguration,
  getRegistryScanningConfiguration,
  batchGetRepositoryScanningConfiguration,
  putReplicationConfiguration,
  describeRegistry,
  describeImageReplicationStatus,
  startReplicationBackfill,
  stopReplicationBackfill,
  listReplicationBackfills,
  describeReplicationBackfillResults,
  updateImageStorageClass,
  createPullThroughCacheRule,
  describePullThroughCacheRules,
  updatePullThroughCacheRule,
  deletePullThroughCacheRule,
  validatePullThroughCacheRule,
  createRepositoryCreationTemplate,
  describeRepositoryCreationTemplates,
  updateRepositoryCreationTemplate,
  deleteRepositoryCreationTemplate,
  listImageReferrers,
  getAccountSetting,
  putAccountSetting,
  registerPullTimeUpdateExclusion,
  deregisterPullTimeUpdateExclusion,
  listPullTimeUpdateExclusions,
  putSigningConfiguration,
  getSigningConfiguration,
  deleteSigningConfiguration,
  describeImageSigningStatus,
};
