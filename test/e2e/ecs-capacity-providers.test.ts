/**
 * The ECS-on-EC2 tutorial's capacity path on Docker, driven by awscli 2.9 as it drives AWS (issue 17): the
 * ECS-optimized AMI from SSM, a launch template whose user data sets ECS_CLUSTER, an Auto Scaling group of it starting
 * empty, a capacity provider with managed scaling and managed termination protection, the cluster's default strategy,
 * and a service whose tasks run as real containers on the instances managed scaling launched. Scaling the service up
 * grows the group; scaling it to 0 stops the containers and shrinks the group back to 0 (metric minute = 0.5 s).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { aws, cliAvailable, type CliResult } from '../helpers/cli.js';
import { useBerth } from '../helpers/use-berth.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const containersOf = (taskArn: string) =>
  execFileSync('docker', ['ps', '-q', '--filter', `label=berth.task-arn=${taskArn}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

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

describe('ECS capacity providers scale an Auto Scaling group for a service of real containers (awscli 2.9)', { skip: !cliAvailable('v2') && 'awscli v2 is not installed' }, () => {
  const berth = useBerth({ metricsPeriod: 0.5 });
  const cli = async (...args: string[]) => okJson(await aws('v2', berth.endpoint, args), args.slice(0, 2).join(' '));
  let image: string;
  before(() => { image = ensureBusyboxImage(); });

  const group = async () => (await cli('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'tutorial-asg')).AutoScalingGroups[0];
  const inService = (g: any) => g.Instances.filter((i: any) => i.LifecycleState === 'InService').length;
  const serviceTasks = async () => {
    const arns = (await cli('ecs', 'list-tasks', '--cluster', 'tutorial', '--service-name', 'web')).taskArns;
    return arns.length ? (await cli('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', ...arns)).tasks : [];
  };

  it('a service on an empty group grows it, runs its containers on the new instances, grows it again, and shrinks it to 0', async () => {
    const ami = (await cli('ssm', 'get-parameters', '--names', '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id')).Parameters[0].Value;
    await cli('ecs', 'create-cluster', '--cluster-name', 'tutorial');
    const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=tutorial >> /etc/ecs/ecs.config').toString('base64');
    await cli('ec2', 'create-launch-template', '--launch-template-name', 'tutorial-lt', '--launch-template-data',
      JSON.stringify({ ImageId: ami, InstanceType: 't3.micro', UserData: userData }));
    await cli('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'tutorial-asg', '--launch-template', 'LaunchTemplateName=tutorial-lt,Version=$Latest',
      '--min-size', '0', '--max-size', '3', '--desired-capacity', '0', '--availability-zones', 'us-east-1a', 'us-east-1b', '--new-instances-protected-from-scale-in');
    const asgArn = (await group()).AutoScalingGroupARN;
    await cli('ecs', 'create-capacity-provider', '--name', 'tutorial-cp', '--auto-scaling-group-provider',
      `autoScalingGroupArn=${asgArn},managedScaling={status=ENABLED,targetCapacity=100,minimumScalingStepSize=1,maximumScalingStepSize=10},managedTerminationProtection=ENABLED`);
    await cli('ecs', 'put-cluster-capacity-providers', '--cluster', 'tutorial', '--capacity-providers', 'tutorial-cp',
      '--default-capacity-provider-strategy', 'capacityProvider=tutorial-cp,weight=1');
    // 1 vCPU and 600 MiB: one task per t3.micro (2 vCPUs, 993 MiB for tasks).
    await cli('ecs', 'register-task-definition', '--family', 'web', '--network-mode', 'bridge', '--requires-compatibilities', 'EC2', '--container-definitions', JSON.stringify([{
      name: 'web', image, essential: true, cpu: 1024, memory: 600, stopTimeout: 1,
      command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }],
    }]));
    const started = Date.now();
    const created = (await cli('ecs', 'create-service', '--cluster', 'tutorial', '--service-name', 'web', '--task-definition', 'web', '--desired-count', '2')).service;
    assert.equal(created.capacityProviderStrategy[0].capacityProvider, 'tutorial-cp');

    const two = await until(serviceTasks, (ts: any[]) => ts.length === 2 && ts.every((t) => t.lastStatus === 'RUNNING'), 'two tasks running', 45_000);
    const grownAfter = (Date.now() - started) / 1000;
    const g2 = await group();
    assert.equal(g2.DesiredCapacity, 2);
    assert.equal(inService(g2), 2);
    const cis = (await cli('ecs', 'describe-container-instances', '--cluster', 'tutorial', '--container-instances', ...two.map((t: any) => t.containerInstanceArn))).containerInstances;
    assert.equal(new Set(cis.map((c: any) => c.ec2InstanceId)).size, 2, 'one task on each new instance');
    assert.deepEqual(cis.map((c: any) => c.ec2InstanceId).sort(), g2.Instances.map((i: any) => i.InstanceId).sort());
    for (const t of two) {
      assert.equal(containersOf(t.taskArn).length, 1, 'a real container');
      const port = t.containers[0].networkBindings[0].hostPort;
      const body = await until(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).catch(() => ''), (b) => b.length > 0, 'httpd answers');
      assert.match(body, /berth/);
    }
    // Instances holding tasks are protected from scale-in (managed termination protection).
    await until(group, (g: any) => g.Instances.every((i: any) => i.ProtectedFromScaleIn), 'busy instances protected');

    await cli('ecs', 'update-service', '--cluster', 'tutorial', '--service', 'web', '--desired-count', '3');
    const three = await until(serviceTasks, (ts: any[]) => ts.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING').length === 3, 'three tasks running', 45_000);
    assert.equal((await group()).DesiredCapacity, 3);

    await cli('ecs', 'update-service', '--cluster', 'tutorial', '--service', 'web', '--desired-count', '0');
    await until(async () => (await cli('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', ...three.map((t: any) => t.taskArn))).tasks,
      (ts: any[]) => ts.every((t) => t.lastStatus === 'STOPPED'), 'tasks stopped', 30_000);
    for (const t of three) assert.deepEqual(containersOf(t.taskArn), [], 'containers removed');
    const shrunk = await until(group, (g: any) => g.DesiredCapacity === 0 && g.Instances.length === 0, 'group back to 0', 45_000);
    assert.equal(shrunk.MinSize, 0);
    console.log(`capacity e2e: 2 tasks running on 2 new instances ${grownAfter.toFixed(1)} s after create-service; back to 0 instances after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
