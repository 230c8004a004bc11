/**
 * AWS/ECS CPUUtilization and MemoryUtilization from measured container use (fake runtime, its usage set per task;
 * one CloudWatch minute = 1 s): per service and per cluster as ECS computes them, nothing for a service without
 * RUNNING tasks, target tracking on ECSServiceAverageCPUUtilization scaling a service out on them; and the ECS rules
 * scaling meets: protected tasks are never chosen for scale-in or by a deployment, and deleting a service takes its
 * scalable target (policies, alarms) with it.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand, PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, ListMetricsCommand, type Datapoint } from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, ECSClient, ListTasksCommand, UpdateServiceCommand, UpdateTaskProtectionCommand,
} from '@aws-sdk/client-ecs';
import type { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { describeService, fargateNetwork, register, waitForService } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const C = 'util';
const MIB = 1 << 20;

describe('AWS/ECS utilization metrics from measured use', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { ecs: ECSClient, cw: CloudWatchClient, aas: ApplicationAutoScalingClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  const driver = () => berth.app.driver as FakeDriver;

  async function createService(cluster: string, name: string, taskDefinition: string, desiredCount: number) {
    await berth.ecs.send(new CreateServiceCommand({ cluster, serviceName: name, taskDefinition, desiredCount, launchType: 'FARGATE', networkConfiguration: net }));
    return waitForService(berth.ecs, cluster, name, (s) => s.runningCount === desiredCount && s.pendingCount === 0, `${desiredCount} running`, 20_000);
  }

  const tasksOf = async (cluster: string, service: string) =>
    (await berth.ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns!;

  /** Sets what the container `web` of a task uses from now on. */
  const use = (taskArn: string, vcpus: number, memoryMiB: number) =>
    assert.equal(driver().setUsage({ 'berth.task-arn': taskArn, 'berth.container-name': 'web' }, { vcpus, memoryBytes: memoryMiB * MIB }), 1);

  /** The datapoints (one per metric minute) of a metric since `from`, with its statistics. */
  async function points(name: string, dims: Record<string, string>, from: number): Promise<Datapoint[]> {
    const out = await berth.cw.send(new GetMetricStatisticsCommand({
      Namespace: 'AWS/ECS', MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      StartTime: new Date(from), EndTime: new Date(Math.max(from, Date.now()) + 5000), Period: 60, Statistics: ['Average', 'Minimum', 'Maximum', 'SampleCount'],
    }));
    return out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
  }

  /** Waits until `n` datapoints exist after `from` and returns them. */
  async function waitPoints(name: string, dims: Record<string, string>, from: number, n: number): Promise<Datapoint[]> {
    const end = Date.now() + 15_000;
    for (;;) {
      const p = await points(name, dims, from);
      if (p.length >= n) return p;
      if (Date.now() > end) assert.fail(`only ${p.length} datapoints of ${name} ${JSON.stringify(dims)}`);
      await sleep(250);
    }
  }

  const near = (actual: number | undefined, expected: number, what: string) =>
    assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1.5, `${what}: ${actual}, expected ${expected}`);

  before(async () => {
    net = await fargateNetwork(berth.endpoint);
    for (const c of [C, `${C}-soft`, `${C}-tt`]) await berth.ecs.send(new CreateClusterCommand({ clusterName: c }));
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true }],
    });
    // A soft limit: memory is measured against memoryReservation, not the task's 1024 MiB.
    await register(berth.ecs, {
      family: 'soft', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '512', memory: '1024',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, memoryReservation: 128 }],
    });
  });

  it("a service's CPU and memory: each task's use over what its definition specifies, Average/Minimum/Maximum over tasks, and the cluster's", async () => {
    await createService(C, 'web', 'web', 2);
    const [a, b] = await tasksOf(C, 'web');
    use(a, 0.05, 128); // 0.05 × 1024 / 256 = 20 % CPU; 128 / 512 = 25 % memory
    use(b, 0.15, 256); // 60 %; 50 %
    // A period after the change, each datapoint is whole (CPU is a difference of two samples).
    const from = Date.now() + 1500;
    const service = { ClusterName: C, ServiceName: 'web' };
    const cpu = (await waitPoints('CPUUtilization', service, from, 2)).at(-1)!;
    near(cpu.Average, 40, 'service CPU average');
    near(cpu.Minimum, 20, 'least used task');
    near(cpu.Maximum, 60, 'most used task');
    assert.equal(cpu.SampleCount, 2, 'one sample per task');
    assert.equal(cpu.Unit, 'Percent');
    const mem = (await waitPoints('MemoryUtilization', service, from, 2)).at(-1)!;
    assert.deepEqual([mem.Average, mem.Minimum, mem.Maximum, mem.Unit], [37.5, 25, 50, 'Percent']);
    // The cluster: the service tasks' total use over their total specified (0.2 × 1024 / 512; 384 / 1024).
    near((await waitPoints('CPUUtilization', { ClusterName: C }, from, 2)).at(-1)!.Average, 40, 'cluster CPU');
    assert.equal((await waitPoints('MemoryUtilization', { ClusterName: C }, from, 2)).at(-1)!.Average, 37.5);
    const listed = (await berth.cw.send(new ListMetricsCommand({ Namespace: 'AWS/ECS', Dimensions: [{ Name: 'ClusterName', Value: C }] }))).Metrics!;
    assert.deepEqual(listed.map((m) => `${m.MetricName} ${m.Dimensions!.map((d) => d.Name).join('+')}`).sort(),
      ['CPUUtilization ClusterName', 'CPUUtilization ClusterName+ServiceName', 'MemoryUtilization ClusterName', 'MemoryUtilization ClusterName+ServiceName']);
  });

  it('memory against memoryReservation when set; CPU above 100 % is reported as measured', async () => {
    await createService(`${C}-soft`, 'soft', 'soft', 1);
    const [t] = await tasksOf(`${C}-soft`, 'soft');
    use(t, 0.75, 64); // 0.75 × 1024 / 512 = 150 % (the fake engine enforces no limit); 64 / 128 = 50 %
    const from = Date.now() + 1500;
    const dims = { ClusterName: `${C}-soft`, ServiceName: 'soft' };
    assert.equal((await waitPoints('MemoryUtilization', dims, from, 1)).at(-1)!.Average, 50);
    near((await waitPoints('CPUUtilization', dims, from, 2)).at(-1)!.Average, 150, 'CPU over its units');
  });

  it('a service without RUNNING tasks has no datapoints, and collection stops when its tasks do', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: `${C}-soft`, serviceName: 'idle', taskDefinition: 'soft', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: net }));
    await berth.ecs.send(new UpdateServiceCommand({ cluster: `${C}-soft`, service: 'soft', desiredCount: 0 }));
    await waitForService(berth.ecs, `${C}-soft`, 'soft', (s) => s.runningCount === 0 && s.pendingCount === 0, 'no tasks', 20_000);
    const dims = { ClusterName: `${C}-soft`, ServiceName: 'soft' };
    await sleep(1500);
    const before = (await points('MemoryUtilization', dims, Date.now() - 60_000)).length;
    await sleep(3000);
    assert.equal((await points('MemoryUtilization', dims, Date.now() - 60_000)).length, before, 'no datapoint once no task runs');
    assert.equal((await points('MemoryUtilization', { ClusterName: `${C}-soft` }, Date.now() - 2000)).length, 0, 'nor for the cluster');
    const idle = (await berth.cw.send(new ListMetricsCommand({ Namespace: 'AWS/ECS', Dimensions: [{ Name: 'ServiceName', Value: 'idle' }] }))).Metrics!;
    assert.deepEqual(idle, []);
  });

  it('target tracking on ECSServiceAverageCPUUtilization scales out on the measured CPU', async () => {
    const cluster = `${C}-tt`;
    await createService(cluster, 'cpu', 'web', 1);
    const target = { ServiceNamespace: 'ecs' as const, ResourceId: `service/${cluster}/cpu`, ScalableDimension: 'ecs:service:DesiredCount' as const };
    await berth.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }));
    await berth.aas.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, ScaleOutCooldown: 60, ScaleInCooldown: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }));
    const [t] = await tasksOf(cluster, 'cpu');
    use(t, 0.2, 64); // 80 % of 256 units: 1 × 80 / 50 → 2 tasks
    const s = await waitForService(berth.ecs, cluster, 'cpu', (x) => x.desiredCount === 2 && x.runningCount === 2, 'a scale-out to 2', 20_000);
    assert.ok(s.events!.some((e) => /has started 1 tasks/.test(e.message!)));
    const [activity] = (await berth.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: target.ResourceId }))).ScalingActivities!;
    assert.equal(activity.Description, 'Setting desired count to 2.');
    assert.match(activity.Cause!, /^monitor alarm TargetTracking-service\/util-tt\/cpu-AlarmHigh-[0-9a-f-]+ in state ALARM triggered policy cpu50$/);
  });

  it('deleting a service deregisters its scalable target, with its policies and their alarms', async () => {
    const cluster = `${C}-tt`;
    await berth.ecs.send(new DeleteServiceCommand({ cluster, service: 'cpu', force: true }));
    const end = Date.now() + 10_000;
    let targets = -1;
    while (Date.now() < end) {
      targets = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [`service/${cluster}/cpu`] }))).ScalableTargets!.length;
      if (!targets) break;
      await sleep(100);
    }
    assert.equal(targets, 0, 'the target went with the service');
    assert.deepEqual((await berth.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: `service/${cluster}/cpu` }))).ScalingPolicies, []);
    assert.deepEqual((await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-service/${cluster}/cpu-` }))).MetricAlarms, []);
  });

  it('protected tasks are never chosen for scale-in: the service runs more than desired until their protection ends', async () => {
    await createService(C, 'keep', 'web', 3);
    const arns = await tasksOf(C, 'keep');
    const [p1, p2, free] = arns;
    const prot = await berth.ecs.send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [p1, p2], protectionEnabled: true, expiresInMinutes: 60 }));
    assert.deepEqual(prot.protectedTasks!.map((p) => p.protectionEnabled), [true, true]);
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'keep', desiredCount: 1 }));
    const s = await waitForService(berth.ecs, C, 'keep', (x) => x.runningCount === 2 && x.pendingCount === 0, 'the unprotected task stopped', 20_000);
    assert.equal(s.desiredCount, 1);
    assert.deepEqual((await tasksOf(C, 'keep')).sort(), [p1, p2].sort(), `the unprotected ${free} stopped`);
    await sleep(1500);
    assert.equal((await describeService(berth.ecs, C, 'keep')).runningCount, 2, 'the protected tasks keep running above the desired count');
    // Protection lifted from one: the scheduler stops it, down to the desired count with the other still protected.
    await berth.ecs.send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [p1], protectionEnabled: false }));
    await waitForService(berth.ecs, C, 'keep', (x) => x.runningCount === 1, 'the unprotected task stopped', 20_000);
    // A deployment does not replace a protected task either: the new one starts, the protected old one stays.
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'keep', forceNewDeployment: true }));
    const rolling = await waitForService(berth.ecs, C, 'keep', (x) => x.runningCount === 2 && x.pendingCount === 0, 'the new deployment\'s task beside it', 20_000);
    await sleep(1500);
    const held = await describeService(berth.ecs, C, 'keep');
    assert.deepEqual([held.runningCount, held.deployments!.length, rolling.deployments!.length], [2, 2, 2], 'the old deployment stays while its protected task runs');
    assert.ok((await tasksOf(C, 'keep')).includes(p2));
    await berth.ecs.send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [p2], protectionEnabled: false }));
    const done = await waitForService(berth.ecs, C, 'keep', (x) => x.runningCount === 1 && x.deployments!.length === 1, 'one task, one deployment', 20_000);
    assert.equal(done.deployments![0].rolloutState, 'COMPLETED');
    // Deleting the service stops a protected task too.
    const [last] = await tasksOf(C, 'keep');
    await berth.ecs.send(new UpdateTaskProtectionCommand({ cluster: C, tasks: [last], protectionEnabled: true }));
    await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'keep', force: true }));
    await waitForService(berth.ecs, C, 'keep', (x) => x.status === 'INACTIVE', 'the deleted service inactive', 20_000);
    assert.ok(!(await tasksOf(C, 'keep')).some((a) => arns.includes(a)), 'only the new deployment\'s task is left');
  });
});
