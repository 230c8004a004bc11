/**
 * Application Auto Scaling on compressed time (one CloudWatch minute = 1 s), fake runtime: scalable targets and
 * their errors, target tracking's two CloudWatch alarms (made, described, deleted with the policy), a target-tracking
 * policy on a custom metric scaling an ECS service out, step scaling out and in on a custom alarm, a scheduled action
 * raising min, and register / put-scaling-policy / describe through both AWS CLIs.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient, DeleteScalingPolicyCommand, DeregisterScalableTargetCommand, DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand, GetPredictiveScalingForecastCommand, DescribeScheduledActionsCommand, ListTagsForResourceCommand,
  ObjectNotFoundException, PutScalingPolicyCommand, PutScheduledActionCommand, RegisterScalableTargetCommand, ValidationException,
  type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, type Service } from '@aws-sdk/client-ecs';
import { rejectsAs } from '../../helpers/aws-errors.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { describeService, fargateNetwork, register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const C = 'scale';
const ECS_TARGET = (service: string) => ({ ServiceNamespace: 'ecs' as const, ResourceId: `service/${C}/${service}`, ScalableDimension: 'ecs:service:DesiredCount' as const });

describe('Application Auto Scaling on compressed time', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { aas: ApplicationAutoScalingClient, cw: CloudWatchClient, ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  async function createService(name: string, desiredCount: number) {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: name, taskDefinition: 'web', desiredCount, launchType: 'FARGATE', networkConfiguration: net }));
  }

  async function waitService(name: string, ok: (s: Service) => boolean, what: string, feed?: () => Promise<unknown>, ms = 20_000): Promise<Service> {
    const end = Date.now() + ms;
    for (;;) {
      if (feed) await feed();
      const s = await describeService(berth.ecs, C, name);
      if (ok(s)) return s;
      if (Date.now() > end) assert.fail(`timed out waiting for ${what}: desired ${s.desiredCount}, running ${s.runningCount}`);
      await sleep(200);
    }
  }

  const activities = async (service: string, includeNotScaled = false): Promise<ScalingActivity[]> =>
    (await berth.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: `service/${C}/${service}`, IncludeNotScaledActivities: includeNotScaled }))).ScalingActivities!;

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true }],
    });
  });

  it('RegisterScalableTarget needs the ECS service; targets are described, tagged and deregistered', async () => {
    await rejectsAs(berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('ghost'), MinCapacity: 1, MaxCapacity: 2 })),
      ValidationException, `ECS service doesn't exist: service/${C}/ghost`);
    await createService('api', 1);
    await rejectsAs(berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('api'), MinCapacity: 3, MaxCapacity: 2 })), ValidationException, /Minimum capacity cannot be greater than maximum capacity/);
    const { ScalableTargetARN } = await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('api'), MinCapacity: 1, MaxCapacity: 3, Tags: { team: 'a' } }));
    assert.match(ScalableTargetARN!, /^arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target\/[0-9a-f]{36}$/);
    // Registering again updates in place: the ARN stays, unspecified fields keep their values.
    const again = await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('api'), MaxCapacity: 5, SuspendedState: { DynamicScalingInSuspended: true } }));
    assert.equal(again.ScalableTargetARN, ScalableTargetARN);
    const [t] = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [`service/${C}/api`] }))).ScalableTargets!;
    assert.deepEqual([t.MinCapacity, t.MaxCapacity, t.SuspendedState], [1, 5, { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false }]);
    assert.equal(t.RoleARN, 'arn:aws:iam::000000000000:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService');
    assert.ok(t.CreationTime instanceof Date);
    assert.deepEqual((await berth.aas.send(new ListTagsForResourceCommand({ ResourceARN: ScalableTargetARN }))).Tags, { team: 'a' });
    // Registering brings the service's desired count into the range, as an activity.
    await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('api'), MinCapacity: 2 }));
    assert.equal((await describeService(berth.ecs, C, 'api')).desiredCount, 2);
    const [raised] = await activities('api');
    assert.deepEqual([raised.Description, raised.Cause, raised.StatusCode], ['Setting desired count to 2.', 'minimum capacity was set to 2', 'Successful']);
    // Another namespace is stored and validated, not acted on.
    await rejectsAs(berth.aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'dynamodb', ResourceId: 'table/t', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 2 })),
      ValidationException, /Unsupported scalable dimension/);
    await berth.aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'dynamodb', ResourceId: 'table/t', ScalableDimension: 'dynamodb:table:ReadCapacityUnits', MinCapacity: 5, MaxCapacity: 50 }));
    await rejectsAs(berth.aas.send(new PutScalingPolicyCommand({ ServiceNamespace: 'dynamodb', ResourceId: 'table/t', ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
      PolicyName: 'cpu', PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } })),
    ValidationException, 'Unsupported predefined metric type ECSServiceAverageCPUUtilization for service namespace dynamodb');
    await berth.aas.send(new DeregisterScalableTargetCommand(ECS_TARGET('api')));
    await rejectsAs(berth.aas.send(new DeregisterScalableTargetCommand(ECS_TARGET('api'))), ObjectNotFoundException,
      `No scalable target registered for service namespace: ecs, resource ID: service/${C}/api, scalable dimension: ecs:service:DesiredCount`);
  });

  it('a target-tracking policy makes the two alarms AWS makes, lists them, and deletes them with itself', async () => {
    await createService('cpu', 1);
    await rejectsAs(berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } })),
    ObjectNotFoundException, /No scalable target registered/);
    await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('cpu'), MinCapacity: 1, MaxCapacity: 4 }));
    const put = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } } }));
    assert.match(put.PolicyARN!, new RegExp(`^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:resource/ecs/service/${C}/cpu:policyName/cpu50$`));
    assert.equal(put.Alarms!.length, 2);
    const [high, low] = put.Alarms!;
    assert.match(high.AlarmName!, new RegExp(`^TargetTracking-service/${C}/cpu-AlarmHigh-[0-9a-f-]{36}$`));
    assert.match(low.AlarmName!, new RegExp(`^TargetTracking-service/${C}/cpu-AlarmLow-[0-9a-f-]{36}$`));
    const alarms = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-service/${C}/cpu-` }))).MetricAlarms!;
    const byName = new Map(alarms.map((a) => [a.AlarmName, a]));
    const h = byName.get(high.AlarmName)!;
    const l = byName.get(low.AlarmName)!;
    assert.equal(h.AlarmArn, high.AlarmARN);
    assert.equal(h.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${put.PolicyARN}.`);
    assert.deepEqual([h.Namespace, h.MetricName, h.Statistic, h.Unit, h.Period, h.EvaluationPeriods, h.DatapointsToAlarm, h.Threshold, h.ComparisonOperator],
      ['AWS/ECS', 'CPUUtilization', 'Average', 'Percent', 60, 3, 3, 50, 'GreaterThanThreshold']);
    assert.deepEqual(h.Dimensions, [{ Name: 'ClusterName', Value: C }, { Name: 'ServiceName', Value: 'cpu' }]);
    assert.deepEqual(h.AlarmActions, [put.PolicyARN]);
    assert.deepEqual([l.EvaluationPeriods, l.DatapointsToAlarm, l.Threshold, l.ComparisonOperator], [15, 15, 45, 'LessThanThreshold']);
    const [described] = (await berth.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: `service/${C}/cpu` }))).ScalingPolicies!;
    assert.deepEqual(described.Alarms, put.Alarms);
    assert.equal(described.TargetTrackingScalingPolicyConfiguration?.TargetValue, 50);

    // ALBRequestCountPerTarget watches the target group named by the ResourceLabel.
    const alb = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'req', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, DisableScaleIn: true, PredefinedMetricSpecification: {
        PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: 'app/my-lb/50dc6c495c0c9188/targetgroup/my-tg/943f017f100becff' } } }));
    assert.equal(alb.Alarms!.length, 1, 'no low alarm when scale-in is disabled');
    const [reqAlarm] = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNames: [alb.Alarms![0].AlarmName!] }))).MetricAlarms!;
    assert.deepEqual([reqAlarm.Namespace, reqAlarm.MetricName, reqAlarm.Statistic, reqAlarm.Dimensions], ['AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', [{ Name: 'TargetGroup', Value: 'targetgroup/my-tg/943f017f100becff' }]]);

    // A customized metric with metric math: the alarms evaluate the expression over one-minute MetricStats.
    const math = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'math', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, CustomizedMetricSpecification: { Metrics: [
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'App', MetricName: 'Backlog' }, Stat: 'Sum' }, ReturnData: false },
        { Id: 'e1', Expression: 'm1 / 2', Label: 'backlog per task', ReturnData: true },
      ] } } }));
    const [mathHigh] = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNames: [math.Alarms![0].AlarmName!] }))).MetricAlarms!;
    assert.deepEqual(mathHigh.Metrics?.map((m) => [m.Id, m.Expression, m.MetricStat?.Period, m.MetricStat?.Stat, m.ReturnData]),
      [['m1', undefined, 60, 'Sum', false], ['e1', 'm1 / 2', undefined, undefined, true]]);
    await berth.aas.send(new DeleteScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'math' }));
    // Predictive scaling is stored; Berth has no load history to forecast from, and says so with an empty forecast.
    await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'predict', PolicyType: 'PredictiveScaling',
      PredictiveScalingPolicyConfiguration: { MetricSpecifications: [{ TargetValue: 40, PredefinedMetricPairSpecification: { PredefinedMetricType: 'ECSServiceCPUUtilization' } }] } }));
    const window = { StartTime: new Date(), EndTime: new Date(Date.now() + 86_400_000) };
    const forecast = await berth.aas.send(new GetPredictiveScalingForecastCommand({ ...ECS_TARGET('cpu'), PolicyName: 'predict', ...window }));
    assert.deepEqual([forecast.LoadForecast, forecast.CapacityForecast?.Values], [[], []]);
    await rejectsAs(berth.aas.send(new GetPredictiveScalingForecastCommand({ ...ECS_TARGET('cpu'), PolicyName: 'req', ...window })), ValidationException, /not a PredictiveScaling policy/);
    await berth.aas.send(new DeleteScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'cpu50' }));
    const left = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-service/${C}/cpu-` }))).MetricAlarms!;
    assert.deepEqual(left.map((a) => a.AlarmName), [alb.Alarms![0].AlarmName]);
    await rejectsAs(berth.aas.send(new DeleteScalingPolicyCommand({ ...ECS_TARGET('cpu'), PolicyName: 'cpu50' })), ObjectNotFoundException, /No scaling policy found/);
    // Deregistering the target takes its policies and their alarms with it.
    await berth.aas.send(new DeregisterScalableTargetCommand(ECS_TARGET('cpu')));
    assert.deepEqual((await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `TargetTracking-service/${C}/cpu-` }))).MetricAlarms, []);
  });

  it('target tracking on a custom metric scales the service out, with activities in AWS\'s words', async () => {
    await createService('tt', 1);
    await waitService('tt', (s) => s.runningCount === 1, 'one running task');
    await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('tt'), MinCapacity: 1, MaxCapacity: 3 }));
    const put = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('tt'), PolicyName: 'load-tt', PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, ScaleOutCooldown: 60,
        CustomizedMetricSpecification: { Namespace: 'App', MetricName: 'Load', Dimensions: [{ Name: 'Service', Value: 'tt' }], Statistic: 'Average' } } }));
    const feed = () => berth.cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Load', Dimensions: [{ Name: 'Service', Value: 'tt' }], Value: 100 }] }));
    // 1 running × 100 / 50 = 2 after three periods above the target; then 2 × 100 / 50 = 4, clamped to the max 3.
    await waitService('tt', (s) => s.desiredCount === 2, 'a scale-out to 2', feed);
    await waitService('tt', (s) => s.desiredCount === 3 && s.runningCount === 3, 'a scale-out to the max 3', feed);
    const high = put.Alarms!.find((a) => a.AlarmName!.includes('AlarmHigh'))!.AlarmName;
    const scaled = await activities('tt');
    assert.deepEqual(scaled.map((a) => a.Description), ['Setting desired count to 3.', 'Setting desired count to 2.']);
    for (const a of scaled) {
      assert.equal(a.Cause, `monitor alarm ${high} in state ALARM triggered policy load-tt`);
      assert.equal(a.StatusCode, 'Successful');
      assert.match(a.StatusMessage!, /^Successfully set desired count to [23]\. Change successfully fulfilled by ecs\.$/);
      assert.ok(a.StartTime instanceof Date && a.ActivityId);
    }
    // The alarm's history tells the same story: OK/INSUFFICIENT_DATA → ALARM, then the policy executed.
    const history = (await berth.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: high }))).AlarmHistoryItems!;
    assert.ok(history.some((h) => h.HistoryItemType === 'StateUpdate' && /to ALARM$/.test(h.HistorySummary!)), JSON.stringify(history.map((h) => h.HistorySummary)));
    assert.ok(history.some((h) => h.HistoryItemType === 'Action' && h.HistorySummary === `Successfully executed action ${put.PolicyARN}`));
    // Staying in ALARM at the max: a not-scaled activity, listed only when asked for.
    const all = await (async () => {
      const end = Date.now() + 10_000;
      for (;;) {
        await feed();
        const list = await activities('tt', true);
        if (list.length > scaled.length || Date.now() > end) return list;
        await sleep(200);
      }
    })();
    assert.equal(all[0].StatusCode, 'Failed');
    assert.deepEqual(all[0].NotScaledReasons, [{ Code: 'AlreadyAtMaxCapacity', CurrentCapacity: 3, MaxCapacity: 3 }]);
    assert.equal((await activities('tt')).length, scaled.length);
  });

  it('step scaling on a custom alarm: a step by breach size out, ExactCapacity in', async () => {
    await createService('steps', 1);
    await waitService('steps', (s) => s.runningCount === 1, 'one running task');
    await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('steps'), MinCapacity: 1, MaxCapacity: 6 }));
    await rejectsAs(berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('steps'), PolicyName: 'bad', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', MinAdjustmentMagnitude: 2, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] } })),
    ValidationException, /MinAdjustmentMagnitude/);
    const out = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('steps'), PolicyName: 'queue-out', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', Cooldown: 600, StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
      ] } }));
    const inPolicy = await berth.aas.send(new PutScalingPolicyCommand({ ...ECS_TARGET('steps'), PolicyName: 'queue-in', PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ExactCapacity', Cooldown: 0, StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }] } }));
    await berth.cw.send(new PutMetricAlarmCommand({ AlarmName: 'queue-high', Namespace: 'App', MetricName: 'Queue', Statistic: 'Maximum', Period: 60,
      EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [out.PolicyARN!] }));
    await berth.cw.send(new PutMetricAlarmCommand({ AlarmName: 'queue-low', Namespace: 'App', MetricName: 'Queue', Statistic: 'Maximum', Period: 60,
      EvaluationPeriods: 1, Threshold: 10, ComparisonOperator: 'LessThanThreshold', AlarmActions: [inPolicy.PolicyARN!] }));
    const put = (v: number) => () => berth.cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Queue', Value: v }] }));
    // Breach 150 − 100 = 50 ≥ 20: +3 from one running task.
    await waitService('steps', (s) => s.desiredCount === 4, 'a step of +3', put(150));
    // Within the 600 s cooldown the capacity already added counts: the same step again (1 + 3) adds nothing more,
    // however many periods the alarm stays in ALARM and its tasks are running.
    await waitService('steps', (s) => s.runningCount === 4, 'four running tasks', put(150));
    const end = Date.now() + 3_000;
    while (Date.now() < end) {
      await put(150)();
      assert.equal((await describeService(berth.ecs, C, 'steps')).desiredCount, 4);
      await sleep(250);
    }
    const [latest] = await activities('steps');
    assert.equal(latest.Cause, 'monitor alarm queue-high in state ALARM triggered policy queue-out');
    assert.equal(latest.Description, 'Setting desired count to 4.');
    await waitService('steps', (s) => s.desiredCount === 1, 'ExactCapacity 1', put(2));
    const [last] = await activities('steps');
    assert.equal(last.Cause, 'monitor alarm queue-low in state ALARM triggered policy queue-in');
    assert.equal(last.Description, 'Setting desired count to 1.');
  });

  it('a scheduled action at() raises min on the compressed clock and the service follows', async () => {
    await createService('sched', 1);
    await berth.aas.send(new RegisterScalableTargetCommand({ ...ECS_TARGET('sched'), MinCapacity: 1, MaxCapacity: 5 }));
    await rejectsAs(berth.aas.send(new PutScheduledActionCommand({ ...ECS_TARGET('sched'), ScheduledActionName: 'bad', Schedule: 'every day', ScalableTargetAction: { MinCapacity: 2 } })),
      ValidationException, /Invalid schedule expression/);
    // Two metric minutes from now: two real seconds at --metrics-period 1s.
    const at = new Date(Date.now() + 120_000).toISOString().slice(0, 19);
    await berth.aas.send(new PutScheduledActionCommand({ ...ECS_TARGET('sched'), ScheduledActionName: 'raise-min', Schedule: `at(${at})`, ScalableTargetAction: { MinCapacity: 3 } }));
    const [action] = (await berth.aas.send(new DescribeScheduledActionsCommand({ ServiceNamespace: 'ecs', ResourceId: `service/${C}/sched` }))).ScheduledActions!;
    assert.equal(action.Schedule, `at(${at})`);
    assert.match(action.ScheduledActionARN!, new RegExp(`^arn:aws:autoscaling:us-east-1:000000000000:scheduledAction:[0-9a-f-]{36}:resource/ecs/service/${C}/sched:scheduledActionName/raise-min$`));
    const before = Date.now();
    await waitService('sched', (s) => s.desiredCount === 3, 'min raised to 3');
    assert.ok(Date.now() - before < 6_000, 'fires within a few real seconds');
    const [t] = (await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [`service/${C}/sched`] }))).ScalableTargets!;
    assert.equal(t.MinCapacity, 3);
    const [a] = await activities('sched');
    assert.equal(a.Cause, 'scheduled action name raise-min was triggered: minimum capacity was set to 3');
    assert.equal(a.Description, 'Setting desired count to 3.');
  });
});

describe('Application Auto Scaling through the AWS CLIs', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient, aas: ApplicationAutoScalingClient } });

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    const net = await fargateNetwork(berth.endpoint);
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true }],
    });
    for (const name of Object.keys(CLIS)) {
      await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: `cli-${name}`, taskDefinition: 'web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));
    }
  });

  for (const cli of Object.keys(CLIS) as CliName[]) {
    it(`${CLIS[cli].name}: register-scalable-target, put-scaling-policy, describe-scaling-policies`, { skip: !cliAvailable(cli) && 'not installed' }, async () => {
      const id = `service/${C}/cli-${cli}`;
      const base = ['--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount', '--resource-id', id];
      const reg = await aws(cli, berth.endpoint, ['application-autoscaling', 'register-scalable-target', ...base, '--min-capacity', '1', '--max-capacity', '4']);
      assert.equal(reg.code, 0, reg.stderr);
      const pol = await aws(cli, berth.endpoint, ['application-autoscaling', 'put-scaling-policy', ...base, '--policy-name', 'mem', '--policy-type', 'TargetTrackingScaling',
        '--target-tracking-scaling-policy-configuration', JSON.stringify({ TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' } })]);
      assert.equal(pol.code, 0, pol.stderr);
      assert.equal(pol.json.Alarms.length, 2);
      const desc = await aws(cli, berth.endpoint, ['application-autoscaling', 'describe-scaling-policies', '--service-namespace', 'ecs', '--resource-id', id]);
      assert.equal(desc.code, 0, desc.stderr);
      const [p] = desc.json.ScalingPolicies;
      assert.deepEqual([p.PolicyName, p.PolicyType, p.PolicyARN, p.Alarms], ['mem', 'TargetTrackingScaling', pol.json.PolicyARN, pol.json.Alarms]);
      // awscli v2 prints ISO 8601, v1 the epoch seconds JSON 1.1 carries.
      assert.ok(typeof p.CreationTime === 'number' ? Math.abs(p.CreationTime * 1000 - Date.now()) < 60_000 : /^\d{4}-\d\d-\d\dT/.test(p.CreationTime), String(p.CreationTime));
      const missing = await aws(cli, berth.endpoint, ['application-autoscaling', 'register-scalable-target', '--service-namespace', 'ecs', '--scalable-dimension', 'ecs:service:DesiredCount',
        '--resource-id', `service/${C}/nope`, '--min-capacity', '1', '--max-capacity', '2']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, new RegExp(`An error occurred \\(ValidationException\\) when calling the RegisterScalableTarget operation( \\(reached max retries: \\d+\\))?: ECS service doesn't exist: service/${C}/nope`));
    });
  }
});
