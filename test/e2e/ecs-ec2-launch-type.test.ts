/**
 * The EC2 launch type on Docker: tasks placed on virtual container instances
 * (`berth instances add`), bridge-mode dynamic and static host ports and host
 * networking reachable from the host as networkBindings say.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand, UpdateContainerInstancesStateCommand } from '@aws-sdk/client-ecs';
import { REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { isRunning, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { freePort } from '../helpers/elbv2.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const C = 'ec2-e2e';
const run = promisify(execFile);

describe('EC2 launch type on Docker', () => {
  let image: string;

  const berth = useBerth({ clients: { ecs: ECSClient } });
  before(async () => {
    image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    // As a user adds capacity: the CLI registers a virtual instance through Berth's API.
    // Asynchronously: this Berth runs in this process and must keep answering.
    const { stdout } = await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', C, '--endpoint', berth.endpoint, '--memory', '2048', '--az', 'us-east-1b'], { cwd: REPO_ROOT });
    assert.match(stdout, /container-instance\/ec2-e2e\//);
  });

  const fetchText = async (port: number) => {
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      if (res?.status === 200) return res.text();
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nothing answers on ${port}`);
  };

  it('bridge tasks publish a dynamic and a static host port on 127.0.0.1, as networkBindings report', async () => {
    const staticPort = await freePort();
    await register(berth.ecs, {
      family: 'bridge', networkMode: 'bridge',
      containerDefinitions: [{
        name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'],
        portMappings: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81, hostPort: staticPort }],
      }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'bridge', launchType: 'EC2' }));
    assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
    const t = await waitForTask(berth.ecs, C, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    assert.equal(t.launchType, 'EC2');
    assert.ok(t.containerInstanceArn);
    const bindings = t.containers![0].networkBindings!;
    const dynamic = bindings.find((b) => b.containerPort === 80)!;
    assert.ok(dynamic.hostPort! > 0 && dynamic.hostPort !== 80);
    assert.equal(bindings.find((b) => b.containerPort === 81)!.hostPort, staticPort);
    assert.match(await fetchText(dynamic.hostPort!), /berth/);
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: t.taskArn }));
    await waitForTask(berth.ecs, C, t.taskArn!, isStopped, 'STOPPED');
  });

  it('a host-network task listens on the host port itself', async () => {
    const port = await freePort();
    await register(berth.ecs, {
      family: 'hostnet', networkMode: 'host',
      containerDefinitions: [{ name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/var/www'], portMappings: [{ containerPort: port }] }],
    });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'hostnet', launchType: 'EC2' }));
    const t = await waitForTask(berth.ecs, C, out.tasks![0].taskArn!, isRunning, 'RUNNING');
    assert.equal(t.containers![0].networkBindings![0].hostPort, port);
    assert.match(await fetchText(port), /berth/);
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: t.taskArn }));
  });

  it('spread, binpack, memberOf and DRAINING place real tasks where ECS would', async () => {
    const { stdout } = await run(process.execPath, ['bin/berth.js', 'instances', 'add', '--cluster', C, '--endpoint', berth.endpoint, '--memory', '2048', '--az', 'us-east-1c'], { cwd: REPO_ROOT });
    const second = stdout.split(' ')[0].trim();
    await register(berth.ecs, { family: 'small', networkMode: 'bridge', containerDefinitions: [{ name: 'x', image, essential: true, memory: 64, command: ['sleep', '600'], stopTimeout: 1 }] });
    const instanceOf = async (arns: string[]) => {
      const out: string[] = [];
      for (const a of arns) out.push((await waitForTask(berth.ecs, C, a, isRunning, 'RUNNING')).containerInstanceArn!);
      return out;
    };
    const stopAll = async (arns: string[]) => { for (const a of arns) await berth.ecs.send(new StopTaskCommand({ cluster: C, task: a })); };
    const spread = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'small', launchType: 'EC2', count: 2, group: 'spread', placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }] }));
    const spreadOn = await instanceOf(spread.tasks!.map((t) => t.taskArn!));
    assert.equal(new Set(spreadOn).size, 2, 'one task in each zone');
    const member = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'small', launchType: 'EC2', count: 2, placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone == us-east-1c' }] }));
    assert.deepEqual(await instanceOf(member.tasks!.map((t) => t.taskArn!)), [second, second]);
    const packed = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'small', launchType: 'EC2', count: 1, placementStrategy: [{ type: 'binpack', field: 'memory' }] }));
    assert.deepEqual(await instanceOf(packed.tasks!.map((t) => t.taskArn!)), [second], 'the instance with the least memory left');
    await berth.ecs.send(new UpdateContainerInstancesStateCommand({ cluster: C, containerInstances: [second], status: 'DRAINING' }));
    const after = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'small', launchType: 'EC2', count: 2 }));
    assert.ok((await instanceOf(after.tasks!.map((t) => t.taskArn!))).every((a) => a !== second), 'nothing new on the DRAINING instance');
    await stopAll([...spread.tasks!, ...member.tasks!, ...packed.tasks!, ...after.tasks!].map((t) => t.taskArn!));
  });

  it('a task larger than the instance fails to place with RESOURCE:MEMORY', async () => {
    await register(berth.ecs, { family: 'huge', networkMode: 'bridge', containerDefinitions: [{ name: 'x', image, essential: true, memory: 4096 }] });
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'huge', launchType: 'EC2' }));
    assert.ok(out.failures!.length >= 1 && out.failures!.every((f) => f.reason === 'RESOURCE:MEMORY'), JSON.stringify(out.failures));
  });
});
