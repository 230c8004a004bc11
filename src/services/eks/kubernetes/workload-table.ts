/**
 * `kubectl get` columns of the workload and storage kinds beyond Deployments, as the API server's printers
 * give them (pkg/printers/internalversion): Jobs, CronJobs, StatefulSets, DaemonSets, PersistentVolumeClaims,
 * PersistentVolumes and StorageClasses.
 */
import type { KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { humanDuration } from './table.js';

interface Column { name: string; type: string; format?: string; description: string; priority: number }
type Columns = { defs: Column[]; cells: (o: KubeObject) => unknown[] };

const col = (name: string, type = 'string', priority = 0, format?: string): Column => ({ name, type, priority, description: name, ...(format ? { format } : {}) });
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

function jobStatus(o: KubeObject): string {
  const has = (type: string) => o.status?.conditions?.some((c: any) => c.type === type && c.status === 'True');
  if (has('Complete')) return 'Complete';
  if (has('Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (has('Suspended')) return 'Suspended';
  return 'Running';
}

const csv = (xs: string[]) => xs.join(',') || '<none>';

export function workloadColumns(r: ResourceType, now: number, age: (o: KubeObject) => string): Columns | undefined {
  const since = (t: string | undefined) => (t ? humanDuration(now - Date.parse(t)) : '<none>');
  switch (r.kind) {
    case 'Job':
      return {
        defs: [NAME, col('Status'), col('Completions'), col('Duration'), AGE],
        cells: (o) => [o.metadata.name, jobStatus(o), `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`,
          o.status?.startTime ? humanDuration((Date.parse(o.status.completionTime ?? '') || now) - Date.parse(o.status.startTime)) : '',
          age(o)],
      };
    case 'CronJob':
      return {
        defs: [NAME, col('Schedule'), col('Timezone'), col('Suspend', 'boolean'), col('Active', 'integer'), col('Last Schedule'), AGE],
        cells: (o) => [o.metadata.name, o.spec?.schedule ?? '', o.spec?.timeZone ?? '<none>', o.spec?.suspend ? 'True' : 'False', (o.status?.active ?? []).length,
          since(o.status?.lastScheduleTime), age(o)],
      };
    case 'StatefulSet':
      return { defs: [NAME, col('Ready'), AGE], cells: (o) => [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, age(o)] };
    case 'DaemonSet':
      return {
        defs: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), AGE],
        cells: (o) => {
          const s = o.status ?? {};
          return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0,
            csv(Object.entries<string>(o.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`)), age(o)];
        },
      };
    case 'PersistentVolumeClaim':
      return {
        defs: [NAME, col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('VolumeAttributesClass'), AGE],
        cells: (o) => [o.metadata.name, o.status?.phase ?? 'Pending', o.spec?.volumeName ?? '', o.status?.capacity?.storage ?? '',
          accessModes(o.status?.accessModes ?? []), o.spec?.storageClassName ?? '<unset>', '<unset>', age(o)],
      };
    case 'PersistentVolume':
      return {
        defs: [NAME, col('Capacity'), col('Access Modes'), col('Reclaim Policy'), col('Status'), col('Claim'), col('StorageClass'), col('VolumeAttributesClass'), col('Reason'), AGE],
        cells: (o) => [o.metadata.name, o.spec?.capacity?.storage ?? '', accessModes(o.spec?.accessModes ?? []), o.spec?.persistentVolumeReclaimPolicy ?? '',
          o.status?.phase ?? '', o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '', o.spec?.storageClassName ?? '', '<unset>', o.status?.reason ?? '', age(o)],
      };
    case 'StorageClass':
      return {
        defs: [NAME, col('Provisioner'), col('ReclaimPolicy'), col('VolumeBindingMode'), col('AllowVolumeExpansion', 'boolean'), AGE],
        cells: (o) => [
          o.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ? `${o.metadata.name} (default)` : o.metadata.name,
          o.provisioner ?? '', o.reclaimPolicy ?? 'Delete', o.volumeBindingMode ?? 'Immediate', !!o.allowVolumeExpansion, age(o)],
      };
    default:
      return undefined;
  }
}

const MODES: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const accessModes = (modes: string[]) => modes.map((m) => MODES[m] ?? m).join(',');
