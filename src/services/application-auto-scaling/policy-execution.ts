/**
 * What a scaling policy does when its alarm is in ALARM (CloudWatch re-invokes it each period while the alarm
 * stays there, as AWS does): compute the new capacity, clamp it to the target's range, respect cooldowns and
 * suspensions, and change the ECS service's desired count, recording the activity.
 *
 * - Target tracking: capacity × metric ÷ target, rounded up (the high alarm scales out, the low one in).
 *   https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
 * - Step scaling: the step whose bounds hold the breach (metric − alarm threshold); ChangeInCapacity,
 *   PercentChangeInCapacity (with MinAdjustmentMagnitude) or ExactCapacity.
 *   https://docs.aws.amazon.com/autoscaling/application/userguide/step-scaling-policy-overview.html
 * - ECS: scaling starts from the running count; a desired count outside [min, max] is brought inside first;
 *   scale-in waits while a deployment is in progress.
 */
import type { Statements } from '../../state/db.js';
import { deploying, ecsCapacity, failed, notScaled, setEcsDesired, type ScalingEnv } from './capacity.js';
import { getTarget, policyByArn, saveCooldowns, type Cooldowns, type PolicyDoc } from './store.js';
import { isHighAlarm, type AlarmAction } from '../cloudwatch/index.js';
import { adjusted, alarmReading, stepFor } from '../../shared/step-scaling.js';

/** Application Auto Scaling policy ARNs (EC2 Auto Scaling's name an autoScalingGroupName instead of a resource). */
export const isApplicationScalingPolicy = (arn: string) => /^arn:[^:]+:autoscaling:[^:]*:[^:]*:scalingPolicy:[^:]+:resource\//.test(arn);

/** Default cooldown (seconds) for ECS and most namespaces; DynamoDB and Keyspaces use 0. */
const defaultCooldown = (namespace: string) => (namespace === 'dynamodb' || namespace === 'cassandra' ? 0 : 300);

/**
 * The capacity a step policy asks for, or undefined when no step holds the breach (metric − threshold), as
 * shared/step-scaling.ts reads the steps (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html).
 */
function stepCapacity(p: PolicyDoc, capacity: number, breach: number, comparison: string | undefined): number | undefined {
  const c = p.StepScalingPolicyConfiguration!;
  const step = stepFor(c.StepAdjustments ?? [], breach, comparison);
  return step ? adjusted(capacity, c.AdjustmentType, step.ScalingAdjustment ?? 0, c.MinAdjustmentMagnitude) : undefined;
}

/** Runs the policy an alarm action names (inside the evaluator's transaction); returns what the alarm's history says. */
export function executePolicy(sql: Statements, a: AlarmAction, env: ScalingEnv): { ok: boolean; summary: string } {
  const ok = { ok: true, summary: `Successfully executed action ${a.action}` };
  const found = policyByArn(sql, a.action);
  if (!found) return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "No scaling policy found for the ARN."` };
  if (a.state !== 'ALARM') return ok;
  const s = { sql, ...found.scope };
  const p = found.policy;
  const t = getTarget(s, p);
  if (!t) return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "No scalable target registered for the policy."` };
  const cause = `monitor alarm ${a.alarmName} in state ALARM triggered policy ${p.PolicyName}`;
  const now = ecsCapacity(s, t);
  if ('error' in now) {
    failed(s, t, cause, now.error, env);
    return ok;
  }
  const r = alarmReading(a.reasonData);
  if (!r) return ok;
  const capacity = now.running;
  const scale = env.metricsPeriod / 60;
  const cd: Cooldowns = found.cooldowns;
  const since = (at: number | undefined) => (at === undefined ? Infinity : (env.now - at) / (1000 * scale));
  let wanted: number | undefined;
  let cooldownSeconds: { out: number; in: number };
  /** What a step applies to: during a step policy's scale-out cooldown, the capacity the initiating scale-out started from. */
  let base = capacity;
  if (p.PolicyType === 'TargetTrackingScaling') {
    const c = p.TargetTrackingScalingPolicyConfiguration!;
    const out = isHighAlarm(a.alarmName);
    if (!out && c.DisableScaleIn) return ok;
    const proportional = Math.ceil((capacity * r.value) / c.TargetValue);
    wanted = out ? Math.max(proportional, capacity === 0 ? 1 : proportional) : Math.min(proportional, capacity);
    cooldownSeconds = { out: c.ScaleOutCooldown ?? defaultCooldown(t.ServiceNamespace), in: c.ScaleInCooldown ?? defaultCooldown(t.ServiceNamespace) };
  } else if (p.PolicyType === 'StepScaling') {
    const seconds = p.StepScalingPolicyConfiguration!.Cooldown ?? defaultCooldown(t.ServiceNamespace);
    cooldownSeconds = { out: seconds, in: seconds };
    // "The capacity that has been added by the previous scale out event that initiated the cooldown is calculated as
    // part of the desired capacity for the next scale out": the same step again adds nothing, a larger one the difference.
    // https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html
    if (since(cd.outAt) < seconds && cd.outFrom !== undefined) base = cd.outFrom;
    wanted = stepCapacity(p, base, r.value - r.threshold, a.comparisonOperator);
  } else return ok;
  if (wanted === undefined) return ok;
  // ECS: a desired count outside the range is brought inside first; the result is clamped to it.
  const desired = Math.min(Math.max(now.desired, t.MinCapacity), t.MaxCapacity);
  const target = Math.min(Math.max(wanted, t.MinCapacity), t.MaxCapacity);
  const out = target > desired || (wanted > capacity && target >= desired);
  if (out ? t.SuspendedState.DynamicScalingOutSuspended : t.SuspendedState.DynamicScalingInSuspended) return ok;

  if (out) {
    // During a scale-out cooldown the capacity already added counts: only a larger result adds more.
    if (since(cd.outAt) < cooldownSeconds.out && target <= Math.max(desired, cd.outTo ?? 0)) return ok;
  } else {
    if (since(cd.inAt) < cooldownSeconds.in || since(cd.outAt) < cooldownSeconds.out) return ok;
    if (target < desired && deploying(now.service)) return ok;
  }
  if (target === now.desired) {
    const code = wanted > t.MaxCapacity && target === t.MaxCapacity ? 'AlreadyAtMaxCapacity'
      : wanted < t.MinCapacity && target === t.MinCapacity ? 'AlreadyAtMinCapacity' : 'AlreadyAtDesiredCapacity';
    notScaled(s, t, wanted, now.desired, code, cause, env);
    return ok;
  }
  setEcsDesired(s, t, now.service, target, cause, env);
  // A scale-out interrupts a scale-in cooldown; a scale-in starts its own.
  // A scale-out within a scale-out cooldown keeps the capacity the initiating one started from.
  saveCooldowns(sql, p.PolicyARN, out ? { outAt: env.now, outTo: target, outFrom: base } : { ...cd, inAt: env.now });
  return ok;
}
