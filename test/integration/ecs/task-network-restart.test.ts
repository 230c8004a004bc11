/**
 * An awsvpc task's containers live in the network of its pause container, which publishes the task's ports:
 * when that network goes away under a running or starting task (the pause container stopped or was removed,
 * as `berth state load` does to every container), the task starts again in a new one — its app containers
 * made again in it, its recorded host port the one the new network publishes — and a snapshot load lets no
 * pass act on the state it is replacing. The orders that raced on Docker (issue 12: a loaded task left running
 * with its target at a port nothing served, ~50 s of 502) are forced here on the in-memory runtime. Real
 * Docker and an ALB: test/e2e/elbv2-snapshot-load.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { LABELS } from '../../../src/controllers/container-spec.js';
import { RuntimeError, type ContainerSpec } from '../../../src/runtime/driver.js';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, isRunning, register, waitForService, waitForTask } from '../../helpers/ecs.js';

const C = 'netns';

describe('an awsvpc task whose network goes away (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let driver: FakeDriver;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  /** The network each container was created in (the fake runtime keeps specs to itself). */
  const networkOf = new Map<string, string | undefined>();

  const containersOf = async (taskArn: string) => {
    const all = await driver.listContainers({ [LABELS.taskArn]: taskArn });
    return { pause: all.filter((c) => c.labels[LABELS.containerName] === '~pause'), web: all.filter((c) => c.labels[LABELS.containerName] === 'web') };
  };
  const describeTask = async (arn: string) => (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [arn] }))).tasks![0];

  /**
   * What a user relies on: one running pause container and one running web container joined to it, and the
   * task's recorded host port (where its load balancer target is sent) is the one that pause container publishes.
   */
  async function assertServesFromItsNetwork(taskArn: string, what: string) {
    const end = Date.now() + 10_000;
    let seen = '';
    for (;;) {
      const t = await describeTask(taskArn);
      const { pause, web } = await containersOf(taskArn);
      const port = t.containers?.[0]?.networkBindings?.[0]?.hostPort;
      seen = JSON.stringify({
        task: [t.lastStatus, t.desiredStatus, t.stoppedReason], port,
        pause: pause.map((c) => [c.id.slice(-6), c.status, c.ports[0]?.hostPort]), web: web.map((c) => [c.id.slice(-6), c.status, networkOf.get(c.id)?.slice(-16)]),
      });
      const ok = t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING' && pause.length === 1 && pause[0].status === 'running' && web.length === 1
        && web[0].status === 'running' && networkOf.get(web[0].id) === `container:${pause[0].id}` && port !== undefined && port === pause[0].ports[0]?.hostPort;
      if (ok) return;
      if (Date.now() > end) assert.fail(`${what}: the task does not serve from its network; last seen ${seen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function runTask(): Promise<Task> {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: net }));
    return out.tasks![0];
  }

  before(async () => {
    driver = berth.app.driver as FakeDriver;
    const create = driver.createContainer.bind(driver);
    driver.createContainer = async (spec: ContainerSpec) => {
      const id = await create(spec);
      networkOf.set(id, spec.networkMode);
      return id;
    };
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, portMappings: [{ containerPort: 80 }] }],
    });
  });

  it('a container the engine refused to start because the task\'s network had stopped is made again, and the task runs from its new network', async () => {
    // As Docker answers a start whose network container stopped in between: 409, the container left created.
    const start = driver.startContainer.bind(driver);
    let refused = false;
    driver.startContainer = async (id: string) => {
      const c = await driver.inspectContainer(id);
      if (!refused && c?.labels[LABELS.containerName] === 'web') {
        refused = true;
        const pause = (await containersOf(c.labels[LABELS.taskArn])).pause[0];
        driver.exit(pause.id, 137);
        throw new RuntimeError('Conflict', `cannot join network of a non running container: ${pause.id}`);
      }
      return start(id);
    };
    try {
      const task = await runTask();
      await waitForTask(berth.ecs, C, task.taskArn!, isRunning, 'RUNNING', 10_000);
      assert.ok(refused);
      await assertServesFromItsNetwork(task.taskArn!, 'after a refused start');
    } finally {
      driver.startContainer = start;
    }
  });

  it('a running task whose pause container stopped starts its app container again in the new network', async () => {
    const task = await runTask();
    await waitForTask(berth.ecs, C, task.taskArn!, isRunning, 'RUNNING', 10_000);
    await assertServesFromItsNetwork(task.taskArn!, 'before');
    const { pause, web } = await containersOf(task.taskArn!);
    driver.exit(pause[0].id, 137);
    await assertServesFromItsNetwork(task.taskArn!, 'after its pause container stopped');
    const now = await containersOf(task.taskArn!);
    assert.notEqual(now.pause[0].id, pause[0].id);
    assert.notEqual(now.web[0].id, web[0].id, 'the web container left in the old network was made again');
  });

  it('a snapshot load restarts a service\'s task in place: no pass acts while the state is replaced, and the task runs from its new network', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'svc', taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));
    await waitForService(berth.ecs, C, 'svc', (s) => s.runningCount === 1 && s.pendingCount === 0, 'svc steady', 10_000);
    const [taskArn] = (await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'svc' }))).taskArns!;
    await assertServesFromItsNetwork(taskArn, 'before the load');
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await berth.app.state.save(out);

    // Docker's forced removal: the container dies first (its task is told, by the engine's die event), and is gone
    // a moment later. A pass that ran in between would make containers the load then removes, or act on the
    // loaded rows halfway.
    const remove = driver.removeContainer.bind(driver);
    const create = driver.createContainer;
    const madeWhileRemoving: string[] = [];
    let loading = false;
    let removing = 0;
    driver.removeContainer = async (id: string) => {
      const c = await driver.inspectContainer(id);
      if (!loading || c?.labels[LABELS.containerName] !== '~pause') return remove(id);
      removing++;
      try {
        if (c.status === 'running') driver.exit(id, 137);
        await new Promise((r) => setTimeout(r, 150));
        return await remove(id);
      } finally {
        removing--;
      }
    };
    driver.createContainer = async (spec: ContainerSpec) => {
      if (removing) madeWhileRemoving.push(spec.name);
      return create(spec);
    };
    try {
      loading = true;
      await berth.app.state.load(Readable.from([Buffer.concat(chunks)]));
      loading = false;
      assert.deepEqual(madeWhileRemoving, [], 'no container is made while the load removes the old state\'s');
      await assertServesFromItsNetwork(taskArn, 'after the load');
      const tasks = [
        ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'svc' }))).taskArns!,
        ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'svc', desiredStatus: 'STOPPED' }))).taskArns!,
      ];
      assert.deepEqual(tasks, [taskArn], 'the loaded task is restarted in place, not replaced');
    } finally {
      loading = false;
      driver.removeContainer = remove;
      driver.createContainer = create;
    }
  });
});
