/**
 * eks-fargate: Fargate profiles and Fargate nodes.
 *
 * A profile (key `<account>/<region>/<cluster>/<profile>`): CREATING → ACTIVE (from then on it selects pending
 * pods, services/eks pod-binding.ts); DELETING → the pods it placed are deleted (gracefully: the kubelet stops
 * their containers), then the profile goes.
 * A cluster's Fargate nodes (key `nodes:<cluster uid>`, on any pod change): each serves the one pod it was made
 * for and goes when that pod does, as on EKS.
 */
import {
  byId, deleteObject, listObjects, parseObjectKey, releaseFargateNodes, type FargateProfile, type ObjectScope,
} from '../services/eks/index.js';
import { allItems, deleteItem, getItem, loadCluster, nodegroupKey, parseNodegroupKey, putItem, type Scope } from '../services/eks/store.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EksFargateDeps extends StateDeps {
  changes: ChangeFeed;
}

const NODES = 'nodes:';
const RESYNC_MS = 60_000;
const PROFILE_LABEL = 'eks.amazonaws.com/fargate-profile';

export class EksFargate implements Controller {
  readonly name = 'eks-fargate';
  readonly watches: Watches = {
    changes: [
      { kind: 'eks.fargateprofile' },
      { kind: 'eks.kube', keys: (k) => { const o = parseObjectKey(k); return o?.resource === 'pods' ? [`${NODES}${o.cluster}`] : []; } },
    ],
    resync: [{ periodMs: RESYNC_MS, keys: () => allItems(this.d.sql, 'fargateprofile').map((p) => nodegroupKey(p, p.cluster, p.name)) }],
  };

  constructor(private readonly d: EksFargateDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (key.startsWith(NODES)) {
      this.write(key.slice(NODES.length), (store) => releaseFargateNodes(store));
      return;
    }
    const k = parseNodegroupKey(key);
    if (!k) return;
    const s: Scope = { sql: this.d.sql, account: k.account, region: k.region };
    const item = getItem<FargateProfile>(s, k.cluster, 'fargateprofile', k.name);
    const cluster = loadCluster(s, k.cluster);
    if (!item || !cluster) return;
    if (item.doc.status === 'CREATING') {
      this.d.db.transaction(() => putItem(s, k.cluster, 'fargateprofile', k.name, { ...item.doc, status: 'ACTIVE' }, { status: 'ACTIVE' }))();
      return;
    }
    if (item.doc.status !== 'DELETING') return;
    this.write(cluster.uid, (store) => {
      const now = this.d.clock.now();
      for (const pod of listObjects(store, 'pods')) {
        if (pod.metadata.labels?.[PROFILE_LABEL] !== k.name || !String(pod.spec?.nodeName ?? '').startsWith('fargate-')) continue;
        deleteObject({ store, now }, byId('pods'), pod.metadata.namespace!, pod.metadata.name!, {});
      }
      deleteItem(s, k.cluster, 'fargateprofile', k.name);
    });
  }

  private write(cluster: string, work: (store: ObjectScope) => void) {
    const keys: string[] = [];
    this.d.db.transaction(() => work({ sql: this.d.sql, cluster, changed: (x) => keys.push(x) }))();
    for (const x of keys) this.d.changes.publish('eks.kube', x);
  }
}
