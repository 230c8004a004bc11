/**
 * Issue 15, observe, don't poll (fake runtime): a running task's state changes come from the engine's events.
 * A quiet task costs no engine call (each was listed every 5 s before); an essential container's exit stops its
 * task at once; an exit that happened while the event stream was down arrives when the stream reconnects (the
 * driver resumes from the last event it delivered), not a sweep's minute later. The same on Docker is
 * test/e2e/ecs-adoption.test.ts (a container killed while Berth is down) and the conformance suite's replay test.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

const TASKS = 20;
const C = 'events';

describe('task state from engine events (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let tasks: string[] = [];
  const driver = () => berth.app.driver as FakeDriver;
  const describeTask = async (arn: string): Promise<Task> =>
    (await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [arn] }))).tasks![0];
  const mainContainer = async (arn: string) => (await describeTask(arn)).containers!.find((c) => c.name === 'main')!.runtimeId!;

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: 'quiet', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'example/app:1', essential: true }],
    });
    const net = await fargateNetwork(berth.endpoint);
    for (let i = 0; i < TASKS / 10; i++) {
      const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'quiet', launchType: 'FARGATE', networkConfiguration: net, count: 10 }));
      tasks.push(...out.tasks!.map((t) => t.taskArn!));
    }
    for (const arn of tasks) await waitForTask(berth.ecs, C, arn, isRunning, 'RUNNING');
    await berth.app.controllers.idle();
  });

  it(`asks the engine nothing about ${TASKS} quiet running tasks over 6 s (each was listed every 5 s), and an essential exit still stops its task at once`, async () => {
    const d = driver();
    let asked = 0;
    const list = d.listContainers.bind(d);
    const inspect = d.inspectContainer.bind(d);
    d.listContainers = (labels) => {
      if (labels['berth.task-arn']) asked++;
      return list(labels);
    };
    d.inspectContainer = (id) => {
      asked++;
      return inspect(id);
    };
    try {
      await new Promise((r) => setTimeout(r, 6_000));
      // At most the sweep's pages (1 task a 5 s tick for 20 tasks, each once per 5 minutes) may fall in the window.
      assert.ok(asked <= 4, `the engine was asked ${asked} times about tasks`);
      const t0 = performance.now();
      d.exit(await mainContainer(tasks[0]), 2);
      const stopped = await waitForTask(berth.ecs, C, tasks[0], isStopped, 'STOPPED', 3_000);
      assert.equal(stopped.stopCode, 'EssentialContainerExited');
      assert.equal(stopped.containers![0].exitCode, 2);
      assert.ok(performance.now() - t0 < 2_000, `stopped ${(performance.now() - t0).toFixed(0)} ms after the exit`);
    } finally {
      d.listContainers = list;
      d.inspectContainer = inspect;
    }
  });

  it('an exit while the event stream is down is not seen until the stream reconnects, and then at once (replayed)', async () => {
    const d = driver();
    const arn = tasks[TASKS - 1];
    const id = await mainContainer(arn);
    d.dropEventStreams();
    try {
      d.exit(id, 3);
      await new Promise((r) => setTimeout(r, 1_500));
      // Nothing polls the task: without its event Berth does not know yet.
      assert.equal((await describeTask(arn)).lastStatus, 'RUNNING');
    } finally {
      d.reconnectEventStreams();
    }
    const stopped = await waitForTask(berth.ecs, C, arn, isStopped, 'STOPPED after the replay', 3_000);
    assert.equal(stopped.stopCode, 'EssentialContainerExited');
    assert.equal(stopped.containers![0].exitCode, 3);
  });
});
