/**
 * Several container engines behind one RuntimeDriver: the local engine, plus
 * the remote engines of external container instances (the ECS Anywhere model).
 * The caller says which engine a container, volume or image operation is for
 * (the ENGINE_LABEL on its labels or list filter; absent: the local engine);
 * later calls find a container by id. A list or event stream without the label
 * covers the local engine and every remote engine named so far. Controllers
 * cannot tell the difference, and this driver never asks anyone where a
 * container belongs.
 */
import {
  ENGINE_LABEL,
  RuntimeError,
  type ContainerEvent,
  type ContainerSpec,
  type ExecOptions,
  type ExecSession,
  type ContainerState,
  type ContainerStats,
  type LogLine,
  type RegistryAuth,
  type RuntimeDriver,
  type VolumeSpec,
  type VolumeState,
} from '../driver.js';

/** Makes the driver of a remote engine from its URL (throws for a URL it cannot use). */
export type EngineFactory = (url: string) => RuntimeDriver;

export class MultiEngineDriver implements RuntimeDriver {
  readonly name = 'multi';
  private remotes = new Map<string, RuntimeDriver>();
  private owner = new Map<string, RuntimeDriver>();
  /** Event streams in progress: each joins engines named after it began. */
  private attachers = new Set<() => void>();

  constructor(private readonly local: RuntimeDriver, private readonly make: EngineFactory) {}

  private engine(url: string | undefined): RuntimeDriver {
    if (!url) return this.local;
    let d = this.remotes.get(url);
    if (!d) {
      try {
        d = this.make(url);
      } catch (err) {
        // A URL Berth cannot use (e.g. an unknown scheme): the instance's tasks fail as on an unreachable engine.
        d = unreachableEngine(`container engine ${url} cannot be used: ${(err as Error).message}`);
      }
      this.remotes.set(url, d);
      for (const attach of this.attachers) attach();
    }
    return d;
  }

  private all(): RuntimeDriver[] {
    return [this.local, ...this.remotes.values()];
  }

  /** Every engine with its URL ('' for the local one). */
  private engines(): [string, RuntimeDriver][] {
    return [['', this.local], ...this.remotes];
  }

  private byLabels(labels: Record<string, string> | undefined) {
    return this.engine(labels?.[ENGINE_LABEL]);
  }

  /** The engine that has this container (asking each engine once, then remembered). */
  private async byId(id: string): Promise<RuntimeDriver | undefined> {
    const known = this.owner.get(id);
    if (known) return known;
    for (const d of this.all()) {
      if (await d.inspectContainer(id).catch(() => undefined)) {
        this.owner.set(id, d);
        return d;
      }
    }
    return undefined;
  }

  ping() {
    return this.local.ping();
  }
  hasImage(ref: string, labels?: Record<string, string>) {
    return this.byLabels(labels).hasImage(ref, labels);
  }
  pullImage(ref: string, auth?: RegistryAuth, labels?: Record<string, string>) {
    return this.byLabels(labels).pullImage(ref, auth, labels);
  }
  buildImage(ref: string, context: Buffer, labels?: Record<string, string>) {
    return this.byLabels(labels).buildImage(ref, context, labels);
  }
  pushImage(ref: string, auth?: RegistryAuth, labels?: Record<string, string>) {
    return this.byLabels(labels).pushImage(ref, auth, labels);
  }
  async createContainer(spec: ContainerSpec) {
    const d = this.byLabels(spec.labels);
    const id = await d.createContainer(spec);
    this.owner.set(id, d);
    return id;
  }
  async startContainer(id: string) {
    await (await this.byId(id) ?? this.local).startContainer(id);
  }
  async stopContainer(id: string, timeoutSeconds: number) {
    const d = await this.byId(id);
    if (d) await d.stopContainer(id, timeoutSeconds);
  }
  async removeContainer(id: string) {
    const d = await this.byId(id);
    if (d) await d.removeContainer(id);
    this.owner.delete(id);
  }
  async inspectContainer(id: string) {
    const d = await this.byId(id);
    return d ? d.inspectContainer(id) : undefined;
  }
  async listContainers(labels: Record<string, string>) {
    const out: ContainerState[] = [];
    const engines = labels[ENGINE_LABEL] !== undefined ? [this.byLabels(labels)] : this.all();
    for (const d of engines) {
      const found = await d.listContainers(labels).catch(() => [] as ContainerState[]);
      for (const c of found) this.owner.set(c.id, d);
      out.push(...found);
    }
    return out;
  }
  /**
   * One stream over every engine. Its cursor holds each engine's own (JSON: engine URL, '' for the local
   * one → that engine's cursor), so `since` resumes every engine where it stood, engines named later included.
   */
  watchEvents(labels: Record<string, string>, onEvent: (e: ContainerEvent) => void, since?: string) {
    const positions = parsePositions(since);
    const stops = new Map<RuntimeDriver, () => void>();
    const attach = () => {
      for (const [url, d] of this.engines()) {
        if (stops.has(d)) continue;
        stops.set(d, d.watchEvents(labels, (e) => {
          if (e.cursor !== undefined) positions[url] = e.cursor;
          onEvent({ ...e, cursor: JSON.stringify(positions) });
        }, positions[url]));
      }
    };
    attach();
    // Engines named later join the stream.
    this.attachers.add(attach);
    return () => {
      this.attachers.delete(attach);
      for (const stop of stops.values()) stop();
    };
  }
  createVolume(spec: VolumeSpec) {
    return this.byLabels(spec.labels).createVolume(spec);
  }
  async inspectVolume(name: string): Promise<VolumeState | undefined> {
    for (const d of this.all()) {
      const v = await d.inspectVolume(name).catch(() => undefined);
      if (v) return v;
    }
    return undefined;
  }
  async removeVolume(name: string) {
    for (const d of this.all()) if (await d.inspectVolume(name).catch(() => undefined)) await d.removeVolume(name);
  }
  async listVolumes(labels: Record<string, string>) {
    const out: VolumeState[] = [];
    for (const d of this.all()) out.push(...(await d.listVolumes(labels).catch(() => [] as VolumeState[])));
    return out;
  }
  async hostAddressForContainers(labels?: Record<string, string>) {
    return this.byLabels(labels).hostAddressForContainers(labels);
  }
  async stats(id: string): Promise<ContainerStats | undefined> {
    const d = await this.byId(id);
    return d ? d.stats(id) : undefined;
  }
  async logs(id: string, opts: { since?: Date; follow?: boolean; onLine: (line: LogLine) => void; signal?: AbortSignal }) {
    const d = await this.byId(id);
    if (d) await d.logs(id, opts);
  }
  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const d = await this.byId(id);
    if (!d) throw new RuntimeError('NotFound', `No such container: ${id}`);
    return d.exec(id, opts);
  }
  close() {
    for (const d of this.remotes.values()) (d as { close?: () => void }).close?.();
    (this.local as { close?: () => void }).close?.();
  }
}

/** The per-engine cursors of a multi-engine cursor (none, or not one: every engine from now). */
function parsePositions(since: string | undefined): Record<string, string> {
  if (!since) return {};
  try {
    const p = JSON.parse(since);
    if (p && typeof p === 'object' && !Array.isArray(p)) return Object.fromEntries(Object.entries(p).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch { /* not ours */ }
  return {};
}

/** A driver for an engine that cannot be used: every call fails with Unavailable. */
function unreachableEngine(message: string): RuntimeDriver {
  const fail = async (): Promise<never> => {
    throw new RuntimeError('Unavailable', message);
  };
  return {
    name: 'unreachable',
    ping: fail, hasImage: fail, pullImage: fail, buildImage: fail, pushImage: fail, createContainer: fail, startContainer: fail,
    stopContainer: fail, removeContainer: fail, inspectContainer: fail, listContainers: fail, hostAddressForContainers: fail,
    stats: fail, logs: fail, exec: fail, createVolume: fail, inspectVolume: fail, removeVolume: fail, listVolumes: fail,
    watchEvents: () => () => {},
  };
}
