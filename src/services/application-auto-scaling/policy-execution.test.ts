/**
 * A policy's decision when its alarm is in ALARM, against a stored ECS service: target tracking's proportion, step
 * scaling's steps and percent rounding, cooldowns, ECS's rules (range first, no scale-in mid-deployment), and
 * namespaces Berth does not act on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '@aws-sdk/client-ecs';
import { openDb, Statements } from '../../state/db.js';
import { findService, insertService } from '../ecs/store/index.js';
import type { AlarmAction } from '../cloudwatch/index.js';
import { executePolicy } from './policy-execution.js';
import { listActivities, savePolicy, saveTarget, type PolicyDoc, type TargetDoc } from './store.js';

const S = { account: '000000000000', region: 'us-east-1' };
const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const KEY = { ServiceNamespace: 'ecs', ResourceId: 'service/c/web', ScalableDimension: 'ecs:service:DesiredCount' };
const POLICY_ARN = 'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:11111111-2222-3333-4444-555555555555:resource/ecs/service/c/web:policyName/p';
const HIGH = 'TargetTracking-service/c/web-AlarmHigh-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const LOW = 'TargetTracking-service/c/web-AlarmLow-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function setup(opts: { running: number; desired?: number; min?: number; max?: number; policy: Partial<PolicyDoc>; key?: typeof KEY; deploying?: boolean }) {
  const sql = new Statements(openDb(':memory:'));
  const scope = { sql, ...S };
  const key = opts.key ?? KEY;
  const service: Service = {
    serviceName: 'web', serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/web', clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/c',
    status: 'ACTIVE', desiredCount: opts.desired ?? opts.running, runningCount: opts.running,
    deployments: [{ id: 'ecs-svc/1', status: 'PRIMARY', desiredCount: opts.desired ?? opts.running, rolloutState: opts.deploying ? 'IN_PROGRESS' : 'COMPLETED' }],
  };
  insertService(scope, 'c', service);
  const target: TargetDoc = {
    ...key, ScalableTargetARN: 'arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target/x', MinCapacity: opts.min ?? 1, MaxCapacity: opts.max ?? 10,
    RoleARN: 'r', CreationTime: T0, SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
  };
  saveTarget(scope, target);
  savePolicy(scope, { ...key, PolicyARN: POLICY_ARN, PolicyName: 'p', PolicyType: 'TargetTrackingScaling', Alarms: [], CreationTime: T0, ...opts.policy } as PolicyDoc);
  const changed: string[] = [];
  /** The alarm `name` in ALARM with `value` its newest datapoint against `threshold`, at T0 + `s` real seconds (metric period 60). */
  const fire = (name: string, value: number, threshold: number, s = 0, comparisonOperator?: string) => {
    const action: AlarmAction = {
      ...S, alarmName: name, alarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`, state: 'ALARM', action: POLICY_ARN, reason: 'r',
      reasonData: JSON.stringify({ recentDatapoints: [value], threshold }), comparisonOperator, at: T0 + s * 1000, repeat: false,
    };
    return executePolicy(sql, action, { now: T0 + s * 1000, metricsPeriod: 60, changed: (kind, k) => changed.push(`${kind} ${k}`) });
  };
  const desired = () => findService(scope, 'c', 'web')!.service.desiredCount;
  const setRunning = (n: number) => {
    const row = findService(scope, 'c', 'web')!;
    row.service.runningCount = n;
    sql.get('UPDATE ecs_services SET doc = ? WHERE arn = ?').run(JSON.stringify(row.service), row.arn);
  };
  return { sql, scope, fire, desired, setRunning, changed, activities: (all = true) => listActivities(scope, key.ServiceNamespace, all) };
}

const TT = (c: Record<string, unknown> = {}) => ({ PolicyType: 'TargetTrackingScaling', TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, ...c } });
const STEP = (c: Record<string, unknown>) => ({ PolicyType: 'StepScaling', StepScalingPolicyConfiguration: { Cooldown: 0, ...c } });

describe('a scaling policy run by its alarm', () => {
  it('target tracking scales out to ceil(running × metric ÷ target) and tells ECS', () => {
    const t = setup({ running: 3, policy: TT() });
    assert.deepEqual(t.fire(HIGH, 70, 50), { ok: true, summary: `Successfully executed action ${POLICY_ARN}` });
    assert.equal(t.desired(), 5); // ceil(3 × 70 / 50 = 4.2)
    assert.deepEqual(t.changed, ['ecs.service arn:aws:ecs:us-east-1:000000000000:service/c/web']);
    const [a] = t.activities();
    assert.deepEqual([a.Description, a.Cause, a.StatusCode], ['Setting desired count to 5.', `monitor alarm ${HIGH} in state ALARM triggered policy p`, 'Successful']);
  });

  it('during the scale-out cooldown capacity already added counts; only a larger result adds more', () => {
    const t = setup({ running: 2, policy: TT({ ScaleOutCooldown: 300 }) });
    t.fire(HIGH, 100, 50, 0);
    assert.equal(t.desired(), 4);
    t.fire(HIGH, 100, 50, 60); // still 2 running: 4 again, already added
    assert.equal(t.desired(), 4);
    t.setRunning(4);
    t.fire(HIGH, 100, 50, 120); // 4 × 2 = 8 > 4
    assert.equal(t.desired(), 8);
  });

  it('scale-in waits for its cooldown and a scale-out\'s; DisableScaleIn never scales in', () => {
    const t = setup({ running: 8, policy: TT({ ScaleInCooldown: 300, ScaleOutCooldown: 300 }) });
    t.fire(LOW, 20, 45, 0);
    assert.equal(t.desired(), 4); // ceil(8 × 20 / 50 = 3.2)
    t.setRunning(4);
    t.fire(LOW, 10, 45, 100);
    assert.equal(t.desired(), 4, 'in the scale-in cooldown');
    t.fire(LOW, 10, 45, 301);
    assert.equal(t.desired(), 1);
    const off = setup({ running: 8, policy: TT({ DisableScaleIn: true }) });
    off.fire(LOW, 10, 45);
    assert.equal(off.desired(), 8);
  });

  it('ECS: no scale-in while a deployment is in progress; min and max bound the result, with not-scaled activities', () => {
    const t = setup({ running: 6, deploying: true, policy: TT({ ScaleInCooldown: 0 }) });
    t.fire(LOW, 10, 45);
    assert.equal(t.desired(), 6);
    const max = setup({ running: 3, max: 3, policy: TT() });
    max.fire(HIGH, 100, 50);
    assert.equal(max.desired(), 3);
    assert.deepEqual(max.activities()[0].NotScaledReasons, [{ Code: 'AlreadyAtMaxCapacity', CurrentCapacity: 3, MaxCapacity: 3 }]);
    max.fire(HIGH, 100, 50, 60);
    assert.equal(max.activities().length, 1, 'the same not-scaled activity is not repeated each period');
    assert.equal(max.activities(false).length, 0);
    // A desired count below min is raised to min first.
    const low = setup({ running: 1, desired: 1, min: 4, policy: TT() });
    low.fire(HIGH, 60, 50);
    assert.equal(low.desired(), 4);
  });

  it('step scaling picks the step holding the breach; percent changes round as AWS does with MinAdjustmentMagnitude', () => {
    const steps = [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 10, ScalingAdjustment: 4 }];
    const small = setup({ running: 2, policy: STEP({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: steps }) });
    small.fire('custom', 105, 100);
    assert.equal(small.desired(), 3);
    const big = setup({ running: 2, policy: STEP({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: steps }) });
    big.fire('custom', 110, 100);
    assert.equal(big.desired(), 6);
    const pct = setup({ running: 3, policy: STEP({ AdjustmentType: 'PercentChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 10 }] }) });
    pct.fire('custom', 101, 100);
    assert.equal(pct.desired(), 4, '3 × 10 % = 0.3 → 1');
    const mag = setup({ running: 3, policy: STEP({ AdjustmentType: 'PercentChangeInCapacity', MinAdjustmentMagnitude: 2, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 10 }] }) });
    mag.fire('custom', 101, 100);
    assert.equal(mag.desired(), 5);
    const cut = setup({ running: 9, policy: STEP({ AdjustmentType: 'PercentChangeInCapacity', StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -50 }] }) });
    cut.fire('custom', 1, 10);
    assert.equal(cut.desired(), 5, '9 × −50 % = −4.5 → −4');
    const exact = setup({ running: 9, policy: STEP({ AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 2 }] }) });
    exact.fire('custom', 1, 10);
    assert.equal(exact.desired(), 2);
  });

  it('step bounds: above the threshold lower inclusive and upper exclusive, below it the other way round; at it, the alarm\'s side', () => {
    const inSteps = [{ MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }, { MetricIntervalUpperBound: -10, ScalingAdjustment: -3 }];
    const fire = (value: number, threshold: number, op: string, steps: unknown[], running = 6) => {
      const t = setup({ running, policy: STEP({ AdjustmentType: 'ChangeInCapacity', StepAdjustments: steps }) });
      t.fire('custom', value, threshold, 0, op);
      return t.desired();
    };
    assert.equal(fire(40, 50, 'LessThanThreshold', inSteps), 3, '−10 is in (−∞, −10], not (−10, 0]');
    assert.equal(fire(41, 50, 'LessThanThreshold', inSteps), 5);
    assert.equal(fire(50, 50, 'LessThanOrEqualToThreshold', inSteps), 5, '0 is in (−10, 0]');
    const outSteps = [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 }];
    assert.equal(fire(60, 50, 'GreaterThanThreshold', outSteps, 1), 4, '10 is in [10, ∞)');
    assert.equal(fire(50, 50, 'GreaterThanOrEqualToThreshold', outSteps, 1), 2, '0 is in [0, 10)');
    const exact = setup({ running: 4, policy: STEP({ AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }] }) });
    exact.fire('queue-empty', 0, 0, 0, 'LessThanOrEqualToThreshold');
    assert.equal(exact.desired(), 1, 'an empty queue at a threshold of 0');
  });

  it('a step policy in its scale-out cooldown counts what the initiating scale-out added: the same step adds nothing, a larger one the difference', () => {
    const steps = [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 50, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 50, ScalingAdjustment: 3 }];
    const t = setup({ running: 1, policy: STEP({ AdjustmentType: 'ChangeInCapacity', Cooldown: 300, StepAdjustments: steps }) });
    t.fire('custom', 130, 100, 0);
    assert.equal(t.desired(), 2);
    t.setRunning(2);
    t.fire('custom', 130, 100, 60);
    assert.equal(t.desired(), 2, 'the same step again, its task already running: nothing more');
    t.fire('custom', 190, 100, 120);
    assert.equal(t.desired(), 4, 'a step of 3 from the 1 the cooldown began at');
    t.setRunning(4);
    t.fire('custom', 190, 100, 180);
    assert.equal(t.desired(), 4);
    t.fire('custom', 190, 100, 421);
    assert.equal(t.desired(), 7, 'after the cooldown, from the running count again');
  });

  it('a namespace Berth does not act on gets a Failed activity saying so', () => {
    const key = { ServiceNamespace: 'dynamodb', ResourceId: 'table/t', ScalableDimension: 'dynamodb:table:ReadCapacityUnits' };
    const t = setup({ running: 1, key, policy: TT() });
    t.fire('TargetTracking-table/t-AlarmHigh-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 90, 50);
    const [a] = t.activities();
    assert.equal(a.StatusCode, 'Failed');
    assert.match(a.StatusMessage!, /^Berth cannot act on dynamodb scalable targets/);
  });
});
