/**
 * The reconcile runtime (controller-runtime's shape): each controller has a
 * keyed work queue; a key is never reconciled twice at once; enqueuing a key
 * that is already waiting is a no-op; failures retry with exponential backoff;
 * a TerminalError is not retried; a result may ask for a timed requeue.
 * Reconcilers are level-triggered: they get a key, never an event.
 */
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Db, Statements } from '../state/db.js';

export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds. */
  requeueAfterMs?: number;
}

/** What every controller reads state and time through. */
export interface StateDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
}

export interface Reconciler {
  readonly name: string;
  /** How many keys may be reconciled at once (default 1). */
  readonly concurrency?: number;
  reconcile(key: string): Promise<ReconcileResult | void>;
}

/** A failure that retrying cannot fix: recorded by the reconciler, not retried. */
export class TerminalError extends Error {}

const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 30_000;

interface Queue {
  reconciler: Reconciler;
  waiting: Set<string>;
  order: string[];
  active: Set<string>;
  /** Keys enqueued while active: run once more when the current pass ends. */
  dirty: Set<string>;
  failures: Map<string, number>;
  timers: Map<string, NodeJS.Timeout>;
}

export class ControllerRuntime {
  private queues = new Map<string, Queue>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  register(reconciler: Reconciler) {
    this.queues.set(reconciler.name, {
      reconciler, waiting: new Set(), order: [], active: new Set(), dirty: new Set(), failures: new Map(), timers: new Map(),
    });
  }

  /** Asks for `key` to be reconciled by `controller` (now, or after delayMs). */
  enqueue(controller: string, key: string, delayMs = 0) {
    const q = this.queues.get(controller);
    if (!q || this.stopped) return;
    if (delayMs > 0) {
      if (q.timers.has(key)) return;
      const t = setTimeout(() => {
        q.timers.delete(key);
        this.enqueue(controller, key);
      }, delayMs);
      t.unref();
      q.timers.set(key, t);
      return;
    }
    if (q.active.has(key)) {
      q.dirty.add(key);
      return;
    }
    if (q.waiting.has(key)) return;
    q.waiting.add(key);
    q.order.push(key);
    this.pump(q);
  }

  private pump(q: Queue) {
    const limit = q.reconciler.concurrency ?? 1;
    while (!this.stopped && q.active.size < limit && q.order.length) {
      const key = q.order.shift()!;
      q.waiting.delete(key);
      q.active.add(key);
      void this.runOne(q, key);
    }
    this.checkIdle();
  }

  private async runOne(q: Queue, key: string) {
    const name = q.reconciler.name;
    let requeueAfter: number | undefined;
    try {
      const result = await q.reconciler.reconcile(key);
      q.failures.delete(key);
      requeueAfter = result?.requeueAfterMs;
    } catch (err) {
      if (err instanceof TerminalError) {
        q.failures.delete(key);
        this.log.warn('reconcile failed terminally', { controller: name, key, error: err.message });
      } else {
        const n = (q.failures.get(key) ?? 0) + 1;
        q.failures.set(key, n);
        requeueAfter = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (n - 1));
        this.log.warn('reconcile failed, retrying', { controller: name, key, attempt: n, retryInMs: requeueAfter, error: (err as Error)?.stack ?? String(err) });
      }
    } finally {
      q.active.delete(key);
    }
    if (q.dirty.delete(key)) this.enqueue(name, key);
    else if (requeueAfter !== undefined) this.enqueue(name, key, Math.max(1, requeueAfter));
    this.pump(q);
  }

  /** Resolves when no key is queued or running (timed requeues don't count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle() {
    for (const q of this.queues.values()) if (q.active.size || q.order.length) return false;
    return true;
  }

  private checkIdle() {
    if (!this.idleWaiters.length || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Stops taking work and waits (bounded) for running reconciles to finish. */
  async stop(timeoutMs = 5000) {
    this.stopped = true;
    for (const q of this.queues.values()) {
      for (const t of q.timers.values()) clearTimeout(t);
      q.timers.clear();
      q.order = [];
      q.waiting.clear();
    }
    const end = Date.now() + timeoutMs;
    while ([...this.queues.values()].some((q) => q.active.size) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
