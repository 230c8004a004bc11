/**
 * What the builtin workload controllers beyond Deployments share (Jobs, CronJobs, StatefulSets, DaemonSets):
 * making a dependent from a template with its controller's owner reference, the pod states they count, and
 * status conditions that keep their transition time while their status holds.
 */
import { allObjectKeys, byId, createObject, getObject, putObject, rfc3339, type KubeObject, type ObjectScope } from '../services/eks/index.js';

export const isFinished = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Neither finished nor being deleted: a pod its controller counts as active. */
export const isActive = (pod: KubeObject) => !pod.metadata.deletionTimestamp && !isFinished(pod);

export const ownerRef = (owner: KubeObject) => ({
  apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true,
});

/** A pod made from `template` (deep-copied), owned by `owner`, named `name` or `<owner>-<5 chars>` when undefined. */
export function createOwnedPod(store: ObjectScope, now: number, owner: KubeObject, template: any, name: string | undefined,
  labels: Record<string, string> = {}, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): KubeObject {
  const t = JSON.parse(JSON.stringify(template ?? {}));
  const meta = t.metadata ?? {};
  return createObject({ store, now }, byId('pods'), owner.metadata.namespace!, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      ...meta,
      ...(name ? { name } : { generateName: `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}), ...labels },
      ...(Object.keys(annotations).length || meta.annotations ? { annotations: { ...(meta.annotations ?? {}), ...annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...t.spec, ...spec },
  });
}

/** A status condition; its lastTransitionTime stays while its status holds. */
export function condition(prev: any[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string, now: number, probe = true) {
  const p = prev?.find((c) => c.type === type);
  const at = rfc3339(now);
  return {
    type, status, ...(probe ? { lastProbeTime: p?.status === status ? (p.lastProbeTime ?? at) : at } : {}),
    lastTransitionTime: p?.status === status ? p.lastTransitionTime : at, reason, message,
  };
}

/** Every key of a resource in one cluster (a node's change brings round every DaemonSet of its cluster). */
export const clusterObjectKeys = (sql: Parameters<typeof allObjectKeys>[0], resource: string, cluster: string) =>
  allObjectKeys(sql, resource).filter((k) => k.startsWith(`${cluster}|`));

/** Writes `status` when it differs from what is stored (a no-op write would wake every watcher). */
export function saveStatus(store: ObjectScope, resource: string, obj: KubeObject, status: any): void {
  const fresh = getObject(store, resource, obj.metadata.namespace ?? '', obj.metadata.name!);
  if (!fresh || fresh.metadata.uid !== obj.metadata.uid || JSON.stringify(fresh.status ?? {}) === JSON.stringify(status)) return;
  putObject(store, resource, { ...fresh, status }, 'MODIFIED');
}
