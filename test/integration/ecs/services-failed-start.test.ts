/**
 * A task whose start the engine refuses (the in-memory runtime's fault knob, as runc answers a start) ends
 * STOPPED with desiredStatus STOPPED, stopCode TaskFailedToStart and a CannotStartContainerError reason, and the
 * service scheduler replaces it — also when the failure lands while a snapshot of the same state is loaded
 * again. Real Docker: test/e2e/ecs-failed-start.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Service, type Task,
} from '@aws-sdk/client-ecs';
import { LABELS } from '../../../src/controllers/container-spec.js';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';

const C = 'failed-start';

describe('ECS tasks whose start failed (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let driver: FakeDriver;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  const describeService = async (name: string): Promise<Service> =>
    (await berth.ecs.send(new DescribeServicesCommand({ cluster: C, services: [name] }))).services![0];
  async function tasksOf(name: string): Promise<Task[]> {
    const arns = [
      ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: name }))).taskArns!,
      ...(await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: name, desiredStatus: 'STOPPED' }))).taskArns!,
    ];
    return arns.length ? (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: arns }))).tasks! : [];
  }
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    let last: Task[] | undefined;
    while (Date.now() < end) {
      const v = await probe();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    last = [...(await tasksOf("web").catch(() => [])), ...(await tasksOf("api").catch(() => []))];
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last?.map?.((t: Task) => [t.lastStatus, t.desiredStatus, t.stopCode]))}`);
  }
  const steady = (name: string, count: number) => async () => {
    const s = await describeService(name);
    return s.runningCount === count && s.pendingCount === 0 ? s : undefined;
  };

  before(async () => {
    driver = berth.app.driver as FakeDriver;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, portMappings: [{ containerPort: 80 }] }],
    });
  });

  it('a task whose container start the engine refuses once is STOPPED with TaskFailedToStart and replaced', async () => {
    driver.failNext('start', (spec) => spec.labels[LABELS.containerName] === 'web',
      'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: injected: unknown');
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'web', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: net }));
    await waitFor('two running tasks', steady('web', 2));
    const tasks = await tasksOf('web');
    const failed = tasks.filter((t) => t.stopCode === 'TaskFailedToStart');
    assert.equal(failed.length, 1, JSON.stringify(tasks.map((t) => [t.lastStatus, t.desiredStatus, t.stopCode])));
    assert.equal(failed[0].lastStatus, 'STOPPED');
    assert.equal(failed[0].desiredStatus, 'STOPPED');
    assert.match(failed[0].stoppedReason!, /^CannotStartContainerError: .*OCI runtime create failed/);
    assert.equal(tasks.filter((t) => t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length, 2);
  });

  it('a start that fails while the same snapshot is loaded a second time leaves no task STOPPED but desired RUNNING, and the service converges', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'api', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: net }));
    await waitFor('api steady', steady('api', 2));
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await berth.app.state.save(out);
    const snapshot = Buffer.concat(chunks);

    // After the first load, one task's restart is refused by the engine; while that failed start is being
    // cleaned up (its container removed), the same snapshot is loaded again, as in the report.
    const remove = driver.removeContainer.bind(driver);
    let second: Promise<void> | undefined;
    driver.removeContainer = async (id: string) => {
      const c = await driver.inspectContainer(id);
      if (!second && c?.status === 'created' && c.labels[LABELS.containerName] === 'web') {
        second = berth.app.state.load(Readable.from([snapshot]));
        await second;
      }
      return remove(id);
    };
    driver.failNext('start', (spec) => spec.labels[LABELS.containerName] === 'web');
    await berth.app.state.load(Readable.from([snapshot]));
    await waitFor('the second load', async () => (second ? true : undefined));
    await second;
    const s = await waitFor('both services steady after the loads', async () => {
      const [web, api] = await Promise.all([describeService('web'), describeService('api')]);
      return web.runningCount === 2 && web.pendingCount === 0 && api.runningCount === 2 && api.pendingCount === 0 ? api : undefined;
    });
    assert.equal(s.runningCount, 2);
    driver.removeContainer = remove;
    for (const name of ['web', 'api']) {
      const stuck = (await tasksOf(name)).filter((t) => t.lastStatus === 'STOPPED' && t.desiredStatus === 'RUNNING');
      assert.deepEqual(stuck.map((t) => t.taskArn), []);
    }
  });
});
