import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerRuntime, TerminalError, type Controller, type Timers } from './runtime.js';
import type { ContainerEvent } from '../runtime/driver.js';
import { createLogger } from '../shared/logger.js';
import { ChangeFeed } from '../state/change-feed.js';

const log = createLogger('silent');
/** No event cursor kept. */
const NO_CURSOR = { load: () => undefined, save: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('controller runtime', () => {
  it('never reconciles one key twice at once, and re-runs a key enqueued during its pass', async () => {
    const rt = new ControllerRuntime(log);
    let running = 0;
    let maxRunning = 0;
    let passes = 0;
    rt.register({
      name: 'c', concurrency: 4,
      async reconcile() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        passes++;
        await sleep(20);
        running--;
      },
    });
    rt.enqueue('c', 'k');
    // Enqueue again only once the first pass is inside reconcile (a fixed sleep raced it on a busy machine:
    // a key still waiting to start takes the new enqueues in, and only one pass runs).
    while (running === 0) await sleep(1);
    rt.enqueue('c', 'k');
    rt.enqueue('c', 'k');
    await rt.idle();
    assert.equal(maxRunning, 1);
    assert.equal(passes, 2);
    await rt.stop();
  });

  it('a pass supersedes its key\'s pending timed requeue, and a shorter requeue is not held up behind a longer one', async () => {
    const rt = new ControllerRuntime(log);
    const asks: (number | undefined)[] = [60_000, undefined, 30_000, 20];
    const at: number[] = [];
    const t0 = performance.now();
    rt.register({ name: 'c', async reconcile() { at.push(performance.now() - t0); return asks.length ? { requeueAfterMs: asks.shift() } : undefined; } });
    // Pass 1 asks for a look in 60 s; pass 2 (a change) asks for none: the 60 s timer is gone, not a stray pass later.
    rt.enqueue('c', 'k');
    await rt.idle();
    rt.enqueue('c', 'k');
    await rt.idle();
    assert.equal(at.length, 2);
    // Pass 3 asks for 30 s, then a change brings pass 4, which asks for 20 ms: pass 5 comes in 20 ms, not 30 s.
    rt.enqueue('c', 'k');
    await rt.idle();
    rt.enqueue('c', 'k');
    await rt.idle();
    const end = performance.now() + 2_000;
    while (at.length < 5 && performance.now() < end) await sleep(5);
    assert.equal(at.length, 5, 'the 20 ms requeue ran');
    await sleep(100);
    assert.equal(at.length, 5, 'no pass from a superseded timer');
    await rt.stop();
  });

  it('de-duplicates waiting keys and runs different keys concurrently', async () => {
    const rt = new ControllerRuntime(log);
    const seen: string[] = [];
    rt.register({ name: 'c', concurrency: 2, async reconcile(k) { seen.push(k); await sleep(10); } });
    rt.enqueue('c', 'a');
    rt.enqueue('c', 'b');
    rt.enqueue('c', 'c');
    rt.enqueue('c', 'c');
    await sleep(5);
    await rt.idle();
    assert.deepEqual(seen.sort(), ['a', 'b', 'c']);
    await rt.stop();
  });

  it('retries a failing key with backoff until it succeeds, but not a terminal error', async () => {
    const rt = new ControllerRuntime(log);
    let attempts = 0;
    let terminalAttempts = 0;
    rt.register({
      name: 'c',
      async reconcile(k) {
        if (k === 'terminal') {
          terminalAttempts++;
          throw new TerminalError('no');
        }
        attempts++;
        if (attempts < 3) throw new Error('transient');
      },
    });
    rt.enqueue('c', 'flaky');
    rt.enqueue('c', 'terminal');
    await sleep(600);
    assert.equal(attempts, 3);
    assert.equal(terminalAttempts, 1);
    await rt.stop();
  });

  it('honours requeueAfterMs', async () => {
    const rt = new ControllerRuntime(log);
    let n = 0;
    rt.register({ name: 'c', async reconcile() { n++; return n < 3 ? { requeueAfterMs: 20 } : undefined; } });
    rt.enqueue('c', 'x');
    await sleep(150);
    assert.equal(n, 3);
    await rt.stop();
  });

  it('a requeue years ahead waits (Node timers overflow past 24.8 days and would fire after 1 ms, again and again)', async () => {
    const rt = new ControllerRuntime(log);
    let n = 0;
    rt.register({ name: 'c', async reconcile() { n++; return { requeueAfterMs: 3 * 365 * 86_400_000 }; } });
    rt.enqueue('c', 'x');
    await sleep(100);
    assert.equal(n, 1);
    await rt.stop();
  });

  it('returns to the event loop between reconciles that resolve without I/O, so 10,000 queued keys do not hold it', async () => {
    const rt = new ControllerRuntime(log);
    let done = 0;
    let running = 0;
    let maxRunning = 0;
    rt.register({
      name: 'c', concurrency: 8,
      async reconcile() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        // Synchronous work (a SQLite pass), no I/O.
        const until = performance.now() + 0.02;
        while (performance.now() < until) { /* busy */ }
        await Promise.resolve();
        running--;
        done++;
      },
    });
    for (let i = 0; i < 10_000; i++) rt.enqueue('c', `k${i}`);
    const atImmediate = new Promise<number>((r) => setImmediate(() => r(done)));
    const atTimer = new Promise<number>((r) => setTimeout(() => r(done), 0));
    await rt.idle();
    assert.equal(done, 10_000);
    assert.ok((await atImmediate) < 10_000, `a setImmediate scheduled at the start ran only after all ${await atImmediate} reconciles`);
    assert.ok((await atTimer) < 10_000, `a timer scheduled at the start ran only after all ${await atTimer} reconciles`);
    assert.ok(maxRunning <= 8, `at most concurrency (8) keys in flight, saw ${maxRunning}`);
    await rt.stop();
  });

  it('caps a controller\'s reconciles in flight at its concurrency while they wait on I/O', async () => {
    const rt = new ControllerRuntime(log);
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    rt.register({
      name: 'engine', concurrency: 8,
      async reconcile() {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        done++;
      },
    });
    for (let i = 0; i < 200; i++) rt.enqueue('engine', `k${i}`);
    await rt.idle();
    assert.equal(done, 200);
    assert.equal(maxRunning, 8);
    await rt.stop();
  });

  it('a stopped runtime does not start keys that were waiting for their turn', async () => {
    const rt = new ControllerRuntime(log);
    let done = 0;
    rt.register({
      name: 'c', concurrency: 8,
      async reconcile() {
        const until = performance.now() + 1;
        while (performance.now() < until) { /* busy */ }
        done++;
      },
    });
    for (let i = 0; i < 1000; i++) rt.enqueue('c', `k${i}`);
    await new Promise((r) => setImmediate(r));
    const before = done;
    await rt.stop();
    await sleep(20);
    assert.ok(done < 1000 && done - before <= 8, `ran ${done} of 1,000 keys, ${done - before} of them after stop`);
  });

  it('a hold resolves once the passes in flight end, starts none until released, and then runs the keys queued meanwhile', async () => {
    const rt = new ControllerRuntime(log);
    const seen: string[] = [];
    rt.register({
      name: 'c', concurrency: 4,
      async reconcile(k) {
        seen.push(`start ${k}`);
        await sleep(30);
        seen.push(`end ${k}`);
      },
    });
    rt.enqueue('c', 'a');
    await sleep(5);
    const release = await rt.hold();
    seen.push('held');
    rt.enqueue('c', 'b');
    rt.enqueue('c', 'a');
    await sleep(50);
    seen.push('release');
    release();
    release(); // a second call changes nothing
    await sleep(5);
    await rt.idle();
    assert.deepEqual(seen.slice(0, 4), ['start a', 'end a', 'held', 'release']);
    assert.deepEqual(seen.slice(4).sort(), ['end a', 'end b', 'start a', 'start b']);
    await rt.stop();
  });

  it('a hold waits no longer than asked for a pass that does not end', async () => {
    const rt = new ControllerRuntime(log);
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => (unblock = r));
    rt.register({ name: 'c', async reconcile() { await blocked; } });
    rt.enqueue('c', 'stuck');
    await sleep(5);
    const t0 = Date.now();
    const release = await rt.hold(50);
    assert.ok(Date.now() - t0 < 1000);
    release();
    unblock();
    await rt.idle();
    await rt.stop();
  });

  describe('declared watches', () => {
    /** Interval timers a test fires by hand. */
    class HandTimers implements Timers {
      readonly intervals = new Map<number, { fn: () => void; ms: number }>();
      private next = 1;
      setInterval(fn: () => void, ms: number) {
        const h = this.next++;
        this.intervals.set(h, { fn, ms });
        return h;
      }
      clearInterval(h: unknown) {
        this.intervals.delete(h as number);
      }
      fire(ms: number) {
        for (const t of [...this.intervals.values()]) if (t.ms === ms) t.fn();
      }
    }

    /** A controller that records the keys it reconciles, with the given watches. */
    const recorder = (name: string, watches: Controller['watches']) => {
      const seen: string[] = [];
      const c: Controller = { name, watches, async reconcile(k) { seen.push(k); } };
      return { c, seen };
    };

    it('a controller declared with a change kind gets that kind\'s keys, mapped as it declares; other kinds do not reach it', async () => {
      const rt = new ControllerRuntime(log, new HandTimers());
      const changes = new ChangeFeed();
      const services = recorder('services', {
        changes: [
          { kind: 'ecs.service' },
          { kind: 'ecs.cluster', keys: (cluster) => [`${cluster}/svc-a`, `${cluster}/svc-b`] },
        ],
      });
      const tasks = recorder('tasks', { changes: [{ kind: 'ecs.task' }] });
      rt.add(services.c);
      rt.add(tasks.c);
      rt.start({ changes, engineEvents: () => () => {}, eventCursor: NO_CURSOR });
      changes.publish('ecs.service', 'svc-x');
      changes.publish('ecs.cluster', 'c1');
      changes.publish('ecs.task', 't1');
      changes.publish('efs', 'fs-1');
      await rt.idle();
      assert.deepEqual(services.seen.sort(), ['c1/svc-a', 'c1/svc-b', 'svc-x']);
      assert.deepEqual(tasks.seen, ['t1']);
      await rt.stop();
      changes.publish('ecs.task', 't2');
      assert.deepEqual(tasks.seen, ['t1'], 'a stopped runtime has unsubscribed');
    });

    it('engine events reach the controllers that declare them, as the keys they map to', async () => {
      const rt = new ControllerRuntime(log, new HandTimers());
      let emit: (e: ContainerEvent) => void = () => {};
      const lifecycle = recorder('lifecycle', { engineEvents: (e) => (e.action === 'destroy' ? [] : [e.labels.task]) });
      rt.add(lifecycle.c);
      rt.start({ changes: new ChangeFeed(), engineEvents: (fn) => { emit = fn; return () => {}; }, eventCursor: NO_CURSOR });
      emit({ id: 'c1', action: 'die', labels: { task: 't1' } });
      emit({ id: 'c1', action: 'destroy', labels: { task: 't2' } });
      await rt.idle();
      assert.deepEqual(lifecycle.seen, ['t1']);
      await rt.stop();
    });

    it('a resync lists its start keys at start, then its keys on its period (async lists too), and resync() runs it now', async () => {
      const timers = new HandTimers();
      const rt = new ControllerRuntime(log, timers);
      let listed = ['a'];
      const ctl = recorder('efs', {
        resync: [
          { periodMs: 30_000, keys: () => listed, startKeys: () => ['everything'] },
          { periodMs: 45_000, keys: async function* () { yield 'adopted'; } },
        ],
      });
      rt.add(ctl.c);
      rt.start({ changes: new ChangeFeed(), engineEvents: () => () => {}, eventCursor: NO_CURSOR });
      await sleep(5);
      await rt.idle();
      assert.deepEqual(ctl.seen.sort(), ['adopted', 'everything']);
      assert.deepEqual([...timers.intervals.values()].map((t) => t.ms).sort(), [30_000, 45_000]);
      ctl.seen.length = 0;
      listed = ['a', 'b'];
      timers.fire(30_000);
      await rt.idle();
      assert.deepEqual(ctl.seen.sort(), ['a', 'b'], 'the periodic resync lists keys(), not the start keys');
      ctl.seen.length = 0;
      rt.resync();
      await sleep(5);
      await rt.idle();
      assert.deepEqual(ctl.seen.sort(), ['a', 'adopted', 'b']);
      await rt.stop();
      assert.equal(timers.intervals.size, 0, 'stop clears the resync timers');
    });

    it('the event stream starts from the saved cursor, and the newest cursor seen is saved on a tick and at stop', async () => {
      const timers = new HandTimers();
      const rt = new ControllerRuntime(log, timers);
      let emit: (e: ContainerEvent) => void = () => {};
      let since: string | undefined;
      const saved: string[] = [];
      const lifecycle = recorder('lifecycle', { engineEvents: (e) => [e.labels.task] });
      rt.add(lifecycle.c);
      rt.start({
        changes: new ChangeFeed(),
        engineEvents: (fn, s) => { emit = fn; since = s; return () => {}; },
        eventCursor: { load: () => '41', save: (c) => saved.push(c) },
      });
      assert.equal(since, '41', 'resumed where the last run stood');
      emit({ id: 'c1', action: 'die', labels: { task: 't1' }, cursor: '42' });
      emit({ id: 'c1', action: 'destroy', labels: { task: 't1' }, cursor: '43' });
      timers.fire(1_000);
      timers.fire(1_000);
      assert.deepEqual(saved, ['43'], 'written once per move');
      emit({ id: 'c2', action: 'start', labels: { task: 't2' }, cursor: '44' });
      await rt.idle();
      await rt.stop();
      assert.deepEqual(saved, ['43', '44'], 'the last position is written at stop');
    });

    it('a sweep enqueues every key at start, then a bounded page per tick with a cursor, the whole set about once per sweepMs', async () => {
      const timers = new HandTimers();
      const rt = new ControllerRuntime(log, timers);
      const all = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      const pages: number[] = [];
      const ctl = recorder('tasks', {
        sweep: {
          sweepMs: 60_000,
          page: (after, limit) => {
            pages.push(limit);
            const from = after === undefined ? 0 : all.filter((k) => k <= after).length;
            const keys = all.slice(from, from + limit);
            return { keys, next: keys.at(-1) };
          },
        },
      });
      rt.add(ctl.c);
      rt.start({ changes: new ChangeFeed(), engineEvents: () => () => {}, eventCursor: NO_CURSOR });
      await rt.idle();
      assert.equal(ctl.seen.length, 120, 'every key at start');
      ctl.seen.length = 0;
      pages.length = 0;
      const tick = async () => {
        timers.fire(5_000);
        await rt.idle();
      };
      // The start was a round: the next begins a minute later.
      for (let i = 0; i < 11; i++) await tick();
      assert.deepEqual(ctl.seen, []);
      // 12 ticks of 5 s make the minute: 10 keys a tick for 120 keys.
      for (let i = 0; i < 12; i++) await tick();
      assert.deepEqual(pages, Array(12).fill(10));
      assert.deepEqual(ctl.seen, all, 'each key once, in order, over the minute');
      ctl.seen.length = 0;
      await tick();
      assert.deepEqual(ctl.seen, all.slice(0, 10), 'then from the first again');
      // A few keys are not swept every tick: a round done early waits for its minute.
      all.splice(3);
      ctl.seen.length = 0;
      for (let i = 0; i < 36; i++) await tick();
      const times = all.map((k) => ctl.seen.filter((x) => x === k).length);
      assert.ok(times.every((n) => n >= 2 && n <= 3), `three keys over three minutes, each about once a minute: ${ctl.seen.join(' ')}`);
      await rt.stop();
    });

    it('a sweep with startKeys enqueues only those at start, then its first round begins at once, paced by size()', async () => {
      const timers = new HandTimers();
      const rt = new ControllerRuntime(log, timers);
      const all = Array.from({ length: 120 }, (_, i) => `k${String(i).padStart(3, '0')}`);
      const ctl = recorder('tasks', {
        sweep: {
          sweepMs: 60_000,
          page: (after, limit) => {
            const from = after === undefined ? 0 : all.filter((k) => k <= after).length;
            const keys = all.slice(from, from + limit);
            return { keys, next: keys.at(-1) };
          },
          startKeys: async function* () { yield 'k007'; },
          size: () => all.length,
        },
      });
      rt.add(ctl.c);
      rt.start({ changes: new ChangeFeed(), engineEvents: () => () => {}, eventCursor: NO_CURSOR });
      await new Promise((r) => setImmediate(r));
      await rt.idle();
      assert.deepEqual(ctl.seen, ['k007'], 'only the start keys');
      ctl.seen.length = 0;
      // The first round begins at once, paced by size(): 10 keys a tick for 120 keys a minute.
      for (let i = 0; i < 12; i++) {
        timers.fire(5_000);
        await rt.idle();
      }
      assert.deepEqual(ctl.seen, all, 'every key within the first period');
      ctl.seen.length = 0;
      rt.resync();
      await rt.idle();
      assert.equal(ctl.seen.length, 120, 'resync() still enqueues every key');
      await rt.stop();
    });
  });
});
