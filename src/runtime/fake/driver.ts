/**
 * An in-memory runtime for scheduler scale tests: containers start instantly,
 * run until stopped (or until a test calls `exit`), and publish ports from a
 * counter. It never proves a feature works; it passes the same conformance
 * suite as the Docker driver so controllers cannot tell them apart.
 */
import { randomBytes } from 'node:crypto';
import {
  RuntimeError,
  type ContainerEvent,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
  type LogLine,
  type RegistryAuth,
  type RuntimeDriver,
  type VolumeSpec,
  type VolumeState,
} from '../driver.js';

interface FakeContainer {
  spec: ContainerSpec;
  state: ContainerState;
  logs: LogLine[];
}

export class FakeDriver implements RuntimeDriver {
  readonly name = 'fake';
  private containers = new Map<string, FakeContainer>();
  private volumes = new Map<string, VolumeState>();
  private images = new Set<string>();
  private listeners = new Set<{ labels: Record<string, string>; fn: (e: ContainerEvent) => void }>();
  private nextPort = 40000;
  /** Image refs whose pull fails (tests set this). */
  readonly unpullable = new Set<string>();
  /** Faults armed by failNext: each fails one matching create or start, then is spent. */
  private faults: { op: 'create' | 'start'; when: (spec: ContainerSpec) => boolean; message: string }[] = [];

  constructor(localImages: string[] = []) {
    for (const i of localImages) this.images.add(i);
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
    if ([...this.containers.values()].some((c) => c.state.name === spec.name)) {
      throw new RuntimeError('Conflict', `container name "${spec.name}" is already in use`);
    }
    if (!this.images.has(spec.image)) throw new RuntimeError('NotFound', `No such image: ${spec.image}`);
    const id = randomBytes(32).toString('hex');
    this.containers.set(id, {
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
    this.emit(id, 'start');
  }

  async stopContainer(id: string, _timeoutSeconds: number) {
    const c = this.containers.get(id);
    if (!c || c.state.status !== 'running') return;
    this.exit(id, 143);
  }

  async removeContainer(id: string) {
    if (!this.containers.has(id)) return;
    this.emit(id, 'destroy');
    this.containers.delete(id);
  }

  async inspectContainer(id: string) {
    const c = this.containers.get(id);
    return c ? structuredClone(c.state) : undefined;
  }

  async listContainers(labels: Record<string, string>) {
    return [...this.containers.values()].filter((c) => matches(c.state.labels, labels)).map((c) => structuredClone(c.state));
  }

  watchEvents(labels: Record<string, string>, onEvent: (e: ContainerEvent) => void) {
    const entry = { labels, fn: onEvent };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  async hostAddressForContainers() {
    return '127.0.0.1';
  }

  async stats(id: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(id);
    if (!c) return undefined;
    return { memoryUsage: 4 << 20, memoryLimit: c.spec.memoryBytes ?? 2 ** 31, cpuTotalNs: 0, systemCpuNs: 0, onlineCpus: 2, raw: {} };
  }

  async logs(id: string, opts: { since?: Date; onLine: (line: LogLine) => void }) {
    for (const l of this.get(id).logs) if (!opts.since || l.timestamp >= opts.since) opts.onLine(l);
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
    const user = [...this.containers.values()].find((c) => c.spec.mounts?.some((m) => m.type === 'volume' && m.source === name));
    if (user) throw new RuntimeError('Conflict', `remove ${name}: volume is in use - [${user.state.id}]`);
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
    this.emit(id, oomKilled ? 'oom' : 'die');
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `No such container: ${id}`);
    return c;
  }

  private emit(id: string, action: string) {
    const c = this.containers.get(id);
    if (!c) return;
    for (const l of this.listeners) if (matches(c.state.labels, l.labels)) l.fn({ id, action, labels: { ...c.state.labels } });
  }
}

function matches(have: Record<string, string>, want: Record<string, string>) {
  return Object.entries(want).every(([k, v]) => k in have && (v === '' || have[k] === v));
}
