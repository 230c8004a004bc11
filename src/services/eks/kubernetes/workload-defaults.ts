/**
 * What the API server fills in and checks for the workload kinds beyond Deployments: Jobs (the selector and
 * labels it generates from the Job's uid, restartPolicy Never or OnFailure, backoffLimit 6…), CronJobs
 * (schedule in cron syntax, concurrencyPolicy, history limits), StatefulSets and DaemonSets (update
 * strategies), as `kubectl get -o yaml` shows them back.
 * https://kubernetes.io/docs/concepts/workloads/controllers/
 */
import { parseKubeCron } from './cron.js';
import { podSpecDefaults, validateWorkload } from './defaults.js';
import type { KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { invalid } from './status.js';

/** The labels a Job puts on its pods (and selects them by), from its uid, as the API server generates them. */
export const JOB_LABELS = { uid: 'batch.kubernetes.io/controller-uid', name: 'batch.kubernetes.io/job-name', legacyUid: 'controller-uid', legacyName: 'job-name' };

function jobSpecDefaults(r: ResourceType, obj: KubeObject, spec: any, at: string, uid: string | undefined, name: string): void {
  const fail = (field: string, message: string) => invalid(r.kind, r.group, obj.metadata.name!, [{ field: `${at}.${field}`, message }]);
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= 'TerminatingOrFailed';
  for (const f of ['completions', 'parallelism', 'backoffLimit'] as const) {
    if (spec[f] !== undefined && spec[f] !== null && (!Number.isInteger(spec[f]) || spec[f] < 0)) throw fail(f, `Invalid value: ${spec[f]}: must be greater than or equal to 0`);
  }
  spec.template ??= {};
  spec.template.metadata ??= {};
  const policy = spec.template.spec?.restartPolicy;
  if (policy !== 'Never' && policy !== 'OnFailure') {
    throw fail('template.spec.restartPolicy', policy === undefined ? 'Required value: valid values: "OnFailure", "Never"'
      : `Unsupported value: "${policy}": supported values: "OnFailure", "Never"`);
  }
  if (uid && !spec.manualSelector) {
    // The selector is the Job's own uid (a Job made from a CronJob's template gets its own).
    spec.selector ??= { matchLabels: { [JOB_LABELS.uid]: uid } };
    spec.template.metadata.labels = {
      ...(spec.template.metadata.labels ?? {}), [JOB_LABELS.uid]: uid, [JOB_LABELS.name]: name, [JOB_LABELS.legacyUid]: uid, [JOB_LABELS.legacyName]: name,
    };
  }
  podSpecDefaults(spec.template.spec);
}

export function applyWorkloadDefaults(r: ResourceType, obj: KubeObject): void {
  const name = obj.metadata.name!;
  switch (r.kind) {
    case 'Job':
      obj.spec ??= {};
      jobSpecDefaults(r, obj, obj.spec, 'spec', obj.metadata.uid, name);
      // A Job without labels takes its pods' (SetDefaults_Job).
      if (!Object.keys(obj.metadata.labels ?? {}).length && obj.spec.template.metadata.labels) obj.metadata.labels = { ...obj.spec.template.metadata.labels };
      obj.status ??= {};
      break;
    case 'CronJob': {
      const spec = (obj.spec ??= {});
      if (!spec.schedule) throw invalid(r.kind, r.group, name, [{ field: 'spec.schedule', message: 'Required value' }]);
      try {
        parseKubeCron(spec.schedule);
      } catch (err) {
        throw invalid(r.kind, r.group, name, [{ field: 'spec.schedule', message: `Invalid value: "${spec.schedule}": ${(err as Error).message}` }]);
      }
      spec.concurrencyPolicy ??= 'Allow';
      if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
        throw invalid(r.kind, r.group, name, [{ field: 'spec.concurrencyPolicy', message: `Unsupported value: "${spec.concurrencyPolicy}": supported values: "Allow", "Forbid", "Replace"` }]);
      }
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      spec.jobTemplate ??= {};
      spec.jobTemplate.metadata ??= {};
      jobSpecDefaults(r, obj, (spec.jobTemplate.spec ??= {}), 'spec.jobTemplate.spec', undefined, name);
      obj.status ??= {};
      break;
    }
    case 'StatefulSet':
      validateWorkload(r, obj);
      obj.spec.replicas ??= 1;
      obj.spec.podManagementPolicy ??= 'OrderedReady';
      obj.spec.updateStrategy ??= { type: 'RollingUpdate' };
      if (obj.spec.updateStrategy.type === 'RollingUpdate') obj.spec.updateStrategy.rollingUpdate = { partition: 0, ...(obj.spec.updateStrategy.rollingUpdate ?? {}) };
      obj.spec.revisionHistoryLimit ??= 10;
      obj.spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      (obj.spec.volumeClaimTemplates ?? []).forEach((t: any, i: number) => {
        const at = `spec.volumeClaimTemplates[${i}]`;
        if (!t?.metadata?.name) throw invalid(r.kind, r.group, name, [{ field: `${at}.metadata.name`, message: 'Required value' }]);
        if (!t.spec?.accessModes?.length) throw invalid(r.kind, r.group, name, [{ field: `${at}.spec.accessModes`, message: 'Required value: at least 1 access mode is required' }]);
        if (!t.spec?.resources?.requests?.storage) throw invalid(r.kind, r.group, name, [{ field: `${at}.spec.resources[storage]`, message: 'Required value' }]);
      });
      obj.spec.template.metadata ??= {};
      podSpecDefaults(obj.spec.template.spec);
      obj.status ??= { replicas: 0, availableReplicas: 0 };
      break;
    case 'DaemonSet':
      validateWorkload(r, obj);
      obj.spec.updateStrategy ??= { type: 'RollingUpdate' };
      if (obj.spec.updateStrategy.type === 'RollingUpdate') obj.spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...(obj.spec.updateStrategy.rollingUpdate ?? {}) };
      obj.spec.revisionHistoryLimit ??= 10;
      obj.spec.template.metadata ??= {};
      podSpecDefaults(obj.spec.template.spec);
      obj.status ??= { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      break;
    case 'PersistentVolumeClaim':
      obj.spec ??= {};
      obj.spec.volumeMode ??= 'Filesystem';
      if (!obj.spec.accessModes?.length) throw invalid(r.kind, r.group, name, [{ field: 'spec.accessModes', message: 'Required value: at least 1 access mode is required' }]);
      if (!obj.spec.resources?.requests?.storage) throw invalid(r.kind, r.group, name, [{ field: 'spec.resources[storage]', message: 'Required value' }]);
      obj.status ??= { phase: 'Pending' };
      break;
    case 'PersistentVolume':
      obj.spec ??= {};
      obj.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      obj.spec.volumeMode ??= 'Filesystem';
      obj.status ??= { phase: 'Available' };
      break;
    case 'StorageClass':
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
      if (!obj.provisioner) throw invalid(r.kind, r.group, name, [{ field: 'provisioner', message: 'Required value' }]);
      break;
    default:
      break;
  }
}
