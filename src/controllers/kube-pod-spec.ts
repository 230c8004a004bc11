/**
 * A Kubernetes pod's containers as the runtime's ContainerSpecs, as a kubelet with Docker makes them:
 * a pause container holds the pod's network namespace (its IP is the pod IP) and each container joins
 * it (`container:<pause id>`), so the pod's containers reach each other on localhost. `command` replaces
 * the image's entrypoint and `args` its command; env (value, configMapKeyRef, secretKeyRef, envFrom);
 * limits.memory and limits.cpu become the container's hard limits. Labels say which cluster, pod and
 * container a container is, so a restarted Berth adopts its pods' containers.
 */
import type { ContainerSpec, ContainerState, PortBinding, RuntimeDriver } from '../runtime/driver.js';
import { getObject, POD_IDENTITY, PUBLISHED_PORTS, type KubeObject, type ObjectScope, type PodLogQuery } from '../services/eks/index.js';

export { PUBLISHED_PORTS };
import { LABELS } from './container-spec.js';

export const KUBE_LABELS = {
  cluster: 'berth.kube-cluster',
  /** `<cluster uid>|<namespace>|<pod name>`: the pod's key without the resource. */
  pod: 'berth.kube-pod',
  podUid: 'berth.kube-pod-uid',
} as const;

export const podLabelValue = (cluster: string, ns: string, name: string) => `${cluster}|${ns}|${name}`;

const UNITS: Record<string, number> = {
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, '': 1, m: 1e-3,
};

/** A Kubernetes quantity (`512Mi`, `1G`, `500m`, `0.5`) as a number of its base unit. */
export function quantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || !(m[2] in UNITS)) return undefined;
  return Number(m[1]) * UNITS[m[2]];
}

function env(store: Pick<ObjectScope, 'sql' | 'cluster'>, ns: string, c: any): Record<string, string> {
  const out: Record<string, string> = {};
  const fromObject = (resource: string, name: string) => getObject(store, resource, ns, name);
  for (const src of c.envFrom ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    const obj = ref && fromObject(src.configMapRef ? 'configmaps' : 'secrets', ref.name);
    for (const [k, v] of Object.entries<string>(obj?.data ?? {})) out[`${src.prefix ?? ''}${k}`] = src.secretRef ? Buffer.from(v, 'base64').toString('utf8') : v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) out[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, n) => out[n] ?? all);
    else if (e.valueFrom?.configMapKeyRef) {
      const v = fromObject('configmaps', e.valueFrom.configMapKeyRef.name)?.data?.[e.valueFrom.configMapKeyRef.key];
      if (v !== undefined) out[e.name] = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const v = fromObject('secrets', e.valueFrom.secretKeyRef.name)?.data?.[e.valueFrom.secretKeyRef.key];
      if (v !== undefined) out[e.name] = Buffer.from(v, 'base64').toString('utf8');
    } else if (e.valueFrom?.fieldRef) {
      const path: string = e.valueFrom.fieldRef.fieldPath;
      out[e.name] = path === 'metadata.name' ? '' : path === 'metadata.namespace' ? ns : '';
    }
  }
  return out;
}

export interface PodContext {
  store: Pick<ObjectScope, 'sql' | 'cluster'>;
  pod: KubeObject;
  instanceId: string;
  /** What Berth adds to every container (AWS_ENDPOINT_URL: Berth's API as containers reach it); the pod's own env wins. */
  injectedEnv?: Record<string, string>;
  /** Where the Pod Identity Agent answers when not at its link-local address (PodEnvironment.podIdentityUri). */
  podIdentityUri?: string;
}

/** What the kubelet adds to pods' containers beyond their spec: Berth's own environment and the Pod Identity Agent. */
export interface PodEnvironment {
  /** Environment for every pod container (AWS_ENDPOINT_URL, as ECS tasks get it). */
  env(): Promise<Record<string, string>>;
  /** The URI pods reach the Pod Identity Agent at (started on first need), or undefined when it cannot be served. */
  podIdentityUri(): Promise<string | undefined>;
}

/** Whether the Pod Identity webhook gave the pod its token (services/eks pod-identity-webhook.ts). */
export const usesPodIdentity = (pod: KubeObject) => (pod.spec?.volumes ?? []).some((v: any) => v.name === POD_IDENTITY.volume);

function containerEnv(p: PodContext, c: any): Record<string, string> {
  const out = { ...(p.injectedEnv ?? {}), ...env(p.store, p.pod.metadata.namespace!, c) };
  // The agent's link-local address could not be given to the bridge: the webhook's URI would reach nothing.
  if (out.AWS_CONTAINER_CREDENTIALS_FULL_URI === POD_IDENTITY.fullUri && p.podIdentityUri) out.AWS_CONTAINER_CREDENTIALS_FULL_URI = p.podIdentityUri;
  return out;
}

export function podBaseLabels(p: PodContext, role: 'pause' | 'container', containerName: string): Record<string, string> {
  const m = p.pod.metadata;
  return {
    [LABELS.managed]: 'true',
    [LABELS.instance]: p.instanceId,
    [LABELS.containerName]: containerName,
    [LABELS.role]: role,
    [KUBE_LABELS.cluster]: p.store.cluster,
    [KUBE_LABELS.pod]: podLabelValue(p.store.cluster, m.namespace!, m.name!),
    [KUBE_LABELS.podUid]: m.uid!,
  };
}

const engineName = (p: PodContext, container: string) =>
  `berth-k8s-${p.pod.metadata.namespace}-${p.pod.metadata.name}-${container}-${p.pod.metadata.uid!.slice(0, 8)}`.replace(/[^a-zA-Z0-9_.-]/g, '-');

export function pauseSpec(p: PodContext, image: string): ContainerSpec {
  // The pause image's entrypoint is sleep: it sleeps as long as sleep can (as the ECS pause container does).
  return {
    name: engineName(p, 'POD'), image, labels: podBaseLabels(p, 'pause', 'POD'), command: ['2147483647'], networkMode: 'bridge',
    hostname: p.pod.metadata.name, stopTimeoutSeconds: 0, ports: podPorts(p.pod),
  };
}

/**
 * The ports the pod's sandbox publishes on 127.0.0.1: every declared container port (its `hostPort` when it has one,
 * else one the engine picks). Services' traffic reaches the pod only through them (PUBLISHED_PORTS below).
 */
function podPorts(pod: KubeObject): PortBinding[] {
  const seen = new Set<string>();
  const out: PortBinding[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const port of c.ports ?? []) {
      const protocol = String(port.protocol ?? 'TCP').toLowerCase() === 'udp' ? 'udp' : 'tcp';
      if (!port.containerPort || protocol !== 'tcp' || seen.has(`${port.containerPort}`)) continue;
      seen.add(`${port.containerPort}`);
      out.push({ containerPort: port.containerPort, protocol, hostPort: port.hostPort ?? 0, hostIp: '127.0.0.1' });
    }
  }
  return out;
}

/**
 * What the kubelet records on the pod (annotation PUBLISHED_PORTS): the loopback ports its sandbox published,
 * `{"<containerPort>/TCP": "127.0.0.1:<port>"}`, what a Service's load balancer and port-forward connect to.
 */
export function publishedPorts(pause: ContainerState | undefined): Record<string, string> {
  return Object.fromEntries((pause?.ports ?? []).map((b) => [`${b.containerPort}/${b.protocol.toUpperCase()}`, `${b.hostIp === '0.0.0.0' ? '127.0.0.1' : b.hostIp}:${b.hostPort}`]));
}

/** `image`: the reference the engine pulled (Berth's ECR images have a local name); the pod's own by default. */
export function containerSpec(p: PodContext, c: any, pauseId: string, image: string = c.image): ContainerSpec {
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const memory = quantity(limits.memory);
  const cpu = quantity(limits.cpu);
  const cpuRequest = quantity(requests.cpu);
  return {
    name: engineName(p, c.name),
    image,
    labels: podBaseLabels(p, 'container', c.name),
    env: containerEnv(p, c),
    ...(c.command ? { entryPoint: c.command } : {}),
    ...(c.args ? { command: c.args } : {}),
    ...(c.workingDir ? { workingDirectory: c.workingDir } : {}),
    ...(memory ? { memoryBytes: Math.floor(memory) } : {}),
    ...(cpu ? { cpuLimit: cpu } : {}),
    ...(cpuRequest ? { cpuUnits: Math.max(2, Math.round(cpuRequest * 1024)) } : {}),
    networkMode: `container:${pauseId}`,
    stopTimeoutSeconds: p.pod.spec?.terminationGracePeriodSeconds ?? 30,
  };
}

const LINE_SLACK_MS = 50;

/** `kubectl logs`: the container's output from the engine (tailLines from the end; follow keeps streaming). */
export async function podLogs(driver: RuntimeDriver, q: PodLogQuery): Promise<boolean> {
  const found = await driver.listContainers({ [KUBE_LABELS.podUid]: q.pod.metadata.uid!, [LABELS.containerName]: q.container, [LABELS.role]: 'container' });
  const c = found[0];
  if (!c) return false;
  const lines: string[] = [];
  const format = (l: { timestamp: Date; message: string }) => `${q.timestamps ? `${l.timestamp.toISOString()} ` : ''}${l.message}\n`;
  let live = false;
  // A restarted container keeps its log: the current instance's output starts at its start, the previous one's
  // between the replaced instance's start (lastState, second precision: a second of slack) and that start. The engine
  // may stamp an instance's first line a moment before the start it records: LINE_SLACK_MS of slack there too.
  const restarted = (q.pod.status?.containerStatuses ?? []).find((s: any) => s.name === q.container && s.restartCount > 0);
  const boundary = c.startedAt && (q.previous || restarted) ? new Date(c.startedAt.getTime() - LINE_SLACK_MS) : undefined;
  const previousStart = restarted?.lastState?.terminated?.startedAt ? new Date(Date.parse(restarted.lastState.terminated.startedAt) - 1000) : undefined;
  const latest = (...ds: (Date | undefined)[]) => ds.filter((d): d is Date => !!d).sort((a, b) => b.getTime() - a.getTime())[0];
  const from = q.previous ? latest(q.since, previousStart) : latest(q.since, boundary);
  const done = driver.logs(c.id, {
    follow: q.follow, signal: q.signal, ...(from ? { since: from } : {}),
    onLine: (l) => {
      if (q.previous && boundary && l.timestamp >= boundary) return;
      if (live) q.write(format(l));
      else lines.push(format(l));
    },
  });
  if (!q.follow) {
    await done.catch(() => undefined);
    const out = q.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - q.tailLines)) : lines;
    q.write(out.join(''));
    return true;
  }
  // Following: what was written so far (tailed) first, then each line as it comes.
  await new Promise((r) => setTimeout(r, 50));
  const out = q.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - q.tailLines)) : lines;
  q.write(out.join(''));
  live = true;
  await done.catch(() => undefined);
  return true;
}
