/**
 * AWS/EC2 instance metrics and AWS/AutoScaling group metrics (fake runtime, its container usage set per task; one
 * metric minute = 1 s): a group of t3.large instances with detailed monitoring (launch template) joins a cluster; a
 * task using one vCPU on its instance reads CPUUtilization ≈ 50 by InstanceId and by AutoScalingGroupName, with the
 * status checks at 0; EnableMetricsCollection makes the group's Group* metrics, DisableMetricsCollection stops
 * choosing them; DescribeMetricCollectionTypes lists them; a bad granularity is a ValidationError.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeMetricCollectionTypesCommand, DisableMetricsCollectionCommand,
  EnableMetricsCollectionCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand, type Datapoint } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { register } from '../../helpers/ecs.js';
import { until } from '../../helpers/poll.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('AWS/EC2 instance metrics and AWS/AutoScaling group metrics', () => {
  const berth = useBerth({
    runtime: 'fake', metricsPeriod: 1,
    clients: { asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient, cw: CloudWatchClient },
  });
  const driver = () => berth.app.driver as FakeDriver;

  async function points(namespace: string, name: string, dims: Record<string, string>, from: number): Promise<Datapoint[]> {
    const out = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace: namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      StartTime: new Date(from), EndTime: new Date(Date.now() + 5000), Period: 60, Statistics: ['Average', 'Maximum', 'SampleCount'],
    }));
    return out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
  }

  it('a task using one of a t3.large\'s two vCPUs reads 50 % by InstanceId and AutoScalingGroupName; the group\'s metrics follow its size', async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'mon' }));
    await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'mon-lt',
      LaunchTemplateData: { ImageId: ami, InstanceType: 't3.large', Monitoring: { Enabled: true }, UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=mon >> /etc/ecs/ecs.config').toString('base64') },
    }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'mon-asg', MinSize: 1, MaxSize: 2, LaunchTemplate: { LaunchTemplateName: 'mon-lt' }, AvailabilityZones: ['us-east-1a'],
    }));
    const from = Date.now() - 2000;

    // Group metrics: the operations and their refusals.
    const types = await berth.asg.send(new DescribeMetricCollectionTypesCommand({}));
    assert.equal(types.Metrics!.length, 20);
    assert.deepEqual(types.Granularities, [{ Granularity: '1Minute' }]);
    await rejectsNamed(berth.asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'mon-asg', Granularity: '5Minute' })), 'ValidationError', /1Minute/, 400);
    await rejectsNamed(berth.asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'nope', Granularity: '1Minute' })), 'ValidationError', /AutoScalingGroup name not found/);
    await berth.asg.send(new EnableMetricsCollectionCommand({ AutoScalingGroupName: 'mon-asg', Granularity: '1Minute', Metrics: ['GroupDesiredCapacity', 'GroupInServiceInstances'] }));
    const g = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['mon-asg'] }))).AutoScalingGroups![0];
    assert.deepEqual(g.EnabledMetrics, [{ Metric: 'GroupDesiredCapacity', Granularity: '1Minute' }, { Metric: 'GroupInServiceInstances', Granularity: '1Minute' }]);

    const inService = await until(() => points('AWS/AutoScaling', 'GroupInServiceInstances', { AutoScalingGroupName: 'mon-asg' }, from), (p) => p.some((d) => d.Maximum === 1), 'GroupInServiceInstances 1');
    assert.ok(inService.every((d) => d.Maximum! <= 1));
    assert.ok((await points('AWS/AutoScaling', 'GroupDesiredCapacity', { AutoScalingGroupName: 'mon-asg' }, from)).some((d) => d.Maximum === 1));
    assert.deepEqual(await points('AWS/AutoScaling', 'GroupMaxSize', { AutoScalingGroupName: 'mon-asg' }, from), [], 'a metric not enabled is not collected');

    // A task on the group's instance using one vCPU.
    await until(async () => (await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'mon' }))).containerInstanceArns!, (a) => a.length === 1, 'instance registered');
    const instanceId = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['mon-asg'] }))).AutoScalingGroups![0].Instances![0].InstanceId!;
    await register(berth.ecs, { family: 'mon-work', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, essential: true }] });
    const task = (await berth.ecs.send(new RunTaskCommand({ cluster: 'mon', taskDefinition: 'mon-work', launchType: 'EC2' }))).tasks![0];
    await until(async () => (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'mon', tasks: [task.taskArn!] }))).tasks![0].lastStatus, (s) => s === 'RUNNING', 'task running');
    assert.equal(driver().setUsage({ 'berth.task-arn': task.taskArn!, 'berth.container-name': 'web' }, { vcpus: 1 }), 1);
    const busyFrom = Date.now() + 1500;
    const cpu = await until(() => points('AWS/EC2', 'CPUUtilization', { InstanceId: instanceId }, busyFrom), (p) => p.length >= 2, 'two CPU datapoints of the busy instance');
    for (const d of cpu) assert.ok(Math.abs(d.Average! - 50) < 5, `CPUUtilization ${d.Average} ≈ 50`);
    const byGroup = await points('AWS/EC2', 'CPUUtilization', { AutoScalingGroupName: 'mon-asg' }, busyFrom);
    assert.ok(byGroup.length && byGroup.every((d) => Math.abs(d.Average! - 50) < 5), `by group: ${JSON.stringify(byGroup)}`);
    const checks = await points('AWS/EC2', 'StatusCheckFailed', { InstanceId: instanceId }, from);
    assert.ok(checks.length && checks.every((d) => d.Maximum === 0));

    await berth.asg.send(new DisableMetricsCollectionCommand({ AutoScalingGroupName: 'mon-asg', Metrics: ['GroupDesiredCapacity'] }));
    const after = (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['mon-asg'] }))).AutoScalingGroups![0];
    assert.deepEqual(after.EnabledMetrics!.map((m) => m.Metric), ['GroupInServiceInstances']);
  });
});
