/**
 * Probes of EKS pods' containers, as the kubelet runs them
 * (https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/): `httpGet` (a 2xx or 3xx
 * answer) and `tcpSocket` (a connection) to the port the pod's sandbox published for the probed port on 127.0.0.1
 * (Berth connects to nothing else: a probed port must be one of the container's declared ports), `exec` (exit code 0)
 * through the engine's exec.
 *
 * Each container instance (a restart is a new one) has a track per probe: nothing before `initialDelaySeconds`
 * from its start, then one probe every `periodSeconds` (`timeoutSeconds` each); a result counts once it repeats
 * `successThreshold` (always 1 for liveness and startup) or `failureThreshold` (3) times in a row. Until the startup
 * probe has succeeded the container is not started and neither liveness nor readiness runs; a startup or liveness
 * probe that fails makes the kubelet kill the container (kube-pods restarts it per restartPolicy). Readiness starts
 * failed and liveness passed, as the kubelet's initial results. The tracks live in memory, as the kubelet's prober
 * workers: a restarted Berth probes afresh.
 */
import { connect } from 'node:net';
import type { ContainerState, RuntimeDriver } from '../runtime/driver.js';
import type { KubeObject } from '../services/eks/index.js';

export type ProbeKind = 'startup' | 'liveness' | 'readiness';
const KIND_NAME: Record<ProbeKind, string> = { startup: 'Startup', liveness: 'Liveness', readiness: 'Readiness' };

export interface ProbeRun {
  ok: boolean;
  /** Why it failed, in the kubelet's words ("HTTP probe failed with statuscode: 500"). */
  message: string;
}

/** Runs one probe of a container. */
export type RunProbe = (probe: any) => Promise<ProbeRun>;

interface Track {
  successes: number;
  failures: number;
  /** The settled result. */
  ok: boolean;
  nextAt: number;
}

interface Instance {
  /** The container instance: engine id and start time. */
  id: string;
  started: boolean;
  tracks: Partial<Record<ProbeKind, Track>>;
}

export interface ProbeOutcome {
  /** Whether the startup probe has succeeded (true without one). */
  started: boolean;
  /** Readiness: started, and the readiness probe's result (true without one). */
  ready: boolean;
  /** The kubelet's Unhealthy events of this pass ("Liveness probe failed: …"). */
  unhealthy: string[];
  /** A failed liveness or startup probe: the container is to be killed and restarted. */
  kill?: { kind: 'liveness' | 'startup'; message: string };
  /** When a probe is next due (ms), if any. */
  againMs?: number;
}

const seconds = (v: unknown, dflt: number) => (typeof v === 'number' && v >= 0 ? v : dflt) * 1000;

export class Prober {
  private readonly instances = new Map<string, Instance>();

  /**
   * Probes what is due for one running container instance (`instanceId` changes with each start) of `spec` at `now`.
   * `key` names the container across restarts (pod uid and container name).
   */
  async check(key: string, instanceId: string, startedAt: number, spec: any, now: number, run: RunProbe): Promise<ProbeOutcome> {
    let inst = this.instances.get(key);
    if (!inst || inst.id !== instanceId) {
      inst = { id: instanceId, started: !spec.startupProbe, tracks: {} };
      this.instances.set(key, inst);
    }
    const out: ProbeOutcome = { started: inst.started, ready: false, unhealthy: [] };
    const step = async (kind: ProbeKind): Promise<Track | undefined> => {
      const probe = spec[`${kind}Probe`];
      if (!probe) return undefined;
      const t = (inst!.tracks[kind] ??= { successes: 0, failures: 0, ok: kind === 'liveness', nextAt: startedAt + seconds(probe.initialDelaySeconds, 0) });
      if (now >= t.nextAt) {
        const r = await run(probe);
        t.nextAt = now + Math.max(1000, seconds(probe.periodSeconds, 10));
        const successThreshold = kind === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1;
        const failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
        if (r.ok) {
          t.successes++;
          t.failures = 0;
          if (t.successes >= successThreshold) t.ok = true;
        } else {
          t.failures++;
          t.successes = 0;
          out.unhealthy.push(`${KIND_NAME[kind]} probe failed: ${r.message}`);
          if (t.failures >= failureThreshold) {
            t.ok = false;
            if (kind !== 'readiness') out.kill = { kind, message: r.message };
          }
        }
      }
      out.againMs = Math.min(out.againMs ?? Infinity, Math.max(0, t.nextAt - now));
      return t;
    };
    if (!inst.started) {
      const t = await step('startup');
      if (t?.ok) {
        inst.started = true;
        delete inst.tracks.startup;
        out.againMs = undefined;
      }
    }
    out.started = inst.started;
    if (inst.started && !out.kill) {
      await step('liveness');
      const r = await step('readiness');
      out.ready = !out.kill && (r ? r.ok : true);
    }
    if (out.kill) this.instances.delete(key);
    return out;
  }

  /** Forgets the containers of a pod (by its uid) that are gone. */
  forget(prefix: string) {
    for (const k of this.instances.keys()) if (k.startsWith(prefix)) this.instances.delete(k);
  }
}

/** A probe's port (a number, or a container port's name) as the published loopback address. */
function publishedAddress(pod: KubeObject, pause: ContainerState | undefined, port: number | string): { host: string; port: number; containerPort?: number } | undefined {
  let n = typeof port === 'number' ? port : /^\d+$/.test(port) ? Number(port) : undefined;
  if (n === undefined) {
    for (const c of pod.spec?.containers ?? []) n ??= (c.ports ?? []).find((p: any) => p.name === port)?.containerPort;
  }
  const b = pause?.ports.find((x) => x.containerPort === n && x.protocol === 'tcp');
  return b ? { host: b.hostIp === '0.0.0.0' ? '127.0.0.1' : b.hostIp, port: b.hostPort, containerPort: n } : undefined;
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<ProbeRun> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: ProbeRun) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    s.once('connect', () => done({ ok: true, message: '' }));
    s.once('error', (err) => done({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

/** Runs `probe` against a container of `pod` once. */
export async function runProbe(driver: RuntimeDriver, pod: KubeObject, pause: ContainerState | undefined, container: ContainerState, probe: any): Promise<ProbeRun> {
  const timeoutMs = seconds(probe.timeoutSeconds, 1) || 1000;
  if (probe.exec?.command) {
    try {
      let output = '';
      const session = await driver.exec(container.id, { command: probe.exec.command, stdin: false, tty: false, onOutput: (_stream, data) => { output += data.toString('utf8'); } });
      const code = await Promise.race([session.exited, new Promise<number>((r) => setTimeout(() => r(-1), timeoutMs))]);
      if (code === -1) {
        session.close();
        return { ok: false, message: `command timed out after ${timeoutMs / 1000}s` };
      }
      return { ok: code === 0, message: output.trim() || `command ${JSON.stringify(probe.exec.command.join(' '))} exited with ${code}` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }
  const spec = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
  if (!spec) return { ok: true, message: '' };
  const at = publishedAddress(pod, pause, spec.port);
  if (!at) return { ok: false, message: `port ${spec.port} is not a declared container port (Berth probes through the pod's published ports only)` };
  if (!probe.httpGet) return tcpOpen(at.host, at.port, timeoutMs);
  const scheme = String(spec.scheme ?? 'HTTP').toLowerCase();
  if (scheme !== 'http') return tcpOpen(at.host, at.port, timeoutMs);
  const url = `http://${at.host}:${at.port}${spec.path ?? '/'}`;
  try {
    const headers = Object.fromEntries((spec.httpHeaders ?? []).map((h: { name: string; value: string }) => [h.name, h.value]));
    const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 400;
    return { ok, message: ok ? '' : `HTTP probe failed with statuscode: ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
    return { ok: false, message: `Get "${url}": ${cause}` };
  }
}
