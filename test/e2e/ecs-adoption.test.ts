/**
 * Berth killed with kill -9 while tasks run, then restarted on the same data
 * dir: it adopts its containers instead of duplicating or orphaning them.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const containersOf = (taskArn: string) => docker('ps', '-a', '-q', '--filter', `label=berth.task-arn=${taskArn}`).split('\n').filter(Boolean);

describe('Berth restarted after kill -9 adopts its running tasks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-adopt-'));
  let berth: SpawnedBerth | undefined;
  after(async () => {
    if (berth) await fetch(`${berth.endpoint}/_berth/reset`, { method: 'POST' }).catch(() => undefined);
    await berth?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps running tasks RUNNING on the same containers, stops tasks whose containers died, removes unknown ones', async () => {
    const image = ensureBusyboxImage();
    berth = await spawnBerth(['--data-dir', dir]);
    let ecs = new ECSClient(clientConfig(berth.endpoint));
    await ecs.send(new CreateClusterCommand({ clusterName: 'adopt' }));
    await register(ecs, {
      family: 'sleeper', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image, essential: true, command: ['sleep', '600'], stopTimeout: 1 }],
    });
    const out = await ecs.send(new RunTaskCommand({ cluster: 'adopt', taskDefinition: 'sleeper', count: 2, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint) }));
    const [keep, die] = out.tasks!.map((t) => t.taskArn!);
    const before = await waitForTask(ecs, 'adopt', keep, isRunning, 'RUNNING');
    await waitForTask(ecs, 'adopt', die, isRunning, 'RUNNING');
    const keepContainers = containersOf(keep).sort();
    assert.equal(keepContainers.length, 2, 'main and the pause container');
    const instance = docker('inspect', '-f', '{{ index .Config.Labels "berth.instance" }}', keepContainers[0]);

    await berth.kill9();
    ecs.destroy();
    // While Berth is down: one task's essential container dies, and a stray Berth container appears.
    const dieMain = docker('ps', '-q', '--filter', `label=berth.task-arn=${die}`, '--filter', 'label=berth.container-name=main');
    docker('kill', dieMain);
    const strayArn = 'arn:aws:ecs:us-east-1:000000000000:task/adopt/00000000000000000000000000000000';
    docker('run', '-d', '--label', 'berth.managed=true', '--label', `berth.instance=${instance}`, '--label', `berth.task-arn=${strayArn}`,
      '--label', 'berth.container-name=main', image, 'sleep', '600');

    berth = await spawnBerth(['--data-dir', dir]);
    ecs = new ECSClient(clientConfig(berth.endpoint));
    try {
      const stopped = await waitForTask(ecs, 'adopt', die, isStopped, 'STOPPED');
      assert.equal(stopped.stopCode, 'EssentialContainerExited');
      assert.equal(stopped.containers![0].exitCode, 137);
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'adopt', tasks: [keep] }));
      assert.equal(tasks![0].lastStatus, 'RUNNING');
      assert.equal(tasks![0].containers![0].runtimeId, before.containers![0].runtimeId, 'the same container, adopted');
      assert.deepEqual(containersOf(keep).sort(), keepContainers, 'no duplicate containers');
      const end = Date.now() + 10_000;
      while (containersOf(strayArn).length && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(containersOf(strayArn), [], 'the unknown container with our labels is removed');
      await ecs.send(new StopTaskCommand({ cluster: 'adopt', task: keep }));
      await waitForTask(ecs, 'adopt', keep, isStopped, 'STOPPED');
      assert.deepEqual(containersOf(keep), []);
    } finally {
      ecs.destroy();
    }
  });
});
