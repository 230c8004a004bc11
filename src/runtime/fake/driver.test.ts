import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeError, type ContainerEvent } from '../driver.js';
import { FakeDriver } from './driver.js';

const IMAGE = 'berth-test/busybox:latest';
const spec = (i: number, task: string) => ({
  name: `c-${i}`, image: IMAGE, networkMode: 'bridge',
  labels: { 'berth.instance': 'scale', 'berth.task-arn': task, 'berth.container-name': 'app' },
});

/** This process's CPU time (user + system), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

describe('fake runtime at scale', () => {
  it('creates, lists by task label, inspects and removes 20,000 containers in time linear in their number (not O(n²))', async () => {
    const driver = new FakeDriver([IMAGE]);
    const n = 20_000;
    const t0 = cpuMs();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await driver.createContainer(spec(i, `task-${i >> 1}`)));
    for (const id of ids) await driver.startContainer(id);
    const created = cpuMs() - t0;

    const t1 = cpuMs();
    for (let t = 0; t < 2_000; t++) assert.equal((await driver.listContainers({ 'berth.task-arn': `task-${t}` })).length, 2);
    for (let i = 0; i < 2_000; i++) assert.equal((await driver.inspectContainer(ids[i]))?.status, 'running');
    const queried = cpuMs() - t1;
    assert.equal((await driver.listContainers({ 'berth.instance': 'scale', 'berth.task-arn': '' })).length, n);
    await assert.rejects(driver.createContainer(spec(7, 'x')), (e: unknown) => e instanceof RuntimeError && e.code === 'Conflict');

    const t2 = cpuMs();
    for (const id of ids) await driver.removeContainer(id);
    const removed = cpuMs() - t2;
    assert.equal((await driver.listContainers({ 'berth.instance': 'scale' })).length, 0);
    // A removed container's name is free again.
    await driver.createContainer(spec(7, 'x'));

    // Scanning every name on each create (O(n²)) took ~25 s for these creates alone; indexed, each phase is
    // well under a second. Measured in this process's CPU time, not wall time, so that other work on a busy
    // machine does not count against it.
    assert.ok(created < 5_000, `create+start ${created.toFixed(0)} ms`);
    assert.ok(queried < 2_000, `2,000 lists + 2,000 inspects ${queried.toFixed(0)} ms`);
    assert.ok(removed < 2_000, `remove ${removed.toFixed(0)} ms`);
  });

  it('with BERTH_FAKE_STATE, containers outlive the driver as an engine\'s outlive Berth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fake-'));
    try {
      const file = join(dir, 'fake.json');
      const a = new FakeDriver([IMAGE], file);
      const id = await a.createContainer({ ...spec(1, 'kept'), ports: [{ containerPort: 80, protocol: 'tcp' as const }] });
      await a.startContainer(id);
      await a.createVolume({ name: 'v1', labels: { 'berth.instance': 'scale' } });
      a.close();

      const b = new FakeDriver([], file);
      const [c] = await b.listContainers({ 'berth.task-arn': 'kept' });
      assert.equal(c.id, id);
      assert.equal(c.status, 'running');
      assert.ok(c.startedAt instanceof Date);
      assert.equal(c.ports[0].containerPort, 80);
      assert.equal(await b.hasImage(IMAGE), true);
      assert.equal((await b.inspectVolume('v1'))?.name, 'v1');
      await assert.rejects(b.createContainer(spec(1, 'again')), (e: unknown) => e instanceof RuntimeError && e.code === 'Conflict');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps its events: a restarted engine replays from a cursor what happened after it, and a dropped stream resumes where it stood', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-fake-'));
    try {
      const file = join(dir, 'fake.json');
      const a = new FakeDriver([IMAGE], file);
      const seen: ContainerEvent[] = [];
      a.watchEvents({ 'berth.instance': 'scale' }, (e) => seen.push(e));
      const id = await a.createContainer(spec(1, 't'));
      await a.startContainer(id);
      const cursor = seen.at(-1)!.cursor!;
      assert.deepEqual(seen.map((e) => e.action), ['create', 'start']);
      // Missed by every listener: the engine goes on while Berth is down.
      a.exit(id, 137, true);
      a.close();

      const b = new FakeDriver([], file);
      const replayed: ContainerEvent[] = [];
      b.watchEvents({ 'berth.task-arn': 't' }, (e) => replayed.push(e), cursor);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(replayed.map((e) => e.action), ['start', 'oom', 'die'], 'from the cursor on (inclusive, as Docker), OOM then exit as Docker reports them');

      b.dropEventStreams();
      await b.removeContainer(id);
      assert.equal(replayed.length, 3, 'nothing delivered while dropped');
      b.reconnectEventStreams();
      assert.deepEqual(replayed.map((e) => e.action), ['start', 'oom', 'die', 'destroy']);
      assert.ok(replayed.every((e, i) => i === 0 || Number(e.cursor) > Number(replayed[i - 1].cursor)), 'cursors move forward');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
