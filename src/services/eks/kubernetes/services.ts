/**
 * What the API server does to a Service when it is written: its defaults (type ClusterIP, ports' protocol
 * and targetPort, session affinity, IP family, traffic policies), its checks (422 Invalid), and the
 * addresses it allocates — a cluster IP from the cluster's service CIDR (EKS's `serviceIpv4Cidr`) and, for
 * NodePort and LoadBalancer Services, a node port in 30000–32767 — kept across updates (a cluster IP is
 * immutable; a port keeps its node port).
 * https://kubernetes.io/docs/concepts/services-networking/service/
 */
import { clusterByUid, clusterDoc } from '../store.js';
import type { VerbContext } from './crud.js';
import { listObjects, type KubeObject } from './objects.js';
import { invalid } from './status.js';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
/** Used when the cluster row has no CIDR (EKS's default for a VPC outside 10/8). */
const DEFAULT_CIDR = '10.100.0.0/16';

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The cluster's service CIDR as [first, size]. */
function serviceRange(c: VerbContext): [number, number] {
  const row = clusterByUid(c.store.sql, c.store.cluster);
  const cidr = (row && clusterDoc(row).kubernetesNetworkConfig?.serviceIpv4Cidr) || DEFAULT_CIDR;
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return [ipToInt(base) - (ipToInt(base) % size), size];
}

/** The cluster's first service address (the `kubernetes` Service's, as on every cluster). */
export function firstServiceIp(c: VerbContext): string {
  return intToIp(serviceRange(c)[0] + 1);
}

function allocateClusterIp(c: VerbContext, others: KubeObject[]): string {
  const [first, size] = serviceRange(c);
  const used = new Set(others.flatMap((s) => s.spec?.clusterIPs ?? [s.spec?.clusterIP]).filter(Boolean));
  // Random within the range, as the API server allocates (.1 is the kubernetes Service's).
  const start = 2 + Math.floor(Math.random() * (size - 3));
  for (let i = 0; i < size - 3; i++) {
    const ip = intToIp(first + 2 + ((start - 2 + i) % (size - 3)));
    if (!used.has(ip)) return ip;
  }
  throw invalid('Service', '', '', [{ field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' }]);
}

function allocateNodePort(used: Set<number>): number {
  const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = NODE_PORT_MIN + ((start + i) % span);
    if (!used.has(port)) return port;
  }
  throw invalid('Service', '', '', [{ field: 'spec.ports[0].nodePort', message: 'Internal error: failed to allocate a nodePort: range is full' }]);
}

/** Fills in, checks and allocates a Service's spec; `current` is the stored Service an update replaces. */
export function prepareService(c: VerbContext, svc: KubeObject, current?: KubeObject): void {
  const name = svc.metadata.name!;
  const fail = (field: string, message: string) => invalid('Service', '', name, [{ field, message }]);
  const spec = (svc.spec ??= {});
  spec.type ??= 'ClusterIP';
  if (!TYPES.includes(spec.type)) throw fail('spec.type', `Unsupported value: "${spec.type}": supported values: "${TYPES.join('", "')}"`);
  spec.sessionAffinity ??= 'None';
  const ports: any[] = (spec.ports ??= []);
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) throw fail('spec.externalName', 'Required value');
  } else {
    if (!ports.length && spec.clusterIP !== 'None') throw fail('spec.ports', 'Required value');
    spec.internalTrafficPolicy ??= 'Cluster';
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  ports.forEach((p, i) => {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) throw fail(`spec.ports[${i}].port`, `Invalid value: ${p.port}: must be between 1 and 65535, inclusive`);
    if (ports.length > 1 && !p.name) throw fail(`spec.ports[${i}].name`, 'Required value');
    p.protocol ??= 'TCP';
    p.targetPort ??= p.port;
  });
  const names = ports.map((p) => p.name).filter(Boolean);
  if (new Set(names).size !== names.length) throw fail('spec.ports[1].name', 'Duplicate value');
  const others = listObjects(c.store, 'services').filter((s) => !(s.metadata.namespace === svc.metadata.namespace && s.metadata.name === name));
  if (spec.type !== 'ExternalName') {
    const was = current?.spec?.clusterIP;
    if (was && spec.clusterIP && spec.clusterIP !== was) throw fail('spec.clusterIPs[0]', 'Invalid value: field is immutable');
    spec.clusterIP ??= was ?? allocateClusterIp(c, others);
    spec.clusterIPs = [spec.clusterIP];
  } else {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (external) {
    spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    const used = new Set<number>(others.flatMap((s) => (s.spec?.ports ?? []).map((p: any) => p.nodePort).filter(Boolean)));
    ports.forEach((p, i) => {
      if (p.nodePort !== undefined) {
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
          throw fail(`spec.ports[${i}].nodePort`, `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
        }
        if (used.has(p.nodePort) && !current?.spec?.ports?.some((q: any) => q.nodePort === p.nodePort)) {
          throw fail(`spec.ports[${i}].nodePort`, `Invalid value: ${p.nodePort}: provided port is already allocated`);
        }
      } else {
        const kept = current?.spec?.ports?.find((q: any) => q.port === p.port && q.protocol === p.protocol)?.nodePort;
        p.nodePort = kept ?? allocateNodePort(used);
      }
      used.add(p.nodePort);
    });
  } else {
    for (const p of ports) delete p.nodePort;
    delete spec.externalTrafficPolicy;
  }
  svc.status ??= { loadBalancer: {} };
}
