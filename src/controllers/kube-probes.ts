/**
 * Readiness probes of EKS pods' containers, as the kubelet runs them: `httpGet` (a 2xx or 3xx answer) and
 * `tcpSocket` (a connection) to the port the pod's sandbox published for the probed port on 127.0.0.1 (Berth
 * connects to nothing else: a probed port must be one of the container's declared ports), `exec` (exit code 0)
 * through the engine's exec. Before `initialDelaySeconds` a probe has not passed; each reconcile probes once,
 * and a container with a probe is looked at again every `periodSeconds`.
 * https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
 */
import { connect } from 'node:net';
import type { ContainerState, RuntimeDriver } from '../runtime/driver.js';
import type { KubeObject } from '../services/eks/index.js';

export interface ProbeResult {
  ready: boolean;
  /** When to probe again (ms). */
  againMs: number;
}

/** A probe's port (a number, or a container port's name) as the published loopback address. */
function publishedAddress(pod: KubeObject, pause: ContainerState | undefined, port: number | string): { host: string; port: number } | undefined {
  let n = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : undefined;
  if (n === undefined) {
    for (const c of pod.spec?.containers ?? []) n ??= (c.ports ?? []).find((p: any) => p.name === port)?.containerPort;
  }
  const b = pause?.ports.find((x) => x.containerPort === n && x.protocol === 'tcp');
  return b ? { host: b.hostIp === '0.0.0.0' ? '127.0.0.1' : b.hostIp, port: b.hostPort } : undefined;
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function run(driver: RuntimeDriver, pod: KubeObject, pause: ContainerState | undefined, container: ContainerState, probe: any): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec?.command) {
    try {
      const session = await driver.exec(container.id, { command: probe.exec.command, stdin: false, tty: false, onOutput: () => undefined });
      const code = await Promise.race([session.exited, new Promise<number>((r) => setTimeout(() => r(-1), timeoutMs))]);
      if (code === -1) session.close();
      return code === 0;
    } catch {
      return false;
    }
  }
  const spec = probe.httpGet ?? probe.tcpSocket;
  if (!spec) return true;
  const at = publishedAddress(pod, pause, spec.port);
  if (!at) return false;
  if (probe.tcpSocket) return tcpOpen(at.host, at.port, timeoutMs);
  const scheme = String(spec.scheme ?? 'HTTP').toLowerCase();
  if (scheme !== 'http') return tcpOpen(at.host, at.port, timeoutMs);
  try {
    const headers = Object.fromEntries((spec.httpHeaders ?? []).map((h: { name: string; value: string }) => [h.name, h.value]));
    const res = await fetch(`http://${at.host}:${at.port}${spec.path ?? '/'}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

/** The readiness of a running container with a readiness probe (undefined: it has none). */
export async function readiness(driver: RuntimeDriver, pod: KubeObject, pause: ContainerState | undefined, spec: any,
  container: ContainerState, now: number): Promise<ProbeResult | undefined> {
  const probe = spec.readinessProbe;
  if (!probe) return undefined;
  const periodMs = (probe.periodSeconds ?? 10) * 1000;
  const since = container.startedAt ? now - container.startedAt.getTime() : 0;
  const delayMs = (probe.initialDelaySeconds ?? 0) * 1000;
  if (since < delayMs) return { ready: false, againMs: delayMs - since };
  return { ready: await run(driver, pod, pause, container, probe), againMs: periodMs };
}
