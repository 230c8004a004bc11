/**
 * kube-jobs: the Job controller of EKS clusters' builtin Kubernetes API. Converges one Job
 * (key = <cluster>|batch/jobs|<namespace>|<name>) through the pods it owns: up to `parallelism` active at
 * once until `completions` have succeeded (without completions: until one has, and none is active), a
 * failed pod replaced after the controller's back-off (10 s doubling, to 6 min); failures (failed pods, and
 * container restarts under restartPolicy OnFailure) beyond `backoffLimit`, or `activeDeadlineSeconds` passed,
 * fail the Job and delete its active pods. Status: active, ready, succeeded, failed, startTime,
 * completionTime and the Complete / Failed / Suspended conditions (`kubectl wait --for=condition=complete`).
 * A finished Job with `ttlSecondsAfterFinished` is deleted with its pods once that passes.
 * https://kubernetes.io/docs/concepts/workloads/controllers/job/
 */
import { allObjectKeys, byId, deleteObject, getObject, listObjects, parseObjectKey, rfc3339, type KubeObject, type ObjectScope } from '../services/eks/index.js';
import { controllerOf, isReady, ownerKeys, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import { condition, createOwnedPod, isActive, saveStatus } from './kube-workload-pods.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;
const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export const jobFinished = (job: KubeObject): 'Complete' | 'Failed' | undefined =>
  job.status?.conditions?.find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;

const restartsOf = (pod: KubeObject) => (pod.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
const finishedAt = (pod: KubeObject) => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c: any) => Date.parse(c.state?.terminated?.finishedAt ?? '') || 0));

export class KubeJobs implements Controller {
  readonly name = 'kube-jobs';
  readonly concurrency = 4;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => ownerKeys(this.d, k, 'pods', 'batch/jobs', 'Job') }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'batch/jobs') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'batch/jobs') return;
    let requeue: number | undefined;
    writeObjects(this.d, k.cluster, (store, now) => {
      const job = getObject(store, 'batch/jobs', k.namespace, k.name);
      // An owner being deleted in the foreground makes nothing new (its pods are going).
      if (job && !job.metadata.deletionTimestamp) requeue = this.converge(store, now, job);
    });
    return requeue === undefined ? undefined : { requeueAfterMs: Math.max(100, requeue) };
  }

  private converge(store: ObjectScope, now: number, job: KubeObject): number | undefined {
    const ns = job.metadata.namespace!;
    const spec = job.spec ?? {};
    const pods = listObjects(store, 'pods', ns).filter((p) => controllerOf(p)?.uid === job.metadata.uid);
    const active = pods.filter(isActive);
    const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
    const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
    const onFailure = spec.template?.spec?.restartPolicy === 'OnFailure';
    const failures = failedPods.length + (onFailure ? pods.reduce((n, p) => n + restartsOf(p), 0) : 0);
    const prev: any[] = job.status?.conditions ?? [];
    const finished = jobFinished(job);
    const remove = (p: KubeObject) => deleteObject({ store, now }, byId('pods'), ns, p.metadata.name!, {});

    if (finished) {
      for (const p of active) remove(p);
      return this.expire(store, now, job);
    }
    const startTime: string = job.status?.startTime ?? rfc3339(now);
    const status: any = { ...(job.status ?? {}) };
    let conditions = prev.filter((c) => c.type !== 'Suspended');
    let outcome: { type: 'Complete' | 'Failed'; reason: string; message: string } | undefined;
    const deadline = spec.activeDeadlineSeconds;
    if (failures > (spec.backoffLimit ?? 6)) outcome = { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    else if (!spec.suspend && deadline !== undefined && now - Date.parse(startTime) >= deadline * 1000) {
      outcome = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    } else if (spec.completions != null ? succeeded >= spec.completions : succeeded > 0 && active.length === 0) {
      outcome = { type: 'Complete', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
    }
    let requeue: number | undefined;
    if (outcome) {
      for (const p of active) remove(p);
      conditions = [...conditions, condition(prev, outcome.type, 'True', outcome.reason, outcome.message, now)];
      if (outcome.type === 'Complete') status.completionTime = rfc3339(now);
    } else {
      const want = spec.suspend ? 0
        : spec.completions != null ? Math.min(spec.parallelism ?? 1, spec.completions - succeeded) : succeeded > 0 ? 0 : (spec.parallelism ?? 1);
      if (active.length > want) {
        for (const p of active.slice(want)) remove(p);
      } else if (active.length < want) {
        // After a failure, the next pod waits out the controller's back-off (from when the last pod failed).
        const wait = failures ? Math.min(BACKOFF_START_MS * 2 ** (failures - 1), BACKOFF_MAX_MS) : 0;
        const since = now - Math.max(0, ...failedPods.map(finishedAt));
        if (!failedPods.length || since >= wait) for (let i = active.length; i < want; i++) createOwnedPod(store, now, job, spec.template, undefined);
        else requeue = wait - since;
      }
      if (spec.suspend) conditions = [...conditions, condition(prev, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)];
      if (deadline !== undefined && !spec.suspend) requeue = Math.min(requeue ?? Infinity, Date.parse(startTime) + deadline * 1000 - now);
    }
    const owned = listObjects(store, 'pods', ns).filter((p) => controllerOf(p)?.uid === job.metadata.uid);
    const live = owned.filter(isActive);
    const next: any = {
      ...(conditions.length ? { conditions } : {}),
      ...(spec.suspend && !job.status?.startTime ? {} : { startTime }),
      ...(status.completionTime ? { completionTime: status.completionTime } : {}),
      ...(live.length ? { active: live.length } : {}),
      ...(succeeded ? { succeeded } : {}),
      ...(failedPods.length ? { failed: failedPods.length } : {}),
      terminating: owned.filter((p) => p.metadata.deletionTimestamp).length,
      uncountedTerminatedPods: {},
      ready: live.filter(isReady).length,
    };
    saveStatus(store, 'batch/jobs', job, next);
    if (outcome) return this.expire(store, now, { ...job, status: next });
    return requeue;
  }

  /** A finished Job with ttlSecondsAfterFinished goes (with its pods) once the TTL has passed. */
  private expire(store: ObjectScope, now: number, job: KubeObject): number | undefined {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return undefined;
    const done = job.status?.conditions?.find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    const at = Date.parse(job.status?.completionTime ?? done?.lastTransitionTime ?? '') || now;
    const left = at + ttl * 1000 - now;
    if (left > 0) return left;
    deleteObject({ store, now }, byId('batch/jobs'), job.metadata.namespace!, job.metadata.name!, { propagationPolicy: 'Background' });
    return undefined;
  }
}
