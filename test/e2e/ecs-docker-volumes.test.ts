/**
 * Docker volumes and host paths, the EC2 launch type's volumes, on a real
 * Docker engine. RunTask cannot place EC2 tasks until container instances
 * exist (issue 5's EC2 bullet), so these tasks are recorded the way RunTask
 * records them and driven by the real task-lifecycle controller with the real
 * Docker driver and volume resolution: everything below the API is what runs
 * in Berth. When container instances land, these move to RunTask.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterTaskDefinitionRequest, Task } from '@aws-sdk/client-ecs';
import { TaskLifecycle } from '../../src/controllers/task-lifecycle.js';
import { TaskVolumes } from '../../src/controllers/task-volumes.js';
import { DockerDriver } from '../../src/runtime/docker/driver.js';
import type { RequestContext } from '../../src/services/provider.js';
import { registerTaskDefinition } from '../../src/services/ecs/task-definitions.js';
import { buildTask } from '../../src/services/ecs/task-factory.js';
import { insertTask, loadTaskByArn, saveTask } from '../../src/services/ecs/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { ChangeFeed } from '../../src/state/change-feed.js';
import { openDb, Statements } from '../../src/state/db.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'ec2';
const run = randomBytes(4).toString('hex');

const inspectVolume = (name: string): { Labels: Record<string, string>; Options: Record<string, string> } | undefined => {
  try {
    return JSON.parse(execFileSync('docker', ['volume', 'inspect', name], { encoding: 'utf8' }))[0];
  } catch {
    return undefined;
  }
};

/** EC2 tasks recorded as RunTask records them, converged by TaskLifecycle on Docker. */
function ec2Tasks() {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const log = createLogger('error');
  const driver = new DockerDriver();
  const instanceId = `e2e-volumes-${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-volumes-'));
  const volumes = new TaskVolumes({ sql, driver, log, instanceId, dataDir });
  // Volumes only: every other dependency an explicit no-op.
  const lifecycle = new TaskLifecycle({
    db, sql, driver, clock: systemClock, log, instanceId, resolveMounts: volumes.resolveMounts, releaseMounts: volumes.releaseMounts,
    changes: new ChangeFeed(), injectedEnv: async () => ({}), prepareLogging: () => undefined, drainLogs: async () => {},
    resolveSecrets: () => ({}), resolveEnvFiles: async () => ({}), resolveImage: (_task, image) => ({ ref: image }), registryAuth: () => undefined,
  });
  const ctx: RequestContext = {
    account: '000000000000', region: 'us-east-1', requestId: 'e2e', principalArn: 'arn:aws:iam::000000000000:root', accessKeyId: 'test',
    db, sql, clock: systemClock, log, changed: () => {},
  };
  const arns: string[] = [];

  const converge = async (arn: string, done: (t: Task) => boolean, what: string, ms = 30_000): Promise<Task> => {
    const end = Date.now() + ms;
    for (;;) {
      await lifecycle.reconcile(arn);
      const task = loadTaskByArn(sql, arn)!.task;
      if (done(task)) return task;
      if (Date.now() > end) throw new Error(`task never ${what}: ${JSON.stringify(task, null, 1)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  return {
    driver,
    async run(input: RegisterTaskDefinitionRequest): Promise<string> {
      const def = db.transaction(() => registerTaskDefinition(ctx, { networkMode: 'bridge', ...input }))().taskDefinition!;
      const task = buildTask(ctx, { clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`, clusterName: CLUSTER, def, launchType: 'EC2' }, Date.now());
      insertTask(sql, ctx, CLUSTER, task, {});
      arns.push(task.taskArn!);
      return task.taskArn!;
    },
    running: (arn: string) => converge(arn, (t) => t.lastStatus === 'RUNNING', 'RUNNING'),
    stopped: (arn: string) => converge(arn, (t) => t.lastStatus === 'STOPPED', 'STOPPED'),
    async stop(arn: string) {
      const row = loadTaskByArn(sql, arn)!;
      row.task.desiredStatus = 'STOPPED';
      row.task.stopCode = 'UserInitiated';
      saveTask(sql, row.task);
      return converge(arn, (t) => t.lastStatus === 'STOPPED', 'STOPPED');
    },
    async close() {
      for (const arn of arns) if (loadTaskByArn(sql, arn)!.task.lastStatus !== 'STOPPED') await this.stop(arn).catch(() => {});
      driver.close();
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function fetchText(port: number, path: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (res?.status === 200) return res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${path} not served on ${port}`);
}

describe('ECS Docker volumes and host paths on Docker (EC2 launch type, below RunTask)', () => {
  let tasks: ReturnType<typeof ec2Tasks>;
  let image: string;
  const shared = `berth-e2e-shared-${run}`;
  const hostDir = mkdtempSync(join(tmpdir(), 'berth-host-path-'));

  before(() => {
    image = ensureBusyboxImage();
    tasks = ec2Tasks();
  });
  after(async () => {
    await tasks.close();
    execFileSync('docker', ['volume', 'rm', '-f', shared], { stdio: 'ignore' });
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('a shared Docker volume is autoprovisioned by the first task and keeps its files for the next one', async () => {
    const volumes = [{ name: shared, dockerVolumeConfiguration: { scope: 'shared' as const, autoprovision: true, driver: 'local', labels: { app: 'notes' } } }];
    const writer = await tasks.run({
      family: 'shared-writer', volumes,
      containerDefinitions: [{ name: 'w', image, memory: 64, essential: true, command: ['sh', '-c', 'echo kept-across-tasks > /data/note.txt'], mountPoints: [{ sourceVolume: shared, containerPath: '/data' }] }],
    });
    const first = await tasks.stopped(writer);
    assert.equal(first.containers![0].exitCode, 0);
    assert.equal(inspectVolume(shared)?.Labels.app, 'notes', 'the volume outlives the task, with its labels');

    const reader = await tasks.run({
      family: 'shared-reader', volumes,
      containerDefinitions: [{
        name: 'r', image, memory: 64, essential: true, command: ['httpd', '-f', '-p', '80', '-h', '/data'], stopTimeout: 1,
        portMappings: [{ containerPort: 80, hostPort: 0 }], mountPoints: [{ sourceVolume: shared, containerPath: '/data' }],
      }],
    });
    const running = await tasks.running(reader);
    assert.equal(await fetchText(running.containers![0].networkBindings![0].hostPort!, '/note.txt'), 'kept-across-tasks\n');
    await tasks.stop(reader);
    assert.ok(inspectVolume(shared), 'a shared volume is not removed when a task stops');
  });

  it('a shared volume that does not exist, without autoprovision, fails the task with the agent reason', async () => {
    const name = `berth-e2e-absent-${run}`;
    const arn = await tasks.run({
      family: 'no-autoprovision', volumes: [{ name, dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }],
      containerDefinitions: [{ name: 'x', image, memory: 64, essential: true, command: ['true'], mountPoints: [{ sourceVolume: name, containerPath: '/data' }] }],
    });
    const stopped = await tasks.stopped(arn);
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(stopped.stoppedReason, `initialize volume: volume detection failed, volume '${name}' does not exist and autoprovision is set to false: Error response from daemon: get ${name}: no such volume`);
    assert.equal(inspectVolume(name), undefined, 'nothing was created');
  });

  it("a task-scoped Docker volume takes the driver's options and labels and is removed when the task stops", async () => {
    const arn = await tasks.run({
      family: 'task-scope',
      volumes: [{ name: 'cache', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' }, labels: { tier: 'cache' } } }],
      containerDefinitions: [{
        name: 'app', image, memory: 64, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 80, hostPort: 0 }],
        mountPoints: [{ sourceVolume: 'cache', containerPath: '/cache' }],
        command: ['sh', '-c', "grep ' /cache ' /proc/mounts | cut -d' ' -f3 > /cache/fs.txt; exec httpd -f -p 80 -h /cache"],
      }],
    });
    const running = await tasks.running(arn);
    assert.equal(await fetchText(running.containers![0].networkBindings![0].hostPort!, '/fs.txt'), 'tmpfs\n', 'the driver options made a tmpfs volume');
    const name = `berth-${arn.split('/').pop()}-cache`;
    const v = inspectVolume(name);
    assert.equal(v?.Labels.tier, 'cache');
    assert.equal(v?.Labels['berth.task-arn'], arn);
    assert.equal(v?.Options.type, 'tmpfs');
    await tasks.stop(arn);
    assert.equal(inspectVolume(name), undefined);
  });

  it('a host sourcePath is bind mounted: what the container writes is on the host', async () => {
    const arn = await tasks.run({
      family: 'host-path', volumes: [{ name: 'host', host: { sourcePath: hostDir } }],
      containerDefinitions: [{
        name: 'app', image, memory: 64, essential: true, command: ['sh', '-c', 'echo on-the-host > /host/out.txt'],
        mountPoints: [{ sourceVolume: 'host', containerPath: '/host' }],
      }],
    });
    await tasks.stopped(arn);
    assert.equal(readFileSync(join(hostDir, 'out.txt'), 'utf8'), 'on-the-host\n');
  });
});
