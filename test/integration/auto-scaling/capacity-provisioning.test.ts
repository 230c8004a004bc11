/**
 * ECS tasks and EC2 capacity (issue 17), on the fake runtime with a compressed metric minute: tasks of a capacity
 * provider with managed scaling wait in PROVISIONING for the instances it launches (and stop after ECS's wait when
 * none come), capacity provider strategies split tasks by base and weight and are checked as ECS checks them,
 * targetCapacity below 100 leaves spare instances, maximumScalingStepSize paces scale-out, instanceWarmupPeriod holds
 * scale-in, and managed draining moves a service's task off an instance before its group terminates it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CompleteLifecycleActionCommand, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeLifecycleHooksCommand,
  PutLifecycleHookCommand, SetDesiredCapacityCommand, TerminateInstanceInAutoScalingGroupCommand, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeContainerInstancesCommand,
  DescribeServicesCommand, DescribeTasksCommand, ECSClient, InvalidParameterException, ListContainerInstancesCommand, ListTasksCommand,
  PutClusterCapacityProvidersCommand, RunTaskCommand, UpdateServiceCommand, type CapacityProviderStrategyItem, type Task,
} from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rejectsAs } from '../../helpers/aws-errors.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const CLIENTS = { asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient };

async function until<T>(read: () => Promise<T>, done: (x: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const x = await read();
    if (done(x)) return x;
    if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(x)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
const inService = (g: AutoScalingGroup) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;

type Fixture = ReturnType<typeof useBerth<typeof CLIENTS>>;

/** A launch template of t3.micro ECS-optimized instances joining `cluster`, and a group of it; returns the group's ARN. */
async function groupFor(berth: Fixture, name: string, cluster: string, sizes: { MinSize: number; MaxSize: number; DesiredCapacity: number }) {
  const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
  await berth.ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: `${name}-lt`,
    LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: b64(`#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config`) },
  }));
  await berth.asg.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name, ...sizes, LaunchTemplate: { LaunchTemplateName: `${name}-lt` }, AvailabilityZones: ['us-east-1a', 'us-east-1b'],
  }));
  return (await group(berth, name)).AutoScalingGroupARN!;
}
const group = async (berth: Fixture, name: string) => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];

async function tasksOf(berth: Fixture, cluster: string, q: { serviceName?: string; desiredStatus?: 'RUNNING' | 'STOPPED' } = {}): Promise<Task[]> {
  const arns = (await berth.ecs.send(new ListTasksCommand({ cluster, ...q }))).taskArns!;
  return arns.length ? (await berth.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks! : [];
}

describe('tasks of a managed-scaling capacity provider wait in PROVISIONING for its instances', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: CLIENTS });
  before(async () => {
    const asgArn = await groupFor(berth, 'prov-asg', 'prov', { MinSize: 0, MaxSize: 4, DesiredCapacity: 0 });
    const manualArn = await groupFor(berth, 'manual-asg', 'prov', { MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
    await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'cp', autoScalingGroupProvider: { autoScalingGroupArn: asgArn, managedScaling: { status: 'ENABLED', targetCapacity: 100 }, managedTerminationProtection: 'DISABLED' },
    }));
    await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'manual', autoScalingGroupProvider: { autoScalingGroupArn: manualArn } }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'prov' }));
    await berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'prov', capacityProviders: ['cp', 'manual'], defaultCapacityProviderStrategy: [{ capacityProvider: 'cp', weight: 1 }],
    }));
    // 512 CPU units and 256 MiB: three on a t3.micro (2048 units, 993 MiB).
    await register(berth.ecs, { family: 'job', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 512, memory: 256, essential: true }] });
  });

  it('RunTask answers its tasks in PROVISIONING (no failure), managed scaling launches instances, and the tasks run on them', async () => {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'prov', taskDefinition: 'job', count: 4 }));
    assert.deepEqual(out.failures, []);
    assert.equal(out.tasks!.length, 4);
    for (const t of out.tasks!) {
      assert.equal(t.lastStatus, 'PROVISIONING');
      assert.equal(t.capacityProviderName, 'cp');
      assert.equal(t.launchType, 'EC2');
      assert.equal(t.containerInstanceArn, undefined);
    }
    const cluster = (await berth.ecs.send(new DescribeClustersCommand({ clusters: ['prov'] }))).clusters![0];
    assert.equal(cluster.pendingTasksCount, 4);
    const arns = out.tasks!.map((t) => t.taskArn!);
    const running = await until(async () => (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'prov', tasks: arns }))).tasks!,
      (ts) => ts.every((t) => t.lastStatus === 'RUNNING'), 'the four tasks running');
    const g = await group(berth, 'prov-asg');
    assert.equal(g.DesiredCapacity, 2, 'four tasks of three per instance need two instances');
    const cis = (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'prov', containerInstances: [...new Set(running.map((t) => t.containerInstanceArn!))] }))).containerInstances!;
    assert.deepEqual(new Set(cis.map((c) => c.capacityProviderName)), new Set(['cp']));
    const members = new Set(g.Instances!.map((i) => i.InstanceId));
    assert.ok(cis.every((c) => members.has(c.ec2InstanceId)), 'on the instances managed scaling launched');
    assert.ok(running.every((t) => t.availabilityZone === cis.find((c) => c.containerInstanceArn === t.containerInstanceArn)!.attributes!.find((a) => a.name === 'ecs.availability-zone')!.value));
  });

  it('a provider without managed scaling fails placement at once, as ECS does', async () => {
    const out = await berth.ecs.send(new RunTaskCommand({ cluster: 'prov', taskDefinition: 'job', capacityProviderStrategy: [{ capacityProvider: 'manual', weight: 1 }] }));
    assert.deepEqual(out.tasks, []);
    assert.equal(out.failures![0].reason, 'No Container Instances were found in your cluster.');
  });

  it('refuses strategies ECS refuses, in its words', async () => {
    const run = (strategy: CapacityProviderStrategyItem[]) => berth.ecs.send(new RunTaskCommand({ cluster: 'prov', taskDefinition: 'job', capacityProviderStrategy: strategy }));
    await rejectsAs(run([{ capacityProvider: 'FARGATE', weight: 1 }]), InvalidParameterException,
      'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.');
    await rejectsAs(run([{ capacityProvider: 'cp', weight: 0 }, { capacityProvider: 'manual', weight: 0 }]), InvalidParameterException, /at least one capacity provider with a weight greater than 0/);
    await rejectsAs(run([{ capacityProvider: 'cp', base: 1, weight: 1 }, { capacityProvider: 'manual', base: 1, weight: 1 }]), InvalidParameterException, /more than one capacity provider with a base/);
    await rejectsAs(berth.ecs.send(new PutClusterCapacityProvidersCommand({
      cluster: 'prov', capacityProviders: ['cp', 'FARGATE'], defaultCapacityProviderStrategy: [{ capacityProvider: 'cp', weight: 1 }, { capacityProvider: 'FARGATE', weight: 1 }],
    })), InvalidParameterException, /cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers/);
    await rejectsAs(berth.ecs.send(new CreateServiceCommand({
      cluster: 'prov', serviceName: 'nope', taskDefinition: 'job', desiredCount: 1, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    })), InvalidParameterException, /not associated with the cluster/);
  });

  it('splits RunTask and service tasks across providers by base and weight, a service continuing its split as it scales', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'split', capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
    await register(berth.ecs, {
      family: 'fg', requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox', essential: true }],
    });
    const network = await fargateNetwork(berth.ecs);
    const strategy = [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 4 }];
    const count = (ts: Task[]) => ({ FARGATE: ts.filter((t) => t.capacityProviderName === 'FARGATE').length, FARGATE_SPOT: ts.filter((t) => t.capacityProviderName === 'FARGATE_SPOT').length });
    const ran = await berth.ecs.send(new RunTaskCommand({ cluster: 'split', taskDefinition: 'fg', count: 6, capacityProviderStrategy: strategy, networkConfiguration: network }));
    assert.deepEqual(count(ran.tasks!), { FARGATE: 2, FARGATE_SPOT: 4 }, 'base 1, then 5 tasks at 1:4');
    assert.ok(ran.tasks!.every((t) => t.launchType === 'FARGATE'));

    await berth.ecs.send(new CreateServiceCommand({ cluster: 'split', serviceName: 'svc', taskDefinition: 'fg', desiredCount: 11, capacityProviderStrategy: strategy, networkConfiguration: network }));
    const live = () => tasksOf(berth, 'split', { serviceName: 'svc', desiredStatus: 'RUNNING' });
    assert.deepEqual(count(await until(live, (ts) => ts.length === 11, 'eleven tasks')), { FARGATE: 3, FARGATE_SPOT: 8 });
    await berth.ecs.send(new UpdateServiceCommand({ cluster: 'split', service: 'svc', desiredCount: 16 }));
    assert.deepEqual(count(await until(live, (ts) => ts.length === 16, 'sixteen tasks')), { FARGATE: 4, FARGATE_SPOT: 12 });
  });
});

describe('targetCapacity, step sizes and warm-up shape managed scaling; managed draining empties an instance before it goes', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 0.5, clients: CLIENTS });
  before(async () => {
    // 1024 CPU units and 600 MiB: one task per t3.micro.
    await register(berth.ecs, { family: 'big', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 1024, memory: 600, essential: true }] });
  });

  it('targetCapacity 50 keeps twice the instances the tasks need, reached one instance per step; scale-in waits for the warm-up', async () => {
    const arn = await groupFor(berth, 'spare-asg', 'spare', { MinSize: 0, MaxSize: 8, DesiredCapacity: 0 });
    await berth.ecs.send(new CreateCapacityProviderCommand({
      name: 'spare', autoScalingGroupProvider: {
        autoScalingGroupArn: arn, managedTerminationProtection: 'DISABLED',
        // Warm-up 1800 s = 30 metric minutes (15 s here): twice the low alarm's 15.
        managedScaling: { status: 'ENABLED', targetCapacity: 50, minimumScalingStepSize: 1, maximumScalingStepSize: 1, instanceWarmupPeriod: 1800 },
      },
    }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'spare', capacityProviders: ['spare'], defaultCapacityProviderStrategy: [{ capacityProvider: 'spare', weight: 1 }] }));
    await berth.ecs.send(new CreateServiceCommand({ cluster: 'spare', serviceName: 'svc', taskDefinition: 'big', desiredCount: 2 }));
    const seen: number[] = [];
    let at4 = 0;
    await until(() => group(berth, 'spare-asg'), (g) => {
      if (seen[seen.length - 1] !== g.DesiredCapacity) seen.push(g.DesiredCapacity!);
      if (g.DesiredCapacity === 4 && !at4) at4 = Date.now();
      return g.DesiredCapacity === 4 && inService(g) === 4;
    }, 'four instances for two tasks at 50 %', 30_000);
    assert.deepEqual(seen, [0, 1, 2, 3, 4].slice(seen[0]), `one instance per step: ${seen}`);
    await until(() => tasksOf(berth, 'spare', { desiredStatus: 'RUNNING' }), (ts) => ts.length === 2 && ts.every((t) => t.lastStatus === 'RUNNING'), 'two tasks running');
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await group(berth, 'spare-asg')).DesiredCapacity, 4, 'no instance beyond the target');

    await berth.ecs.send(new UpdateServiceCommand({ cluster: 'spare', service: 'svc', desiredCount: 0 }));
    const shrunk = await until(() => group(berth, 'spare-asg'), (g) => (g.DesiredCapacity ?? 0) < 4, 'scale-in', 30_000);
    const heldFor = (Date.now() - at4) / 1000;
    // Without the warm-up the low alarm (15 periods: 7.5 s after the service went to 0) would act about 10 s after the last scale-out.
    assert.ok(heldFor >= 13, `scale-in waited for the warm-up of the last scale-out (15 s): ${heldFor.toFixed(1)} s`);
    assert.equal(shrunk.DesiredCapacity, 0, 'scale-in goes straight to what is needed (step sizes bound scale-out only)');
  });

  it('managed draining: a busy instance the group takes out of service goes DRAINING, its service task is replaced elsewhere, then it terminates once the user\'s own termination hook is done too', async () => {
    const arn = await groupFor(berth, 'drain-asg', 'drain', { MinSize: 0, MaxSize: 3, DesiredCapacity: 0 });
    // Managed draining is on by default; no managed scaling or termination protection here: the group stays at its size.
    const made = await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'drainer', autoScalingGroupProvider: { autoScalingGroupArn: arn } }));
    assert.equal(made.capacityProvider!.autoScalingGroupProvider!.managedDraining, 'ENABLED');
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'drain', capacityProviders: ['drainer'], defaultCapacityProviderStrategy: [{ capacityProvider: 'drainer', weight: 1 }] }));
    // Instances the group launches once its provider exists belong to the provider.
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'drain-asg', DesiredCapacity: 2 }));
    await until(async () => (await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'drain' }))).containerInstanceArns!, (a) => a.length === 2, 'two instances registered');
    await berth.ecs.send(new CreateServiceCommand({ cluster: 'drain', serviceName: 'web', taskDefinition: 'big', desiredCount: 1 }));
    const [first] = await until(() => tasksOf(berth, 'drain', { desiredStatus: 'RUNNING' }), (ts) => ts.length === 1 && ts[0].lastStatus === 'RUNNING', 'the task running');
    const ci = (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'drain', containerInstances: [first.containerInstanceArn!] }))).containerInstances![0];
    const busy = ci.ec2InstanceId!;
    // Managed draining is AWS's termination lifecycle hook on the group, beside the user's own (7200 s: a minute here).
    await berth.asg.send(new PutLifecycleHookCommand({
      AutoScalingGroupName: 'drain-asg', LifecycleHookName: 'mine', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 7200,
    }));
    const hooks = (await berth.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'drain-asg' }))).LifecycleHooks!;
    assert.deepEqual(hooks.map((h) => [h.LifecycleHookName, h.LifecycleTransition, h.DefaultResult]).sort(), [
      ['ecs-managed-draining-termination-hook', 'autoscaling:EC2_INSTANCE_TERMINATING', 'CONTINUE'], ['mine', 'autoscaling:EC2_INSTANCE_TERMINATING', 'ABANDON'],
    ]);

    const out = await berth.asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: busy, ShouldDecrementDesiredCapacity: true }));
    assert.equal(out.Activity!.Description, `Terminating EC2 instance: ${busy}`);
    const waiting = (await group(berth, 'drain-asg')).Instances!.find((i) => i.InstanceId === busy)!;
    assert.equal(waiting.LifecycleState, 'Terminating:Wait');
    await until(async () => (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'drain', containerInstances: [ci.containerInstanceArn!] }))).containerInstances![0].status,
      (s) => s === 'DRAINING' || s === 'INACTIVE', 'the container instance draining');
    const stopped = await until(async () => (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'drain', tasks: [first.taskArn!] }))).tasks![0],
      (t) => t.lastStatus === 'STOPPED', 'the old task stopped');
    // Stopped by the service once its replacement ran, not by the instance going away under it.
    assert.equal(stopped.stopCode, 'ServiceSchedulerInitiated');
    const [replacement] = await until(() => tasksOf(berth, 'drain', { desiredStatus: 'RUNNING' }), (ts) => ts.length === 1 && ts[0].lastStatus === 'RUNNING', 'the replacement running');
    assert.notEqual(replacement.containerInstanceArn, first.containerInstanceArn);
    // ECS is done with it; the user's hook still holds it (several capacity passes later).
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await group(berth, 'drain-asg')).Instances!.find((i) => i.InstanceId === busy)?.LifecycleState, 'Terminating:Wait');
    assert.equal((await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: [busy] }))).Reservations![0].Instances![0].State!.Name, 'running');
    await berth.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'drain-asg', LifecycleHookName: 'mine', InstanceId: busy, LifecycleActionResult: 'CONTINUE' }));
    const state = await until(async () => (await berth.ec2.send(new DescribeInstancesCommand({ InstanceIds: [busy] }))).Reservations![0].Instances![0].State!.Name,
      (s) => s === 'shutting-down' || s === 'terminated', 'the drained instance terminated');
    assert.ok(state);
    const g = await until(() => group(berth, 'drain-asg'), (x) => !x.Instances!.some((i) => i.InstanceId === busy), 'the instance gone from the group');
    assert.equal(g.DesiredCapacity, 1);
    const svc = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'drain', services: ['web'] }))).services![0];
    assert.equal(svc.runningCount, 1);
  });
});

describe('a task that waits for capacity that never comes stops after ECS’s wait', () => {
  // 30 metric minutes of 0.1 s.
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 0.1, clients: CLIENTS });

  it('stops with TaskFailedToStart and ECS’s reason', async () => {
    const arn = await groupFor(berth, 'none-asg', 'none', { MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
    await berth.ecs.send(new CreateCapacityProviderCommand({ name: 'none', autoScalingGroupProvider: { autoScalingGroupArn: arn, managedScaling: { status: 'ENABLED' } } }));
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'none', capacityProviders: ['none'], defaultCapacityProviderStrategy: [{ capacityProvider: 'none', weight: 1 }] }));
    await register(berth.ecs, { family: 'small', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', memory: 64, essential: true }] });
    const started = Date.now();
    const task = (await berth.ecs.send(new RunTaskCommand({ cluster: 'none', taskDefinition: 'small' }))).tasks![0];
    assert.equal(task.lastStatus, 'PROVISIONING');
    const stopped = await until(async () => (await berth.ecs.send(new DescribeTasksCommand({ cluster: 'none', tasks: [task.taskArn!] }))).tasks![0],
      (t) => t.lastStatus === 'STOPPED', 'the task stopped', 15_000);
    assert.ok(Date.now() - started >= 2_900, 'not before the wait');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(stopped.stoppedReason, 'TaskFailedToStart: EMPTY CAPACITY PROVIDER');
    assert.equal(stopped.containerInstanceArn, undefined);
  });
});
