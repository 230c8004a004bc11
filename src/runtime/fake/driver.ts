/**
 * An in-memory runtime for scheduler scale tests: containers start instantly,
 * run until stopped (or until a test calls `exit`), and publish ports from a
 * counter. It never proves a feature works; it passes the same conformance
 * suite as the Docker driver so controllers cannot tell them apart.
 *
 * It scales with the tests it serves (tens of thousands of containers): containers
 * are indexed by id, by name and by label (`key=value` and `key` → ids), so create,
 * inspect and remove cost O(1) and a label query costs O(matches of its rarest label),
 * never a scan of every container.
 *
 * Containers outlive Berth as an engine's do when BERTH_FAKE_STATE names a file:
 * the driver loads it when made and writes it on close(), so a restarted Berth
 * adopts the tasks it left running (bench/scale.ts measures restarts this way).
 *
 * Events are kept as an engine keeps them: the last EVENT_LOG_LIMIT in order, each
 * with a sequence number as its cursor, so `watchEvents(…, since)` replays what a
 * listener missed (a restart; a dropped stream, which tests cause with
 * `dropEventStreams` and end with `reconnectEventStreams`, as Docker's reconnect does).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** How many events the fake keeps for replay (Docker keeps 256 in memory; Podman its whole event log). */
const EVENT_LOG_LIMIT = 4096;

interface LoggedEvent {
  seq: number;
  id: string;
  action: string;
  labels: Record<string, string>;
}

interface Listener {
  labels: Record<string, string>;
  fn: (e: ContainerEvent) => void;
  /** The sequence number of the last event delivered (-1: none yet). */
  last: number;
  /** False while a test holds the stream dropped: events are kept, not delivered. */
  connected: boolean;
}

interface FakeContainer {
  spec: ContainerSpec;
  state: ContainerState;
  logs: LogLine[];
  /** What its process uses (tests set it with `setUsage`); CPU time accrues at `vcpus` while it runs. */
  usage?: FakeUsage;
}

/** A fake container's resource use: CPU in vCPUs (1 = one core busy) and memory in bytes. */
export interface ContainerUsage {
  vcpus: number;
  memoryBytes: number;
}

interface FakeUsage extends ContainerUsage {
  /** CPU nanoseconds accrued up to `sinceNs` (engine time), and when the rate last changed. */
  cpuNs: number;
  sinceNs: number;
}

/** What an idle container is seen using until a test says otherwise: a little CPU, a few MiB. */
export const IDLE_USAGE: ContainerUsage = { vcpus: 0.002, memoryBytes: 4 << 20 };
/** The CPUs the fake engine's host has (stats' online_cpus). */
const FAKE_ONLINE_CPUS = 2;
const nowNs = () => Number(process.hrtime.bigint());

/** What BERTH_FAKE_STATE holds: the containers, volumes and images a previous Berth left behind. */
interface SavedState {
  containers: { spec: ContainerSpec; state: ContainerState }[];
  volumes: VolumeState[];
  images: string[];
  nextPort: number;
  events?: LoggedEvent[];
  nextEventSeq?: number;
}

export class FakeDriver implements RuntimeDriver {
  readonly name = 'fake';
  private containers = new Map<string, FakeContainer>();
  /** Container name → id (names are unique per engine). */
  private byName = new Map<string, string>();
  /** `key=value` and bare `key` → ids of the containers carrying that label. */
  private byLabel = new Map<string, Set<string>>();
  /** Volume name → ids of the containers mounting it. */
  private volumeUsers = new Map<string, Set<string>>();
  private volumes = new Map<string, VolumeState>();
  private images = new Set<string>();
  private listeners = new Set<Listener>();
  /** The newest events, oldest first (a ring of EVENT_LOG_LIMIT, trimmed in halves). */
  private eventLog: LoggedEvent[] = [];
  private nextEventSeq = 1;
  private nextPort = 40000;
  /** Container ids are 64 hex digits as Docker's: a random prefix per driver and a counter (a syscall per id costs more than the rest of a create). */
  private readonly idPrefix = randomBytes(24).toString('hex');
  private idCounter = 0;
  /** Image refs whose pull fails (tests set this). */
  readonly unpullable = new Set<string>();
  /** Faults armed by failNext: each fails one matching create or start, then is spent. */
  private faults: { op: 'create' | 'start'; when: (spec: ContainerSpec) => boolean; message: string }[] = [];

  constructor(localImages: string[] = [], private readonly stateFile = process.env.BERTH_FAKE_STATE || undefined) {
    for (const i of localImages) this.images.add(i);
    if (this.stateFile && existsSync(this.stateFile)) this.load(JSON.parse(readFileSync(this.stateFile, 'utf8')) as SavedState);
  }

  /** Writes the containers to BERTH_FAKE_STATE (if set) for the next Berth to adopt. */
  close() {
    if (!this.stateFile) return;
    const saved: SavedState = {
      containers: [...this.containers.values()].map((c) => ({ spec: c.spec, state: c.state })),
      volumes: [...this.volumes.values()],
      images: [...this.images],
      nextPort: this.nextPort,
      events: this.eventLog,
      nextEventSeq: this.nextEventSeq,
    };
    writeFileSync(`${this.stateFile}.tmp`, JSON.stringify(saved));
    renameSync(`${this.stateFile}.tmp`, this.stateFile);
  }

  private load(saved: SavedState) {
    for (const i of saved.images) this.images.add(i);
    for (const v of saved.volumes) this.volumes.set(v.name, v);
    this.nextPort = saved.nextPort;
    this.eventLog = saved.events ?? [];
    this.nextEventSeq = saved.nextEventSeq ?? 1;
    for (const { spec, state } of saved.containers) {
      for (const k of ['startedAt', 'finishedAt'] as const) if (state[k]) state[k] = new Date(state[k]);
      this.add({ spec, state, logs: [] });
    }
  }

  async ping() {}

  async hasImage(ref: string) {
    return this.images.has(ref);
  }

  async pullImage(ref: string, _auth?: RegistryAuth) {
    if (this.unpullable.has(ref) || ref.includes('does-not-exist')) {
      throw new RuntimeError('PullFailed', `pull access denied for ${ref}, repository does not exist`);
    }
    this.images.add(ref);
  }

  async buildImage(ref: string, _context: Buffer) {
    this.images.add(ref);
  }

  /** Nothing reaches a registry: the fake engine only checks that it holds the image. */
  async pushImage(ref: string, _auth?: RegistryAuth) {
    if (!this.images.has(ref)) throw new RuntimeError('PushFailed', `An image does not exist locally with the tag: ${ref}`);
  }

  /**
   * Test hook: the next create (or start) of a container matching `when` fails as an engine answers a
   * runtime error (a start failure leaves the container created, as Docker does); later ones succeed.
   */
  failNext(op: 'create' | 'start', when: (spec: ContainerSpec) => boolean, message = 'OCI runtime create failed: runc create failed: unable to start container process: error during container init: fake fault: unknown') {
    this.faults.push({ op, when, message });
  }

  private fault(op: 'create' | 'start', spec: ContainerSpec) {
    const i = this.faults.findIndex((f) => f.op === op && f.when(spec));
    if (i < 0) return;
    const [f] = this.faults.splice(i, 1);
    throw new RuntimeError('InvalidSpec', f.message);
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.fault('create', spec);
    if (this.byName.has(spec.name)) {
      throw new RuntimeError('Conflict', `container name "${spec.name}" is already in use`);
    }
    if (!this.images.has(spec.image)) throw new RuntimeError('NotFound', `No such image: ${spec.image}`);
    const id = this.newId();
    this.add({
      spec,
      logs: [],
      state: { id, name: spec.name, image: spec.image, labels: { ...spec.labels }, status: 'created', oomKilled: false, ports: [] },
    });
    this.emit(id, 'create');
    return id;
  }

  async startContainer(id: string) {
    const c = this.get(id);
    if (c.state.status === 'running') return;
    this.fault('start', c.spec);
    c.state.status = 'running';
    c.state.startedAt = new Date();
    c.state.exitCode = undefined;
    c.state.health = c.spec.healthCheck ? 'healthy' : undefined;
    c.state.ports = (c.spec.ports ?? []).map((p) => ({
      containerPort: p.containerPort, protocol: p.protocol, hostIp: p.hostIp ?? '127.0.0.1',
      hostPort: p.hostPort || this.nextPort++,
    }));
    // A container on the bridge network has an address there, as Docker gives one (pods' IPs are their sandbox's).
    if (c.spec.networkMode === 'bridge') c.state.ipAddress ??= `172.17.${Math.floor(this.nextPort / 250) % 250}.${(this.nextPort++ % 250) + 2}`;
    this.emit(id, 'start');
    // Docker reports a health check's first result as its own event.
    if (c.state.health) this.emit(id, `health_status: ${c.state.health}`);
  }

  async stopContainer(id: string, _timeoutSeconds: number) {
    const c = this.containers.get(id);
    if (!c || c.state.status !== 'running') return;
    this.exit(id, 143);
  }

  async removeContainer(id: string) {
    const c = this.containers.get(id);
    if (!c) return;
    this.emit(id, 'destroy');
    this.containers.delete(id);
    this.byName.delete(c.state.name);
    for (const key of labelKeys(c.state.labels)) unindex(this.byLabel, key, id);
    for (const v of mountedVolumes(c.spec)) unindex(this.volumeUsers, v, id);
  }

  async inspectContainer(id: string) {
    const c = this.containers.get(id);
    return c ? structuredClone(c.state) : undefined;
  }

  async listContainers(labels: Record<string, string>) {
    const out: ContainerState[] = [];
    for (const id of this.candidates(labels)) {
      const c = this.containers.get(id)!;
      if (matches(c.state.labels, labels)) out.push(structuredClone(c.state));
    }
    return out;
  }

  private idsWith(labels: Record<string, string>): string[] {
    return [...this.candidates(labels)].filter((id) => matches(this.containers.get(id)!.state.labels, labels));
  }

  /** The ids carrying the query's rarest label (every id for an empty query): a superset of the matches. */
  private candidates(labels: Record<string, string>): Iterable<string> {
    let best: Set<string> | undefined;
    for (const [k, v] of Object.entries(labels)) {
      const ids = this.byLabel.get(v === '' ? k : `${k}=${v}`);
      if (!ids) return [];
      if (!best || ids.size < best.size) best = ids;
    }
    return best ?? this.containers.keys();
  }

  watchEvents(labels: Record<string, string>, onEvent: (e: ContainerEvent) => void, since?: string) {
    // A cursor this engine never gave (its events were not kept) resumes live, as an engine that lost its log does.
    const from = since !== undefined && /^\d+$/.test(since) ? Math.min(Number(since), this.nextEventSeq) : undefined;
    const entry: Listener = { labels, fn: onEvent, last: from === undefined ? this.nextEventSeq - 1 : from - 1, connected: true };
    this.listeners.add(entry);
    // Replayed on a later turn, as an engine's stream answers after the request (the caller has its stop function).
    if (from !== undefined) queueMicrotask(() => this.catchUp(entry));
    return () => this.listeners.delete(entry);
  }

  /** Test hook: every event stream open now drops (events are still logged; nothing is delivered). */
  dropEventStreams() {
    for (const l of this.listeners) l.connected = false;
  }

  /** Test hook: dropped streams reconnect and resume after the last event each delivered, as the Docker driver's do. */
  reconnectEventStreams() {
    for (const l of this.listeners) {
      if (l.connected) continue;
      l.connected = true;
      this.catchUp(l);
    }
  }

  /** Delivers the logged events after the listener's last one (those that match its labels). */
  private catchUp(l: Listener) {
    for (const e of this.eventLog) {
      if (!this.listeners.has(l) || !l.connected) return;
      if (e.seq <= l.last) continue;
      l.last = e.seq;
      if (matches(e.labels, l.labels)) l.fn({ id: e.id, action: e.action, labels: { ...e.labels }, cursor: String(e.seq) });
    }
  }

  async hostAddressForContainers() {
    return '127.0.0.1';
  }

  /**
   * A sample as Docker's one-shot stats give it: CPU time accrued at the container's usage rate while it ran, the
   * host's CPU time as wall time × its CPUs (so Δcpu ÷ Δsystem × CPUs is the vCPUs used), memory in use and the limit.
   */
  async stats(id: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(id);
    if (!c) return undefined;
    const now = nowNs();
    const u = this.usageOf(c, now);
    const running = c.state.status === 'running';
    return {
      memoryUsage: running ? u.memoryBytes : 0,
      memoryLimit: c.spec.memoryBytes ?? 2 ** 31,
      cpuTotalNs: Math.round(u.cpuNs + (running ? (now - u.sinceNs) * u.vcpus : 0)),
      systemCpuNs: now * FAKE_ONLINE_CPUS,
      onlineCpus: FAKE_ONLINE_CPUS,
      raw: {},
    };
  }

  /**
   * Test hook: from now on the container uses this much (CPU in vCPUs, memory in bytes); what it used so far is
   * kept. By id, or for every container carrying the given labels (value '' = any).
   */
  setUsage(target: string | Record<string, string>, usage: Partial<ContainerUsage>): number {
    const ids = typeof target === 'string' ? [target] : this.idsWith(target);
    const now = nowNs();
    for (const id of ids) {
      const c = this.get(id);
      const u = this.usageOf(c, now);
      if (c.state.status === 'running') u.cpuNs += (now - u.sinceNs) * u.vcpus;
      u.sinceNs = now;
      if (usage.vcpus !== undefined) u.vcpus = usage.vcpus;
      if (usage.memoryBytes !== undefined) u.memoryBytes = usage.memoryBytes;
    }
    return ids.length;
  }

  private usageOf(c: FakeContainer, now: number): FakeUsage {
    return (c.usage ??= { ...IDLE_USAGE, cpuNs: 0, sinceNs: c.state.startedAt ? now - (Date.now() - c.state.startedAt.getTime()) * 1e6 : now });
  }

  async logs(id: string, opts: { since?: Date; onLine: (line: LogLine) => void }) {
    for (const l of this.get(id).logs) if (!opts.since || l.timestamp >= opts.since) opts.onLine(l);
  }

  /**
   * No process runs in a fake container: `echo` prints its arguments, `cat` echoes stdin until it ends, `false`
   * exits 1, anything else exits 0 without output (enough for the API semantics; real Docker proves exec).
   */
  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const c = this.get(id);
    if (c.state.status !== 'running') throw new RuntimeError('Conflict', `container ${id} is not running`);
    let done!: (code: number) => void;
    const exited = new Promise<number>((r) => (done = r));
    const [cmd, ...args] = opts.command;
    const cat = cmd === 'cat' && opts.stdin;
    if (cmd === 'echo') opts.onOutput('stdout', Buffer.from(`${args.join(' ')}\n`));
    if (!cat) setImmediate(() => done(cmd === 'false' ? 1 : 0));
    return {
      writeStdin: (data) => { if (cat) opts.onOutput('stdout', data); },
      closeStdin: () => { if (cat) done(0); },
      resize: () => undefined,
      exited,
      close: () => done(137),
    };
  }

  async createVolume(spec: VolumeSpec) {
    if (this.volumes.has(spec.name)) return;
    this.volumes.set(spec.name, { name: spec.name, driver: spec.driver ?? 'local', labels: { ...spec.labels }, options: { ...spec.driverOpts } });
  }

  async inspectVolume(name: string) {
    const v = this.volumes.get(name);
    return v ? structuredClone(v) : undefined;
  }

  async removeVolume(name: string) {
    if (!this.volumes.has(name)) return;
    const [user] = this.volumeUsers.get(name) ?? [];
    if (user) throw new RuntimeError('Conflict', `remove ${name}: volume is in use - [${user}]`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>) {
    return [...this.volumes.values()].filter((v) => matches(v.labels, labels)).map((v) => structuredClone(v));
  }

  /** Test hook: the container's process exits with this code. */
  exit(id: string, code: number, oomKilled = false) {
    const c = this.get(id);
    c.state.status = 'exited';
    c.state.exitCode = code;
    c.state.oomKilled = oomKilled;
    c.state.finishedAt = new Date();
    // Docker reports an OOM kill, then the exit.
    if (oomKilled) this.emit(id, 'oom');
    this.emit(id, 'die');
  }

  private newId(): string {
    return this.idPrefix + (this.idCounter++).toString(16).padStart(16, '0');
  }

  private add(c: FakeContainer) {
    const id = c.state.id;
    this.containers.set(id, c);
    this.byName.set(c.state.name, id);
    for (const key of labelKeys(c.state.labels)) index(this.byLabel, key, id);
    for (const v of mountedVolumes(c.spec)) index(this.volumeUsers, v, id);
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `No such container: ${id}`);
    return c;
  }

  private emit(id: string, action: string) {
    const c = this.containers.get(id);
    if (!c) return;
    const e: LoggedEvent = { seq: this.nextEventSeq++, id, action, labels: c.state.labels };
    this.eventLog.push(e);
    if (this.eventLog.length > EVENT_LOG_LIMIT) this.eventLog = this.eventLog.slice(EVENT_LOG_LIMIT / 2);
    for (const l of this.listeners) {
      // A listener still replaying (or dropped) gets this event from the log, in order.
      if (!l.connected || l.last !== e.seq - 1) continue;
      l.last = e.seq;
      if (matches(e.labels, l.labels)) l.fn({ id, action, labels: { ...e.labels }, cursor: String(e.seq) });
    }
  }
}

/** The index keys of a label set: each `key=value` and each bare `key` (for '' = any value). */
function labelKeys(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [`${k}=${v}`, k]);
}

function mountedVolumes(spec: ContainerSpec): string[] {
  return (spec.mounts ?? []).filter((m) => m.type === 'volume' && m.source).map((m) => m.source!);
}

function index(map: Map<string, Set<string>>, key: string, id: string) {
  let ids = map.get(key);
  if (!ids) map.set(key, (ids = new Set()));
  ids.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string) {
  const ids = map.get(key);
  if (!ids) return;
  ids.delete(id);
  if (!ids.size) map.delete(key);
}

function matches(have: Record<string, string>, want: Record<string, string>) {
  return Object.entries(want).every(([k, v]) => k in have && (v === '' || have[k] === v));
}
