/**
 * EKS's front door for everything outside services/eks: what the cluster controller needs to serve a
 * cluster's Kubernetes API (the HTTP handler, its object store, the cluster's bootstrap objects and PKI)
 * and what the workload controllers read and write through (the object store, kubernetes/objects.ts).
 * Its tables and queries are store.ts.
 */
export { kubernetesApi, type ClusterEndpoint, type KubernetesApiDeps, type PodLogQuery } from './kubernetes/server.js';
export type { PresignedCallerVerifier } from './kubernetes/auth.js';
export { bootstrapCluster, NODE_NAME } from './kubernetes/bootstrap.js';
export {
  allObjectKeys, dropClusterObjects, getObject, listObjects, objectKey, parseObjectKey, putObject, removeObject,
  type KubeObject, type KubeMeta, type ObjectScope,
} from './kubernetes/objects.js';
export { newMetadata, randomSuffix, rfc3339 } from './kubernetes/defaults.js';
export { byId, resourceId } from './kubernetes/resources.js';
export { selectorObjectMatcher } from './kubernetes/selectors.js';
export { issueClusterPki } from './pki.js';
export { versionInfo as kubernetesVersion } from './versions.js';
export { createObject, deleteObject, type VerbContext } from './kubernetes/crud.js';
export { bindPendingPod, PENDING_RETRY_MS } from './pod-binding.js';
export {
  COMPUTE_TYPE_LABEL, instanceNode, NODEGROUP_LABEL, releaseFargateNodes, removeStandInNode, syncNodegroupNodes, type InstanceNode,
} from './kubernetes/nodes.js';
export { finishUpdates } from './updates.js';
export { settleClusterUpdates } from './cluster-updates.js';
export type { StoredNodegroup } from './nodegroups.js';
export type { FargateProfile } from '@aws-sdk/client-eks';
export { admits as clusterAdmits } from './access-entries.js';
export { settleAddons } from './addons.js';
/** Which role service account X in namespace Y of cluster Z (its uid) gets through EKS Pod Identity. */
export { podIdentityRole } from './pod-identity.js';
export { recordEvent, recordPodEvent, type PodEvent } from './kubernetes/events.js';
export { POD_IDENTITY } from './kubernetes/pod-identity-webhook.js';
export { issueServiceAccountToken, verifyServiceAccountToken, type BoundToken } from './kubernetes/service-account-tokens.js';
export { parseKubeCron } from './kubernetes/cron.js';
export { JOB_LABELS } from './kubernetes/workload-defaults.js';
export { dependentsOf, FOREGROUND } from './kubernetes/crud.js';
export { keysWithFinalizer } from './kubernetes/objects.js';
export { eksTargetResolver, PUBLISHED_PORTS } from './kubernetes/target-resolver.js';
export type { PodExecQuery, PodExecSession } from './kubernetes/exec.js';
