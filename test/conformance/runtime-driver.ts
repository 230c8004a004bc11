/**
 * The suite every runtime driver must pass. A driver's own test file is a few
 * lines: it supplies a driver and an image that has /bin/sh and sleep.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RuntimeError, type ContainerEvent, type LogLine, type RuntimeDriver } from '../../src/runtime/driver.js';
import { tar } from '../../src/shared/tar.js';

export interface ConformanceOptions {
  image: string;
  /** Make the container's main process exit with a code (fake: a hook; docker: a real command). */
  exitWith?: (driver: RuntimeDriver, id: string, code: number) => Promise<void>;
  /**
   * Containers run real processes: logs, resource stats, the OOM killer,
   * health checks, stop signals and shared network namespaces are checked too
   * (the fake driver only records what it was asked).
   */
  realProcesses?: boolean;
  /**
   * Behaviour this engine is known to lack, with the reason: the test still
   * runs but is reported as TODO instead of failing.
   */
  knownGaps?: { oomKilled?: string };
  /** Skip the whole suite, saying why (e.g. the engine is not installed here). */
  skip?: string;
  /** Runs after the driver is closed: remove the images the suite built, stop an engine the test started. */
  cleanup?: (leftovers: { images: string[] }) => Promise<void>;
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
  describe(`runtime driver conformance: ${name}`, { skip: opts.skip ?? false }, () => {
    let driver: RuntimeDriver;
    const run = randomBytes(4).toString('hex');
    const labels = { 'berth.conformance': run };
    const created: string[] = [];
    const built: string[] = [];

    before(async () => {
      driver = await makeDriver();
      await driver.ping();
    });
    after(async () => {
      for (const id of created) await driver?.removeContainer(id).catch(() => {});
      (driver as { close?: () => void } | undefined)?.close?.();
      await opts.cleanup?.({ images: built });
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
        const die = await waitFor(async () => events.find((e) => e.id === id && e.action === 'die'), 'die event');
        // Controllers route events by the task's labels.
        assert.equal(die.labels['berth.conformance'], run);
        assert.equal(die.labels['berth.container-name'], 'exits');
      } finally {
        stop();
      }
    });

    it('replays from an event\'s cursor what happened while no one listened (a restart of Berth)', async () => {
      const seen: ContainerEvent[] = [];
      let stop = driver.watchEvents(labels, (e) => seen.push(e));
      let id: string;
      let cursor: string;
      try {
        await new Promise((r) => setTimeout(r, 200));
        id = await driver.createContainer(spec('replay'));
        created.push(id);
        await driver.startContainer(id);
        const started = await waitFor(async () => seen.find((e) => e.id === id && e.action === 'start'), 'start event');
        assert.equal(typeof started.cursor, 'string', 'events carry a cursor');
        cursor = started.cursor!;
      } finally {
        stop();
      }
      // Nobody listens while the container is stopped.
      await driver.stopContainer(id, 0);
      const replayed: ContainerEvent[] = [];
      stop = driver.watchEvents(labels, (e) => replayed.push(e), cursor);
      try {
        const die = await waitFor(async () => replayed.find((e) => e.id === id && e.action === 'die'), 'the missed die event, replayed');
        assert.equal(die.labels['berth.container-name'], 'replay');
        assert.equal(typeof die.cursor, 'string');
        // The stream goes on live after the replay.
        await driver.removeContainer(id);
        await waitFor(async () => replayed.find((e) => e.id === id && e.action === 'destroy'), 'a live event after the replay');
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

    it('creating a container from an image the engine does not have is NotFound', async () => {
      await assert.rejects(
        driver.createContainer(spec('no-image', { image: `berth-test/does-not-exist-${run}:1` })),
        (e: unknown) => e instanceof RuntimeError && e.code === 'NotFound',
      );
    });

    it('builds an image under a short name that hasImage and createContainer then find by that name', async () => {
      const ref = `berth-conf-${run}/built:1`;
      const context = tar([{ name: 'Dockerfile', data: Buffer.from(`FROM ${opts.image}\nLABEL berth.conformance=${run}\n`) }]);
      built.push(ref);
      await driver.buildImage(ref, context);
      assert.equal(await driver.hasImage(ref), true);
      const id = await driver.createContainer(spec('built', { image: ref }));
      created.push(id);
      assert.equal((await driver.inspectContainer(id))?.status, 'created');
    });

    it('reports an address on the host that containers can reach', async () => {
      const address = await driver.hostAddressForContainers();
      assert.match(address ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    });

    const engineOnly = { skip: opts.realProcesses ? false : 'needs a driver whose containers run real processes' };

    it('streams stdout and stderr lines in order, with timestamps, and follows a running container', engineOnly, async () => {
      const id = await driver.createContainer(spec('logs', { command: ['sh', '-c', 'echo one; sleep 0.2; echo two >&2; sleep 1; echo three; sleep 300'] }));
      created.push(id);
      const before = new Date(Date.now() - 1000);
      await driver.startContainer(id);
      const lines: LogLine[] = [];
      const ac = new AbortController();
      const following = driver.logs(id, { follow: true, signal: ac.signal, onLine: (l) => lines.push(l) });
      await waitFor(async () => lines.some((l) => l.message === 'three'), 'followed line "three"');
      ac.abort();
      await following;
      assert.deepEqual(lines.map((l) => [l.stream, l.message]), [['stdout', 'one'], ['stderr', 'two'], ['stdout', 'three']]);
      assert.ok(lines.every((l) => l.timestamp >= before && l.timestamp <= new Date()), 'timestamps are the engine\'s');
      const since: LogLine[] = [];
      await driver.logs(id, { since: lines[2].timestamp, onLine: (l) => since.push(l) });
      assert.deepEqual(since.map((l) => l.message), ['three']);
    });

    it('execs a command in a running container: stdout and stderr apart, stdin to EOF, the exit code', engineOnly, async () => {
      const id = await driver.createContainer(spec('exec', { command: ['sleep', '300'] }));
      created.push(id);
      await driver.startContainer(id);
      const out: [string, string][] = [];
      const session = await driver.exec(id, {
        command: ['sh', '-c', 'tr a-z A-Z; echo err >&2; exit 4'], stdin: true, tty: false, onOutput: (stream, data) => out.push([stream, data.toString()]),
      });
      session.writeStdin(Buffer.from('hello\n'));
      session.closeStdin();
      assert.equal(await session.exited, 4);
      // Each stream in order; the engine copies stdout and stderr apart, so their interleaving is not kept.
      const text = (stream: string) => out.filter(([s]) => s === stream).map(([, d]) => d).join('');
      assert.deepEqual([text('stdout'), text('stderr')], ['HELLO\n', 'err\n']);
    });

    it('samples memory and CPU usage against the container\'s limit', engineOnly, async () => {
      const id = await driver.createContainer(spec('stats', { memoryBytes: 64 << 20, command: ['sh', '-c', 'while :; do :; done'] }));
      created.push(id);
      await driver.startContainer(id);
      const s = await waitFor(async () => {
        const x = await driver.stats(id);
        return x && x.cpuTotalNs > 0 && x.memoryUsage > 0 ? x : undefined;
      }, 'stats with usage');
      assert.equal(s.memoryLimit, 64 << 20);
      assert.ok(s.systemCpuNs > 0);
      assert.ok(s.onlineCpus >= 1);
      await driver.removeContainer(id);
      assert.equal(await driver.stats(id), undefined);
    });

    const oomGap = opts.knownGaps?.oomKilled;
    it('reports a container the kernel killed for memory as OOM-killed with exit code 137', oomGap && opts.realProcesses ? { todo: oomGap } : engineOnly, async () => {
      const id = await driver.createContainer(spec('oom', {
        memoryBytes: 8 << 20,
        command: ['sh', '-c', 'x=a; while :; do x=$x$x; done'],
      }));
      created.push(id);
      await driver.startContainer(id);
      // The engine may record the OOM kill after the exit (dockerd handles containerd's OOM event on its own, and
      // on a busy machine it can come seconds later): give it up to 10 s, or 1 s on an engine known not to record it.
      const grace = oomGap ? 1_000 : 10_000;
      let exitedAt = 0;
      const s = await waitFor(async () => {
        const st = await driver.inspectContainer(id);
        if (st?.status !== 'exited') return undefined;
        exitedAt ||= Date.now();
        return st.oomKilled || Date.now() - exitedAt > grace ? st : undefined;
      }, 'OOM exit', 40_000);
      assert.equal(s.exitCode, 137);
      assert.equal(s.oomKilled, true);
    });

    it('a process that ignores SIGTERM is killed after the stop timeout (exit 137)', engineOnly, async () => {
      const id = await driver.createContainer(spec('ignores-term', { command: ['sh', '-c', "trap '' TERM; sleep 300 & wait"] }));
      created.push(id);
      await driver.startContainer(id);
      const t0 = Date.now();
      await driver.stopContainer(id, 1);
      const s = await driver.inspectContainer(id);
      assert.equal(s?.status, 'exited');
      assert.equal(s?.exitCode, 137);
      assert.ok(Date.now() - t0 >= 900, 'waited for the timeout');
    });

    it('runs health checks and reports healthy, then unhealthy', engineOnly, async () => {
      const id = await driver.createContainer(spec('health', {
        // Healthy until the test removes /tmp/ok: no time window to race on a busy machine (a probe's exec can
        // take over a second there, so the probe timeout is above its cost).
        command: ['sh', '-c', 'touch /tmp/ok; sleep 300'],
        healthCheck: { test: ['CMD-SHELL', 'test -f /tmp/ok'], intervalSeconds: 1, timeoutSeconds: 5, retries: 1, startPeriodSeconds: 0 },
      }));
      created.push(id);
      await driver.startContainer(id);
      assert.equal((await driver.inspectContainer(id))?.health, 'starting');
      await waitFor(async () => (await driver.inspectContainer(id))?.health === 'healthy', 'healthy', 20_000);
      const rm = await driver.exec(id, { command: ['rm', '/tmp/ok'], stdin: false, tty: false, onOutput: () => {} });
      assert.equal(await rm.exited, 0);
      await waitFor(async () => (await driver.inspectContainer(id))?.health === 'unhealthy', 'unhealthy', 20_000);
    });

    it('shares a pause container\'s network namespace, whose published port reaches the sharing container (awsvpc)', engineOnly, async () => {
      const pause = await driver.createContainer(spec('netns', { ports: [{ containerPort: 8080, protocol: 'tcp' }] }));
      created.push(pause);
      await driver.startContainer(pause);
      const app = await driver.createContainer(spec('netns-app', {
        networkMode: `container:${pause}`,
        hostname: 'ignored-in-a-shared-namespace',
        command: ['httpd', '-f', '-p', '8080', '-h', '/var/www'],
      }));
      created.push(app);
      await driver.startContainer(app);
      const p = (await driver.inspectContainer(pause))!;
      assert.ok(p.ipAddress, 'the pause container has an address on its network');
      assert.equal(p.ports[0]?.hostIp, '127.0.0.1');
      const body = await waitFor(
        () => fetch(`http://127.0.0.1:${p.ports[0].hostPort}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => undefined),
        'the shared namespace answers on the published port',
      );
      assert.match(body, /berth/);
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
