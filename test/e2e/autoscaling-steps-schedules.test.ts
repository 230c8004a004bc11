/**
 * Issue 16, proofs 3 and 4: step scaling on a custom metric, and scheduled actions, change a real-container ECS
 * service on compressed time (one CloudWatch minute = 2 s).
 *
 * A queue-depth metric is put with PutMetricData; three alarms put with PutMetricAlarm name three step policies as
 * their actions: `queue-out` (ChangeInCapacity, +1 for a breach under 50, +3 above; a long cooldown), `queue-in`
 * (PercentChangeInCapacity −25 % with MinAdjustmentMagnitude 2) and `queue-empty` (ExactCapacity 1). The metric's
 * value picks the alarm and the breach picks the step; the service's desired count and its running containers
 * follow. Then two scheduled actions, `at()` times on the compressed clock, raise the minimum to 3 and later lower
 * it to 1 with a maximum of 2, and the service is clamped into each range.
 *
 * Clients: the target and policies through the SDK v3 (JSON 1.1), the alarms and the scheduled actions through
 * awscli 2.9 (CloudWatch over query/XML), the first datapoint and the activities through botocore 1.43 (`aws` v1:
 * CloudWatch over rpc-v2-cbor), the running feed through the SDK v3 over rpc-v2-cbor, the curve through the SDK v3
 * over JSON.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
  type ScalingActivity, type StepScalingPolicyConfiguration,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import { aws, cliAvailable, mapLimit, type CliName } from '../helpers/cli.js';
import { fargateNetwork, register, waitForService } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

const C = 'jobs';
const RESOURCE = `service/${C}/worker`;
const TARGET = { ServiceNamespace: 'ecs' as const, ResourceId: RESOURCE, ScalableDimension: 'ecs:service:DesiredCount' as const };
const PERIOD_S = 2;
const NAMESPACE = 'Berth/Jobs';
const METRIC = 'QueueDepth';
/** The feed puts the current value this often, for at most FEED_MS. */
const FEED_EVERY_MS = 500;
const FEED_MS = 120_000;

describe('step scaling on a custom metric and scheduled actions, on real containers (one metric minute = 2 s)', () => {
  const berth = useBerth({
    metricsPeriod: PERIOD_S,
    clients: { ecs: ECSClient, aas: ApplicationAutoScalingClient, cw: CloudWatchClient, cwCbor: [CloudWatchClient, { protocol: AwsSmithyRpcV2CborProtocol }] },
  });
  const v2: CliName = cliAvailable('v2') ? 'v2' : 'v1';
  const arns: Record<string, string> = {};
  let feed: { set(v: number): void; stop(): Promise<void> } | undefined;
  let started: number;

  const cli = async (name: CliName, ...args: string[]) => {
    const r = await aws(name, berth.endpoint, args);
    assert.equal(r.code, 0, `aws ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
    return r.json;
  };
  const waitFor = (ok: (s: Service) => boolean, what: string, ms = 30_000) => waitForService(berth.ecs, C, 'worker', ok, what, ms);
  /** The service settled at `n`: desired and running counts, and exactly n RUNNING tasks. */
  async function settledAt(n: number, what: string): Promise<void> {
    await waitFor((s) => s.desiredCount === n && s.runningCount === n && s.pendingCount === 0, what);
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'worker', desiredStatus: 'RUNNING' }));
    assert.equal(taskArns!.length, n);
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns! }));
    assert.deepEqual(tasks!.map((t) => t.lastStatus), Array(n).fill('RUNNING'));
  }
  const activities = async (): Promise<ScalingActivity[]> =>
    (await berth.aas.send(new DescribeScalingActivitiesCommand({ ...TARGET }))).ScalingActivities!.filter((a) => a.StatusCode === 'Successful');

  /** Puts the queue depth every FEED_EVERY_MS (SDK v3 over CBOR) until stopped or FEED_MS have passed. */
  function startFeed(initial: number) {
    let value = initial;
    let stopped = false;
    const end = Date.now() + FEED_MS;
    const run = (async () => {
      while (!stopped && Date.now() < end) {
        await berth.cwCbor.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: [{ MetricName: METRIC, Value: value, Unit: 'Count' }] }));
        await sleep(FEED_EVERY_MS);
      }
    })();
    return { set: (v: number) => { value = v; }, stop: async () => { stopped = true; await run; } };
  }

  before(async () => {
    const image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: 'worker', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'worker', image, essential: true, stopTimeout: 2, command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'worker', taskDefinition: 'worker', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await berth.aas.send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 1, MaxCapacity: 6 }));
    const policies: Record<string, StepScalingPolicyConfiguration> = {
      'queue-out': { AdjustmentType: 'ChangeInCapacity', Cooldown: 600, MetricAggregationType: 'Maximum', StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 50, ScalingAdjustment: 3 },
      ] },
      'queue-in': { AdjustmentType: 'PercentChangeInCapacity', MinAdjustmentMagnitude: 2, Cooldown: 600, MetricAggregationType: 'Maximum',
        StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -25 }] },
      'queue-empty': { AdjustmentType: 'ExactCapacity', Cooldown: 0, StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }] },
    };
    for (const [name, config] of Object.entries(policies)) {
      const put = await berth.aas.send(new PutScalingPolicyCommand({ ...TARGET, PolicyName: name, PolicyType: 'StepScaling', StepScalingPolicyConfiguration: config }));
      arns[name] = put.PolicyARN!;
      assert.deepEqual(put.Alarms ?? [], [], 'a step policy makes no alarms of its own');
    }
    // awscli 2.9 (query) puts the alarms whose actions are the policies; botocore (CBOR) the first datapoint.
    const alarms: [string, string, string, string][] = [
      ['queue-high', 'GreaterThanThreshold', '100', 'queue-out'],
      ['queue-low', 'LessThanThreshold', '50', 'queue-in'],
      ['queue-empty', 'LessThanOrEqualToThreshold', '0', 'queue-empty'],
    ];
    await mapLimit(alarms, 3, ([name, op, threshold, policy]) => cli(v2, 'cloudwatch', 'put-metric-alarm', '--alarm-name', name,
      '--namespace', NAMESPACE, '--metric-name', METRIC, '--statistic', 'Maximum', '--period', '60', '--evaluation-periods', '1',
      '--threshold', threshold, '--comparison-operator', op, '--alarm-actions', arns[policy]));
    await waitFor((s) => s.runningCount === 1, 'one running task');
    started = Date.now();
    await cli('v1', 'cloudwatch', 'put-metric-data', '--namespace', NAMESPACE, '--metric-name', METRIC, '--value', '130', '--unit', 'Count');
    feed = startFeed(130);
  });

  after(async () => {
    await feed?.stop();
  });

  it('a breach of 30 takes the +1 step; in the cooldown the same step adds nothing, a breach of 90 only the difference to +3', async () => {
    await settledAt(2, 'scaled out by 1');
    // Two more periods in ALARM at the same breach: the task the step added counts.
    const hold = Date.now() + 2 * PERIOD_S * 1000 + 500;
    while (Date.now() < hold) {
      assert.equal((await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: 'worker', desiredStatus: 'RUNNING' }))).taskArns!.length, 2);
      await sleep(250);
    }
    feed!.set(190);
    await settledAt(4, 'scaled out to 1 + 3');
    const [second, first] = await activities();
    assert.deepEqual([first.Description, second.Description], ['Setting desired count to 2.', 'Setting desired count to 4.']);
    for (const a of [first, second]) assert.equal(a.Cause, 'monitor alarm queue-high in state ALARM triggered policy queue-out');
  });

  it('a low queue removes 25 % — at least MinAdjustmentMagnitude 2 tasks; an empty queue sets ExactCapacity 1', async () => {
    feed!.set(30);
    await settledAt(2, '4 − max(1, 2)');
    const [scaledIn] = await activities();
    assert.deepEqual([scaledIn.Description, scaledIn.Cause], ['Setting desired count to 2.', 'monitor alarm queue-low in state ALARM triggered policy queue-in']);
    feed!.set(0);
    await settledAt(1, 'ExactCapacity 1');
    const [exact] = await activities();
    assert.deepEqual([exact.Description, exact.Cause], ['Setting desired count to 1.', 'monitor alarm queue-empty in state ALARM triggered policy queue-empty']);
    // The curve the alarms saw, one Maximum a metric minute (SDK v3 over JSON).
    const { MetricDataResults } = await berth.cw.send(new GetMetricDataCommand({
      StartTime: new Date(started - 5_000), EndTime: new Date(Date.now() + 5_000), ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ Id: 'depth', MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: METRIC }, Period: 60, Stat: 'Maximum' } }],
    }));
    const values = MetricDataResults![0].Values!;
    const distinct = values.filter((v, i) => i === 0 || v !== values[i - 1]);
    assert.deepEqual(distinct.filter((v) => [130, 190, 30, 0].includes(v)), [130, 190, 30, 0], JSON.stringify(values));
  });

  it('scheduled actions at() raise the minimum to 3 and later lower it to 1 with a maximum of 2: the service follows each', async () => {
    // A queue depth between the alarms' thresholds: every alarm OK, nothing but the schedule moves the service.
    feed!.set(70);
    // Two and six metric minutes from now on each action's compressed clock: 4 and 12 real seconds.
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString().slice(0, 19);
    const put = Date.now();
    await mapLimit([['raise-min', at(2), 'MinCapacity=3'], ['lower-min', at(6), 'MinCapacity=1,MaxCapacity=2']], 2, ([name, when, range]) =>
      cli(v2, 'application-autoscaling', 'put-scheduled-action', '--service-namespace', 'ecs', '--resource-id', RESOURCE,
        '--scalable-dimension', 'ecs:service:DesiredCount', '--scheduled-action-name', name, '--schedule', `at(${when})`, '--scalable-target-action', range));
    await settledAt(3, 'min raised to 3');
    assert.ok(Date.now() - put < 10 * PERIOD_S * 1000, `raised after ${Date.now() - put} ms`);
    let [target] = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE] }))).ScalableTargets!;
    assert.deepEqual([target.MinCapacity, target.MaxCapacity], [3, 6]);
    await settledAt(2, 'clamped to the max 2');
    assert.ok(Date.now() - put >= 5 * PERIOD_S * 1000, `lowered after ${Date.now() - put} ms`);
    [target] = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [RESOURCE] }))).ScalableTargets!;
    assert.deepEqual([target.MinCapacity, target.MaxCapacity], [1, 2]);

    // The whole story through botocore (JSON 1.1), newest first.
    const { ScalingActivities } = await cli('v1', 'application-autoscaling', 'describe-scaling-activities', '--service-namespace', 'ecs', '--resource-id', RESOURCE);
    const story = (ScalingActivities as ScalingActivity[]).filter((a) => a.StatusCode === 'Successful').map((a) => [a.Description, a.Cause]);
    assert.deepEqual(story, [
      ['Setting desired count to 2.', 'scheduled action name lower-min was triggered: minimum capacity was set to 1 and maximum capacity was set to 2'],
      ['Setting desired count to 3.', 'scheduled action name raise-min was triggered: minimum capacity was set to 3'],
      ['Setting desired count to 1.', 'monitor alarm queue-empty in state ALARM triggered policy queue-empty'],
      ['Setting desired count to 2.', 'monitor alarm queue-low in state ALARM triggered policy queue-in'],
      ['Setting desired count to 4.', 'monitor alarm queue-high in state ALARM triggered policy queue-out'],
      ['Setting desired count to 2.', 'monitor alarm queue-high in state ALARM triggered policy queue-out'],
    ]);
  });
});
