/**
 * Amazon EFS: the operation table. Operations Berth does not implement
 * (replication, account preferences, ModifyMountTargetSecurityGroups,
 * UpdateFileSystemProtection) answer 501; README.md says what is emulated.
 */
import type { Provider } from '../provider.js';
import * as accessPoints from './access-points.js';
import * as fileSystems from './file-systems.js';
import * as mountTargets from './mount-targets.js';
import * as policies from './policies.js';
import * as tags from './tags.js';

export const provider: Provider = {
  createFileSystem: fileSystems.createFileSystem,
  describeFileSystems: fileSystems.describeFileSystems,
  updateFileSystem: fileSystems.updateFileSystem,
  deleteFileSystem: fileSystems.deleteFileSystem,

  createAccessPoint: accessPoints.createAccessPoint,
  describeAccessPoints: accessPoints.describeAccessPoints,
  deleteAccessPoint: accessPoints.deleteAccessPoint,

  createMountTarget: mountTargets.createMountTarget,
  describeMountTargets: mountTargets.describeMountTargets,
  deleteMountTarget: mountTargets.deleteMountTarget,
  describeMountTargetSecurityGroups: mountTargets.describeMountTargetSecurityGroups,

  putFileSystemPolicy: policies.putFileSystemPolicy,
  describeFileSystemPolicy: policies.describeFileSystemPolicy,
  deleteFileSystemPolicy: policies.deleteFileSystemPolicy,
  putLifecycleConfiguration: policies.putLifecycleConfiguration,
  describeLifecycleConfiguration: policies.describeLifecycleConfiguration,
  putBackupPolicy: policies.putBackupPolicy,
  describeBackupPolicy: policies.describeBackupPolicy,

  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
  createTags: tags.createTags,
  deleteTags: tags.deleteTags,
  describeTags: tags.describeTags,
};
