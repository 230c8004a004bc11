/**
 * The reconcile runtime (controller-runtime's shape): each controller has a
 * keyed work queue; a key is never reconciled twice at once; enqueuing a key
 * that is already waiting is a no-op; failures retry with exponential backoff;
 * a TerminalError is not retried; a result may ask for a timed requeue.
 * Reconcilers are level-triggered: they get a key, never an event.
 *
 * Fairness: a reconcile that resolves without I/O (a quiet task on the fake runtime,
 * a scheduler pass that only reads SQLite) would otherwise chain into the next one
 * through promise continuations, and a long queue would run to its end before Node
 * looks at the network again. So a reconcile starts only while the current turn of
 * the event loop has spent less than SLICE_MS on controller work; past that it waits
 * for the next turn (setImmediate), after the I/O that arrived meanwhile (API
 * requests) has been served. Each controller's `concurrency` caps how many of its
 * keys are in flight (engine calls included), as controller-runtime's
 * MaxConcurrentReconciles does.
 *
 * `hold` keeps every controller from starting a pass (keys still queue) while
 * something replaces the world under them (a snapshot load): a pass that began
 * against the old state would otherwise act on the new one halfway.
 *
 * Each controller declares, beside its reconcile function, what it watches
 * (`Watches`: change kinds on the feed and how a change maps to its keys,
 * engine events, periodic resyncs, a paged sweep), as controller-runtime's
 * builders do; the runtime wires them (`add`, then `start`). A controller never
 * names another: it pokes one by publishing a change kind on the feed.
 *
 * Observe, don't poll: what changes on the engine arrives as its events (one
 * stream for every controller, resumed after a restart from the cursor kept in
 * state, and by the driver after a reconnect); a quiet key costs nothing. The
 * safety net for anything missed anyway (an engine that kept too few events) is
 * a sweep: at start every key, then a page per tick with a cursor over the keys,
 * so the whole set comes round about once per `sweepMs` and a tick's work stays
 * bounded however large the table grows.
 */
import type { ContainerEvent } from '../runtime/driver.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Db, Statements } from '../state/db.js';

/** The longest delay a Node timer keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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

/** A change kind on the feed a controller reacts to, and which of its keys a change names. */
export interface ChangeWatch {
  kind: ChangeKind;
  /** The controller's keys for a change's key (default: the change's key itself). */
  keys?: (key: string) => Iterable<string>;
}

/** A periodic resync: at start, then every `periodMs`, every key `keys()` lists is enqueued. */
export interface Resync {
  periodMs: number;
  /**
   * Every key that may need a pass. A generator may page a large table; an async
   * iterable is for lists that need I/O (an engine's containers) and may end early on failure.
   */
  keys: () => Iterable<string> | AsyncIterable<string>;
  /** Keys enqueued once at start instead of `keys()` (e.g. every file system, each then requeuing itself). */
  startKeys?: () => Iterable<string>;
}

/**
 * A paged sweep over a large set of keys (every unfinished task): all of them at start and on `resync()`,
 * then each tick the next page after a cursor, wrapping at the end.
 */
export interface Sweep {
  /** About how long one round over every key takes (longer once a round needs more than MAX_SWEEP_PAGE keys a tick). */
  sweepMs: number;
  /** Up to `limit` keys after `after` (undefined: from the first), in a stable order, and the cursor after the last. */
  page: (after: string | undefined, limit: number) => { keys: string[]; next?: string };
  /**
   * The keys enqueued at start instead of every key: those a cheap comparison finds may need a pass (a restarted
   * Berth adopting what the engine still runs), so a restart costs what changed, not the size of the set. A list
   * that fails or ends early loses nothing: the periodic rounds still bring every key round. `resync()` still
   * enqueues every key (the state was replaced under the controllers).
   */
  startKeys?: () => Iterable<string> | AsyncIterable<string>;
  /** How many keys there are (a count, not a read of them): paces the first round after startKeys. */
  size?: () => number;
}

/** What a controller watches: the runtime enqueues its keys from these. */
export interface Watches {
  changes?: ChangeWatch[];
  /** Engine events of this Berth's containers, mapped to keys. */
  engineEvents?: (e: ContainerEvent) => Iterable<string>;
  resync?: Resync[];
  sweep?: Sweep;
}

/** A reconciler with its declared watches. */
export interface Controller extends Reconciler {
  readonly watches: Watches;
}

/** Where watched changes come from (`ControllerRuntime.start`). */
export interface WatchSources {
  changes: ChangeFeed;
  /** Subscribes to engine events of this Berth's containers, from `since` (an event's cursor); returns the unsubscribe. */
  engineEvents(onEvent: (e: ContainerEvent) => void, since?: string): () => void;
  /** Where the event stream's position is kept across restarts (state): read at start, written as events arrive. */
  eventCursor: { load(): string | undefined; save(cursor: string): void };
}

/** Interval timers (injectable, so a test can run resyncs and sweeps by hand). */
export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** A failure that retrying cannot fix: recorded by the reconciler, not retried. */
export class TerminalError extends Error {}

const BASE_BACKOFF_MS = 100;
/** A sweep enqueues a page this often. */
const SWEEP_TICK_MS = 5_000;
/** At most this many keys per sweep tick (a large table takes longer rounds, never a longer tick). */
const MAX_SWEEP_PAGE = 200;
/** Pages read when a sweep enqueues every key (start, resync). */
const FULL_SWEEP_PAGE = 1_000;
/** The event cursor is written at most this often (and at stop). */
const CURSOR_SAVE_MS = 1_000;
/** How long controller work may hold one turn of the event loop before it yields to I/O. */
const SLICE_MS = 5;
const MAX_BACKOFF_MS = 30_000;

/** Where a sweep stands. */
interface SweepState {
  name: string;
  sweep: Sweep;
  /** The cursor after the last key enqueued in this round (undefined: from the first). */
  after?: string;
  /** Keys enqueued in this round, and in the last whole round. */
  round: number;
  lastRound: number;
  /** Whether lastRound counts the whole set (false until a sweep started by startKeys has completed a round). */
  sized: boolean;
  /** Ticks since this round began. */
  ticks: number;
  /** This round has covered every key (the next waits for sweepMs to pass). */
  done: boolean;
}

interface Queue {
  reconciler: Reconciler;
  waiting: Set<string>;
  /** Waiting keys in order, from `head` on (a head index, so taking the next key of a long queue is O(1)). */
  order: string[];
  head: number;
  active: Set<string>;
  /** Keys enqueued while active: run once more when the current pass ends. */
  dirty: Set<string>;
  failures: Map<string, number>;
  /** Timed requeues by key, with when each is due (a pass that begins supersedes its key's). */
  timers: Map<string, { handle: NodeJS.Timeout; due: number }>;
  /** Reconciles begun since start (what an idle Berth spends is visible: `passes()`). */
  passes: number;
}

export class ControllerRuntime {
  private queues = new Map<string, Queue>();
  private watched: { name: string; watches: Watches }[] = [];
  private unwatch: (() => void)[] = [];
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  /** When controller work began in this turn of the event loop (undefined: none yet). */
  private sliceStart: number | undefined;
  /** Reconciles inside their reconcile function now (keys waiting to start, e.g. held, do not count). */
  private running = 0;
  private quietWaiters: (() => void)[] = [];
  /** While holds are taken: resolves when the last is released (passes wait on it before they start). */
  private held: { count: number; released: Promise<void>; release: () => void } | undefined;
  /** Sweeps in progress: where each stands and how many keys its last full round had. */
  private sweeps: SweepState[] = [];
  /** The newest event cursor seen, and whether it is newer than the one saved. */
  private eventCursor: { latest?: string; unsaved: boolean; save?: (cursor: string) => void } = { unsaved: false };

  constructor(private readonly log: Logger, private readonly timers: Timers = REAL_TIMERS) {}

  register(reconciler: Reconciler) {
    this.queues.set(reconciler.name, {
      reconciler, waiting: new Set(), order: [], head: 0, active: new Set(), dirty: new Set(), failures: new Map(), timers: new Map(), passes: 0,
    });
  }

  /** Registers a controller and its watches (wired by `start`). */
  add(controller: Controller) {
    this.register(controller);
    this.watched.push({ name: controller.name, watches: controller.watches });
  }

  /**
   * Wires every added controller's watches: one change-feed subscription, one
   * engine-event subscription (if any controller watches engine events), each
   * resync run now (its start keys) and then on its period.
   */
  start(sources: WatchSources) {
    const byKind = new Map<ChangeKind, { name: string; keys?: (key: string) => Iterable<string> }[]>();
    for (const { name, watches } of this.watched) {
      for (const w of watches.changes ?? []) byKind.set(w.kind, [...(byKind.get(w.kind) ?? []), { name, keys: w.keys }]);
    }
    this.unwatch.push(sources.changes.subscribe((kind, key) => {
      for (const w of byKind.get(kind) ?? []) this.enqueueAll(w.name, () => (w.keys ? w.keys(key) : [key]));
    }));
    const onEvent = this.watched.filter((c) => c.watches.engineEvents);
    if (onEvent.length) {
      // Resumed where the last run stood: what happened while Berth was down comes first (as far as the engine kept it).
      const cursor = this.eventCursor;
      cursor.save = sources.eventCursor.save;
      this.unwatch.push(sources.engineEvents((e) => {
        if (e.cursor !== undefined && e.cursor !== cursor.latest) {
          cursor.latest = e.cursor;
          cursor.unsaved = true;
        }
        for (const c of onEvent) this.enqueueAll(c.name, () => c.watches.engineEvents!(e));
      }, sources.eventCursor.load()));
      const handle = this.timers.setInterval(() => this.saveEventCursor(), CURSOR_SAVE_MS);
      this.unwatch.push(() => this.timers.clearInterval(handle));
    }
    for (const { name, watches } of this.watched) {
      for (const r of watches.resync ?? []) {
        this.resyncOne(name, r, r.startKeys ?? r.keys);
        const handle = this.timers.setInterval(() => this.resyncOne(name, r, r.keys), r.periodMs);
        this.unwatch.push(() => this.timers.clearInterval(handle));
      }
      if (watches.sweep) {
        const s: SweepState = { name, sweep: watches.sweep, round: 0, ticks: 0, lastRound: 0, sized: true, done: true };
        this.sweeps.push(s);
        if (watches.sweep.startKeys) this.sweepStart(s, watches.sweep.startKeys);
        else this.sweepAll(s);
        const handle = this.timers.setInterval(() => this.sweepTick(s), SWEEP_TICK_MS);
        this.unwatch.push(() => this.timers.clearInterval(handle));
      }
    }
  }

  /**
   * Runs every declared resync now, and every sweep over all its keys (after a reset or a snapshot load).
   * Synchronous key lists are enqueued before it returns.
   */
  resync() {
    for (const { name, watches } of this.watched) for (const r of watches.resync ?? []) this.resyncOne(name, r, r.keys);
    for (const s of this.sweeps) this.sweepAll(s);
  }

  /** Writes the newest event cursor, if it moved since the last write. */
  private saveEventCursor() {
    const c = this.eventCursor;
    if (!c.unsaved || c.latest === undefined || !c.save) return;
    try {
      c.save(c.latest);
      c.unsaved = false;
    } catch (err) {
      this.log.warn('saving the engine event cursor failed', { error: (err as Error)?.message ?? String(err) });
    }
  }

  /** Every key of a sweep, now (paged reads, all enqueued); the periodic round starts again from the first. */
  private sweepAll(s: SweepState) {
    let after: string | undefined;
    let count = 0;
    try {
      for (;;) {
        const { keys, next } = s.sweep.page(after, FULL_SWEEP_PAGE);
        for (const key of keys) this.enqueue(s.name, key);
        count += keys.length;
        if (next === undefined || !keys.length) break;
        after = next;
      }
    } catch (err) {
      this.log.warn('sweep failed', { controller: s.name, error: (err as Error)?.stack ?? String(err) });
      return;
    }
    // This was a round: the next begins once sweepMs has passed.
    Object.assign(s, { lastRound: count, sized: true, round: 0, ticks: 0, after: undefined, done: true });
  }

  /**
   * A sweep's start: only the keys `startKeys` names are enqueued (no key is read beyond them: a restart costs what
   * changed), and the first round begins at once, the keys passed over at start coming round within one period,
   * not two. It is paced by `size()`; without it, by nothing known until it ends, so it goes at the most a tick
   * allows (MAX_SWEEP_PAGE keys).
   */
  private sweepStart(s: SweepState, startKeys: NonNullable<Sweep['startKeys']>) {
    let size: number | undefined;
    try {
      size = s.sweep.size?.();
    } catch (err) {
      this.log.warn('sweep failed', { controller: s.name, error: (err as Error)?.stack ?? String(err) });
    }
    Object.assign(s, { lastRound: size ?? 0, sized: size !== undefined, round: 0, ticks: 0, after: undefined, done: false });
    this.resyncOne(s.name, { periodMs: s.sweep.sweepMs, keys: startKeys }, startKeys);
  }

  /**
   * One tick of a sweep: the next page, sized so a round takes about `sweepMs` by the last round's size (at most
   * MAX_SWEEP_PAGE keys); a round that has taken longer (the set grew) goes on at the most a tick allows. A round
   * that is done early waits for its `sweepMs` to pass before the next begins (a few keys are not swept every tick).
   */
  private sweepTick(s: SweepState) {
    s.ticks++;
    try {
      // Twice at most: a page that comes back empty ends the round, and the next may begin in the same tick.
      for (let pass = 0; pass < 2; pass++) {
        if (s.done) {
          if (s.ticks * SWEEP_TICK_MS < s.sweep.sweepMs) return;
          Object.assign(s, { done: false, ticks: 1, round: 0, after: undefined });
        }
        const overdue = s.ticks * SWEEP_TICK_MS > s.sweep.sweepMs;
        const paced = Math.max(1, Math.ceil((Math.max(s.lastRound, s.round) * SWEEP_TICK_MS) / s.sweep.sweepMs));
        const limit = overdue || !s.sized ? MAX_SWEEP_PAGE : Math.min(MAX_SWEEP_PAGE, paced);
        const { keys, next } = s.sweep.page(s.after, limit);
        for (const key of keys) this.enqueue(s.name, key);
        s.round += keys.length;
        if (next !== undefined && keys.length === limit) {
          s.after = next;
          return;
        }
        s.lastRound = s.round;
        s.sized = true;
        s.done = true;
        if (keys.length) return;
      }
    } catch (err) {
      this.log.warn('sweep failed', { controller: s.name, error: (err as Error)?.stack ?? String(err) });
    }
  }

  private resyncOne(name: string, r: Resync, keys: Resync['keys']) {
    let listed: Iterable<string> | AsyncIterable<string>;
    try {
      listed = keys();
    } catch (err) {
      this.log.warn('resync failed', { controller: name, error: (err as Error)?.stack ?? String(err) });
      return;
    }
    if (Symbol.iterator in listed) {
      this.enqueueAll(name, () => listed as Iterable<string>);
      return;
    }
    void (async () => {
      try {
        for await (const key of listed as AsyncIterable<string>) this.enqueue(name, key);
      } catch (err) {
        this.log.warn('resync failed', { controller: name, periodMs: r.periodMs, error: (err as Error)?.stack ?? String(err) });
      }
    })();
  }

  /** Enqueues the keys a watch maps to; a mapping that throws is logged (the next resync catches up). */
  private enqueueAll(name: string, keys: () => Iterable<string>) {
    try {
      for (const key of keys()) this.enqueue(name, key);
    } catch (err) {
      this.log.warn('watch failed to map a change to keys', { controller: name, error: (err as Error)?.stack ?? String(err) });
    }
  }

  /** Asks for `key` to be reconciled by `controller` (now, or after delayMs). */
  enqueue(controller: string, key: string, delayMs = 0) {
    const q = this.queues.get(controller);
    if (!q || this.stopped) return;
    if (delayMs > 0) {
      // One timer per key, the earliest asked for: a later, shorter requeue (a step that wants to go on now) is not
      // held up behind a long one (a backed-off look).
      const due = Date.now() + delayMs;
      const pending = q.timers.get(key);
      if (pending && pending.due <= due) return;
      if (pending) clearTimeout(pending.handle);
      // Node's timers hold at most 2^31-1 ms (about 24.8 days) and fire a longer delay after 1 ms, again and again
      // (a scheduled action years ahead spun a core): a longer wait passes at the limit, and the pass asks again.
      const handle = setTimeout(() => {
        q.timers.delete(key);
        this.enqueue(controller, key);
      }, Math.min(delayMs, MAX_TIMER_MS));
      handle.unref();
      q.timers.set(key, { handle, due });
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
    while (!this.stopped && q.active.size < limit && q.head < q.order.length) {
      const key = q.order[q.head++];
      q.waiting.delete(key);
      q.active.add(key);
      void this.runOne(q, key);
    }
    if (q.head > 1024 && q.head * 2 > q.order.length) {
      q.order = q.order.slice(q.head);
      q.head = 0;
    }
    this.checkIdle();
  }

  /**
   * Whether a reconcile may start in this turn of the event loop: the first one in a turn opens a slice (and
   * a setImmediate closes it once the loop has turned); later ones may start while the slice lasts.
   */
  private mayStart(): boolean {
    const now = performance.now();
    if (this.sliceStart === undefined) {
      this.sliceStart = now;
      setImmediate(() => { this.sliceStart = undefined; });
      return true;
    }
    return now - this.sliceStart < SLICE_MS;
  }

  private async runOne(q: Queue, key: string) {
    const name = q.reconciler.name;
    for (;;) {
      // The slice of this turn is spent: wait for the next, after pending I/O.
      while (!this.mayStart()) await new Promise<void>((r) => setImmediate(r));
      if (!this.held || this.stopped) break;
      await this.held.released;
    }
    if (this.stopped) {
      q.active.delete(key);
      this.checkIdle();
      return;
    }
    let requeueAfter: number | undefined;
    // This pass reads the state afresh and asks for its own requeue: a timed one still pending for the key is superseded.
    const pending = q.timers.get(key);
    if (pending) {
      clearTimeout(pending.handle);
      q.timers.delete(key);
    }
    this.running++;
    q.passes++;
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
      if (--this.running === 0) for (const w of this.quietWaiters.splice(0)) w();
    }
    if (q.dirty.delete(key)) this.enqueue(name, key);
    else if (requeueAfter !== undefined) this.enqueue(name, key, Math.max(1, requeueAfter));
    this.pump(q);
  }

  /**
   * Keeps every controller from starting a pass until the returned release is called (keys keep queueing
   * and run then); resolves once no pass runs, or after `waitMs` (a pass may wait long on an engine, as a
   * pull does: it goes on, and the level-triggered passes after it repair what it did).
   */
  async hold(waitMs = 2_000): Promise<() => void> {
    if (!this.held) {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      this.held = { count: 0, released, release };
    }
    const h = this.held;
    h.count++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      if (--h.count > 0) return;
      if (this.held === h) this.held = undefined;
      h.release();
    };
    if (this.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        this.quietWaiters.push(r);
        timer = setTimeout(r, waitMs);
      });
      clearTimeout(timer);
    }
    return release;
  }

  /** Reconciles begun so far, per controller. */
  passes(): Record<string, number> {
    return Object.fromEntries([...this.queues].map(([name, q]) => [name, q.passes]));
  }

  /** Resolves when no key is queued or running (timed requeues don't count). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle() {
    for (const q of this.queues.values()) if (q.active.size || q.head < q.order.length) return false;
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
    // Held passes are let go, to see `stopped` and end.
    this.held?.release();
    this.held = undefined;
    for (const off of this.unwatch.splice(0)) off();
    this.saveEventCursor();
    for (const q of this.queues.values()) {
      for (const t of q.timers.values()) clearTimeout(t.handle);
      q.timers.clear();
      q.order = [];
      q.head = 0;
      q.waiting.clear();
    }
    const end = Date.now() + timeoutMs;
    while ([...this.queues.values()].some((q) => q.active.size) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
