/**
 * Amazon EKS: the operation table. Operations not listed answer 501 (README.md says what is served).
 */
import type { Provider } from '../provider.js';
import * as clusters from './clusters.js';
import * as updates from './cluster-updates.js';
import * as nodegroups from './nodegroups.js';
import * as fargate from './fargate-profiles.js';
import * as access from './access-entries.js';
import * as addons from './addons.js';
import * as podIdentity from './pod-identity.js';
import * as tags from './tags.js';

export const provider: Provider = {
  createCluster: clusters.createCluster,
  describeCluster: clusters.describeCluster,
  listClusters: clusters.listClusters,
  deleteCluster: clusters.deleteCluster,
  describeClusterVersions: clusters.describeClusterVersions,

  updateClusterConfig: updates.updateClusterConfig,
  updateClusterVersion: updates.updateClusterVersion,
  describeUpdate: updates.describeUpdate,
  listUpdates: updates.listUpdates,

  createNodegroup: nodegroups.createNodegroup,
  describeNodegroup: nodegroups.describeNodegroup,
  listNodegroups: nodegroups.listNodegroups,
  updateNodegroupConfig: nodegroups.updateNodegroupConfig,
  updateNodegroupVersion: nodegroups.updateNodegroupVersion,
  deleteNodegroup: nodegroups.deleteNodegroup,

  createFargateProfile: fargate.createFargateProfile,
  describeFargateProfile: fargate.describeFargateProfile,
  listFargateProfiles: fargate.listFargateProfiles,
  deleteFargateProfile: fargate.deleteFargateProfile,

  createAccessEntry: access.createAccessEntry,
  describeAccessEntry: access.describeAccessEntry,
  listAccessEntries: access.listAccessEntries,
  updateAccessEntry: access.updateAccessEntry,
  deleteAccessEntry: access.deleteAccessEntry,
  associateAccessPolicy: access.associateAccessPolicy,
  disassociateAccessPolicy: access.disassociateAccessPolicy,
  listAssociatedAccessPolicies: access.listAssociatedAccessPolicies,
  listAccessPolicies: access.listAccessPolicies,

  createPodIdentityAssociation: podIdentity.createPodIdentityAssociation,
  describePodIdentityAssociation: podIdentity.describePodIdentityAssociation,
  listPodIdentityAssociations: podIdentity.listPodIdentityAssociations,
  updatePodIdentityAssociation: podIdentity.updatePodIdentityAssociation,
  deletePodIdentityAssociation: podIdentity.deletePodIdentityAssociation,

  createAddon: addons.createAddon,
  describeAddon: addons.describeAddon,
  listAddons: addons.listAddons,
  updateAddon: addons.updateAddon,
  deleteAddon: addons.deleteAddon,
  describeAddonVersions: addons.describeAddonVersions,
  describeAddonConfiguration: addons.describeAddonConfiguration,

  tagResource: tags.tagResource,
  untagResource: tags.untagResource,
  listTagsForResource: tags.listTagsForResource,
};
