/**
 * The data plane's worker processes, seen from Berth's main process. The main
 * process binds every listener port (it picks another port when one is taken
 * and records it) and accepts connections without reading them; each
 * connection is handed to a worker in turn over the worker's IPC channel, and
 * the worker serves it (worker.ts, data-plane.ts) until it closes. Workers get
 * the snapshot, and where listeners are bound, whenever either changes; they
 * never touch SQLite. Handing connections out, rather than letting workers
 * accept on a shared socket, spreads them evenly (one process does not take a
 * burst), lets a listener close or move at once from here, leaves no socket
 * bound when Berth dies, and lets a replacement worker start without
 * rebinding: node:cluster's round-robin scheduling, without its process-wide
 * state (several Berths can share a process).
 *
 * Each worker counts what it serves (traffic-meter.ts) and sends the counts
 * once per metric minute, in one message, to `metrics` (metrics-publisher.ts).
 *
 * Workers start when the first listener appears, never at boot. A worker
 * exits when its IPC channel closes, i.e. when Berth exits however it exits
 * (kill -9 included); one that dies while Berth runs is replaced.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import type { Logger, LogLevel } from '../shared/logger.js';
import type { SnapshotData } from './snapshot.js';
import type { TrafficReport } from './traffic-meter.js';

/** Main → worker. */
export type ToWorker =
  | { t: 'snapshot'; data: SnapshotData; clockOffset: number }
  | { t: 'ports'; ports: [string, number][] }
  | { t: 'conn'; arn: string };

/** Worker → main. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'metrics'; report: TrafficReport }
  | { t: 'log'; level: Exclude<LogLevel, 'silent'>; msg: string; fields?: Record<string, unknown> };

/** How long connections wait for all workers to be up before going to those that are. */
const STARTUP_WAIT_MS = 1000;
const RESPAWN_MS = 500;
/** Workers that die this many times without ever becoming ready: the data plane runs in the main process instead. */
const GIVE_UP_AFTER = 3;

interface WorkerProcess {
  index: number;
  child: ChildProcess;
  ready: boolean;
}

export interface WorkerPoolDeps {
  count: number;
  log: Logger;
  logLevel: LogLevel;
  /** Real seconds per metric minute: how often workers report their counts. */
  metricsPeriod: number;
  /** A worker's counts of one metric minute. */
  metrics(report: TrafficReport): void;
  /** Workers cannot start: connections are served in the main process from now on. */
  onGiveUp(): void;
  /** A connection to serve in the main process (when the pool has given up). */
  fallback(arn: string, socket: net.Socket): void;
}

function workerEntry(): URL {
  // Under tsx (tests, `npx tsx`) this module is TypeScript and so is its worker; built, both are JavaScript.
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/** Node flags the worker inherits: loaders (tsx) and tuning, not the test runner's or the inspector's. */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !/^--(test|inspect|watch|debug|prof|cpu-prof|heap-prof)/.test(a));
}

export class WorkerPool {
  private readonly workers: (WorkerProcess | undefined)[] = [];
  private started = false;
  private stopping = false;
  private gaveUp = false;
  private failures = 0;
  private snapshot: ToWorker | undefined;
  private ports: ToWorker | undefined;
  private queue: { arn: string; socket: net.Socket }[] = [];
  private firstReadyAt = 0;
  private waitTimer: NodeJS.Timeout | undefined;
  private next = 0;
  /** Every worker was ready once. */
  private warm = false;

  constructor(private readonly d: WorkerPoolDeps) {}

  /** Starts the workers (once). */
  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    for (let i = 0; i < this.d.count; i++) this.spawn(i);
  }

  private spawn(index: number): void {
    if (this.stopping || this.gaveUp) return;
    const env: NodeJS.ProcessEnv = { ...process.env, BERTH_LB_WORKER_INDEX: String(index), BERTH_LB_WORKER_LOG_LEVEL: this.d.logLevel,
      BERTH_LB_WORKER_METRICS_PERIOD: String(this.d.metricsPeriod),
    };
    // Under `node --test` the worker is no test file.
    delete env.NODE_TEST_CONTEXT;
    let child: ChildProcess;
    try {
      child = fork(workerEntry(), [], { execArgv: workerExecArgv(), env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    } catch (err) {
      this.d.log.error('load balancer worker could not start', { error: String(err) });
      this.died(undefined, index);
      return;
    }
    const w: WorkerProcess = { index, child, ready: false };
    this.workers[index] = w;
    child.on('message', (m: FromWorker) => {
      if (m.t === 'ready') this.ready(w);
      else if (m.t === 'metrics') this.d.metrics(m.report);
      else if (m.t === 'log') this.d.log[m.level](m.msg, { worker: index, ...m.fields });
    });
    child.on('error', (err) => this.d.log.warn('load balancer worker error', { worker: index, error: String(err) }));
    child.once('exit', (code, signal) => {
      if (this.workers[index] !== w) return;
      this.workers[index] = undefined;
      if (this.stopping) return;
      this.d.log.warn('load balancer worker exited', { worker: index, code, signal });
      this.died(w, index);
    });
    // Neither the worker nor its channel keeps Berth's event loop alive.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
  }

  private died(w: WorkerProcess | undefined, index: number): void {
    if (!w?.ready && ++this.failures >= GIVE_UP_AFTER && !this.workers.some((x) => x?.ready)) {
      this.gaveUp = true;
      this.d.log.error('load balancer workers keep failing to start; serving listeners in the main process');
      this.d.onGiveUp();
      const queued = this.queue;
      this.queue = [];
      for (const q of queued) this.d.fallback(q.arn, q.socket);
      return;
    }
    const t = setTimeout(() => this.spawn(index), RESPAWN_MS);
    t.unref();
  }

  private ready(w: WorkerProcess): void {
    if (this.workers[w.index] !== w) return;
    w.ready = true;
    this.failures = 0;
    if (this.snapshot) this.send(w, this.snapshot);
    if (this.ports) this.send(w, this.ports);
    if (!this.firstReadyAt) {
      this.firstReadyAt = Date.now();
      this.waitTimer = setTimeout(() => this.drain(), STARTUP_WAIT_MS);
      this.waitTimer.unref();
    }
    this.drain();
  }

  private send(w: WorkerProcess, msg: ToWorker, handle?: net.Socket, onSent?: (err: Error | null) => void): void {
    try {
      w.child.send(msg, handle, onSent ?? (() => undefined));
    } catch (err) {
      onSent?.(err as Error);
    }
  }

  /** The current snapshot for every worker (and those that start later). */
  update(data: SnapshotData, clockOffset: number): void {
    this.snapshot = { t: 'snapshot', data, clockOffset };
    for (const w of this.workers) if (w?.ready) this.send(w, this.snapshot);
  }

  setPorts(ports: Map<string, number>): void {
    this.ports = { t: 'ports', ports: [...ports] };
    for (const w of this.workers) if (w?.ready) this.send(w, this.ports);
  }

  /** A connection accepted on a listener port: to the next worker, or queued until workers are up. */
  dispatch(arn: string, socket: net.Socket): void {
    if (this.gaveUp) return this.d.fallback(arn, socket);
    const ready = this.readyWorkers();
    if (!ready.length) {
      this.queue.push({ arn, socket });
      return;
    }
    const w = ready[this.next++ % ready.length];
    this.send(w, { t: 'conn', arn }, socket, (err) => {
      if (!err) return;
      // The worker went away before taking it: another one may.
      if (socket.destroyed) return;
      if (this.stopping) socket.destroy();
      else this.dispatch(arn, socket);
    });
  }

  private readyWorkers(): WorkerProcess[] {
    const ready: WorkerProcess[] = [];
    for (const w of this.workers) if (w?.ready && w.child.connected) ready.push(w);
    if (ready.length === this.d.count) this.warm = true;
    // At start, connections wait (briefly) for every worker, so that they are spread from the first one.
    if (!this.warm && Date.now() - this.firstReadyAt < STARTUP_WAIT_MS) return [];
    return ready;
  }

  private drain(): void {
    if (!this.readyWorkers().length) return;
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) {
      if (!q.socket.destroyed) this.dispatch(q.arn, q.socket);
    }
  }

  /** Stops every worker (and drops connections still waiting for one). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.waitTimer) clearTimeout(this.waitTimer);
    for (const q of this.queue) q.socket.destroy();
    this.queue = [];
    const exits: Promise<void>[] = [];
    for (const w of this.workers) {
      if (!w || w.child.exitCode !== null || w.child.signalCode !== null) continue;
      exits.push(new Promise<void>((resolve) => {
        const kill = setTimeout(() => w.child.kill('SIGKILL'), 2000);
        w.child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        // Closing the channel is what a worker waits for; SIGTERM too, should it be busy.
        if (w.child.connected) w.child.disconnect();
        w.child.kill('SIGTERM');
      }));
    }
    await Promise.all(exits);
  }
}
