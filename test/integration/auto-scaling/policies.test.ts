/**
 * EC2 Auto Scaling policies through the v3 SDK (query protocol, XML) on compressed time (fake runtime; metric minute =
 * 1 s): a CloudWatch alarm on a PutMetricData metric runs a step policy that grows the group by the breach's step and
 * its instances launch, the warm-up counting what it added; simple scaling through ExecutePolicy with its cooldown;
 * target tracking's two alarms as AWS names them, scaling out on a customized metric and gone with DeletePolicy; the
 * activities' descriptions and causes in AWS's words, paged; refusals in Auto Scaling's words.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DeletePolicyCommand, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand,
  DescribeScalingActivitiesCommand, ExecutePolicyCommand, PutScalingPolicyCommand, SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand, type Activity, type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

describe('EC2 Auto Scaling policies and activities through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { asg: AutoScalingClient, cw: CloudWatchClient, ec2: EC2Client, ssm: SSMClient } });
  before(async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'lt', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
  });

  const makeGroup = (name: string, min: number, max: number, desired: number) => berth.asg.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name, MinSize: min, MaxSize: max, DesiredCapacity: desired, LaunchTemplate: { LaunchTemplateName: 'lt' },
    AvailabilityZones: ['us-east-1a', 'us-east-1b'],
  }));
  const group = async (name: string) => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
  const inService = (g: AutoScalingGroup) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
  async function until<T>(read: () => Promise<T>, done: (x: T) => boolean, what: string, poke?: () => Promise<unknown>, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (poke) await poke();
      const x = await read();
      if (done(x)) return x;
      if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(x)})`);
      await sleep(200);
    }
  }
  const activities = async (name: string): Promise<Activity[]> => (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name }))).Activities!;

  it('an alarm on a PutMetricData metric runs a step policy: the group grows by the breach\'s step and its instances launch', async () => {
    await makeGroup('steps', 1, 6, 1);
    await until(() => group('steps'), (g) => inService(g) === 1, 'one in service');
    const put = await berth.asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'steps', PolicyName: 'grow', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', EstimatedInstanceWarmup: 600,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 50, ScalingAdjustment: 2 }],
    }));
    assert.match(put.PolicyARN!, /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/steps:policyName\/grow$/);
    await berth.cw.send(new PutMetricAlarmCommand({
      AlarmName: 'load-high', Namespace: 'App', MetricName: 'Load', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [put.PolicyARN!],
    }));
    const feed = (v: number) => () => berth.cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Load', Value: v }] }));
    // Breach 170 − 100 = 70 ≥ 50: +2 from 1.
    const grown = await until(() => group('steps'), (g) => g.DesiredCapacity === 3, 'a step of +2', feed(170));
    assert.equal(grown.DesiredCapacity, 3);
    await until(() => group('steps'), (g) => inService(g) === 3, 'three in service', feed(170));
    // Within the 600 s (10 real s) warm-up the capacity added counts: the alarm re-invoking the same step adds nothing.
    const end = Date.now() + 2_500;
    while (Date.now() < end) {
      await feed(170)();
      assert.equal((await group('steps')).DesiredCapacity, 3);
      await sleep(250);
    }

    const launched = (await activities('steps')).filter((a) => a.Description!.startsWith('Launching a new EC2 instance: i-'));
    assert.equal(launched.length, 3, 'the first instance and the two the policy added');
    const [newest] = launched;
    assert.match(newest.Cause!, new RegExp(`^At ${STAMP} a monitor alarm load-high in state ALARM triggered policy grow changing the desired capacity from 1 to 3\\.  `
      + `At ${STAMP} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 3\\.$`));
    assert.equal(newest.StatusCode, 'Successful');
    assert.equal(newest.Progress, 100);
    assert.ok(newest.StartTime instanceof Date && newest.EndTime instanceof Date && newest.EndTime >= newest.StartTime);
    assert.deepEqual(Object.keys(JSON.parse(newest.Details!)).sort(), ['Availability Zone', 'Subnet ID']);
    assert.match(launched[2].Cause!, new RegExp(`^At ${STAMP} a user request created an AutoScalingGroup changing the desired capacity from 0 to 1\\.  `));
    const history = await berth.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'load-high', HistoryItemType: 'Action' }));
    assert.ok(history.AlarmHistoryItems!.some((h) => h.HistorySummary === `Successfully executed action ${put.PolicyARN}`), JSON.stringify(history.AlarmHistoryItems));

    // The policy as DescribePolicies shows it, with the alarm that names it.
    const [p] = (await berth.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'steps' }))).ScalingPolicies!;
    assert.equal(p.PolicyType, 'StepScaling');
    assert.equal(p.MetricAggregationType, 'Average');
    assert.equal(p.EstimatedInstanceWarmup, 600);
    assert.equal(p.Enabled, true);
    assert.deepEqual(p.StepAdjustments, [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 50, ScalingAdjustment: 2 }]);
    assert.deepEqual(p.Alarms, [{ AlarmName: 'load-high', AlarmARN: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:load-high' }]);

    // Activities page newest first.
    const first = await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'steps', MaxRecords: 2 }));
    assert.equal(first.Activities!.length, 2);
    const rest = await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'steps', MaxRecords: 2, NextToken: first.NextToken }));
    assert.equal(rest.Activities!.length, 1);
    assert.equal(rest.NextToken, undefined);
    assert.equal(rest.Activities![0].ActivityId, launched[2].ActivityId);
  });

  it('simple scaling through ExecutePolicy waits for the group\'s cooldown when asked to; a user update\'s cause names the constraints', async () => {
    await makeGroup('simple', 1, 4, 1);
    await rejectsNamed(berth.asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'simple', PolicyName: 'x', AdjustmentType: 'ChangeInCapacity' })),
      'ValidationError', 'Scaling increment must be specified for a SimpleScaling policy', 400);
    await rejectsNamed(berth.asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'nope', PolicyName: 'x', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1 })),
      'ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup nope not found', 400);
    await rejectsNamed(berth.asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'simple', PolicyName: 'x', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity',
      StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 5, ScalingAdjustment: 2 }],
    })), 'ValidationError', /overlap/, 400);
    await berth.asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'simple', PolicyName: 'double', AdjustmentType: 'PercentChangeInCapacity', ScalingAdjustment: 100, Cooldown: 600,
    }));
    await berth.asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'simple', PolicyName: 'double', HonorCooldown: true }));
    assert.equal((await group('simple')).DesiredCapacity, 2);
    await rejectsNamed(berth.asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'simple', PolicyName: 'double', HonorCooldown: true })),
      'ScalingActivityInProgressFault', /cooldown/, 400);
    await rejectsNamed(berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'simple', DesiredCapacity: 3, HonorCooldown: true })),
      'ScalingActivityInProgressFault', /cooldown/, 400);
    // Not honouring the cooldown (ExecutePolicy's default), by ARN: 2 + 100 % = 4, the max.
    const [p] = (await berth.asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'simple', PolicyNames: ['double'] }))).ScalingPolicies!;
    assert.equal(p.Cooldown, 600);
    assert.deepEqual(p.Alarms, []);
    await berth.asg.send(new ExecutePolicyCommand({ PolicyName: p.PolicyARN }));
    assert.equal((await group('simple')).DesiredCapacity, 4);
    await until(() => group('simple'), (g) => inService(g) === 4, 'four in service');
    const [latest] = await activities('simple');
    assert.match(latest.Cause!, new RegExp(`^At ${STAMP} a user request executed policy double changing the desired capacity from 2 to 4\\.  `));

    await berth.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'simple', MinSize: 1, MaxSize: 4, DesiredCapacity: 2 }));
    await until(() => group('simple'), (g) => (g.Instances ?? []).length === 2, 'two left');
    const terminated = (await activities('simple')).filter((a) => a.Description!.startsWith('Terminating EC2 instance: i-'));
    assert.equal(terminated.length, 2);
    assert.match(terminated[0].Cause!, new RegExp(`^At ${STAMP} a user request update of AutoScalingGroup constraints to min: 1, max: 4, desired: 2 changing the desired capacity from 4 to 2\\.  `
      + `At ${STAMP} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 4 to 2\\.  `
      + `At ${STAMP} instance i-[0-9a-f]+ was selected for termination\\.$`));
    await until(() => activities('simple'), (all) => all.filter((a) => a.Description!.startsWith('Terminating')).every((a) => a.StatusCode === 'Successful'), 'terminations done');

    await berth.asg.send(new DeletePolicyCommand({ AutoScalingGroupName: 'simple', PolicyName: 'double' }));
    await rejectsNamed(berth.asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'simple', PolicyName: 'double' })), 'ValidationError', /double/, 400);
  });

  it('target tracking makes the two alarms AWS makes, scales out on its metric, and its alarms go with it', async () => {
    await makeGroup('tt', 1, 5, 1);
    const cpu = await berth.asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'tt', PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
    }));
    assert.equal(cpu.Alarms!.length, 2);
    const high = cpu.Alarms!.find((a) => a.AlarmName!.includes('-AlarmHigh-'))!;
    assert.match(high.AlarmName!, /^TargetTracking-tt-AlarmHigh-[0-9a-f-]{36}$/);
    const alarms = (await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-tt-' }))).MetricAlarms!;
    const h = alarms.find((a) => a.AlarmName === high.AlarmName)!;
    const l = alarms.find((a) => a.AlarmName!.includes('-AlarmLow-'))!;
    assert.equal(h.Namespace, 'AWS/EC2');
    assert.equal(h.MetricName, 'CPUUtilization');
    assert.deepEqual(h.Dimensions, [{ Name: 'AutoScalingGroupName', Value: 'tt' }]);
    assert.equal(h.Threshold, 50);
    assert.equal(h.EvaluationPeriods, 3);
    assert.equal(l.Threshold, 45);
    assert.equal(l.EvaluationPeriods, 15);
    assert.equal(h.AlarmDescription, `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${cpu.PolicyARN}.`);
    assert.deepEqual(h.AlarmActions, [cpu.PolicyARN]);
    await berth.asg.send(new DeletePolicyCommand({ AutoScalingGroupName: 'tt', PolicyName: 'cpu50' }));
    assert.deepEqual((await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-tt-' }))).MetricAlarms, []);

    // A customized metric: 1 instance × 100 ÷ 50 = 2 after three periods above the target.
    await berth.asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'tt', PolicyName: 'queue', PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 600,
      TargetTrackingConfiguration: { TargetValue: 50, DisableScaleIn: true, CustomizedMetricSpecification: { Namespace: 'App', MetricName: 'Backlog', Statistic: 'Average' } },
    }));
    assert.equal((await berth.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-tt-' }))).MetricAlarms!.length, 1, 'no low alarm when scale-in is disabled');
    const feed = () => berth.cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Backlog', Value: 100 }] }));
    await until(() => group('tt'), (g) => g.DesiredCapacity === 2 && inService(g) === 2, 'a scale-out to 2', feed);
    const [latest] = await activities('tt');
    assert.match(latest.Cause!, /a monitor alarm TargetTracking-tt-AlarmHigh-[0-9a-f-]{36} in state ALARM triggered policy queue changing the desired capacity from 1 to 2\./);
  });
});
