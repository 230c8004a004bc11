/**
 * AWS's ECS-on-EC2 capacity provider tutorial on Docker (issue 17), each step through one of the two AWS CLIs as a
 * user would run it (awscli 2.9 and awscli v1 / botocore 1.43, alternating): the ECS-optimized AMI from SSM, a launch
 * template whose user data sets ECS_CLUSTER, an Auto Scaling group of it starting empty, a capacity provider with
 * managed scaling and managed termination protection as the cluster's default strategy, and a service of 6 tasks that
 * run as real containers on the 2 instances managed scaling launched (3 per t3.micro). The group shows ECS's policy
 * (DescribePolicies) and the alarm that grew it (DescribeScalingActivities); scaling the service to 0 stops the
 * containers and shrinks the group back to 0 (metric minute = 0.5 s).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/tutorial-cluster-auto-scaling-cli.html
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

describe('ECS capacity providers scale an Auto Scaling group for a service of real containers (awscli 2.9 and v1)', { skip: !cliAvailable('v2') && 'awscli v2 is not installed' }, () => {
  const berth = useBerth({ metricsPeriod: 0.5 });
  const cli = async (...args: string[]) => okJson(await aws('v2', berth.endpoint, args), args.slice(0, 2).join(' '));
  const cli1 = async (...args: string[]) => okJson(await aws('v1', berth.endpoint, args), `v1 ${args.slice(0, 2).join(' ')}`);
  let image: string;
  before(() => { image = ensureBusyboxImage(); });

  const group = async () => (await cli1('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'tutorial-asg')).AutoScalingGroups[0];
  const inService = (g: any) => g.Instances.filter((i: any) => i.LifecycleState === 'InService').length;
  const serviceTasks = async () => {
    const arns = (await cli('ecs', 'list-tasks', '--cluster', 'tutorial', '--service-name', 'web')).taskArns;
    return arns.length ? (await cli('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', ...arns)).tasks : [];
  };

  it('a service of 6 tasks on an empty group grows it to 2 instances, runs 6 real containers, and shrinks it to 0 at desired count 0', async () => {
    const setupFrom = Date.now();
    // The tutorial's independent first steps at once (each CLI keeps a few servers), then what depends on them.
    // Half a vCPU and 256 MiB: three tasks per t3.micro (2 vCPUs, 993 MiB for tasks), so 6 need 2 instances.
    const [params] = await Promise.all([
      cli('ssm', 'get-parameters', '--names', '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'),
      cli1('ecs', 'create-cluster', '--cluster-name', 'tutorial'),
      cli('ecs', 'register-task-definition', '--family', 'web', '--network-mode', 'bridge', '--requires-compatibilities', 'EC2', '--container-definitions', JSON.stringify([{
        name: 'web', image, essential: true, cpu: 512, memory: 256, stopTimeout: 1,
        command: ['httpd', '-f', '-p', '80', '-h', '/var/www'], portMappings: [{ containerPort: 80, hostPort: 0 }],
      }])),
    ]);
    const userData = Buffer.from('#!/bin/bash\necho ECS_CLUSTER=tutorial >> /etc/ecs/ecs.config').toString('base64');
    await cli('ec2', 'create-launch-template', '--launch-template-name', 'tutorial-lt', '--launch-template-data',
      JSON.stringify({ ImageId: params.Parameters[0].Value, InstanceType: 't3.micro', UserData: userData }));
    await cli1('autoscaling', 'create-auto-scaling-group', '--auto-scaling-group-name', 'tutorial-asg', '--launch-template', 'LaunchTemplateName=tutorial-lt,Version=$Latest',
      '--min-size', '0', '--max-size', '3', '--desired-capacity', '0', '--availability-zones', 'us-east-1a', 'us-east-1b', '--new-instances-protected-from-scale-in');
    const asgArn = (await group()).AutoScalingGroupARN;
    await cli('ecs', 'create-capacity-provider', '--name', 'tutorial-cp', '--auto-scaling-group-provider',
      `autoScalingGroupArn=${asgArn},managedScaling={status=ENABLED,targetCapacity=100,minimumScalingStepSize=1,maximumScalingStepSize=10},managedTerminationProtection=ENABLED`);
    await cli1('ecs', 'put-cluster-capacity-providers', '--cluster', 'tutorial', '--capacity-providers', 'tutorial-cp',
      '--default-capacity-provider-strategy', 'capacityProvider=tutorial-cp,weight=1');
    const started = Date.now();
    const created = (await cli1('ecs', 'create-service', '--cluster', 'tutorial', '--service-name', 'web', '--task-definition', 'web', '--desired-count', '6')).service;
    assert.equal(created.capacityProviderStrategy[0].capacityProvider, 'tutorial-cp');

    const six = await until(serviceTasks, (ts: any[]) => ts.length === 6 && ts.every((t) => t.lastStatus === 'RUNNING'), 'six tasks running', 45_000);
    const grownAfter = (Date.now() - started) / 1000;
    const g2 = await group();
    assert.equal(g2.DesiredCapacity, 2);
    assert.equal(inService(g2), 2);
    const cis = (await cli('ecs', 'describe-container-instances', '--cluster', 'tutorial', '--container-instances', ...new Set(six.map((t: any) => t.containerInstanceArn)))).containerInstances;
    assert.deepEqual(cis.map((c: any) => c.ec2InstanceId).sort(), g2.Instances.map((i: any) => i.InstanceId).sort(), 'the tasks are on the 2 instances managed scaling launched');
    for (const t of six) assert.equal(containersOf(t.taskArn).length, 1, 'a real container');
    const port = six[0].containers[0].networkBindings[0].hostPort;
    const body = await until(() => fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).catch(() => ''), (b) => b.length > 0, 'httpd answers');
    assert.match(body, /berth/);
    // Instances holding tasks are protected from scale-in (managed termination protection).
    await until(group, (g: any) => g.Instances.every((i: any) => i.ProtectedFromScaleIn), 'busy instances protected');

    // What ECS made on the group, as the tutorial's verification steps read it.
    const [policy] = (await cli1('autoscaling', 'describe-policies', '--auto-scaling-group-name', 'tutorial-asg')).ScalingPolicies;
    assert.match(policy.PolicyName, /^ECSManagedAutoScalingPolicy-/);
    assert.equal(policy.TargetTrackingConfiguration.CustomizedMetricSpecification.MetricName, 'CapacityProviderReservation');
    const activities = (await cli('autoscaling', 'describe-scaling-activities', '--auto-scaling-group-name', 'tutorial-asg')).Activities;
    assert.ok(activities.some((a: any) => a.Cause.includes(`in state ALARM triggered policy ${policy.PolicyName}`)), 'the launches name the policy that asked for them');

    await cli('ecs', 'update-service', '--cluster', 'tutorial', '--service', 'web', '--desired-count', '0');
    await until(async () => (await cli1('ecs', 'describe-tasks', '--cluster', 'tutorial', '--tasks', ...six.map((t: any) => t.taskArn))).tasks,
      (ts: any[]) => ts.every((t) => t.lastStatus === 'STOPPED'), 'tasks stopped', 30_000);
    for (const t of six) assert.deepEqual(containersOf(t.taskArn), [], 'containers removed');
    const shrunk = await until(group, (g: any) => g.DesiredCapacity === 0 && g.Instances.length === 0, 'group back to 0', 45_000);
    assert.equal(shrunk.MinSize, 0);
    console.log(`capacity e2e: set-up ${((started - setupFrom) / 1000).toFixed(1)} s; 6 tasks running on 2 new instances ${grownAfter.toFixed(1)} s after create-service; back to 0 instances after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
