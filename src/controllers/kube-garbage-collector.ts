/**
 * kube-garbage-collector: finishes foreground deletions in EKS clusters' builtin Kubernetes API. An owner
 * deleted with `propagationPolicy: Foreground` (kubectl `--cascade=foreground`) stays, with a
 * deletionTimestamp and the `foregroundDeletion` finalizer, while objects naming it in ownerReferences
 * remain (their own deletion under way: pods stop gracefully); once none does, it goes (key = the owner's).
 * A dependent gone brings round the foreground-deleting owners of its namespace.
 * https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion
 */
import {
  dependentsOf, FOREGROUND, getObject, keysWithFinalizer, parseObjectKey, removeObject,
} from '../services/eks/index.js';
import { writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 60_000;

export class KubeGarbageCollector implements Controller {
  readonly name = 'kube-garbage-collector';
  readonly watches: Watches = {
    changes: [{
      kind: 'eks.kube',
      keys: (key) => {
        const k = parseObjectKey(key);
        if (!k) return [];
        const obj = getObject({ sql: this.d.sql, cluster: k.cluster }, k.resource, k.namespace, k.name);
        if (obj && !obj.metadata.finalizers?.includes(FOREGROUND)) return [];
        return obj ? [key] : keysWithFinalizer(this.d.sql, FOREGROUND, { cluster: k.cluster, namespace: k.namespace });
      },
    }],
    resync: [{ periodMs: RESYNC_MS, keys: () => keysWithFinalizer(this.d.sql, FOREGROUND) }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k) return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const owner = getObject(store, k.resource, k.namespace, k.name);
      if (!owner?.metadata.deletionTimestamp || !owner.metadata.finalizers?.includes(FOREGROUND)) return;
      if (dependentsOf({ store, now }, owner).length) return;
      removeObject(store, k.resource, owner);
    });
  }
}
