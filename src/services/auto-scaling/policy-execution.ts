/**
 * Running an EC2 Auto Scaling policy: when an alarm naming it is in ALARM (CloudWatch re-invokes scaling actions each
 * period while it stays there, as AWS does) or on ExecutePolicy. The new desired capacity is clamped to the group's
 * min and max and recorded with its cause; the group controller then launches or terminates, and the activities
 * say why ("At … a monitor alarm <alarm> in state ALARM triggered policy <policy> changing the desired capacity from 1
 * to 3.").
 *
 * - SimpleScaling: ScalingAdjustment by AdjustmentType, then the group waits the policy's Cooldown (else the group's
 *   DefaultCooldown) before a simple policy scales it again.
 * - StepScaling: the step whose bounds hold the breach (metric − alarm threshold). While instances it launched are
 *   warming up (EstimatedInstanceWarmup, else the group's DefaultInstanceWarmup, else DefaultCooldown), the capacity they
 *   added counts: the same step again adds nothing, a larger one only the difference; scale-in waits for the warm-up.
 * - TargetTrackingScaling: capacity × metric ÷ target, rounded up (its high alarm scales out, its low one in), with
 *   the same warm-up rule; DisableScaleIn honoured.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-simple-step.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
 */
import { isHighAlarm, type AlarmAction } from '../cloudwatch/index.js';
import { adjusted, alarmReading, stepFor } from '../../shared/step-scaling.js';
import type { ChangeKind } from '../../state/change-feed.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { causeTime } from './activities.js';
import { policyByArn, saveCooldowns, type Cooldowns, type PolicyDoc } from './policy-store.js';
import { findGroup, groupKey, saveGroup, setDesired } from './store.js';

/** What a run needs beyond the state: real time, the compression, and where changes are told. */
export interface GroupScalingEnv {
  /** Real epoch ms. */
  now: number;
  /** Real seconds per CloudWatch minute: cooldowns and warm-ups run on it. */
  metricsPeriod: number;
  changed(kind: ChangeKind, key: string): void;
}

export interface Trigger {
  by: 'alarm' | 'user';
  alarmName?: string;
  value?: number;
  threshold?: number;
  comparison?: string;
  honorCooldown: boolean;
}

const DEFAULT_COOLDOWN = 300;

/**
 * Runs one policy against its group (in the caller's transaction). Returns what happened: `scaled`, `cooldown`
 * (a simple policy's group is cooling down), or `unchanged` (nothing to do, warming up, disabled, no step).
 */
export function runGroupPolicy(s: Scope, p: PolicyDoc, cd: Cooldowns, t: Trigger, env: GroupScalingEnv): 'scaled' | 'cooldown' | 'unchanged' | 'no-group' {
  const g = findGroup(s, p.AutoScalingGroupName);
  if (!g || g.Status) return 'no-group';
  if (p.Enabled === false) return 'unchanged';
  const scale = env.metricsPeriod / 60;
  const realMs = (seconds: number) => seconds * 1000 * scale;
  const since = (at: number | undefined) => (at === undefined ? Infinity : env.now - at);
  const capacity = g.DesiredCapacity ?? 0;
  const warmup = realMs(p.EstimatedInstanceWarmup ?? g.DefaultInstanceWarmup ?? g.DefaultCooldown ?? DEFAULT_COOLDOWN);
  let wanted: number | undefined;
  // While what the last scale-out launched warms up, a step or target-tracking policy counts from the capacity before
  // it (the warming instances' capacity already answers the breach): the same result again adds nothing.
  const warming = p.PolicyType !== 'SimpleScaling' && since(cd.outAt) < warmup && cd.outFrom !== undefined;
  const base = warming ? cd.outFrom! : capacity;
  if (p.PolicyType === 'SimpleScaling') {
    if (t.honorCooldown && g.BerthCooldownUntil !== undefined && env.now < g.BerthCooldownUntil) return 'cooldown';
    wanted = adjusted(capacity, p.AdjustmentType, p.ScalingAdjustment ?? 0, p.MinAdjustmentMagnitude);
  } else if (p.PolicyType === 'StepScaling') {
    if (t.value === undefined || t.threshold === undefined) return 'unchanged';
    const step = stepFor(p.StepAdjustments ?? [], t.value - t.threshold, t.comparison);
    if (!step) return 'unchanged';
    wanted = adjusted(base, p.AdjustmentType, step.ScalingAdjustment ?? 0, p.MinAdjustmentMagnitude);
  } else if (p.PolicyType === 'TargetTrackingScaling') {
    const c = p.TargetTrackingConfiguration!;
    const out = isHighAlarm(t.alarmName ?? '');
    if ((!out && c.DisableScaleIn) || t.value === undefined) return 'unchanged';
    const proportional = Math.ceil((base * t.value) / c.TargetValue!);
    wanted = out ? Math.max(proportional, base === 0 ? 1 : proportional) : Math.min(proportional, capacity);
  } else return 'unchanged';
  const target = Math.min(Math.max(wanted, g.MinSize ?? 0), g.MaxSize ?? 0);
  if (target === capacity) return 'unchanged';
  const out = target > capacity;
  // While instances warm up only a larger result scales out, and nothing scales in.
  if (p.PolicyType !== 'SimpleScaling' && since(cd.outAt) < warmup && (!out || target <= (cd.outTo ?? 0))) return 'unchanged';
  const why = t.by === 'alarm'
    ? `At ${causeTime(env.now)} a monitor alarm ${t.alarmName} in state ALARM triggered policy ${p.PolicyName}`
    : `At ${causeTime(env.now)} a user request executed policy ${p.PolicyName}`;
  setDesired(g, target, why);
  if (p.PolicyType === 'SimpleScaling') g.BerthCooldownUntil = env.now + realMs(p.Cooldown ?? g.DefaultCooldown ?? DEFAULT_COOLDOWN);
  saveGroup(s, g);
  env.changed('autoscaling.group', groupKey(s.account, s.region, g.AutoScalingGroupName));
  // A scale-out during a warm-up keeps the capacity the one that began it started from.
  saveCooldowns(s.sql, p.PolicyARN, out ? { outAt: env.now, outTo: target, outFrom: warming ? base : capacity } : { ...cd, inAt: env.now });
  return 'scaled';
}

/** EC2 Auto Scaling policies of one's own (not ECS managed scaling's, which its capacity provider keeps). */
export function isGroupPolicy(sql: Statements, arn: string): boolean {
  return !!policyByArn(sql, arn);
}

/**
 * Carries out an alarm action naming a stored policy (the CloudWatch evaluator's invoker; in its transaction):
 * what the alarm's history says. Simple policies wait for their group's cooldown, as alarms' invocations do.
 */
export function executeGroupPolicy(sql: Statements, a: AlarmAction, env: GroupScalingEnv): { ok: boolean; summary: string } {
  const found = policyByArn(sql, a.action);
  if (!found) return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "No scaling policy found for the ARN."` };
  const ok = { ok: true, summary: `Successfully executed action ${a.action}` };
  if (a.state !== 'ALARM') return ok;
  const r = alarmReading(a.reasonData);
  const s = { sql, ...found.scope };
  const result = runGroupPolicy(s, found.policy, found.cooldowns, {
    by: 'alarm', alarmName: a.alarmName, value: r?.value, threshold: r?.threshold, comparison: a.comparisonOperator, honorCooldown: true,
  }, env);
  if (result === 'no-group') return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "AutoScalingGroup ${found.policy.AutoScalingGroupName} not found"` };
  return ok;
}
