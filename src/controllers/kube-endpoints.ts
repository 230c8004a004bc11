/**
 * kube-endpoints: the endpoints and EndpointSlice controllers of EKS clusters' builtin Kubernetes API. Converges
 * one Service (key = <cluster>|services|<namespace>|<name>) with a selector: its `v1 Endpoints` (same name) and its
 * `discovery.k8s.io/v1 EndpointSlice` (`<service>-<suffix>`, labelled kubernetes.io/service-name, owned by the
 * Service) list the pods the selector matches that have an IP — ready ones as addresses, the others as
 * notReadyAddresses (ready: false) — with each Service port's target port resolved (a named targetPort is the
 * pod's container port of that name). A Service without a selector is left alone (its Endpoints are the user's);
 * a Service gone takes its Endpoints with it (its slices go with it as its dependents).
 * https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/
 */
import {
  allObjectKeys, byId, createObject, getObject, listObjects, objectKey, parseObjectKey, putObject, removeObject, rfc3339,
  type KubeObject, type ObjectScope,
} from '../services/eks/index.js';
import { isReady, writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';

const selects = (selector: Record<string, string>, pod: KubeObject) =>
  Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);

/** A Service port's number on a pod: a number as is, a name by the pod's container port of that name. */
export function targetPortOn(pod: KubeObject, port: { port: number; targetPort?: number | string; protocol?: string }): number | undefined {
  const t = port.targetPort ?? port.port;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  for (const c of pod.spec?.containers ?? []) {
    const found = (c.ports ?? []).find((p: any) => p.name === t && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (found) return found.containerPort;
  }
  return undefined;
}

interface Member {
  pod: KubeObject;
  ready: boolean;
  ports: { name?: string; port: number; protocol: string }[];
}

/** The pods a Service selects that have an address, with its ports resolved on each. */
function members(store: Pick<ObjectScope, 'sql' | 'cluster'>, svc: KubeObject): Member[] {
  const selector: Record<string, string> = svc.spec.selector;
  return listObjects(store, 'pods', svc.metadata.namespace)
    .filter((p) => selects(selector, p) && p.status?.podIP && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .map((pod) => ({
      pod,
      ready: isReady(pod) && !pod.metadata.deletionTimestamp,
      ports: (svc.spec.ports ?? []).flatMap((sp: any) => {
        const port = targetPortOn(pod, sp);
        return port ? [{ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' }] : [];
      }),
    }));
}

const targetRef = (pod: KubeObject) => ({ kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid });

/** Endpoints' subsets: members grouped by their resolved ports, as the endpoints controller packs them. */
function subsets(all: Member[]) {
  const groups = new Map<string, { addresses: any[]; notReadyAddresses: any[]; ports: Member['ports'] }>();
  for (const m of all) {
    const sig = JSON.stringify(m.ports);
    const g = groups.get(sig) ?? { addresses: [], notReadyAddresses: [], ports: m.ports };
    groups.set(sig, g);
    const address = { ip: m.pod.status.podIP, ...(m.pod.spec?.nodeName ? { nodeName: m.pod.spec.nodeName } : {}), targetRef: targetRef(m.pod) };
    (m.ready ? g.addresses : g.notReadyAddresses).push(address);
  }
  return [...groups.values()].map((g) => ({
    ...(g.addresses.length ? { addresses: g.addresses } : {}),
    ...(g.notReadyAddresses.length ? { notReadyAddresses: g.notReadyAddresses } : {}),
    ...(g.ports.length ? { ports: g.ports } : {}),
  }));
}

export class KubeEndpoints implements Controller {
  readonly name = 'kube-endpoints';
  readonly concurrency = 4;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.kube', keys: (k) => this.servicesOf(k) }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'services') }],
  };

  constructor(private readonly d: KubeWorkloadsDeps) {}

  /** A Service's own change, or a pod's: every Service of its namespace (a selector may match it, or have). */
  private servicesOf(key: string): string[] {
    const k = parseObjectKey(key);
    if (!k) return [];
    if (k.resource === 'services') return [key];
    if (k.resource !== 'pods') return [];
    return listObjects({ sql: this.d.sql, cluster: k.cluster }, 'services', k.namespace)
      .filter((s) => s.spec?.selector)
      .map((s) => objectKey(k.cluster, 'services', k.namespace, s.metadata.name!));
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'services') return;
    writeObjects(this.d, k.cluster, (store, now) => {
      const svc = getObject(store, 'services', k.namespace, k.name);
      if (!svc) {
        const left = getObject(store, 'endpoints', k.namespace, k.name);
        if (left) removeObject(store, 'endpoints', left);
        return;
      }
      if (!svc.spec?.selector || svc.spec.type === 'ExternalName') return;
      const all = members(store, svc);
      this.writeEndpoints(store, now, svc, all);
      this.writeSlice(store, now, svc, all);
    });
  }

  private writeEndpoints(store: ObjectScope, now: number, svc: KubeObject, all: Member[]) {
    const ns = svc.metadata.namespace!;
    const want = subsets(all);
    const labels = { ...(svc.metadata.labels ?? {}), 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' };
    const current = getObject(store, 'endpoints', ns, svc.metadata.name!);
    if (!current) {
      createObject({ store, now }, byId('endpoints'), ns, {
        apiVersion: 'v1', kind: 'Endpoints',
        metadata: { name: svc.metadata.name, namespace: ns, labels, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': rfc3339(now) } },
        ...(want.length ? { subsets: want } : {}),
      });
      return;
    }
    if (JSON.stringify(current.subsets ?? []) === JSON.stringify(want) && JSON.stringify(current.metadata.labels ?? {}) === JSON.stringify(labels)) return;
    const next: KubeObject = {
      ...current, metadata: { ...current.metadata, labels, annotations: { ...(current.metadata.annotations ?? {}), 'endpoints.kubernetes.io/last-change-trigger-time': rfc3339(now) } },
    };
    if (want.length) next.subsets = want;
    else delete next.subsets;
    putObject(store, 'endpoints', next, 'MODIFIED');
  }

  private writeSlice(store: ObjectScope, now: number, svc: KubeObject, all: Member[]) {
    const ns = svc.metadata.namespace!;
    const name = svc.metadata.name!;
    const mine = listObjects(store, 'discovery.k8s.io/endpointslices', ns)
      .filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels?.[MANAGED_BY] === SLICE_CONTROLLER);
    const endpoints = all.map((m) => ({
      addresses: [m.pod.status.podIP],
      conditions: { ready: m.ready, serving: isReady(m.pod), terminating: !!m.pod.metadata.deletionTimestamp },
      ...(m.pod.spec?.nodeName ? { nodeName: m.pod.spec.nodeName } : {}),
      targetRef: targetRef(m.pod),
    }));
    // One slice per Service: the ports of its first member (Kubernetes splits members whose named ports differ).
    const ports = all[0]?.ports ?? (svc.spec.ports ?? []).map((p: any) => ({ ...(p.name ? { name: p.name } : {}), port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
    const labels = { ...(svc.metadata.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY]: SLICE_CONTROLLER };
    const [slice, ...extra] = mine;
    for (const s of extra) removeObject(store, 'discovery.k8s.io/endpointslices', s);
    if (!slice) {
      createObject({ store, now }, byId('discovery.k8s.io/endpointslices'), ns, {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
        metadata: {
          generateName: `${name}-`, namespace: ns, labels,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        addressType: 'IPv4', endpoints, ports,
      });
      return;
    }
    if (JSON.stringify([slice.endpoints, slice.ports, slice.metadata.labels]) === JSON.stringify([endpoints, ports, labels])) return;
    putObject(store, 'discovery.k8s.io/endpointslices', { ...slice, metadata: { ...slice.metadata, labels }, endpoints, ports }, 'MODIFIED');
  }
}
