/**
 * EC2 launch type on Docker, what two virtual instances on one engine mean
 * for a task: it runs in its instance's zone (`berth instances add --az`), and
 * a static host port is the engine's, so a second task that wants it is left
 * unplaced (RESOURCE:PORTS) rather than started to fail on "port is already allocated".
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { freePort } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'zones-ports';
const run = promisify(execFile);

describe('EC2 instances sharing one Docker engine', () => {
  let image: string;

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    for (const az of ['us-east-1b', 'us-east-1c']) {
      await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', C, '--endpoint', berth.endpoint, '--memory', '1024', '--az', az], { cwd: REPO_ROOT });
    }
  });

  it("a task reports its instance's zone, as the instance's ecs.availability-zone attribute says", async () => {
    await register(berth.ecs, { family: 'zoned', networkMode: 'bridge', containerDefinitions: [{ name: 'x', image, essential: true, memory: 32, command: ['sleep', '600'], stopTimeout: 1 }] });
    for (const az of ['us-east-1b', 'us-east-1c']) {
      const out = await berth.ecs.send(new RunTaskCommand({
        cluster: C, taskDefinition: 'zoned', launchType: 'EC2',
        placementConstraints: [{ type: 'memberOf', expression: `attribute:ecs.availability-zone == ${az}` }],
      }));
      assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
      assert.equal(out.tasks![0].availabilityZone, az, 'RunTask answers with the zone');
      const t = await waitForTask(berth.ecs, C, out.tasks![0].taskArn!, isRunning, 'RUNNING');
      assert.equal(t.availabilityZone, az);
      const { containerInstances } = await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: C, containerInstances: [t.containerInstanceArn!] }));
      assert.equal(containerInstances![0].attributes!.find((a) => a.name === 'ecs.availability-zone')?.value, az);
      await berth.ecs.send(new StopTaskCommand({ cluster: C, task: t.taskArn }));
      await waitForTask(berth.ecs, C, t.taskArn!, isStopped, 'STOPPED');
    }
  });

  it('a second task with the same static host port is not placed on the other instance, and nothing is started to fail', async () => {
    const port = await freePort();
    await register(berth.ecs, {
      family: 'fixed', networkMode: 'bridge',
      containerDefinitions: [{
        name: 'web', image, essential: true, memory: 32, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'],
        portMappings: [{ containerPort: 80, hostPort: port }],
      }],
    });
    const first = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fixed', launchType: 'EC2' }));
    const holder = await waitForTask(berth.ecs, C, first.tasks![0].taskArn!, isRunning, 'RUNNING');
    assert.equal(holder.containers![0].networkBindings![0].hostPort, port);

    const second = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'fixed', launchType: 'EC2' }));
    assert.deepEqual(second.tasks, [], 'no task to fail on "port is already allocated"');
    assert.deepEqual(second.failures?.map((f) => f.reason), ['RESOURCE:PORTS', 'RESOURCE:PORTS']);
    const stopped = await berth.ecs.send(new ListTasksCommand({ cluster: C, family: 'fixed', desiredStatus: 'STOPPED' }));
    assert.deepEqual(stopped.taskArns, []);

    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: holder.taskArn }));
    await waitForTask(berth.ecs, C, holder.taskArn!, isStopped, 'STOPPED');
  });
});
