/**
 * Server-side printing: what `kubectl get` asks for (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`)
 * and prints as is, with the columns the API server's printers give each served kind.
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
 */
import type { KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { workloadColumns } from './workload-table.js';

interface Column { name: string; type: string; format?: string; description: string; priority: number }

/** apimachinery's HumanDuration: 45s, 5m3s, 2d4h… */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const col = (name: string, type = 'string', priority = 0, format?: string): Column => ({ name, type, priority, description: name, ...(format ? { format } : {}) });
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason && p.status?.phase !== 'Running') return c.state.terminated.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? 'Pending';
}

/** A Service's EXTERNAL-IP column, as kubectl's printer makes it. */
function externalIp(o: KubeObject): string {
  const ingress: any[] = o.status?.loadBalancer?.ingress ?? [];
  if (o.spec?.type === 'ExternalName') return o.spec.externalName ?? '<none>';
  if (o.spec?.type === 'LoadBalancer') return ingress.map((i) => i.ip ?? i.hostname).join(',') || '<pending>';
  return (o.spec?.externalIPs ?? []).join(',') || '<none>';
}

/** At most three addresses, then how many more (the printer's formatEndpoints). */
const endpointList = (all: string[]) => (all.length ? all.slice(0, 3).join(',') + (all.length > 3 ? ` + ${all.length - 3} more...` : '') : '<none>');

function columns(r: ResourceType, now: number): { defs: Column[]; cells: (o: KubeObject) => unknown[] } {
  const age = (o: KubeObject) => (o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : '<unknown>');
  switch (r.kind) {
    case 'Namespace':
      return { defs: [NAME, col('Status'), AGE], cells: (o) => [o.metadata.name, o.status?.phase ?? '', age(o)] };
    case 'ConfigMap':
      return { defs: [NAME, col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o)] };
    case 'Secret':
      return { defs: [NAME, col('Type'), col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, o.type ?? '', Object.keys(o.data ?? {}).length, age(o)] };
    case 'ServiceAccount':
      return { defs: [NAME, col('Secrets', 'integer'), AGE], cells: (o) => [o.metadata.name, (o.secrets ?? []).length, age(o)] };
    case 'Node':
      return {
        defs: [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1)],
        cells: (o) => [o.metadata.name, o.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady', '<none>', age(o),
          o.status?.nodeInfo?.kubeletVersion ?? '', o.status?.addresses?.find((a: any) => a.type === 'InternalIP')?.address ?? '<none>'],
      };
    case 'Pod':
      return {
        defs: [NAME, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 'string', 1), col('Node', 'string', 1)],
        cells: (o) => {
          const statuses = o.status?.containerStatuses ?? [];
          const restarts = statuses.reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
          return [o.metadata.name, `${statuses.filter((c: any) => c.ready).length}/${(o.spec?.containers ?? []).length}`, podStatus(o), String(restarts), age(o),
            o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>'];
        },
      };
    case 'Deployment':
      return {
        defs: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE],
        cells: (o) => [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, o.status?.updatedReplicas ?? 0, o.status?.availableReplicas ?? 0, age(o)],
      };
    case 'ReplicaSet':
      return {
        defs: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE],
        cells: (o) => [o.metadata.name, o.spec?.replicas ?? 0, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o)],
      };
    case 'Service':
      return {
        defs: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
        cells: (o) => [o.metadata.name, o.spec?.type ?? '', o.spec?.clusterIP ?? '<none>', externalIp(o),
          (o.spec?.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>', age(o),
          Object.entries(o.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
      };
    case 'Endpoints':
      return {
        defs: [NAME, col('Endpoints'), AGE],
        cells: (o) => [o.metadata.name, endpointList((o.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).flatMap((a: any) => (s.ports ?? [{}]).map((p: any) => `${a.ip}${p.port ? `:${p.port}` : ''}`)))), age(o)],
      };
    case 'EndpointSlice':
      return {
        defs: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
        cells: (o) => [o.metadata.name, o.addressType ?? '', (o.ports ?? []).map((p: any) => p.port).join(',') || '<unset>',
          endpointList((o.endpoints ?? []).flatMap((e: any) => e.addresses ?? [])), age(o)],
      };
    case 'Event':
      return {
        defs: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
        cells: (o) => [o.lastTimestamp ? humanDuration(now - Date.parse(o.lastTimestamp)) : '<unknown>', o.type ?? '', o.reason ?? '',
          `${(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}`, o.message ?? ''],
      };
    default:
      return workloadColumns(r, now, age) ?? { defs: [NAME, AGE], cells: (o) => [o.metadata.name, age(o)] };
  }
}

/** A Table of objects; each row carries the object itself, or its metadata only (includeObject=Metadata, the default). */
export function toTable(r: ResourceType, objects: KubeObject[], listMeta: Record<string, unknown>, includeObject: string | null, now: number) {
  const { defs, cells } = columns(r, now);
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions: defs,
    rows: objects.map((o) => ({
      cells: cells(o),
      object: includeObject === 'Object' ? o
        : includeObject === 'None' ? undefined
          : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

/** Whether the client asks for a Table (kubectl get's Accept header). */
export const wantsTable = (accept: string | undefined) => !!accept && /as=Table/.test(accept.split(',')[0] ?? '');
