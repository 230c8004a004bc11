/** ContainerSpec → Docker's create body, and Docker's inspect JSON → ContainerState. */
import type { ContainerSpec, ContainerState, ContainerStatus, PortBinding } from '../driver.js';

const NS_PER_SECOND = 1_000_000_000;

/** Which implementation answers the Engine API (GET /version's Components). */
export type EngineKind = 'docker' | 'podman';

/**
 * Limits a Podman container gets when the task sets none. Docker gives
 * containers dockerd's own limits; Podman instead asks runc for 1048576 open
 * files and processes, which fails ("error setting rlimit … operation not
 * permitted") wherever the engine lacks CAP_SYS_RESOURCE (VMs, nested
 * containers), and Podman 4.3's compat API cannot be configured out of it:
 * it ignores containers.conf `default_ulimits` once any ulimit is given, and
 * swaps their soft and hard values when none is. So: values any engine can
 * grant, the kernel's own default for open files (1024 soft, 4096 hard) and
 * 4096 processes per user (root in a container, the usual case, is exempt).
 */
export const PODMAN_DEFAULT_ULIMITS = [
  { name: 'nofile', softLimit: 1024, hardLimit: 4096 },
  { name: 'nproc', softLimit: 4096, hardLimit: 4096 },
] as const;

function ulimitsFor(spec: ContainerSpec, engine: EngineKind) {
  const given = spec.ulimits ?? [];
  if (engine !== 'podman') return given;
  return [...given, ...PODMAN_DEFAULT_ULIMITS.filter((d) => !given.some((u) => u.name === d.name))];
}

export function createBody(spec: ContainerSpec, engine: EngineKind = 'docker'): Record<string, unknown> {
  const ulimits = ulimitsFor(spec, engine);
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of spec.ports ?? []) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '127.0.0.1', HostPort: p.hostPort ? String(p.hostPort) : '' });
  }
  const hc = spec.healthCheck;
  const tmpfs: Record<string, string> = {};
  const binds: string[] = [];
  const mounts: object[] = [];
  for (const m of spec.mounts ?? []) {
    if (m.type === 'tmpfs') {
      const opts = [...(m.tmpfsOptions ?? [])];
      if (m.tmpfsSizeBytes) opts.push(`size=${m.tmpfsSizeBytes}`);
      tmpfs[m.target] = opts.join(',');
    } else if (m.type === 'bind') binds.push(`${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
    else mounts.push({ Type: 'volume', Source: m.source, Target: m.target, ReadOnly: !!m.readOnly });
  }
  return {
    Image: spec.image,
    Labels: spec.labels,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(spec.entryPoint ? { Entrypoint: spec.entryPoint } : {}),
    ...(spec.command ? { Cmd: spec.command } : {}),
    ...(spec.workingDirectory ? { WorkingDir: spec.workingDirectory } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.hostname && !spec.networkMode.startsWith('container:') && spec.networkMode !== 'host' ? { Hostname: spec.hostname } : {}),
    ExposedPorts: exposed,
    ...(spec.stopTimeoutSeconds !== undefined ? { StopTimeout: spec.stopTimeoutSeconds } : {}),
    ...(hc
      ? {
          Healthcheck: {
            Test: hc.test,
            Interval: hc.intervalSeconds * NS_PER_SECOND,
            Timeout: hc.timeoutSeconds * NS_PER_SECOND,
            Retries: hc.retries,
            StartPeriod: hc.startPeriodSeconds * NS_PER_SECOND,
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: spec.networkMode,
      PortBindings: bindings,
      ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
      ...(spec.memoryReservationBytes ? { MemoryReservation: spec.memoryReservationBytes } : {}),
      ...(spec.cpuUnits ? { CpuShares: Math.max(2, spec.cpuUnits) } : {}),
      ...(spec.cpuLimit ? { NanoCpus: Math.round(spec.cpuLimit * NS_PER_SECOND) } : {}),
      ...(spec.extraHosts?.length ? { ExtraHosts: spec.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`) } : {}),
      ...(spec.dnsServers?.length ? { Dns: spec.dnsServers } : {}),
      ...(ulimits.length ? { Ulimits: ulimits.map((u) => ({ Name: u.name, Soft: u.softLimit, Hard: u.hardLimit })) } : {}),
      ...(spec.capAdd?.length ? { CapAdd: spec.capAdd } : {}),
      ...(spec.capDrop?.length ? { CapDrop: spec.capDrop } : {}),
      ...(spec.init ? { Init: true } : {}),
      ...(spec.sharedMemoryBytes ? { ShmSize: spec.sharedMemoryBytes } : {}),
      ...(spec.readonlyRootFilesystem ? { ReadonlyRootfs: true } : {}),
      ...(spec.privileged ? { Privileged: true } : {}),
      ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
      ...(binds.length ? { Binds: binds } : {}),
      ...(mounts.length ? { Mounts: mounts } : {}),
    },
  };
}

const parseTime = (t: string | undefined): Date | undefined => {
  if (!t || t.startsWith('0001-')) return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/**
 * Podman's compat API passes its own states through: `stopped` is a container that has exited but that conmon
 * has not cleaned up yet (Docker's `exited`; it becomes `exited` a moment later, with no event Berth waits for),
 * `configured` one not yet initialised (Docker's `created`).
 */
function engineStatus(status: string | undefined): ContainerStatus {
  if (status === 'stopped') return 'exited';
  if (status === 'configured') return 'created';
  return (status ?? 'dead') as ContainerStatus;
}

/** Docker's inspect JSON (GET /containers/{id}/json). */
export function stateFromInspect(j: any): ContainerState {
  const s = j.State ?? {};
  const ports: Required<PortBinding>[] = [];
  for (const [key, binds] of Object.entries<any>(j.NetworkSettings?.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    for (const b of binds ?? []) {
      // The engine lists IPv4 and IPv6 bindings separately; keep the IPv4 one.
      if (b.HostIp && b.HostIp.includes(':')) continue;
      ports.push({ containerPort: Number(port), protocol: protocol as 'tcp' | 'udp', hostPort: Number(b.HostPort), hostIp: b.HostIp || '0.0.0.0' });
    }
  }
  const nets = Object.values<any>(j.NetworkSettings?.Networks ?? {});
  const status = engineStatus(s.Status);
  return {
    id: j.Id,
    name: String(j.Name ?? '').replace(/^\//, ''),
    image: j.Config?.Image ?? '',
    imageDigest: j.Image,
    labels: j.Config?.Labels ?? {},
    status,
    exitCode: status === 'exited' || status === 'dead' ? s.ExitCode : undefined,
    oomKilled: !!s.OOMKilled,
    error: s.Error || undefined,
    startedAt: parseTime(s.StartedAt),
    finishedAt: parseTime(s.FinishedAt),
    health: s.Health?.Status && s.Health.Status !== 'none' ? s.Health.Status : undefined,
    ports,
    ipAddress: j.NetworkSettings?.IPAddress || nets.find((n) => n.IPAddress)?.IPAddress || undefined,
  };
}
