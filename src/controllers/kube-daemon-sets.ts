/**
 * kube-daemon-sets: the DaemonSet controller of EKS clusters' builtin Kubernetes API. Converges one DaemonSet
 * (key = <cluster>|apps/daemonsets|<namespace>|<name>): one pod on every node its `nodeSelector` matches and
 * whose NoSchedule/NoExecute taints it tolerates, bound to that node (the node affinity the DaemonSet
 * controller sets, and `nodeName`); pods on other nodes, or a second one on a node, are deleted; a finished
 * pod is replaced. RollingUpdate: pods whose `controller-revision-hash` is not the template's are deleted
 * while no more than `maxUnavailable` are unavailable; OnDelete leaves that to the user. A node's change
 * brings every DaemonSet of its cluster round. Status as `kubectl get ds` and `rollout status` read it.
 * https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/
 */
import { allObjectKeys, byId, deleteObject, getObject, listObjects, parseObjectKey, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import { templateHash } from './kube-deployments.js';
import { controllerOf, isReady, ownerKeys, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import { REVISION_LABEL } from './kube-stateful-sets.js';
import { clusterObjectKeys, createOwnedPod, isActive, isFinished, saveStatus } from './kube-workload-pods.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;

/** Taints every DaemonSet pod tolerates (the DaemonSet controller adds these tolerations). */
const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

const tolerates = (tolerations: any[], taint: any) => tolerations.some((t) =>
  (t.operator === 'Exists' ? (!t.key || t.key === taint.key) : t.key === taint.key && (t.value ?? '') === (taint.value ?? ''))
  && (!t.effect || t.effect === taint.effect));

/** Whether a DaemonSet's pods go on a node: its nodeSelector matches, and every NoSchedule/NoExecute taint is tolerated. */
export function nodeFits(template: any, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  if (!Object.entries<string>(template?.spec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
  const tolerations = [...(template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return (node.spec?.taints ?? []).every((t: any) => t.effect === 'PreferNoSchedule' || tolerates(tolerations, t));
}

const nodeOf = (p: KubeObject): string | undefined => p.spec?.nodeName
  ?? p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

export class KubeDaemonSets implements Controller {
  readonly name = 'kube-daemon-sets';
  readonly concurrency = 2;
  readonly watches: Watches = {
    changes: [{
      kind: 'eks.kube',
      keys: (k) => {
        const key = parseObjectKey(k);
        if (key?.resource === 'nodes') return clusterObjectKeys(this.d.sql, 'apps/daemonsets', key.cluster);
        return ownerKeys(this.d, k, 'pods', 'apps/daemonsets', 'DaemonSet');
      },
    }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'apps/daemonsets') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'apps/daemonsets') return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const ds = getObject(store, 'apps/daemonsets', k.namespace, k.name);
      if (ds && !ds.metadata.deletionTimestamp) this.converge(store, now, ds);
    });
  }

  private converge(store: ObjectScope, now: number, ds: KubeObject) {
    const ns = ds.metadata.namespace!;
    const revision = templateHash(ds.spec.template);
    const remove = (p: KubeObject) => deleteObject({ store, now }, byId('pods'), ns, p.metadata.name!, {});
    const owned = () => listObjects(store, 'pods', ns).filter((p) => controllerOf(p)?.uid === ds.metadata.uid);
    const nodes = listObjects(store, 'nodes', '').filter((n) => !n.metadata.deletionTimestamp && nodeFits(ds.spec.template, n));
    const wanted = new Set(nodes.map((n) => n.metadata.name!));
    for (const p of owned()) {
      if (p.metadata.deletionTimestamp) continue;
      if (isFinished(p) || !wanted.has(nodeOf(p) ?? '')) remove(p);
    }
    const byNode = new Map<string, KubeObject[]>();
    for (const p of owned().filter(isActive)) byNode.set(nodeOf(p)!, [...(byNode.get(nodeOf(p)!) ?? []), p]);
    for (const node of wanted) {
      const on = byNode.get(node) ?? [];
      if (!on.length) {
        createOwnedPod(store, now, { ...ds, apiVersion: 'apps/v1', kind: 'DaemonSet' }, ds.spec.template, undefined, { [REVISION_LABEL]: revision }, {
          nodeName: node,
          affinity: { ...(ds.spec.template?.spec?.affinity ?? {}), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
          } } },
          tolerations: [...(ds.spec.template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS],
        });
      } else for (const extra of on.slice(1)) remove(extra);
    }
    // Rolling update: stale pods go while the unavailable stay within maxUnavailable.
    if (ds.spec.updateStrategy?.type !== 'OnDelete') {
      const live = owned().filter(isActive);
      const max = Number(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) || 1;
      let unavailable = wanted.size - live.filter(isReady).length;
      for (const p of live.filter((x) => x.metadata.labels?.[REVISION_LABEL] !== revision)) {
        if (unavailable >= max && isReady(p)) break;
        if (isReady(p)) unavailable++;
        remove(p);
      }
    }
    const live = owned().filter(isActive);
    const ready = live.filter(isReady).length;
    const scheduled = new Set(live.map(nodeOf)).size;
    saveStatus(store, 'apps/daemonsets', ds, {
      currentNumberScheduled: scheduled,
      numberMisscheduled: 0,
      desiredNumberScheduled: wanted.size,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length,
      numberAvailable: ready,
      ...(wanted.size - ready > 0 ? { numberUnavailable: wanted.size - ready } : {}),
    });
  }
}
