/**
 * The CloudWatch alarm actions Berth carries out: Application Auto Scaling policy ARNs run the policy (its
 * capacity change goes through ECS's desired-count path, and the service's change is told to the scheduler once
 * the evaluator's transaction commits); users' EC2 Auto Scaling policies (PutScalingPolicy) change their group's
 * desired capacity, and so do those ECS managed scaling owns (capacity-provider-scaling.ts); every other action is
 * recorded only (SNS).
 */
import { RECORD_ONLY, type AlarmActionInvoker } from '../services/cloudwatch/index.js';
import { executePolicy, isApplicationScalingPolicy, type ScalingEnv } from '../services/application-auto-scaling/index.js';
import { executeGroupPolicy, isGroupPolicy } from '../services/auto-scaling/index.js';
import type { Clock } from '../shared/clock.js';
import { managedScalingInvoker } from './capacity-provider-scaling.js';
import type { ChangeFeed } from '../state/change-feed.js';

export interface ScalingDeps {
  clock: Clock;
  changes: ChangeFeed;
  metricsPeriod: number;
}

/** How scaling tells the rest of Berth what it changed: after the caller's (synchronous) transaction has committed. */
export function scalingEnv(d: ScalingDeps): ScalingEnv {
  return {
    now: d.clock.now(),
    metricsPeriod: d.metricsPeriod,
    changed: (kind, key) => queueMicrotask(() => d.changes.publish(kind, key)),
  };
}

export function scalingActionInvoker(d: ScalingDeps): AlarmActionInvoker {
  const groupPolicies: AlarmActionInvoker = {
    invoke(sql, action) {
      if (isGroupPolicy(sql, action.action)) return executeGroupPolicy(sql, action, { ...scalingEnv(d), now: action.at });
      return RECORD_ONLY.invoke(sql, action);
    },
  };
  // ECS's managed-scaling policies are group policies too (DescribePolicies lists them): their provider runs them first.
  const managed = managedScalingInvoker(d, groupPolicies);
  return {
    invoke(sql, action) {
      if (isApplicationScalingPolicy(action.action)) return executePolicy(sql, action, { ...scalingEnv(d), now: action.at });
      return managed.invoke(sql, action);
    },
  };
}
