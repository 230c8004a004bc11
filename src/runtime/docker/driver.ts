/** The Docker Engine API driver (also Podman's Docker-compatible socket). */
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';
import {
  RuntimeError,
  type ContainerEvent,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
  type ExecOptions,
  type ExecSession,
  type LogLine,
  type RegistryAuth,
  type RuntimeDriver,
  type VolumeSpec,
  type VolumeState,
} from '../driver.js';
import { createBody, stateFromInspect, type EngineKind } from './container-config.js';
import { EngineClient, engineEndpoint, errorFor, type EngineEndpoint } from './engine-client.js';
import { demuxLogFrames } from './log-frames.js';
import { PodmanHealthChecks } from './podman-health.js';

const labelFilter = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`));

export class DockerDriver implements RuntimeDriver {
  readonly name = 'docker';
  readonly client: EngineClient;

  private kind?: Promise<EngineKind>;
  /** Manifest digests by "<image id> <reference>": an image id's repository digests never change. */
  private readonly repoDigests = new Map<string, string>();
  private readonly podmanHealth: PodmanHealthChecks;

  constructor(endpoint: EngineEndpoint = engineEndpoint()) {
    this.client = new EngineClient(endpoint);
    this.podmanHealth = new PodmanHealthChecks(this.client);
  }

  /** Docker or Podman (asked once; an engine that cannot be asked is retried next time). */
  engineKind(): Promise<EngineKind> {
    this.kind ??= this.client.json<{ Components?: { Name?: string }[] }>('GET', '/version').then(
      (v) => ((v.Components ?? []).some((c) => /podman/i.test(c.Name ?? '')) ? 'podman' : 'docker'),
      (err) => {
        this.kind = undefined;
        throw err;
      },
    );
    return this.kind;
  }

  async ping(): Promise<void> {
    const res = await this.client.request('GET', '/_ping');
    if (res.status !== 200) throw new RuntimeError('Unavailable', `engine ping answered ${res.status}`);
  }

  async hasImage(ref: string): Promise<boolean> {
    const res = await this.client.request('GET', `/images/${encodeURIComponent(ref)}/json`);
    return res.status === 200;
  }

  async pullImage(ref: string, auth?: RegistryAuth): Promise<void> {
    const headers = registryAuthHeader(auth);
    // Docker pulls from loopback registries (Berth's ECR) over plain HTTP by default; Podman needs telling, which
    // only its own pull endpoint can be.
    const insecure = isLoopbackRegistry(ref) && (await this.engineKind()) === 'podman';
    const path = insecure ? `/libpod/images/pull?reference=${encodeURIComponent(ref)}&tlsVerify=false` : `/images/create?fromImage=${encodeURIComponent(ref)}`;
    const res = await this.client.open('POST', path, { headers, timeoutMs: 600_000 });
    const body = await readAll(res);
    if ((res.statusCode ?? 0) >= 400) {
      const err = errorFor(res.statusCode ?? 500, body);
      throw new RuntimeError('PullFailed', err.message);
    }
    // The engine answers 200 and reports failures inside the progress stream.
    for (const line of body.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const msg = JSON.parse(line);
        if (msg.error) throw new RuntimeError('PullFailed', msg.error);
      } catch (e) {
        if (e instanceof RuntimeError) throw e;
      }
    }
  }

  async pushImage(ref: string, auth?: RegistryAuth): Promise<void> {
    const colon = ref.lastIndexOf(':');
    const [name, tag] = colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
    const res = await this.client.open('POST', `/images/${encodeURIComponent(name)}/push?tag=${encodeURIComponent(tag)}`, {
      headers: registryAuthHeader(auth), timeoutMs: 600_000,
    });
    const body = await readAll(res);
    if ((res.statusCode ?? 0) >= 400) throw new RuntimeError('PushFailed', errorFor(res.statusCode ?? 500, body).message);
    // As for a pull, the engine answers 200 and reports a failed push inside the progress stream.
    for (const line of body.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const msg = JSON.parse(line);
        if (msg.error) throw new RuntimeError('PushFailed', msg.error);
      } catch (e) {
        if (e instanceof RuntimeError) throw e;
      }
    }
  }

  async buildImage(ref: string, context: Buffer): Promise<void> {
    const res = await this.client.open('POST', `/build?t=${encodeURIComponent(ref)}&rm=1&forcerm=1`, {
      headers: { 'content-type': 'application/x-tar', 'content-length': String(context.length) },
      rawBody: context,
      timeoutMs: 300_000,
    });
    const body = await readAll(res);
    if ((res.statusCode ?? 0) >= 400) throw errorFor(res.statusCode ?? 500, body);
    for (const line of body.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const msg = JSON.parse(line);
        if (msg.error) throw new RuntimeError('InvalidSpec', `image build failed: ${msg.error}`);
      } catch (e) {
        if (e instanceof RuntimeError) throw e;
      }
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const body = createBody(spec, await this.engineKind());
    const out = await this.client.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(spec.name)}`, body);
    return out.Id;
  }

  async startContainer(id: string): Promise<void> {
    const res = await this.client.request('POST', `/containers/${id}/start`);
    // 304: already started.
    if (res.status >= 400) {
      // Podman answers 500 when a process exits before it reads the process's cgroup: the container did run.
      if (res.status === 500 && /\/cgroup: no such process/.test(res.body.toString()) && (await this.inspectContainer(id))?.startedAt) return;
      throw errorFor(res.status, res.body);
    }
    // Inspecting a running container starts Podman's health checks (see inspectContainer).
    if ((await this.engineKind()) === 'podman') await this.inspectContainer(id);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const res = await this.client.request('POST', `/containers/${id}/stop?t=${Math.max(0, Math.round(timeoutSeconds))}`);
    if (res.status === 404 || res.status === 304) return;
    if (res.status >= 400) throw errorFor(res.status, res.body);
  }

  async removeContainer(id: string): Promise<void> {
    this.podmanHealth.forget(id);
    const res = await this.client.request('DELETE', `/containers/${id}?force=true&v=true`);
    if (res.status === 404) return;
    // 409: removal already in progress.
    if (res.status === 409 && /already in progress/.test(res.body.toString())) return;
    if (res.status >= 400) throw errorFor(res.status, res.body);
  }

  async inspectContainer(id: string): Promise<ContainerState | undefined> {
    const res = await this.client.request('GET', `/containers/${id}/json`);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw errorFor(res.status, res.body);
    const j = JSON.parse(res.body.toString('utf8'));
    const hc = j.Config?.Healthcheck;
    if (j.State?.Running && hc?.Test?.length && hc.Test[0] !== 'NONE' && (await this.engineKind().catch(() => 'docker')) === 'podman') {
      // Podman may not run health checks by itself: see podman-health.ts. Docker's default interval is 30 s.
      this.podmanHealth.watch(j.Id, (hc.Interval || 30_000_000_000) / 1_000_000, j.State.Health?.Log?.at(-1)?.End);
    }
    const state = stateFromInspect(j);
    state.imageDigest = (await this.manifestDigest(j.Image, state.image)) ?? state.imageDigest;
    return state;
  }

  /**
   * The manifest digest the container's image was pulled by (what the registry, e.g. `aws ecr describe-images`,
   * shows), from the image's RepoDigests entry for the container's repository; undefined for an image that
   * came from no registry (built or loaded locally), whose only identity is its local id.
   */
  private async manifestDigest(imageId: string | undefined, ref: string): Promise<string | undefined> {
    if (!imageId) return undefined;
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(ref);
    if (pinned) return pinned[1];
    const key = `${imageId} ${ref}`;
    const known = this.repoDigests.get(key);
    if (known) return known;
    const res = await this.client.request('GET', `/images/${encodeURIComponent(imageId)}/json`);
    if (res.status !== 200) return undefined;
    const repoDigests: string[] = JSON.parse(res.body.toString('utf8')).RepoDigests ?? [];
    const repo = repositoryOf(ref);
    const match = repoDigests.find((d) => repositoryOf(d) === repo) ?? (repoDigests.length === 1 ? repoDigests[0] : undefined);
    const digest = match?.slice(match.indexOf('@') + 1);
    if (digest) this.repoDigests.set(key, digest);
    return digest;
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerState[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labelFilter(labels) }));
    const list = await this.client.json<{ Id: string }[]>('GET', `/containers/json?all=true&filters=${filters}`);
    const states = await Promise.all(list.map((c) => this.inspectContainer(c.Id)));
    return states.filter((s): s is ContainerState => !!s);
  }

  watchEvents(labels: Record<string, string>, onEvent: (e: ContainerEvent) => void, since?: string): () => void {
    const controller = new AbortController();
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'], label: labelFilter(labels) }));
    // The engine's time (ns) of the last event delivered: a reconnect resumes there (Docker replays what it still holds).
    let cursor = since && /^\d+$/.test(since) ? since : undefined;
    const loop = async () => {
      while (!controller.signal.aborted) {
        try {
          const res = await this.client.open('GET', `/events?filters=${filters}${cursor ? `&since=${sinceParam(cursor)}` : ''}`, { signal: controller.signal });
          if ((res.statusCode ?? 0) >= 400) throw errorFor(res.statusCode ?? 500, await readAll(res));
          // Nothing seen yet: a drop before the first event resumes from when this stream began, by the engine's clock.
          const began = Date.parse(String(res.headers.date ?? ''));
          if (!cursor && Number.isFinite(began)) cursor = String(BigInt(began - 1000) * 1_000_000n);
          let buf = '';
          for await (const chunk of res) {
            buf += chunk.toString();
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line.trim()) continue;
              let e: any;
              try {
                e = JSON.parse(line);
              } catch { continue; /* partial or foreign line */ }
              const at = e.timeNano ?? (e.time !== undefined ? Number(e.time) * 1e9 : undefined);
              if (at !== undefined) cursor = BigInt(at).toString();
              const action = String(e.Action ?? e.status ?? '');
              // Podman names a container's removal `remove` where Docker says `destroy`.
              onEvent({ id: e.id ?? e.Actor?.ID, action: action === 'remove' ? 'destroy' : action, labels: e.Actor?.Attributes ?? {}, cursor });
            }
          }
        } catch {
          /* engine restarted or unreachable: retry below */
        }
        if (!controller.signal.aborted) await new Promise((r) => setTimeout(r, 1000).unref());
      }
    };
    void loop();
    return () => controller.abort();
  }

  async hostAddressForContainers(): Promise<string | undefined> {
    const res = await this.client.request('GET', '/networks/bridge');
    if (res.status !== 200) return undefined;
    const net = JSON.parse(res.body.toString('utf8'));
    const configs: { Gateway?: string; Subnet?: string }[] = net.IPAM?.Config ?? [];
    const gateway = configs.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
    if (gateway) return gateway;
    // The default bridge often omits its gateway: read the bridge interface's own address (a local engine).
    const ifname = net.Options?.['com.docker.network.bridge.name'];
    const local = ifname ? networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4')?.address : undefined;
    if (local) return local;
    const subnet = configs.find((c) => c.Subnet && !c.Subnet.includes(':'))?.Subnet;
    if (!subnet) return undefined;
    const [a, b, c, d] = subnet.split('/')[0].split('.').map(Number);
    return `${a}.${b}.${c}.${d + 1}`;
  }

  async stats(id: string): Promise<ContainerStats | undefined> {
    const res = await this.client.request('GET', `/containers/${id}/stats?stream=false&one-shot=true`);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw errorFor(res.status, res.body);
    const s = JSON.parse(res.body.toString('utf8'));
    return {
      memoryUsage: memoryInUse(s.memory_stats),
      memoryLimit: s.memory_stats?.limit ?? 0,
      cpuTotalNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
      systemCpuNs: s.cpu_stats?.system_cpu_usage ?? 0,
      onlineCpus: s.cpu_stats?.online_cpus ?? 1,
      raw: s,
    };
  }

  async logs(id: string, opts: { since?: Date; follow?: boolean; onLine: (line: LogLine) => void; signal?: AbortSignal }): Promise<void> {
    const since = opts.since ? `&since=${(opts.since.getTime() / 1000).toFixed(3)}` : '';
    const res = await this.client.open('GET', `/containers/${id}/logs?stdout=1&stderr=1&timestamps=1&follow=${opts.follow ? 1 : 0}${since}`, {
      signal: opts.signal,
    });
    if ((res.statusCode ?? 0) >= 400) throw errorFor(res.statusCode ?? 500, await readAll(res));
    try {
      await demuxLogFrames(res, opts.onLine);
    } catch (err) {
      // Aborting a follow ends the stream (as an AbortError, or as "aborted" once the response had begun).
      if ((err as Error).name !== 'AbortError' && !opts.signal?.aborted) throw err;
    }
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const created = await this.client.json<{ Id: string }>('POST', `/containers/${id}/exec`, {
      AttachStdin: opts.stdin, AttachStdout: true, AttachStderr: true, Tty: opts.tty, Cmd: opts.command,
    });
    const { socket, head } = await this.client.upgrade('POST', `/exec/${created.Id}/start`, { Detach: false, Tty: opts.tty });
    // Without a TTY the stream is multiplexed (8-byte headers: stream, 0, 0, 0, size); with one it is raw output.
    let buf: Buffer = Buffer.alloc(0);
    const take = (chunk: Buffer) => {
      if (opts.tty) return opts.onOutput('stdout', chunk);
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 8 && buf.length >= 8 + buf.readUInt32BE(4)) {
        const size = buf.readUInt32BE(4);
        opts.onOutput(buf[0] === 2 ? 'stderr' : 'stdout', buf.subarray(8, 8 + size));
        buf = buf.subarray(8 + size);
      }
    };
    if (head.length) take(head);
    socket.on('data', take);
    const ended = new Promise<void>((resolve) => {
      socket.on('end', resolve);
      socket.on('close', resolve);
      socket.on('error', () => resolve());
    });
    // The stream may close a moment before the engine records the exit: ask until it has (bounded).
    const exited = ended.then(async () => {
      for (let i = 0; i < 100; i++) {
        const info = await this.client.json<{ ExitCode: number | null; Running: boolean }>('GET', `/exec/${created.Id}/json`).catch(() => undefined);
        if (!info) return 137;
        if (!info.Running && info.ExitCode !== null) return info.ExitCode;
        await new Promise((r) => setTimeout(r, 20));
      }
      return 137;
    });
    return {
      writeStdin: (data) => { if (!socket.destroyed) socket.write(data); },
      // Half-close: the command reads EOF on stdin while its output still flows back.
      closeStdin: () => { if (!socket.destroyed) (socket as unknown as { end(): void }).end(); },
      resize: (cols, rows) => { void this.client.request('POST', `/exec/${created.Id}/resize?h=${rows}&w=${cols}`).catch(() => undefined); },
      exited,
      close: () => socket.destroy(),
    };
  }

  async createVolume(spec: VolumeSpec): Promise<void> {
    // The engine answers an existing name with that volume (201), so this is idempotent.
    await this.client.json('POST', '/volumes/create', {
      Name: spec.name, Driver: spec.driver ?? 'local', DriverOpts: spec.driverOpts ?? {}, Labels: spec.labels ?? {},
    });
  }

  async inspectVolume(name: string): Promise<VolumeState | undefined> {
    const res = await this.client.request('GET', `/volumes/${encodeURIComponent(name)}`);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw errorFor(res.status, res.body);
    return volumeState(JSON.parse(res.body.toString('utf8')));
  }

  async removeVolume(name: string): Promise<void> {
    const res = await this.client.request('DELETE', `/volumes/${encodeURIComponent(name)}`);
    if (res.status === 404) return;
    if (res.status >= 400) throw errorFor(res.status, res.body);
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeState[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labelFilter(labels) }));
    const out = await this.client.json<{ Volumes: unknown[] | null }>('GET', `/volumes?filters=${filters}`);
    return (out.Volumes ?? []).map(volumeState);
  }

  close() {
    this.podmanHealth.close();
    this.client.close();
  }
}

/** Docker's `since` for an engine time in nanoseconds: seconds with a nanosecond fraction. */
function sinceParam(ns: string): string {
  const n = BigInt(ns);
  return `${n / 1_000_000_000n}.${(n % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/**
 * True when an image reference names a registry on this machine's loopback
 * (127.0.0.0/8, localhost, ::1): what Docker treats as an insecure registry
 * without configuration (https://docs.docker.com/reference/cli/dockerd/#insecure-registries).
 */
export function isLoopbackRegistry(ref: string): boolean {
  const first = ref.split('/')[0];
  // A first component that is not a host (no dot, colon or "localhost") is a Docker Hub path.
  if (!ref.includes('/') || !(first.includes('.') || first.includes(':') || first === 'localhost')) return false;
  const host = first.startsWith('[') ? first.slice(1, first.indexOf(']')) : first.split(':')[0];
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A reference's repository: without its tag or digest, Docker Hub's implicit prefix spelled out. */
function repositoryOf(ref: string): string {
  let name = ref.includes('@') ? ref.slice(0, ref.indexOf('@')) : ref;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasHost) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return name;
}

function volumeState(v: any): VolumeState {
  return { name: v.Name, driver: v.Driver, labels: v.Labels ?? {}, options: v.Options ?? {} };
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Memory a container uses, as `docker stats` counts it: the cgroup's usage less its inactive page cache
 * (`total_inactive_file` on cgroup v1, `inactive_file` on v2), which the kernel reclaims before it would OOM-kill.
 */
export function memoryInUse(m: { usage?: number; stats?: Record<string, number> } | undefined): number {
  const usage = m?.usage ?? 0;
  const cache = m?.stats?.total_inactive_file ?? m?.stats?.inactive_file ?? 0;
  return cache < usage ? usage - cache : usage;
}

/** The engine's X-Registry-Auth header for a pull or push. */
function registryAuthHeader(auth: RegistryAuth | undefined): Record<string, string> {
  if (!auth) return {};
  const value = Buffer.from(JSON.stringify({ username: auth.username, password: auth.password, serveraddress: auth.serverAddress }))
    .toString('base64')
    // URL-safe base64 *with* padding: what the engine's decoder (Go's base64.URLEncoding) expects.
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  return { 'X-Registry-Auth': value };
}
