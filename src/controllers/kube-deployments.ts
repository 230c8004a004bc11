/**
 * kube-deployments: the Deployment controller of EKS clusters' builtin Kubernetes API. Converges one
 * Deployment (key = <cluster>|apps/deployments|<namespace>|<name>) through ReplicaSets it owns:
 * the one whose pod-template-hash is its template's is the new one (made when missing, with the next
 * revision), older ones are scaled down as the new one becomes available — RollingUpdate within
 * maxSurge and maxUnavailable (25% each by default), Recreate all at once — and its status and
 * conditions say where the rollout is, as `kubectl rollout status` reads them.
 * https://kubernetes.io/docs/concepts/workloads/controllers/deployment/
 */
import {
  allObjectKeys, createObject, getObject, listObjects, parseObjectKey, putObject, rfc3339, byId, type KubeObject, type ObjectScope,
} from '../services/eks/index.js';
import { controllerOf, ownerKeys, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;
const HASH_LABEL = 'pod-template-hash';
const REVISION = 'deployment.kubernetes.io/revision';
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** The pod-template-hash label value: FNV-1a (32 bit) of the template, encoded as apimachinery's SafeEncodeString does. */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(JSON.stringify(template), 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return [...String(h)].map((ch) => SAFE[ch.charCodeAt(0) % SAFE.length]).join('');
}

/** An int-or-percent (maxSurge "25%", 1) of `total`, rounded up or down. */
function scaled(v: string | number | undefined, total: number, up: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const pct = /^(\d+)%$/.exec(v);
  if (!pct) return Number(v) || 0;
  const x = (Number(pct[1]) * total) / 100;
  return up ? Math.ceil(x) : Math.floor(x);
}

const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** The Deployment's change cause, which its ReplicaSets carry (what `kubectl rollout history` prints). */
const changeCause = (dep: KubeObject): Record<string, string> => (dep.metadata.annotations?.[CHANGE_CAUSE] ? { [CHANGE_CAUSE]: dep.metadata.annotations[CHANGE_CAUSE] } : {});

/**
 * JSON with keys sorted and empty values (null, {}, []) left out, so two templates compare by content as Go's typed
 * comparison does: whatever order their fields came in, and whether a client wrote `creationTimestamp: null` or not.
 */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (!v || typeof v !== 'object') return JSON.stringify(v);
  const fields = Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])] as const)
    .filter(([, c]) => c !== 'null' && c !== '{}' && c !== '[]');
  return `{${fields.map(([k, c]) => `${JSON.stringify(k)}:${c}`).join(',')}}`;
}

/** Whether a ReplicaSet's template is the Deployment's, its pod-template-hash label aside. */
function sameTemplate(rsTemplate: any, template: any): boolean {
  const strip = (t: any) => {
    const c = JSON.parse(JSON.stringify(t ?? {}));
    if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
    return canonical(c);
  };
  return strip(rsTemplate) === strip(template);
}

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);

export class KubeDeployments implements Controller {
  readonly name = 'kube-deployments';
  readonly concurrency = 4;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => ownerKeys(this.d, k, 'apps/replicasets', 'apps/deployments', 'Deployment') }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'apps/deployments') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'apps/deployments') return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const dep = getObject(store, 'apps/deployments', k.namespace, k.name);
      if (dep && !dep.metadata.deletionTimestamp) this.converge(store, now, dep); // being deleted in the foreground: nothing new
    });
  }

  private converge(store: ObjectScope, now: number, dep: KubeObject) {
    const ns = dep.metadata.namespace!;
    const replicas: number = dep.spec.replicas ?? 1;
    const hash = templateHash(dep.spec.template);
    const owned = listObjects(store, 'apps/replicasets', ns).filter((rs) => controllerOf(rs)?.uid === dep.metadata.uid);
    // The new ReplicaSet is the one whose template is the Deployment's (hash label aside), as the controller's
    // EqualIgnoreHash finds it: a rollback (`kubectl rollout undo`) makes an old one new again.
    let newRs = owned.find((rs) => rs.metadata.labels?.[HASH_LABEL] === hash) ?? owned.find((rs) => sameTemplate(rs.spec.template, dep.spec.template));
    const old = owned.filter((rs) => rs !== newRs).sort((a, b) => revisionOf(a) - revisionOf(b));
    const oldReplicas = old.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const recreate = dep.spec.strategy?.type === 'Recreate';
    const maxSurge = recreate ? 0 : scaled(dep.spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
    let maxUnavailable = recreate ? replicas : scaled(dep.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const scale = (rs: KubeObject, n: number) => {
      if ((rs.spec.replicas ?? 0) === n) return rs;
      rs.spec.replicas = n;
      rs.metadata.annotations = { ...(rs.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge) };
      return putObject(store, 'apps/replicasets', rs, 'MODIFIED');
    };

    if (newRs && revisionOf(newRs) < Math.max(0, ...owned.map(revisionOf))) {
      // An old revision made current again takes the next revision number; the numbers it had are its history.
      const previous = revisionOf(newRs);
      const next = Math.max(...owned.map(revisionOf)) + 1;
      const history = [newRs.metadata.annotations?.[REVISION_HISTORY], String(previous)].filter(Boolean).join(',');
      newRs.metadata.annotations = { ...(newRs.metadata.annotations ?? {}), [REVISION]: String(next), [REVISION_HISTORY]: history, ...changeCause(dep) };
      newRs = putObject(store, 'apps/replicasets', newRs, 'MODIFIED');
    }
    if (!newRs) {
      const revision = Math.max(0, ...owned.map(revisionOf)) + 1;
      const template = JSON.parse(JSON.stringify(dep.spec.template));
      template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
      const selector = JSON.parse(JSON.stringify(dep.spec.selector));
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
      const initial = oldReplicas === 0 ? replicas : recreate ? 0 : Math.max(0, Math.min(replicas, replicas + maxSurge - oldReplicas));
      newRs = createObject({ store, now }, byId('apps/replicasets'), ns, {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: {
          name: `${dep.metadata.name}-${hash}`, namespace: ns, labels: template.metadata.labels,
          annotations: { ...changeCause(dep), [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name!, uid: dep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas: initial, selector, template },
      });
    } else if (oldReplicas === 0 || (recreate && old.every((rs) => (rs.status?.replicas ?? 0) === 0))) {
      newRs = scale(newRs, replicas);
    } else if (!recreate) {
      // Up within the surge…
      const total = (newRs.spec.replicas ?? 0) + oldReplicas;
      const up = Math.min(replicas + maxSurge - total, replicas - (newRs.spec.replicas ?? 0));
      if (up > 0) newRs = scale(newRs, (newRs.spec.replicas ?? 0) + up);
    }
    // …and old ones down as far as availability allows (Recreate: all at once).
    const all = [newRs, ...old];
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = (newRs.spec.replicas ?? 0) - (newRs.status?.availableReplicas ?? 0);
    let canDown = recreate ? Infinity : all.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0) - minAvailable - newUnavailable;
    for (const rs of old) {
      if (canDown <= 0) break;
      const n = Math.min(rs.spec.replicas ?? 0, canDown);
      if (n > 0) {
        scale(rs, (rs.spec.replicas ?? 0) - n);
        canDown -= n;
      }
    }
    if (!recreate && old.length && (newRs.spec.replicas ?? 0) < replicas) {
      const total = (newRs.spec.replicas ?? 0) + old.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      const up = Math.min(replicas + maxSurge - total, replicas - (newRs.spec.replicas ?? 0));
      if (up > 0) newRs = scale(newRs, (newRs.spec.replicas ?? 0) + up);
    }
    this.writeStatus(store, now, dep, newRs, old, replicas, minAvailable);
  }

  private writeStatus(store: ObjectScope, now: number, dep: KubeObject, newRs: KubeObject, old: KubeObject[], replicas: number, minAvailable: number) {
    const all = [newRs, ...old];
    const sum = (f: (rs: KubeObject) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const updated = newRs.status?.replicas ?? 0;
    const total = sum((rs) => rs.status?.replicas ?? 0);
    const complete = updated === replicas && total === replicas && available === replicas && (newRs.status?.availableReplicas ?? 0) === replicas;
    const prev: any[] = dep.status?.conditions ?? [];
    const condition = (type: string, status: string, reason: string, message: string) => {
      const p = prev.find((c) => c.type === type);
      const at = rfc3339(now);
      const same = p && p.status === status && p.reason === reason && p.message === message;
      return {
        type, status, lastUpdateTime: same ? p.lastUpdateTime : at,
        lastTransitionTime: p && p.status === status ? p.lastTransitionTime : at, reason, message,
      };
    };
    const status = {
      observedGeneration: dep.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: sum((rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        available >= minAvailable
          ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
          : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        complete
          ? condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`)
          : condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${newRs.metadata.name}" is progressing.`),
      ],
    };
    for (const key of ['readyReplicas', 'availableReplicas', 'updatedReplicas', 'replicas'] as const) if (!status[key]) delete (status as any)[key];
    const fresh = getObject(store, 'apps/deployments', dep.metadata.namespace!, dep.metadata.name!)!;
    const revision = newRs.metadata.annotations?.[REVISION];
    const annotations = { ...(fresh.metadata.annotations ?? {}), ...(revision ? { [REVISION]: revision } : {}) };
    if (JSON.stringify(fresh.status) === JSON.stringify(status) && JSON.stringify(fresh.metadata.annotations ?? {}) === JSON.stringify(annotations)) return;
    putObject(store, 'apps/deployments', { ...fresh, metadata: { ...fresh.metadata, annotations }, status }, 'MODIFIED');
  }
}
