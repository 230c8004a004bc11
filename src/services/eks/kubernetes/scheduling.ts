/**
 * The scheduler of a cluster's builtin API: which node a pending pod is bound to (spec.nodeName).
 *
 * - A pod a Fargate profile selects (namespace and labels, profiles in creation order, as EKS's admission
 *   webhook picks) gets a Fargate node of its own, sized from its requests (nodes.ts fargateSize).
 * - Otherwise the nodes are filtered as kube-scheduler filters them: Ready and not cordoned, `nodeSelector`
 *   labels, taints NoSchedule/NoExecute tolerated, the pod's requests within what the node's pods leave of its
 *   allocatable CPU, memory and pod count; Fargate nodes take only their own pod. Among those that fit, the
 *   least allocated wins (kube-scheduler's default LeastAllocated score), ties by name. The stand-in node
 *   `berth-node` (a cluster without node groups) has no resource accounting: every pod fits, as before.
 * - None fits: the pod stays Pending with PodScheduled False, reason Unschedulable, and kube-scheduler's
 *   message ("0/2 nodes are available: 2 Insufficient cpu. …").
 *
 * Not modelled: affinity and anti-affinity, topology spread, priorities and preemption, PreferNoSchedule scoring.
 */
import { NODE_NAME as STAND_IN_NODE } from './bootstrap.js';
import { fargateNode, fargateSize, FARGATE_POD_ANNOTATION } from './nodes.js';
import { listObjects, putObject, type KubeObject, type ObjectScope } from './objects.js';

/** A Fargate profile as scheduling needs it. */
export interface FargateChoice {
  name: string;
  selectors: { namespace?: string; labels?: Record<string, string> }[];
  /** Subnets the profile places pods in, with their zone and CIDR (the node's address is drawn from it). */
  subnets: { zone: string; cidr: string }[];
}

export interface SchedulingEnv {
  now: number;
  region: string;
  gitVersion: string;
  fargateProfiles: FargateChoice[];
}

export type Placement = { nodeName: string; fargate?: { profile: string; capacity: string } } | { unschedulable: string };

/** A Kubernetes quantity ("250m", "1", "0.5", "128Mi", "1G", "1e3") as a number (CPU: cores; memory: bytes). */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined || q === null || q === '') return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const suffix: Record<string, number> = {
    '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
  };
  return n * (suffix[m[2]] ?? 1);
}

/** A pod's requests: the sum of its containers' (a request left out is its limit, as Kubernetes defaults it), at least each init container's. */
export function podRequests(pod: KubeObject): { cpuMilli: number; memory: number } {
  const of = (c: any, r: 'cpu' | 'memory') => parseQuantity(c.resources?.requests?.[r] ?? c.resources?.limits?.[r]);
  const containers: any[] = pod.spec?.containers ?? [];
  const init: any[] = pod.spec?.initContainers ?? [];
  const cpu = Math.max(containers.reduce((a, c) => a + of(c, 'cpu'), 0), ...init.map((c) => of(c, 'cpu')), 0);
  const memory = Math.max(containers.reduce((a, c) => a + of(c, 'memory'), 0), ...init.map((c) => of(c, 'memory')), 0);
  return { cpuMilli: Math.round(cpu * 1000), memory };
}

const labelsMatch = (want: Record<string, string> | undefined, have: Record<string, string> | undefined) =>
  Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);

/** Whether one of the pod's tolerations tolerates a taint (operator Exists or Equal, empty key with Exists tolerates all). */
export function tolerates(tolerations: any[] | undefined, taint: { key: string; value?: string; effect: string }): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** The first Fargate profile that selects the pod. */
export function fargateProfileFor(pod: KubeObject, profiles: FargateChoice[]): FargateChoice | undefined {
  return profiles.find((p) => p.selectors.some((s) => s.namespace === pod.metadata.namespace && labelsMatch(s.labels, pod.metadata.labels)));
}

/** A private address in `cidr` derived from the pod's uid (a label, never a destination). */
function addressIn(cidr: string, seed: string): string {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = base.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const n = start + 4 + (h % Math.max(1, size - 5));
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

const isReady = (n: KubeObject) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const terminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/**
 * Where the pending `pod` goes among the cluster's nodes; a Fargate node made for it is written to `store`.
 */
export function schedulePod(store: ObjectScope, pod: KubeObject, env: SchedulingEnv): Placement {
  const req = podRequests(pod);
  const profile = fargateProfileFor(pod, env.fargateProfiles);
  if (profile) {
    const size = fargateSize(req.cpuMilli, req.memory);
    if (!size) return { unschedulable: 'Pod resource requests exceed the largest Fargate configuration (16 vCPU, 120 GB).' };
    const subnet = profile.subnets[Math.abs([...pod.metadata.uid ?? ''].reduce((a, c) => a + c.charCodeAt(0), 0)) % Math.max(1, profile.subnets.length)];
    const node = fargateNode({
      privateIp: addressIn(subnet?.cidr ?? '10.0.0.0/16', pod.metadata.uid ?? pod.metadata.name!), zone: subnet?.zone ?? `${env.region}a`, region: env.region,
      profile: profile.name, pod, vcpu: size.vcpu, memoryGiB: size.memoryGiB, gitVersion: env.gitVersion,
    }, env.now);
    putObject(store, 'nodes', node, 'ADDED');
    return { nodeName: node.metadata.name!, fargate: { profile: profile.name, capacity: `${size.vcpu}vCPU ${size.memoryGiB}GB` } };
  }
  const nodes = listObjects(store, 'nodes');
  const pods = listObjects(store, 'pods').filter((p) => p.spec?.nodeName && !terminal(p));
  const reasons = new Map<string, number>();
  const reject = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const fits: { name: string; score: number }[] = [];
  for (const n of nodes) {
    if (n.metadata.annotations?.[FARGATE_POD_ANNOTATION]) {
      reject("node(s) had untolerated taint {eks.amazonaws.com/compute-type: fargate}");
      continue;
    }
    if (!isReady(n)) { reject('node(s) were not ready'); continue; }
    if (n.spec?.unschedulable) { reject('node(s) were unschedulable'); continue; }
    if (!labelsMatch(pod.spec?.nodeSelector, n.metadata.labels)) { reject("node(s) didn't match Pod's node affinity/selector"); continue; }
    const taint = (n.spec?.taints ?? []).find((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec?.tolerations, t));
    if (taint) { reject(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`); continue; }
    const on = pods.filter((p) => p.spec.nodeName === n.metadata.name);
    const used = on.map(podRequests).reduce((a, r) => ({ cpuMilli: a.cpuMilli + r.cpuMilli, memory: a.memory + r.memory }), { cpuMilli: 0, memory: 0 });
    const cpu = Math.round(parseQuantity(n.status?.allocatable?.cpu) * 1000);
    const memory = parseQuantity(n.status?.allocatable?.memory);
    const maxPods = parseQuantity(n.status?.allocatable?.pods ?? '110');
    // The stand-in node (no node group yet: the engine itself) takes every pod, as it did before scheduling existed.
    if (n.metadata.name === STAND_IN_NODE) { fits.push({ name: n.metadata.name, score: 1 }); continue; }
    let failed = false;
    if (on.length + 1 > maxPods) { reject('Too many pods'); failed = true; }
    if (used.cpuMilli + req.cpuMilli > cpu) { reject('Insufficient cpu'); failed = true; }
    if (used.memory + req.memory > memory) { reject('Insufficient memory'); failed = true; }
    if (failed) continue;
    const free = ((cpu - used.cpuMilli - req.cpuMilli) / Math.max(cpu, 1) + (memory - used.memory - req.memory) / Math.max(memory, 1)) / 2;
    fits.push({ name: n.metadata.name!, score: free });
  }
  if (fits.length) {
    fits.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
    return { nodeName: fits[0].name };
  }
  const detail = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([why, count]) => `${count} ${why}`).join(', ');
  return { unschedulable: `0/${nodes.length} nodes are available${detail ? `: ${detail}` : ''}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.` };
}
