/**
 * Berth's own log narrates the ECS lifecycle at info level, one JSON line per event: a task started, a task
 * stopped (with its stop code and reason), a deployment started and completed.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, ECSClient, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

describe("Berth's log at info level", () => {
  const berth = useBerth({ spawn: ['--ephemeral', '--log-level', 'info'], env: { BERTH_RUNTIME: 'fake' }, clients: { ecs: ECSClient } });

  const lines = () => berth.spawned.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  async function waitForLine(what: string, match: (l: Record<string, unknown>) => boolean, ms = 15_000) {
    const end = Date.now() + ms;
    for (;;) {
      const found = lines().find(match);
      if (found) return found;
      if (Date.now() > end) throw new Error(`no log line for ${what} in:\n${berth.spawned.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'logs' }));
    await register(berth.ecs, {
      family: 'app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
    });
  });

  it('says when a task started and when it stopped, with the stop code and reason', async () => {
    const { tasks } = await berth.ecs.send(new RunTaskCommand({ cluster: 'logs', taskDefinition: 'app', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint) }));
    const arn = tasks![0].taskArn!;
    await waitForTask(berth.ecs, 'logs', arn, isRunning, 'RUNNING');
    const started = await waitForLine('task started', (l) => l.msg === 'task started' && l.taskArn === arn);
    assert.equal(started.level, 'info');
    assert.equal(started.cluster, 'logs');
    await berth.ecs.send(new StopTaskCommand({ cluster: 'logs', task: arn, reason: 'done for today' }));
    await waitForTask(berth.ecs, 'logs', arn, isStopped, 'STOPPED');
    const stopped = await waitForLine('task stopped', (l) => l.msg === 'task stopped' && l.taskArn === arn);
    assert.equal(stopped.level, 'info');
    assert.equal(stopped.stopCode, 'UserInitiated');
    assert.equal(stopped.reason, 'done for today');
    assert.equal(lines().filter((l) => l.msg === 'task started' && l.taskArn === arn).length, 1, 'one line per event');
  });

  it('says when a service deployment started and completed', async () => {
    const { service } = await berth.ecs.send(new CreateServiceCommand({
      cluster: 'logs', serviceName: 'web', taskDefinition: 'app', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    const id = service!.deployments![0].id;
    const begun = await waitForLine('deployment started', (l) => l.msg === 'deployment started' && l.deployment === id);
    assert.equal(begun.service, service!.serviceArn);
    await waitForLine('deployment completed', (l) => l.msg === 'deployment completed' && l.deployment === id);
    await waitForLine('service starting tasks', (l) => l.msg === 'service starting tasks' && l.service === service!.serviceArn);
  });
});
