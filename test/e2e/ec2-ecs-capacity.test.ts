/**
 * EC2 instances as ECS capacity on Docker, driven by awscli 2.9 as the ECS-on-EC2 tutorial drives AWS: the
 * ECS-optimized AMI from SSM, run-instances with `ECS_CLUSTER` user data, the instance in list-container-instances
 * with its type's resources, an EC2-launch-type task running a real container on it, and terminate-instances
 * deregistering it and stopping the task (its container gone). Then a kill -9 while an instance is pending: the
 * restarted Berth finishes the transition and the agent still registers, and an Auto Scaling group created just
 * before the crash reaches its capacity.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aws, cliAvailable, type CliResult } from '../helpers/cli.js';
import { spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const running = (taskArn: string) => docker('ps', '-q', '--filter', `label=berth.task-arn=${taskArn}`).split('\n').filter(Boolean);
const USER_DATA = '#!/bin/bash\necho ECS_CLUSTER=tutorial >> /etc/ecs/ecs.config\necho \'ECS_INSTANCE_ATTRIBUTES={"purpose":"e2e"}\' >> /etc/ecs/ecs.config';

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const okJson = (r: CliResult, what: string) => {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.json;
};

describe('EC2 instances run ECS tasks on Docker (awscli 2.9)', { skip: !cliAvailable('v2') && 'awscli v2 is not installed' }, () => {
  const berth = useBerth();
  let image: string;
  const cli = (...args: string[]) => aws('v2', berth.endpoint, args);
  before(() => { image = ensureBusyboxImage(); });

  it('run-instances with ECS_CLUSTER user data → container instance → a real task → terminate stops it', async () => {
    const ami = okJson(await cli('ssm', 'get-parameters', '--names', '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'), 'ssm').Parameters[0].Value;
    okJson(await cli('ecs', 'create-cluster', '--cluster-name', 'tutorial'), 'create-cluster');
    const run = okJson(await cli('ec2', 'run-instances', '--image-id', ami, '--instance-type', 'c5.large', '--count', '1', '--user-data', USER_DATA), 'run-instances');
    const id = run.Instances[0].InstanceId;
    assert.equal(run.Instances[0].State.Name, 'pending');

    const list = await until(async () => okJson(await cli('ecs', 'list-container-instances', '--cluster', 'tutorial'), 'list'), (v: any) => v.containerInstanceArns.length === 1, 'registration');
    const ciArn = list.containerInstanceArns[0];
    const ci = okJson(await cli('ecs', 'describe-container-instances', '--cluster', 'tutorial', '--container-instances', ciArn), 'describe').containerInstances[0];
    assert.equal(ci.ec2InstanceId, id);
    const reg = Object.fromEntries(ci.registeredResources.map((r: any) => [r.name, r.integerValue]));
    // c5.large: 2 vCPUs and 4 GiB, of which the agent registers what the kernel reports.
    assert.equal(reg.CPU, 2048);
    assert.equal(reg.MEMORY, 3952);
    assert.equal(ci.attributes.find((a: any) => a.name === 'purpose')?.value, 'e2e');
    assert.equal(ci.attributes.find((a: any) => a.name === 'ecs.instance-type')?.value, 'c5.large');

    okJson(await cli('ecs', 'register-task-definition', '--family', 'on-ec2', '--network-mode', 'bridge', '--container-definitions', JSON.stringify([{
      name: 'web', image, essential: true, memory: 64, stopTimeout: 1, command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }],
    }])), 'register-task-definition');
    const task = okJson(await cli('ecs', 'run-task', '--cluster', 'tutorial', '--task-definition', 'on-ec2', '--launch-type', 'EC2'), 'run-task').tasks[0];
    assert.equal(task.containerInstanceArn, ciArn);
    const up = await until(async () => okJson(await cli('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', task.taskArn), 'describe-tasks').tasks[0],
      (t: any) => t.lastStatus === 'RUNNING', 'task RUNNING', 60_000);
    const port = up.containers[0].networkBindings[0].hostPort;
    const body = await until(async () => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => '')), (t) => t.length > 0, 'httpd answers');
    assert.match(body, /berth/);
    assert.equal(running(task.taskArn).length, 1);

    const term = okJson(await cli('ec2', 'terminate-instances', '--instance-ids', id), 'terminate');
    assert.equal(term.TerminatingInstances[0].CurrentState.Name, 'shutting-down');
    const stopped = await until(async () => okJson(await cli('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', task.taskArn), 'describe-tasks').tasks[0],
      (t: any) => t.lastStatus === 'STOPPED', 'task STOPPED', 60_000);
    assert.equal(stopped.stoppedReason, `Host EC2 (instance ${id}) terminated.`);
    assert.equal(stopped.stopCode, 'TerminationNotice');
    assert.deepEqual(running(task.taskArn), []);
    assert.deepEqual(okJson(await cli('ecs', 'list-container-instances', '--cluster', 'tutorial'), 'list').containerInstanceArns, []);
    const gone = okJson(await cli('ec2', 'describe-instances', '--instance-ids', id, '--query', 'Reservations[0].Instances[0].State'), 'describe-instances');
    assert.equal(gone.Name, 'terminated');
  });
});

describe('an instance pending (and a new Auto Scaling group) when Berth is killed -9 still come up and join the cluster', { skip: !cliAvailable('v2') && 'awscli v2 is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ec2-kill-'));
  let b: SpawnedBerth | undefined;
  after(async () => {
    await b?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the controller resumes the transition after a restart', async () => {
    b = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    const cli = (...args: string[]) => aws('v2', b!.endpoint, args);
    okJson(await cli('ecs', 'create-cluster', '--cluster-name', 'tutorial'), 'create-cluster');
    const ami = okJson(await cli('ssm', 'get-parameter', '--name', '/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id'), 'ssm').Parameter.Value;
    const id = okJson(await cli('ec2', 'run-instances', '--image-id', ami, '--instance-type', 't3.large', '--count', '1', '--user-data', USER_DATA), 'run').Instances[0].InstanceId;
    // An Auto Scaling group created just before the crash converges after the restart.
    okJson(await cli('ec2', 'create-launch-template', '--launch-template-name', 'k9-nodes', '--launch-template-data',
      JSON.stringify({ ImageId: ami, InstanceType: 't3.micro', UserData: Buffer.from(USER_DATA).toString('base64') })), 'create-launch-template');
    okJson(await cli('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'k9', '--launch-template', 'LaunchTemplateName=k9-nodes',
      '--min-size', '2', '--max-size', '2', '--availability-zones', 'us-east-1a', 'us-east-1b'), 'create-auto-scaling-group');
    await b.kill9();
    b = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    const cli2 = (...args: string[]) => aws('v2', b!.endpoint, args);
    await until(async () => okJson(await cli2('ec2', 'describe-instances', '--instance-ids', id, '--query', 'Reservations[0].Instances[0].State.Name'), 'describe'),
      (s) => s === 'running', 'running after restart');
    // The lone instance and the group's two register (the group's user data names the same cluster).
    const list = await until(async () => okJson(await cli2('ecs', 'list-container-instances', '--cluster', 'tutorial'), 'list'), (v: any) => v.containerInstanceArns.length === 3, 'registered after restart');
    const cis = okJson(await cli2('ecs', 'describe-container-instances', '--cluster', 'tutorial', '--container-instances', ...list.containerInstanceArns), 'describe').containerInstances;
    assert.ok(cis.some((c: any) => c.ec2InstanceId === id), 'the instance that was pending at the crash');
    const g = await until(async () => okJson(await cli2('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'k9'), 'describe-asg').AutoScalingGroups[0],
      (x: any) => x.Instances.filter((i: any) => i.LifecycleState === 'InService').length === 2, 'the group has its two instances');
    assert.deepEqual(g.Instances.map((i: any) => i.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b']);
    assert.deepEqual(cis.map((c: any) => c.ec2InstanceId).sort(), [id, ...g.Instances.map((i: any) => i.InstanceId)].sort());
  });
});
