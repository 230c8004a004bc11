/**
 * kube-stateful-sets: the StatefulSet controller of EKS clusters' builtin Kubernetes API. Converges one
 * StatefulSet (key = <cluster>|apps/statefulsets|<namespace>|<name>) through pods with stable names
 * `<name>-0` … `<name>-(n-1)` (hostname the pod's name, subdomain `serviceName`), each with its own
 * PersistentVolumeClaims from `volumeClaimTemplates` (`<template>-<name>-<ordinal>`, kept when the pod goes).
 *
 * OrderedReady (the default): pod i is made only once every pod below it is Running and Ready, and the
 * surplus goes from the highest ordinal down, one at a time; Parallel: all at once. A finished pod is
 * replaced. RollingUpdate: once all pods are Ready, the highest one (at or above `partition`) whose
 * `controller-revision-hash` is not the template's is deleted, and made again from the new template; OnDelete
 * leaves that to the user. Status: replicas, readyReplicas, availableReplicas, currentReplicas,
 * updatedReplicas, currentRevision, updateRevision (what `kubectl rollout status` reads).
 * https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
 */
import { allObjectKeys, byId, createObject, deleteObject, getObject, listObjects, parseObjectKey, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import { templateHash } from './kube-deployments.js';
import { controllerOf, isReady, ownerKeys, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import { createOwnedPod, isActive, isFinished, saveStatus } from './kube-workload-pods.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;
export const REVISION_LABEL = 'controller-revision-hash';

const running = (p: KubeObject) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && isReady(p);

export class KubeStatefulSets implements Controller {
  readonly name = 'kube-stateful-sets';
  readonly concurrency = 4;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => ownerKeys(this.d, k, 'pods', 'apps/statefulsets', 'StatefulSet') }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'apps/statefulsets') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'apps/statefulsets') return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const sts = getObject(store, 'apps/statefulsets', k.namespace, k.name);
      if (sts && !sts.metadata.deletionTimestamp) this.converge(store, now, sts);
    });
  }

  private converge(store: ObjectScope, now: number, sts: KubeObject) {
    const ns = sts.metadata.namespace!;
    const name = sts.metadata.name!;
    const spec = sts.spec;
    const replicas: number = spec.replicas ?? 1;
    const revision = `${name}-${templateHash(spec.template)}`;
    const parallel = spec.podManagementPolicy === 'Parallel';
    const remove = (p: KubeObject) => deleteObject({ store, now }, byId('pods'), ns, p.metadata.name!, {});
    const ordinalOf = (p: KubeObject) => {
      const m = new RegExp(`^${name.replace(/[.]/g, '\\.')}-(\\d+)$`).exec(p.metadata.name!);
      return m ? Number(m[1]) : -1;
    };
    const owned = () => listObjects(store, 'pods', ns).filter((p) => controllerOf(p)?.uid === sts.metadata.uid);
    let pods = owned();
    // A finished pod (Succeeded or Failed) is replaced: deleted now, made again on a later pass.
    for (const p of pods) if (isFinished(p) && !p.metadata.deletionTimestamp) remove(p);
    pods = owned();
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(p), p]));

    // Up: each missing ordinal below replicas, in order, each waiting for the ones before it (OrderedReady).
    for (let i = 0; i < replicas; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        this.createPod(store, now, sts, i, revision);
        if (!parallel) break;
      } else if (!parallel && !running(pod)) break;
    }
    // Down: the surplus, highest ordinal first; one at a time unless Parallel.
    const condemned = pods.filter((p) => ordinalOf(p) < 0 || ordinalOf(p) >= replicas).sort((a, b) => ordinalOf(b) - ordinalOf(a));
    const wanted = pods.filter((p) => !condemned.includes(p));
    const settled = wanted.length === replicas && wanted.every(running);
    if (condemned.length && (parallel || settled)) {
      if (parallel) for (const p of condemned) { if (!p.metadata.deletionTimestamp) remove(p); }
      else if (!condemned.some((p) => p.metadata.deletionTimestamp)) remove(condemned[0]);
    }
    // Rolling update, from the highest ordinal down to the partition, one pod at a time.
    if (spec.updateStrategy?.type !== 'OnDelete' && settled && !condemned.length) {
      const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      const stale = wanted.filter((p) => ordinalOf(p) >= partition && p.metadata.labels?.[REVISION_LABEL] !== revision).sort((a, b) => ordinalOf(b) - ordinalOf(a));
      if (stale.length) remove(stale[0]);
    }
    this.writeStatus(store, sts, owned().filter((p) => ordinalOf(p) >= 0 && ordinalOf(p) < replicas), revision, replicas);
  }

  private createPod(store: ObjectScope, now: number, sts: KubeObject, i: number, revision: string) {
    const ns = sts.metadata.namespace!;
    const podName = `${sts.metadata.name}-${i}`;
    const claims = (sts.spec.volumeClaimTemplates ?? []) as KubeObject[];
    const volumes = [...(sts.spec.template?.spec?.volumes ?? [])];
    for (const t of claims) {
      const claimName = `${t.metadata.name}-${podName}`;
      // Claims outlive their pods (persistentVolumeClaimRetentionPolicy Retain, the default): made once.
      if (!getObject(store, 'persistentvolumeclaims', ns, claimName)) {
        createObject({ store, now }, byId('persistentvolumeclaims'), ns, {
          apiVersion: 'v1', kind: 'PersistentVolumeClaim',
          metadata: { ...(t.metadata ?? {}), name: claimName, namespace: ns, labels: { ...(sts.spec.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) } },
          spec: JSON.parse(JSON.stringify(t.spec ?? {})),
        });
      }
      const at = volumes.findIndex((v: any) => v.name === t.metadata.name);
      const volume = { name: t.metadata.name, persistentVolumeClaim: { claimName } };
      if (at >= 0) volumes[at] = volume;
      else volumes.push(volume);
    }
    createOwnedPod(store, now, { ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' }, sts.spec.template, podName,
      { [REVISION_LABEL]: revision, 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(i) },
      { hostname: podName, ...(sts.spec.serviceName ? { subdomain: sts.spec.serviceName } : {}), ...(volumes.length ? { volumes } : {}) });
  }

  private writeStatus(store: ObjectScope, sts: KubeObject, pods: KubeObject[], revision: string, replicas: number) {
    const live = pods.filter(isActive);
    const ready = live.filter(isReady).length;
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const allUpdated = updated === replicas && live.length === replicas;
    const currentRevision = allUpdated ? revision : (sts.status?.currentRevision ?? revision);
    const current = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length;
    saveStatus(store, 'apps/statefulsets', sts, {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: ready,
      currentReplicas: current,
      updatedReplicas: updated,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: ready,
    });
  }
}
