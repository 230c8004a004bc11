/**
 * The scaling loop for real (issue 16, proof 1): a Fargate service on Docker whose busybox container burns a quarter
 * core (its hard limit) during a fixed window, with target tracking on ECSServiceAverageCPUUtilization at 50 %, on
 * compressed time (one CloudWatch minute = 1.5 s). Its measured CPU crosses the target, the AlarmHigh alarm fires, the
 * service scales out from 1 task; once the burn stops the AlarmLow alarm fires and it scales back in.
 * DescribeScalingActivities and the alarms' history tell the story, GetMetricData shows the curve; botocore (CBOR)
 * and awscli 2.9 (query XML) read the same metric and alarms. Every wait has a deadline; the burn ends by itself.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand, type Alarm,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmHistoryCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DeleteServiceCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { aws, cliAvailable } from '../helpers/cli.js';
import { describeService, fargateNetwork, register, waitForService } from '../helpers/ecs.js';
import { cpuBurnCommand, ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

const C = 'autoscale-e2e';
const PERIOD_S = 1.5;
/** The burn starts a few seconds after the test does and lasts BURN_S. */
const BURN_S = 15;
const RESOURCE = `service/${C}/burn`;

describe('target tracking on measured CPU, on Docker', () => {
  const berth = useBerth({ metricsPeriod: PERIOD_S, clients: { ecs: ECSClient, aas: ApplicationAutoScalingClient, cw: CloudWatchClient } });
  let burnFrom = 0;
  let alarms: Alarm[] = [];

  before(async () => {
    const image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    burnFrom = Math.ceil(Date.now() / 1000) + 4;
    await register(berth.ecs, {
      family: 'burn', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image, essential: true, stopTimeout: 1, portMappings: [{ containerPort: 8080 }], command: cpuBurnCommand(burnFrom, burnFrom + BURN_S) }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'burn', taskDefinition: 'burn', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    const target = { ServiceNamespace: 'ecs' as const, ResourceId: RESOURCE, ScalableDimension: 'ecs:service:DesiredCount' as const };
    await berth.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }));
    // Cooldowns of one metric minute (1.5 s) so the story fits in well under a minute of real time.
    const put = await berth.aas.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, ScaleOutCooldown: 60, ScaleInCooldown: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }));
    alarms = put.Alarms!;
  });

  const alarmNamed = (kind: 'High' | 'Low') => alarms.find((a) => a.AlarmName!.includes(`-Alarm${kind}-`))!.AlarmName!;
  const activities = async () =>
    (await berth.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: RESOURCE }))).ScalingActivities!;

  it('scales out from 1 task while the containers burn CPU, and back in once they stop', async () => {
    const out: Service = await waitForService(berth.ecs, C, 'burn', (s) => s.desiredCount === 2 && s.runningCount === 2, 'a scale-out to 2 tasks', 45_000);
    assert.ok(Date.now() / 1000 < burnFrom + BURN_S + 2, 'scaled out while the burn lasted');
    assert.ok(out.events!.some((e) => /has started 1 tasks/.test(e.message!)));
    const back = await waitForService(berth.ecs, C, 'burn', (s) => s.desiredCount === 1 && s.runningCount === 1, 'a scale-in to 1 task', 60_000);
    assert.ok(Date.now() / 1000 > burnFrom + BURN_S, 'scaled in after the burn stopped');
    assert.ok(back.events!.some((e) => /has stopped 1 running tasks/.test(e.message!)));

    // The activities, newest first: in once AlarmLow fired, out when AlarmHigh did.
    const [scaleIn, scaleOut] = await activities();
    assert.deepEqual([scaleOut.Description, scaleOut.Cause, scaleOut.StatusCode],
      ['Setting desired count to 2.', `monitor alarm ${alarmNamed('High')} in state ALARM triggered policy cpu50`, 'Successful']);
    assert.deepEqual([scaleIn.Description, scaleIn.Cause, scaleIn.StatusCode],
      ['Setting desired count to 1.', `monitor alarm ${alarmNamed('Low')} in state ALARM triggered policy cpu50`, 'Successful']);
    assert.ok(scaleOut.StartTime! < scaleIn.StartTime!);
    // The alarms' history: each went to ALARM, with AWS's reason, and ran the policy.
    for (const kind of ['High', 'Low'] as const) {
      const items = (await berth.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: alarmNamed(kind) }))).AlarmHistoryItems!;
      const toAlarm = items.find((h) => h.HistoryItemType === 'StateUpdate' && / to ALARM$/.test(h.HistorySummary!));
      assert.ok(toAlarm, `${kind}: ${JSON.stringify(items.map((h) => h.HistorySummary))}`);
      assert.match(JSON.parse(toAlarm.HistoryData!).newState.stateReason, kind === 'High'
        ? /^Threshold Crossed: 3 out of the last 3 datapoints \[.*\] were greater than the threshold \(50\.0\)/
        : /^Threshold Crossed: 15 out of the last 15 datapoints \[.*\] were less than the threshold \(45\.0\)/);
      assert.ok(items.some((h) => h.HistoryItemType === 'Action' && /^Successfully executed action arn:aws:autoscaling:/.test(h.HistorySummary!)));
    }
  });

  it('GetMetricData shows the curve: from idle up past the target while burning, and back down after', async () => {
    const out = await berth.cw.send(new GetMetricDataCommand({
      StartTime: new Date((burnFrom - 10) * 1000), EndTime: new Date(), ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ Id: 'cpu', MetricStat: { Metric: { Namespace: 'AWS/ECS', MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'ClusterName', Value: C }, { Name: 'ServiceName', Value: 'burn' }] }, Period: 60, Stat: 'Average' } }],
    }));
    const [r] = out.MetricDataResults!;
    const curve = r.Timestamps!.map((t, i) => [t.getTime() / 1000, r.Values![i]] as const);
    const during = curve.filter(([t]) => t > burnFrom + 2 && t < burnFrom + BURN_S - 2).map(([, v]) => v);
    const after = curve.filter(([t]) => t > burnFrom + BURN_S + 3).map(([, v]) => v);
    assert.ok(during.length >= 4 && after.length >= 4, JSON.stringify(curve));
    // A quarter core out of a task's 256 units is 100 %; on a shared machine a burning container gets less, so the
    // bounds are loose: above the target on average, near 100 % at its peak; idle before and after.
    const before = curve.filter(([t]) => t < burnFrom - 1).map(([, v]) => v);
    const mean = during.reduce((n, v) => n + v, 0) / during.length;
    assert.ok(mean > 50 && Math.max(...during) > 70, `burning: ${during.map((v) => v.toFixed(0))}`);
    assert.ok(before.every((v) => v < 20), `before: ${before.map((v) => v.toFixed(0))}`);
    assert.ok(after.every((v) => v < 20), `idle: ${after.map((v) => v.toFixed(0))}`);
  });

  it('botocore (CBOR) reads the metric and awscli 2.9 (query) the alarms Berth made', async () => {
    const dims = ['Name=ClusterName,Value=' + C, 'Name=ServiceName,Value=burn'];
    const stats = await aws('v1', berth.endpoint, ['cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/ECS', '--metric-name', 'CPUUtilization',
      '--dimensions', ...dims, '--start-time', new Date((burnFrom - 10) * 1000).toISOString(), '--end-time', new Date().toISOString(),
      '--period', '60', '--statistics', 'Maximum']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.ok(stats.json.Datapoints.some((d: { Maximum: number; Unit: string }) => d.Maximum > 70 && d.Unit === 'Percent'), stats.stdout);
    if (!cliAvailable('v2')) return;
    const described = await aws('v2', berth.endpoint, ['cloudwatch', 'describe-alarms', '--alarm-names', alarmNamed('High'), alarmNamed('Low')]);
    assert.equal(described.code, 0, described.stderr);
    const byName = new Map<string, { MetricName: string; Namespace: string; Threshold: number }>(described.json.MetricAlarms.map((a: { AlarmName: string }) => [a.AlarmName, a]));
    assert.deepEqual([byName.get(alarmNamed('High'))?.MetricName, byName.get(alarmNamed('High'))?.Namespace, byName.get(alarmNamed('Low'))?.Threshold], ['CPUUtilization', 'AWS/ECS', 45]);
    const history = await aws('v2', berth.endpoint, ['cloudwatch', 'describe-alarm-history', '--alarm-name', alarmNamed('High'), '--history-item-type', 'StateUpdate']);
    assert.equal(history.code, 0, history.stderr);
    assert.ok(history.json.AlarmHistoryItems.some((h: { HistorySummary: string }) => / to ALARM$/.test(h.HistorySummary)), history.stdout);
  });

  it('deleting the service stops its tasks and takes its scalable target', async () => {
    await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'burn', force: true }));
    await waitForService(berth.ecs, C, 'burn', (s) => s.status === 'INACTIVE', 'the service inactive', 30_000);
    const targets = await aws('v1', berth.endpoint, ['application-autoscaling', 'describe-scalable-targets', '--service-namespace', 'ecs', '--resource-ids', RESOURCE]);
    assert.equal(targets.code, 0, targets.stderr);
    assert.deepEqual(targets.json.ScalableTargets, []);
    assert.equal((await describeService(berth.ecs, C, 'burn')).runningCount, 0);
  });
});
