/**
 * Auto Scaling group capacity providers and task sets, and ECS's cap on PROVISIONING tasks (fake runtime, metric
 * minute = 1 s): CreateTaskSet with a capacity provider strategy of two managed-scaling providers splits its tasks by
 * base and weight, they wait in PROVISIONING on the empty groups and run once managed scaling has launched instances;
 * a cluster holds at most 500 tasks waiting for capacity: a service asking for more gets 500, and RunTask then fails
 * with ECS's ClientException "Tasks provisioning capacity limit exceeded.".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  ClientException, CreateCapacityProviderCommand, CreateClusterCommand, CreateServiceCommand, CreateTaskSetCommand, DescribeClustersCommand, DescribeTasksCommand,
  ECSClient, ListTasksCommand, PutClusterCapacityProvidersCommand, RunTaskCommand, type Task,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rejectsAs } from '../../helpers/aws-errors.js';
import { register } from '../../helpers/ecs.js';
import { until } from '../../helpers/poll.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('capacity providers behind task sets, and the cap on PROVISIONING tasks', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient } });

  /** An ECS-optimized t3.micro group joining `cluster`, behind a managed-scaling provider `name`. */
  async function provider(name: string, cluster: string, maxSize: number) {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: `${name}-lt`,
      LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config`).toString('base64') },
    }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: `${name}-asg`, MinSize: 0, MaxSize: maxSize, LaunchTemplate: { LaunchTemplateName: `${name}-lt` }, AvailabilityZones: ['us-east-1a'],
    }));
    const arn = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`${name}-asg`] }))).AutoScalingGroups![0].AutoScalingGroupARN!;
    await berth.ecs.send(new CreateCapacityProviderCommand({ name, autoScalingGroupProvider: { autoScalingGroupArn: arn, managedScaling: { status: 'ENABLED', targetCapacity: 100 } } }));
  }
  const describe = async (cluster: string, arns: string[]): Promise<Task[]> => (arns.length ? (await berth.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : []);

  it('CreateTaskSet with a capacity provider strategy splits its tasks, which wait for and then run on the instances managed scaling launches', async () => {
    await provider('ts-a', 'ts', 3);
    await provider('ts-b', 'ts', 3);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'ts' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'ts', capacityProviders: ['ts-a', 'ts-b'], defaultCapacityProviderStrategy: [] }));
    await register(berth.ecs, { family: 'ts-job', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 512, memory: 256, essential: true }] });
    await berth.ecs.send(new CreateServiceCommand({ cluster: 'ts', serviceName: 'ext', desiredCount: 3, deploymentController: { type: 'EXTERNAL' } }));
    const { taskSet } = await berth.ecs.send(new CreateTaskSetCommand({
      cluster: 'ts', service: 'ext', taskDefinition: 'ts-job', scale: { unit: 'PERCENT', value: 100 },
      capacityProviderStrategy: [{ capacityProvider: 'ts-a', base: 1, weight: 1 }, { capacityProvider: 'ts-b', weight: 1 }],
    }));
    assert.deepEqual(taskSet!.capacityProviderStrategy!.map((s) => s.capacityProvider), ['ts-a', 'ts-b']);
    const arns = await until(async () => (await berth.ecs.send(new ListTasksCommand({ cluster: 'ts', serviceName: 'ext' }))).taskArns!, (a) => a.length === 3, 'three tasks');
    const running = await until(() => describe('ts', arns), (ts) => ts.every((t) => t.lastStatus === 'RUNNING'), 'the task set\'s tasks running', 30_000);
    assert.ok(running.every((t) => t.startedBy === taskSet!.id && t.launchType === 'EC2'));
    // base 1 on ts-a, then the other two at 1:1.
    assert.deepEqual(running.map((t) => t.capacityProviderName).sort(), ['ts-a', 'ts-a', 'ts-b']);
    for (const name of ['ts-a', 'ts-b']) {
      const g = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [`${name}-asg`] }))).AutoScalingGroups![0];
      assert.equal(g.DesiredCapacity, 1, `${name}: one t3.micro holds its tasks`);
    }
  });

  it('holds at most 500 tasks in PROVISIONING per cluster: a service gets 500, RunTask beyond is a ClientException', async () => {
    // A group that can never grow: its provider's tasks wait (they would stop after 30 metric minutes).
    await provider('never', 'full', 0);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'full' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: 'full', capacityProviders: ['never'], defaultCapacityProviderStrategy: [{ capacityProvider: 'never', weight: 1 }] }));
    await register(berth.ecs, { family: 'full-job', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, essential: true }] });
    const first = await berth.ecs.send(new RunTaskCommand({ cluster: 'full', taskDefinition: 'full-job', count: 10 }));
    assert.equal(first.tasks!.filter((t) => t.lastStatus === 'PROVISIONING').length, 10);
    await berth.ecs.send(new CreateServiceCommand({ cluster: 'full', serviceName: 'many', taskDefinition: 'full-job', desiredCount: 600 }));
    const pending = async () => (await berth.ecs.send(new DescribeClustersCommand({ clusters: ['full'] }))).clusters![0].pendingTasksCount!;
    await until(pending, (n) => n === 500, '500 tasks waiting', 25_000);
    await rejectsAs(berth.ecs.send(new RunTaskCommand({ cluster: 'full', taskDefinition: 'full-job' })), ClientException, 'Tasks provisioning capacity limit exceeded.');
    assert.equal(await pending(), 500, 'the cap holds');
  });
});
