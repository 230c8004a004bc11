import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerRuntime, TerminalError } from './runtime.js';
import { createLogger } from '../shared/logger.js';

const log = createLogger('silent');
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
    await sleep(5);
    rt.enqueue('c', 'k');
    rt.enqueue('c', 'k');
    await sleep(80);
    await rt.idle();
    assert.equal(maxRunning, 1);
    assert.equal(passes, 2);
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
});
