/**
 * ECS managed scaling of an Auto Scaling group capacity provider (fake runtime: the instances are virtual; metric
 * minute = 1 s). An empty group backs the cluster's default strategy; a service of 6 tasks that cannot be placed
 * makes CapacityProviderReservation 200, the policy's high alarm grows the group to the 2 t3.micro instances the
 * tasks fit on, and they run; at desired count 0 the reservation falls to 0 and after the low alarm's 15 periods
 * the group is back at its minimum. The capacity provider is made through awscli 2.9, the rest through the v3 SDK.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeCapacityProvidersCommand, DescribeServicesCommand, ECSClient, ListTasksCommand,
  PutClusterCapacityProvidersCommand, UpdateServiceCommand, DescribeTasksCommand, DeleteServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { aws, cliAvailable } from '../../helpers/cli.js';
import { register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('ECS managed scaling of an Auto Scaling group capacity provider', () => {
  const berth = useBerth({
    runtime: 'fake', metricsPeriod: 1,
    clients: { asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient, cw: CloudWatchClient },
  });
  before(async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'ecs-lt',
      LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: b64("#!/bin/bash\necho 'ECS_CLUSTER=cap' >> /etc/ecs/ecs.config") },
    }));
  });

  const group = async () => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['ecs-asg'] }))).AutoScalingGroups![0];
  async function until<T>(read: () => Promise<T>, done: (x: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const x = await read();
      if (done(x)) return x;
      if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(x)})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const inService = (g: AutoScalingGroup) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
  const running = async () => {
    const arns = (await berth.ecs.send(new ListTasksCommand({ cluster: 'cap', desiredStatus: 'RUNNING' }))).taskArns!;
    if (!arns.length) return [];
    return (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'cap', tasks: arns }))).tasks!.filter((t) => t.lastStatus === 'RUNNING');
  };

  it('grows an empty group for a service of 6 tasks, runs them, and shrinks it back when the service goes to 0', { skip: !cliAvailable('v2') && 'no awscli v2' }, async () => {
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'ecs-asg', MinSize: 0, MaxSize: 5, DesiredCapacity: 0, LaunchTemplate: { LaunchTemplateName: 'ecs-lt' },
      AvailabilityZones: ['us-east-1a', 'us-east-1b'], NewInstancesProtectedFromScaleIn: true,
    }));
    const asgArn = (await group()).AutoScalingGroupARN!;
    const made = await aws('v2', berth.endpoint, ['ecs', 'create-capacity-provider', '--name', 'cp', '--auto-scaling-group-provider',
      `autoScalingGroupArn=${asgArn},managedScaling={status=ENABLED,targetCapacity=100,minimumScalingStepSize=1,maximumScalingStepSize=10},managedTerminationProtection=ENABLED`]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.json.capacityProvider.autoScalingGroupProvider.managedScaling.status, 'ENABLED');
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'cap' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'cap', capacityProviders: ['cp'], defaultCapacityProviderStrategy: [{ capacityProvider: 'cp', weight: 1 }],
    }));

    // The policy's two alarms on the provider's metric, as AWS creates them.
    const alarms = await until(async () => (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-ecs-asg-' }))).MetricAlarms!,
      (a) => a.length === 2, 'managed-scaling alarms');
    const high = alarms.find((a) => a.AlarmName!.includes('-AlarmHigh-'))!;
    assert.equal(high.Namespace, 'AWS/ECS/ManagedScaling');
    assert.equal(high.MetricName, 'CapacityProviderReservation');
    assert.equal(high.Threshold, 100);
    assert.deepEqual(high.Dimensions!.map((d) => d.Name).sort(), ['CapacityProviderName', 'ClusterName']);
    assert.match(high.AlarmActions![0], /^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/ecs-asg:policyName\/ECSManagedAutoScalingPolicy-[0-9a-f-]{36}$/);
    const cp = (await berth.ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ['cp'] }))).capacityProviders![0];
    assert.equal(cp.autoScalingGroupProvider!.managedScaling!.targetCapacity, 100);

    // 512 CPU units and 256 MiB: a t3.micro (2048 units, 993 MiB registered) holds 3, so 6 tasks need 2 instances.
    const started = Date.now();
    await register(berth.ecs, { family: 'work', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 512, memory: 256, essential: true }] });
    await berth.ecs.send(new CreateServiceCommand({ cluster: 'cap', serviceName: 'svc', taskDefinition: 'work', desiredCount: 6 }));
    const svc = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'cap', services: ['svc'] }))).services![0];
    assert.deepEqual(svc.capacityProviderStrategy!.map((s) => s.capacityProvider), ['cp'], 'the cluster default strategy');

    const grown = await until(group, (g) => {
      assert.ok((g.DesiredCapacity ?? 0) <= 2, `desired capacity ${g.DesiredCapacity}: more instances than the 6 tasks need`);
      return inService(g) === 2;
    }, 'two instances in service');
    assert.equal(grown.DesiredCapacity, 2);
    const tasks = await until(running, (t) => t.length === 6, 'six tasks running');
    assert.ok(tasks.every((t) => t.capacityProviderName === 'cp' && t.launchType === 'EC2'));
    const grownAfter = (Date.now() - started) / 1000;
    // Instances holding tasks are protected from scale-in (managed termination protection).
    const protectedNow = await until(group, (g) => g.Instances!.every((i) => i.ProtectedFromScaleIn), 'busy instances protected');
    assert.equal(protectedNow.DesiredCapacity, 2, 'no overshoot past the instances the tasks need');

    const stats = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/ECS/ManagedScaling', MetricName: 'CapacityProviderReservation', Statistics: ['Maximum', 'Minimum'], Period: 60,
      Dimensions: [{ Name: 'CapacityProviderName', Value: 'cp' }, { Name: 'ClusterName', Value: 'cap' }],
      StartTime: new Date(started - 60_000), EndTime: new Date(Date.now() + 1000),
    }));
    const values = stats.Datapoints!.map((d) => d.Maximum!);
    assert.ok(values.includes(200), `N = 0 with tasks waiting reads 200: ${values}`);
    assert.ok(values.includes(100), `M = N reads 100: ${values}`);

    await berth.ecs.send(new UpdateServiceCommand({ cluster: 'cap', service: 'svc', desiredCount: 0 }));
    await until(running, (t) => t.length === 0, 'tasks stopped');
    const shrunk = await until(group, (g) => g.DesiredCapacity === 0 && (g.Instances ?? []).length === 0, 'group back at its minimum', 40_000);
    assert.equal(shrunk.MinSize, 0);
    const took = (Date.now() - started) / 1000;

    // The policy belongs to the provider's use by the cluster: without it, the alarms go.
    await berth.ecs.send(new DeleteServiceCommand({ cluster: 'cap', service: 'svc' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'cap', capacityProviders: [], defaultCapacityProviderStrategy: [] }));
    await until(async () => (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-ecs-asg-' }))).MetricAlarms!,
      (a) => a.length === 0, 'managed-scaling alarms removed');
    console.log(`managed scaling: 6 tasks running after ${grownAfter.toFixed(1)} s; back to 0 instances after ${took.toFixed(1)} s`);
  });
});
