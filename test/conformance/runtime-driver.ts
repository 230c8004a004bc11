/**
 * The suite every runtime driver must pass. A driver's own test file is a few
 * lines: it supplies a driver and an image that has /bin/sh and sleep.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RuntimeError, type ContainerEvent, type RuntimeDriver } from '../../src/runtime/driver.js';

export interface ConformanceOptions {
  image: string;
  /** Make the container's main process exit with a code (fake: a hook; docker: a real command). */
  exitWith?: (driver: RuntimeDriver, id: string, code: number) => Promise<void>;
}

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function runtimeDriverConformance(name: string, makeDriver: () => Promise<RuntimeDriver>, opts: ConformanceOptions) {
  describe(`runtime driver conformance: ${name}`, () => {
    let driver: RuntimeDriver;
    const run = randomBytes(4).toString('hex');
    const labels = { 'berth.conformance': run };
    const created: string[] = [];

    before(async () => {
      driver = await makeDriver();
      await driver.ping();
    });
    after(async () => {
      for (const id of created) await driver.removeContainer(id).catch(() => {});
      (driver as { close?: () => void }).close?.();
    });

    const spec = (suffix: string, extra: object = {}) => ({
      name: `berth-conf-${run}-${suffix}`,
      image: opts.image,
      labels: { ...labels, 'berth.container-name': suffix },
      networkMode: 'bridge',
      command: ['sleep', '300'],
      stopTimeoutSeconds: 1,
      ...extra,
    });

    it('knows which images it has locally and pulls fail with PullFailed', async () => {
      assert.equal(await driver.hasImage(opts.image), true);
      await assert.rejects(driver.pullImage('127.0.0.1:1/berth/does-not-exist:1'), (e: unknown) => e instanceof RuntimeError && e.code === 'PullFailed');
    });

    it('creates, starts and inspects a container with labels, env and a published loopback port', async () => {
      const id = await driver.createContainer(spec('web', { env: { GREETING: 'hi' }, ports: [{ containerPort: 8080, protocol: 'tcp' }] }));
      created.push(id);
      let s = await driver.inspectContainer(id);
      assert.equal(s?.status, 'created');
      await driver.startContainer(id);
      s = await driver.inspectContainer(id);
      assert.equal(s?.status, 'running');
      assert.equal(s?.labels['berth.conformance'], run);
      assert.ok(s?.startedAt instanceof Date);
      assert.equal(s?.ports.length, 1);
      assert.equal(s?.ports[0].containerPort, 8080);
      assert.equal(s?.ports[0].hostIp, '127.0.0.1');
      assert.ok(s!.ports[0].hostPort > 0);
    });

    it('refuses a second container with the same name as Conflict', async () => {
      await assert.rejects(driver.createContainer(spec('web')), (e: unknown) => e instanceof RuntimeError && e.code === 'Conflict');
    });

    it('lists containers by label, including stopped ones', async () => {
      const list = await driver.listContainers(labels);
      assert.ok(list.some((c) => c.labels['berth.container-name'] === 'web'));
      const none = await driver.listContainers({ 'berth.conformance': 'other-run' });
      assert.equal(none.length, 0);
    });

    it('reports a container exit code and emits a die event', async () => {
      const events: ContainerEvent[] = [];
      const stop = driver.watchEvents(labels, (e) => events.push(e));
      try {
        await new Promise((r) => setTimeout(r, 200));
        const id = await driver.createContainer(spec('exits', opts.exitWith ? {} : { command: ['sh', '-c', 'exit 3'] }));
        created.push(id);
        await driver.startContainer(id);
        if (opts.exitWith) await opts.exitWith(driver, id, 3);
        const s = await waitFor(async () => {
          const st = await driver.inspectContainer(id);
          return st?.status === 'exited' ? st : undefined;
        }, 'exit');
        assert.equal(s.exitCode, 3);
        assert.ok(s.finishedAt instanceof Date);
        await waitFor(async () => events.find((e) => e.id === id && e.action === 'die'), 'die event');
      } finally {
        stop();
      }
    });

    it('stops a running container and stopping again is not an error', async () => {
      const [web] = (await driver.listContainers({ ...labels, 'berth.container-name': 'web' }));
      await driver.stopContainer(web.id, 1);
      const s = await driver.inspectContainer(web.id);
      assert.equal(s?.status, 'exited');
      await driver.stopContainer(web.id, 1);
    });

    it('creates named volumes idempotently, lists them by label, and refuses to remove one a container uses', async () => {
      const name = `berth-conf-${run}-vol`;
      await driver.createVolume({ name, driverOpts: {}, labels: { ...labels, purpose: 'conformance' } });
      await driver.createVolume({ name, labels: { ...labels, purpose: 'conformance' } });
      const v = await driver.inspectVolume(name);
      assert.equal(v?.name, name);
      assert.equal(v?.driver, 'local');
      assert.equal(v?.labels.purpose, 'conformance');
      assert.deepEqual((await driver.listVolumes(labels)).map((x) => x.name), [name]);
      assert.deepEqual(await driver.listVolumes({ 'berth.conformance': 'other-run' }), []);
      const id = await driver.createContainer(spec('vol-user', { mounts: [{ type: 'volume', source: name, target: '/data' }] }));
      created.push(id);
      await assert.rejects(driver.removeVolume(name), (e: unknown) => e instanceof RuntimeError && e.code === 'Conflict');
      await driver.removeContainer(id);
      await driver.removeVolume(name);
      assert.equal(await driver.inspectVolume(name), undefined);
      await driver.removeVolume(name);
    });

    it('removes containers; removing or inspecting a missing one is not an error', async () => {
      const [web] = await driver.listContainers({ ...labels, 'berth.container-name': 'web' });
      await driver.removeContainer(web.id);
      assert.equal(await driver.inspectContainer(web.id), undefined);
      await driver.removeContainer(web.id);
    });
  });
}
