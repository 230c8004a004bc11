import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../state/db.js';
import { runGroupPolicy, type GroupScalingEnv } from './policy-execution.js';
import { policyByArn, savePolicy, type PolicyDoc } from './policy-store.js';
import { findGroup, insertGroup, type StoredGroup } from './store.js';

describe('running an EC2 Auto Scaling policy', () => {
  const sql = new Statements(openDb(':memory:'));
  const s = { sql, account: '000000000000', region: 'us-east-1' };
  const published: string[] = [];
  // Real time, uncompressed: cooldowns and warm-ups in plain seconds.
  const env = (now: number): GroupScalingEnv => ({ now, metricsPeriod: 60, changed: (_k, key) => published.push(key) });
  const group = (name: string, min: number, max: number, desired: number, more: Partial<StoredGroup> = {}) => insertGroup(s, {
    AutoScalingGroupName: name, AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/${name}`,
    MinSize: min, MaxSize: max, DesiredCapacity: desired, DefaultCooldown: 300, Instances: [], ...more,
  } as StoredGroup);
  const policy = (p: Partial<PolicyDoc> & { AutoScalingGroupName: string; PolicyName: string; PolicyType: string }): PolicyDoc => {
    const doc = { PolicyARN: `arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:id:autoScalingGroupName/${p.AutoScalingGroupName}:policyName/${p.PolicyName}`, Alarms: [], Enabled: true, ...p } as PolicyDoc;
    savePolicy(s, doc);
    return doc;
  };
  const run = (p: PolicyDoc, now: number, t: Partial<Parameters<typeof runGroupPolicy>[3]> = {}) =>
    runGroupPolicy(s, p, policyByArn(sql, p.PolicyARN)!.cooldowns, { by: 'alarm', alarmName: 'a', honorCooldown: true, ...t }, env(now));
  const desired = (name: string) => findGroup(s, name)!.DesiredCapacity;

  it('a step policy takes the step holding the breach; during the warm-up the same step adds nothing and a larger one the difference', () => {
    group('step', 1, 10, 1);
    const p = policy({
      AutoScalingGroupName: 'step', PolicyName: 'out', PolicyType: 'StepScaling', AdjustmentType: 'ChangeInCapacity', EstimatedInstanceWarmup: 120,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 }],
    });
    assert.equal(run(p, 0, { value: 110, threshold: 100 }), 'scaled');
    assert.equal(desired('step'), 2);
    assert.equal(run(p, 60_000, { value: 110, threshold: 100 }), 'unchanged');
    assert.equal(desired('step'), 2);
    // A larger breach within the warm-up: 1 + 3 = 4 counted from the capacity before the warm-up began.
    assert.equal(run(p, 90_000, { value: 130, threshold: 100 }), 'scaled');
    assert.equal(desired('step'), 4);
    // After the warm-up the step applies to the current capacity again.
    assert.equal(run(p, 300_000, { value: 110, threshold: 100 }), 'scaled');
    assert.equal(desired('step'), 5);
  });

  it('percent steps round as AWS does, clamped to the group\'s max; scale-in waits for the warm-up', () => {
    group('pct', 2, 5, 4);
    const p = policy({
      AutoScalingGroupName: 'pct', PolicyName: 'pct', PolicyType: 'StepScaling', AdjustmentType: 'PercentChangeInCapacity', MinAdjustmentMagnitude: 2, EstimatedInstanceWarmup: 60,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 10 }, { MetricIntervalUpperBound: 0, ScalingAdjustment: -50 }],
    });
    // 10 % of 4 is 0.4 → 1, raised to the minimum magnitude 2: 6, clamped to 5.
    assert.equal(run(p, 0, { value: 1, threshold: 0 }), 'scaled');
    assert.equal(desired('pct'), 5);
    assert.equal(run(p, 30_000, { value: -1, threshold: 0 }), 'unchanged', 'no scale-in while warming up');
    assert.equal(run(p, 61_000, { value: -1, threshold: 0 }), 'scaled');
    assert.equal(desired('pct'), 3);
  });

  it('simple scaling waits for the group\'s cooldown when honoured, and records why the capacity changed', () => {
    group('simple', 0, 4, 1);
    const p = policy({ AutoScalingGroupName: 'simple', PolicyName: 'plus1', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, Cooldown: 100 });
    assert.equal(run(p, 0), 'scaled');
    assert.match(findGroup(s, 'simple')!.BerthCause!, /^At 1970-01-01T00:00:00Z a monitor alarm a in state ALARM triggered policy plus1 changing the desired capacity from 1 to 2\.$/);
    assert.equal(run(p, 50_000), 'cooldown');
    assert.equal(run(p, 50_000, { honorCooldown: false, by: 'user' }), 'scaled');
    assert.equal(desired('simple'), 3);
    assert.match(findGroup(s, 'simple')!.BerthCause!, /a user request executed policy plus1 changing the desired capacity from 2 to 3\.$/);
    assert.equal(run(p, 151_000), 'scaled');
    assert.equal(desired('simple'), 4);
    assert.equal(run(p, 400_000), 'unchanged', 'at the max');
  });

  it('target tracking sizes by capacity × metric ÷ target, the low alarm only in, DisableScaleIn honoured', () => {
    group('tt', 1, 10, 2);
    const p = policy({
      AutoScalingGroupName: 'tt', PolicyName: 'tt', PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 0,
      TargetTrackingConfiguration: { TargetValue: 50, CustomizedMetricSpecification: { MetricName: 'm', Namespace: 'n', Statistic: 'Average' } },
    });
    const high = 'TargetTracking-tt-AlarmHigh-00000000-0000-0000-0000-000000000000';
    const low = 'TargetTracking-tt-AlarmLow-00000000-0000-0000-0000-000000000000';
    assert.equal(run(p, 0, { alarmName: high, value: 80 }), 'scaled');
    assert.equal(desired('tt'), 4);
    assert.equal(run(p, 1_000, { alarmName: low, value: 20 }), 'scaled');
    assert.equal(desired('tt'), 2);
    const off = policy({
      AutoScalingGroupName: 'tt', PolicyName: 'off', PolicyType: 'TargetTrackingScaling', EstimatedInstanceWarmup: 0,
      TargetTrackingConfiguration: { ...p.TargetTrackingConfiguration!, DisableScaleIn: true },
    });
    assert.equal(run(off, 2_000, { alarmName: low, value: 10 }), 'unchanged');
    assert.equal(desired('tt'), 2);
    assert.ok(published.includes('000000000000/us-east-1/tt'));
  });
});
