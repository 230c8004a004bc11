/**
 * kube-replica-sets: the ReplicaSet controller of EKS clusters' builtin Kubernetes API. Converges one
 * ReplicaSet (key = <cluster>|apps/replicasets|<namespace>|<name>): as many live pods it controls
 * (ownerReferences) as spec.replicas, made from its template (named <replicaset>-<5 chars>), the surplus
 * deleted (not-ready ones first, then the newest); its status counts them (replicas, ready, available,
 * observedGeneration). A pod's change brings its owner round; a pod gone, every ReplicaSet of its namespace.
 */
import {
  allObjectKeys, byId, createObject, deleteObject, getObject, listObjects, objectKey, parseObjectKey, putObject, randomSuffix,
  type KubeObject, type ObjectScope,
} from '../services/eks/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface KubeWorkloadsDeps extends StateDeps {
  changes: ChangeFeed;
}

const RESYNC_MS = 300_000;

export const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller);

export const isReady = (pod: KubeObject) => pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') ?? false;

const live = (pod: KubeObject) => !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** Keys of the owners (of `kind`) a change of a dependent names: its controller, or every owner in its namespace when it is gone. */
export function ownerKeys(d: Pick<StateDeps, 'sql'>, key: string, dependent: string, owner: string, kind: string): string[] {
  const k = parseObjectKey(key);
  if (!k) return [];
  if (k.resource === owner) return [key];
  if (k.resource !== dependent) return [];
  const store = { sql: d.sql, cluster: k.cluster };
  const obj = getObject(store, dependent, k.namespace, k.name);
  if (obj) {
    const ref = controllerOf(obj);
    return ref?.kind === kind ? [objectKey(k.cluster, owner, k.namespace, ref.name)] : [];
  }
  return listObjects(store, owner, k.namespace).map((o) => objectKey(k.cluster, owner, k.namespace, o.metadata.name!));
}

export function writeObjects(d: KubeWorkloadsDeps, cluster: string, work: (store: ObjectScope, now: number) => void) {
  const keys: string[] = [];
  d.db.transaction(() => work({ sql: d.sql, cluster, changed: (k) => keys.push(k) }, d.clock.now()))();
  for (const k of keys) d.changes.publish('eks.kube', k);
}

export class KubeReplicaSets implements Controller {
  readonly name = 'kube-replica-sets';
  readonly concurrency = 4;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => ownerKeys(this.d, k, 'pods', 'apps/replicasets', 'ReplicaSet') }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'apps/replicasets') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'apps/replicasets') return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const rs = getObject(store, 'apps/replicasets', k.namespace, k.name);
      if (!rs) return;
      const owned = listObjects(store, 'pods', k.namespace).filter((p) => controllerOf(p)?.uid === rs.metadata.uid);
      const active = owned.filter(live);
      const want = rs.metadata.deletionTimestamp ? 0 : (rs.spec?.replicas ?? 1);
      const c = { store, now };
      if (active.length < want) {
        for (let i = active.length; i < want; i++) createObject(c, byId('pods'), k.namespace, podFor(rs));
      } else if (active.length > want) {
        const doomed = [...active].sort((a, b) => Number(isReady(a)) - Number(isReady(b))
          || Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''));
        for (const p of doomed.slice(0, active.length - want)) deleteObject(c, byId('pods'), k.namespace, p.metadata.name!, {});
      }
      const now2 = listObjects(store, 'pods', k.namespace).filter((p) => controllerOf(p)?.uid === rs.metadata.uid && live(p));
      const ready = now2.filter(isReady).length;
      const status = {
        replicas: now2.length, fullyLabeledReplicas: now2.length, readyReplicas: ready, availableReplicas: ready,
        observedGeneration: rs.metadata.generation ?? 1,
      };
      const fresh = getObject(store, 'apps/replicasets', k.namespace, k.name)!;
      if (JSON.stringify(fresh.status) !== JSON.stringify(status)) putObject(store, 'apps/replicasets', { ...fresh, status }, 'MODIFIED');
    });
  }
}

function podFor(rs: KubeObject): KubeObject {
  const t = JSON.parse(JSON.stringify(rs.spec.template ?? {}));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      ...(t.metadata ?? {}),
      name: `${rs.metadata.name}-${randomSuffix()}`,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: t.spec,
  };
}
