/**
 * kube-cron-jobs: the CronJob controller of EKS clusters' builtin Kubernetes API. Converges one CronJob
 * (key = <cluster>|batch/cronjobs|<namespace>|<name>): at each time its `schedule` names (in `timeZone`, UTC
 * by default) a Job is made from `jobTemplate`, named `<cronjob>-<scheduled minutes since the epoch>` as the
 * CronJob controller names them, unless `suspend`; `concurrencyPolicy` Forbid skips a time while a Job of it
 * is active, Replace deletes the active ones first; a time missed by more than `startingDeadlineSeconds` is
 * skipped. Finished Jobs beyond `successfulJobsHistoryLimit` / `failedJobsHistoryLimit` are deleted oldest
 * first, with their pods. Status: active (references), lastScheduleTime, lastSuccessfulTime.
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 *
 * Schedules run on Berth's clock compressed like the metric minute (`--metrics-period`), as EventBridge's
 * scheduled rules do: a CronJob's virtual clock starts at its creationTimestamp and runs 60 / metricsPeriod
 * times as fast (with the default period, virtual time is real time). Its status times are virtual.
 */
import { nextFireTime, type ScheduleExpression } from '../shared/schedule-expression.js';
import {
  allObjectKeys, byId, createObject, deleteObject, getObject, listObjects, parseKubeCron, parseObjectKey, rfc3339, type KubeObject, type ObjectScope,
} from '../services/eks/index.js';
import { jobFinished } from './kube-jobs.js';
import { controllerOf, ownerKeys, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import { ownerRef, saveStatus } from './kube-workload-pods.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

export interface KubeCronJobsDeps extends KubeWorkloadsDeps {
  metricsPeriod: number;
}

const RESYNC_MS = 300_000;
/** As the controller: more missed times than this since the last one, and it reports rather than counts them. */
const MAX_MISSED = 100;
const SCHEDULED = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export class KubeCronJobs implements Controller {
  readonly name = 'kube-cron-jobs';
  readonly concurrency = 2;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => ownerKeys(this.d, k, 'batch/jobs', 'batch/cronjobs', 'CronJob') }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'batch/cronjobs') }],
  };

  constructor(private readonly d: KubeCronJobsDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'batch/cronjobs') return;
    let requeue: number | undefined;
    writeObjects(this.d, k.cluster, (store, now) => {
      const cj = getObject(store, 'batch/cronjobs', k.namespace, k.name);
      if (cj && !cj.metadata.deletionTimestamp) requeue = this.converge(store, now, cj);
    });
    return requeue === undefined ? undefined : { requeueAfterMs: Math.max(50, requeue) };
  }

  private converge(store: ObjectScope, now: number, cj: KubeObject): number | undefined {
    const ns = cj.metadata.namespace!;
    const spec = cj.spec ?? {};
    const origin = Date.parse(cj.metadata.creationTimestamp ?? '') || now;
    const speed = 60 / this.d.metricsPeriod;
    const virtualNow = origin + (now - origin) * speed;
    const realAt = (virtual: number) => origin + (virtual - origin) / speed;
    const c = { store, now };
    let jobs = listObjects(store, 'batch/jobs', ns).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);

    // History: finished Jobs beyond the limits go, oldest first (with their pods).
    const byAge = (a: KubeObject, b: KubeObject) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '');
    for (const [kind, limit] of [['Complete', spec.successfulJobsHistoryLimit ?? 3], ['Failed', spec.failedJobsHistoryLimit ?? 1]] as const) {
      const done = jobs.filter((j) => jobFinished(j) === kind).sort(byAge);
      for (const j of done.slice(0, Math.max(0, done.length - limit))) deleteObject(c, byId('batch/jobs'), ns, j.metadata.name!, { propagationPolicy: 'Background' });
    }
    jobs = listObjects(store, 'batch/jobs', ns).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);

    let schedule: ScheduleExpression;
    try {
      schedule = parseKubeCron(spec.schedule);
    } catch {
      return undefined; // refused at create; an old object with a bad schedule waits for a fix
    }
    const tz = spec.timeZone ?? 'UTC';
    const last = Date.parse(cj.status?.lastScheduleTime ?? '') || origin;
    let due: number | undefined;
    for (let t = nextFireTime(schedule, last, { timeZone: tz }), n = 0; t !== undefined && t <= virtualNow && n < MAX_MISSED; t = nextFireTime(schedule, t, { timeZone: tz }), n++) due = t;
    let lastScheduleTime: string | undefined = cj.status?.lastScheduleTime;
    const tooLate = due !== undefined && spec.startingDeadlineSeconds != null && virtualNow - due > spec.startingDeadlineSeconds * 1000;
    const active = jobs.filter((j) => !jobFinished(j));
    if (due !== undefined && !spec.suspend && !tooLate && !(spec.concurrencyPolicy === 'Forbid' && active.length)) {
      if (spec.concurrencyPolicy === 'Replace') {
        for (const j of active) deleteObject(c, byId('batch/jobs'), ns, j.metadata.name!, { propagationPolicy: 'Background' });
      }
      const name = `${cj.metadata.name}-${Math.floor(due / 60_000)}`;
      if (!getObject(store, 'batch/jobs', ns, name)) {
        const t = JSON.parse(JSON.stringify(spec.jobTemplate ?? {}));
        createObject(c, byId('batch/jobs'), ns, {
          apiVersion: 'batch/v1', kind: 'Job',
          metadata: {
            ...(t.metadata ?? {}), name, namespace: ns,
            annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED]: rfc3339(due) },
            ownerReferences: [ownerRef({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' })],
          },
          spec: t.spec,
        });
      }
      lastScheduleTime = rfc3339(due);
    }
    const current = listObjects(store, 'batch/jobs', ns).filter((j) => controllerOf(j)?.uid === cj.metadata.uid);
    const succeededAt = current.filter((j) => jobFinished(j) === 'Complete').map((j) => j.status?.completionTime).filter(Boolean).sort();
    const refs = current.filter((j) => !jobFinished(j)).map((j) => ({
      kind: 'Job', namespace: ns, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion,
    }));
    const lastSuccessfulTime = succeededAt.at(-1) ?? cj.status?.lastSuccessfulTime;
    saveStatus(store, 'batch/cronjobs', cj, {
      ...(refs.length ? { active: refs } : {}),
      ...(lastScheduleTime ? { lastScheduleTime } : {}),
      ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    });
    if (spec.suspend) return undefined;
    const next = nextFireTime(schedule, Math.max(virtualNow, last), { timeZone: tz });
    return next === undefined ? undefined : realAt(next) - now;
  }
}
