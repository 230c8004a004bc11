import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerState, RegistryAuth } from '../runtime/driver.js';
import { FakeDriver } from '../runtime/fake/driver.js';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { ChangeFeed } from '../state/change-feed.js';
import { openDb, Statements } from '../state/db.js';
import { insertTask, loadTaskByArn, saveTask } from '../services/ecs/index.js';
import { LABELS } from './container-spec.js';
import { TaskLifecycle, type TaskLifecycleDeps } from './task-lifecycle.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };
const TASK_ARN = `arn:aws:ecs:us-east-1:${SCOPE.account}:task/c/0123456789abcdef0123456789abcdef`;
const DEF_ARN = `arn:aws:ecs:us-east-1:${SCOPE.account}:task-definition/fam:1`;

/** Docker's race: the exit is visible first (137, OOMKilled false), the OOM kill `lateMs` later. */
class LateOomDriver extends FakeDriver {
  constructor(images: string[], private readonly lateMs: number) {
    super(images);
  }
  private hide(s: ContainerState): ContainerState {
    if (s.oomKilled && s.finishedAt && Date.now() - s.finishedAt.getTime() < this.lateMs) s.oomKilled = false;
    return s;
  }
  override async inspectContainer(id: string) {
    const s = await super.inspectContainer(id);
    return s && this.hide(s);
  }
  override async listContainers(labels: Record<string, string>) {
    return (await super.listContainers(labels)).map((s) => this.hide(s));
  }
}

/** No logging, secrets, env files, volumes or Berth registry: each dependency an explicit no-op. */
const NO_EXTRAS: Omit<TaskLifecycleDeps, 'db' | 'sql' | 'driver' | 'clock' | 'log' | 'instanceId'> = {
  changes: new ChangeFeed(),
  injectedEnv: async () => ({}),
  prepareLogging: () => undefined,
  drainLogs: async () => {},
  resolveSecrets: () => ({}),
  resolveEnvFiles: async () => ({}),
  resolveMounts: async () => [],
  releaseMounts: async () => {},
  resolveImage: (_task, image) => ({ ref: image }),
  registryAuth: () => undefined,
};

function setup(driver: FakeDriver, containerDefinitions: TaskDefinition['containerDefinitions'], extra: Partial<TaskLifecycleDeps> = {}) {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const def: TaskDefinition = { taskDefinitionArn: DEF_ARN, family: 'fam', revision: 1, networkMode: 'bridge', containerDefinitions };
  sql.get('INSERT INTO ecs_task_definitions (account, region, family, revision, status, doc, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(SCOPE.account, SCOPE.region, 'fam', 1, 'ACTIVE', JSON.stringify(def), 0);
  const task: Task = {
    taskArn: TASK_ARN, taskDefinitionArn: DEF_ARN, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', launchType: 'EC2',
    containers: containerDefinitions!.map((cd) => ({ name: cd.name, image: cd.image, lastStatus: 'PENDING', taskArn: TASK_ARN })),
  };
  insertTask(sql, SCOPE, 'c', task, {});
  const lifecycle = new TaskLifecycle({ db, sql, driver, clock: systemClock, log: createLogger('silent'), instanceId: 'i1', ...NO_EXTRAS, ...extra });
  /** Reconciles as the controller runtime would (requeues included) until `done` holds. */
  const reconcileUntil = async (done: (t: Task) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const t = loadTaskByArn(sql, TASK_ARN)!.task;
      if (done(t)) return t;
      const wait = (await lifecycle.reconcile(TASK_ARN))?.requeueAfterMs;
      if (wait) await new Promise((ok) => setTimeout(ok, Math.min(wait, 20)));
    }
    assert.fail(`task never got there: ${JSON.stringify(loadTaskByArn(sql, TASK_ARN)!.task)}`);
  };
  const containerId = async (name: string) =>
    (await driver.listContainers({ [LABELS.taskArn]: TASK_ARN, [LABELS.containerName]: name }))[0].id;
  return { db, sql, lifecycle, reconcileUntil, containerId };
}

describe('task-lifecycle on the fake runtime', () => {
  it('a RUNNING task whose containers and document are unchanged is looked at again without a write, and asks for no timed pass', async () => {
    const driver = new FakeDriver(['app:1']);
    const { db, sql, lifecycle, reconcileUntil } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }]);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    // One pass to settle what the last start pass recorded, then a quiet pass must change no row.
    await lifecycle.reconcile(TASK_ARN);
    const changes = () => db.prepare('SELECT total_changes()').pluck().get() as number;
    const before = changes();
    const doc = sql.get('SELECT doc FROM ecs_tasks WHERE arn = ?').pluck().get(TASK_ARN);
    // Quiet: no requeue (engine events and the sweep bring it round).
    assert.equal(await lifecycle.reconcile(TASK_ARN), undefined);
    assert.equal(changes(), before, 'no row written');
    assert.equal(sql.get('SELECT doc FROM ecs_tasks WHERE arn = ?').pluck().get(TASK_ARN), doc);
    // A change the engine reports is still recorded.
    const id = (await driver.listContainers({ [LABELS.taskArn]: TASK_ARN }))[0].id;
    await driver.stopContainer(id, 0);
    await lifecycle.reconcile(TASK_ARN);
    assert.ok(changes() > before);
    assert.equal(loadTaskByArn(sql, TASK_ARN)!.task.containers![0].lastStatus, 'STOPPED');
    db.close();
  });

  it('a restart passes over only the tasks whose containers differ from state: not a quiet RUNNING task, but one whose container exited, and orphans', async () => {
    const driver = new FakeDriver(['app:1']);
    const { db, lifecycle, reconcileUntil, containerId } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }]);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    const startKeys = async () => {
      const keys: string[] = [];
      for await (const k of lifecycle.watches.sweep!.startKeys!()) keys.push(k);
      return keys;
    };
    assert.deepEqual(await startKeys(), [], 'a quiet RUNNING task is not passed');
    // A container of this Berth whose task is not in state: an orphan, passed (its pass removes it).
    const orphan = `arn:aws:ecs:us-east-1:${SCOPE.account}:task/c/ffffffffffffffffffffffffffffffff`;
    await driver.createContainer({ name: 'orphan', image: 'app:1', networkMode: 'bridge', labels: { [LABELS.instance]: 'i1', [LABELS.taskArn]: orphan } });
    assert.deepEqual(await startKeys(), [orphan]);
    // The task's container exited while no one looked: the task is passed.
    driver.exit(await containerId('app'), 1);
    assert.deepEqual((await startKeys()).sort(), [orphan, TASK_ARN].sort());
    db.close();
  });

  it('an essential container OOM-killed, which the engine records only after the exit, stops the task with OutOfMemoryError', async () => {
    const driver = new LateOomDriver(['app:1'], 200);
    const { db, reconcileUntil, containerId } = setup(driver, [{ name: 'hog', image: 'app:1', essential: true, memory: 16 }]);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    driver.exit(await containerId('hog'), 137, true);
    const stopped = await reconcileUntil((t) => t.lastStatus === 'STOPPED');
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.containers![0].exitCode, 137);
    assert.equal(stopped.containers![0].reason, 'OutOfMemoryError: Container killed due to memory usage');
    db.close();
  });

  it('a container that exits 137 without an OOM kill is not reported as one, and the stop waits only boundedly', async () => {
    const driver = new FakeDriver(['app:1']);
    const { db, reconcileUntil, containerId } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }]);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    driver.exit(await containerId('app'), 137, false);
    const began = Date.now();
    const stopped = await reconcileUntil((t) => t.lastStatus === 'STOPPED');
    assert.ok(Date.now() - began < 3_000, `stopped after ${Date.now() - began} ms`);
    assert.equal(stopped.containers![0].exitCode, 137);
    assert.equal(stopped.containers![0].reason, undefined);
    db.close();
  });

  it('resolves each container image once per start, and creates the container from the reference it pulled', async () => {
    const driver = new FakeDriver();
    const pulls: string[] = [];
    const pull = driver.pullImage.bind(driver);
    driver.pullImage = async (ref: string, auth?: RegistryAuth) => {
      pulls.push(`${ref} as ${auth?.username}`);
      return pull(ref, auth);
    };
    const calls: string[] = [];
    const resolveImage = (_task: Task, image: string) => {
      calls.push(image);
      return { ref: `127.0.0.1:4566/${SCOPE.account}/us-east-1/${image}`, auth: { username: 'AWS', password: 't', serverAddress: '127.0.0.1:4566' } };
    };
    const { db, reconcileUntil } = setup(driver, [
      { name: 'web', image: 'web:1', essential: true },
      { name: 'proxy', image: 'proxy:1', essential: true },
    ], { resolveImage });
    const running = await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    assert.deepEqual(calls.sort(), ['proxy:1', 'web:1']);
    assert.deepEqual(pulls.sort(), [`127.0.0.1:4566/${SCOPE.account}/us-east-1/proxy:1 as AWS`, `127.0.0.1:4566/${SCOPE.account}/us-east-1/web:1 as AWS`]);
    const images = (await driver.listContainers({ [LABELS.taskArn]: TASK_ARN })).map((c) => c.image).sort();
    assert.deepEqual(images, [`127.0.0.1:4566/${SCOPE.account}/us-east-1/proxy:1`, `127.0.0.1:4566/${SCOPE.account}/us-east-1/web:1`]);
    assert.ok(running.containers!.every((c) => c.lastStatus === 'RUNNING'));
    db.close();
  });
  it('a container waiting on dependsOn is not resolved and pulled again on every pass', async () => {
    const driver = new FakeDriver();
    let pulls = 0;
    const pull = driver.pullImage.bind(driver);
    driver.pullImage = async (ref: string, auth?: RegistryAuth) => {
      pulls++;
      return pull(ref, auth);
    };
    let resolves = 0;
    const resolveImage = (_task: Task, image: string) => {
      resolves++;
      return { ref: `127.0.0.1:4566/${SCOPE.account}/us-east-1/${image}`, auth: { username: 'AWS', password: 't', serverAddress: '127.0.0.1:4566' } };
    };
    const { db, reconcileUntil, containerId } = setup(driver, [
      { name: 'init', image: 'init:1', essential: false },
      { name: 'app', image: 'app:1', essential: true, dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
    ], { resolveImage });
    let passes = 0;
    await reconcileUntil(() => ++passes > 6);
    assert.equal((await driver.listContainers({ [LABELS.taskArn]: TASK_ARN, [LABELS.containerName]: 'app' })).length, 0, 'app waits for init');
    driver.exit(await containerId('init'), 0, false);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    assert.equal(resolves, 2);
    assert.equal(pulls, 2);
    db.close();
  });

  it('a start that fails while the task row is replaced (a snapshot loaded) never leaves the task STOPPED but desired RUNNING', async () => {
    const driver = new FakeDriver(['app:1']);
    driver.failNext('start', (spec) => spec.labels[LABELS.containerName] === 'app');
    let replaced = false;
    let snapshotRow: Task | undefined;
    // The row as a snapshot holds it (desired RUNNING), written back while the failed start is being cleaned up.
    const ctx = setup(driver, [{ name: 'app', image: 'app:1', essential: true }], {
      drainLogs: async () => {
        if (replaced || !snapshotRow) return;
        replaced = true;
        saveTask(ctx.sql, snapshotRow);
      },
    });
    snapshotRow = loadTaskByArn(ctx.sql, TASK_ARN)!.task;
    const seen: string[] = [];
    const running = await ctx.reconcileUntil((t) => {
      seen.push(`${t.lastStatus}/${t.desiredStatus}`);
      return t.lastStatus === 'RUNNING';
    });
    assert.ok(replaced, 'the row was replaced during the stop');
    assert.ok(!seen.includes('STOPPED/RUNNING'), seen.join(' '));
    assert.equal(running.desiredStatus, 'RUNNING');
    ctx.db.close();
  });

  it('a start the engine refuses once stops the task with TaskFailedToStart and a CannotStartContainerError reason', async () => {
    const driver = new FakeDriver(['app:1']);
    driver.failNext('start', (spec) => spec.labels[LABELS.containerName] === 'app', 'OCI runtime create failed: runc create failed: boom: unknown');
    const { db, reconcileUntil } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }]);
    const stopped = await reconcileUntil((t) => t.lastStatus === 'STOPPED');
    assert.equal(stopped.desiredStatus, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(stopped.stoppedReason, 'CannotStartContainerError: OCI runtime create failed: runc create failed: boom: unknown');
    assert.equal((await driver.listContainers({ [LABELS.taskArn]: TASK_ARN })).length, 0);
    db.close();
  });

  it('a task told to stop while its load balancer targets drain is DEACTIVATING, its containers running, until the delay ends', async () => {
    const driver = new FakeDriver(['app:1']);
    const { db, sql, reconcileUntil, containerId } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }]);
    await reconcileUntil((t) => t.lastStatus === 'RUNNING');
    const t = loadTaskByArn(sql, TASK_ARN)!.task as Task & { berthDrainingUntil?: number };
    t.desiredStatus = 'STOPPED';
    t.stopCode = 'ServiceSchedulerInitiated';
    t.berthDrainingUntil = Date.now() + 400;
    saveTask(sql, t);
    const deactivating = await reconcileUntil((x) => x.lastStatus === 'DEACTIVATING');
    assert.equal(deactivating.desiredStatus, 'STOPPED');
    assert.equal((await driver.inspectContainer(await containerId('app')))?.status, 'running');
    const stopped = await reconcileUntil((x) => x.lastStatus === 'STOPPED');
    assert.ok(Date.now() >= t.berthDrainingUntil, 'stopped only after the deregistration delay');
    assert.equal(stopped.stopCode, 'ServiceSchedulerInitiated');
    db.close();
  });

  it('a standalone task found STOPPED while still desired RUNNING (a row from an older Berth) is repaired to desired STOPPED, TaskFailedToStart', async () => {
    const driver = new FakeDriver(['app:1']);
    const changes = new ChangeFeed();
    const published: string[] = [];
    changes.subscribe((kind, key) => { if (kind === 'ecs.task-state') published.push(key); });
    const { db, sql, reconcileUntil } = setup(driver, [{ name: 'app', image: 'app:1', essential: true }], { changes });
    const t = loadTaskByArn(sql, TASK_ARN)!.task;
    t.lastStatus = 'STOPPED';
    saveTask(sql, t);
    const repaired = await reconcileUntil((x) => x.desiredStatus === 'STOPPED');
    assert.equal(repaired.lastStatus, 'STOPPED');
    assert.equal(repaired.stopCode, 'TaskFailedToStart');
    assert.match(repaired.stoppedReason ?? '', /TaskFailedToStart/);
    assert.deepEqual(published, [TASK_ARN], 'the repair is published as a task-state change');
    db.close();
  });
});
