/**
 * The scaling ECS managed scaling asks of a group (through the target-tracking policy it owns on it): a new
 * desired capacity within the step sizes and the group's min and max, and scale-in protection for the instances
 * that hold tasks (managed termination protection). Both go through the group's record, so the group controller
 * converges on them as on SetDesiredCapacity / SetInstanceProtection.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html
 */
import type { OwnedAlarm } from '../cloudwatch/index.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { causeTime } from './activities.js';
import { policyByArn, savePolicy, type PolicyDoc } from './policy-store.js';
import { completeHeldAction, heartbeatHeldAction, hooksOf, instancesHeldBy, putOwnedHook, removeHook, TERMINATING } from './lifecycle-hooks.js';
import { findGroup, groupKey, saveGroup, setDesired, type StoredGroup } from './store.js';

export interface StepSizes {
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
}

/** A managed-scaling policy's ARN, in EC2 Auto Scaling's form. */
export const managedPolicyArn = (account: string, region: string, group: string, id: string, name: string) =>
  `arn:aws:autoscaling:${region}:${account}:scalingPolicy:${id}:autoScalingGroupName/${group}:policyName/${name}`;

export const isAutoScalingPolicyArn = (arn: string) => /^arn:aws[-a-z]*:autoscaling:[^:]*:\d+:scalingPolicy:[^:]+:autoScalingGroupName\//.test(arn);

/** What ECS asks of the group's managed-scaling policy. */
export interface ManagedPolicySpec {
  group: string;
  name: string;
  arn: string;
  capacityProvider: string;
  cluster: string;
  /** `targetCapacity`. */
  target: number;
  /** `instanceWarmupPeriod` (seconds). */
  warmup: number;
  alarms: OwnedAlarm[];
}

/**
 * Puts ECS's managed-scaling policy on the group as a policy record of its own, so DescribePolicies lists it as AWS
 * does: target tracking on `AWS/ECS/ManagedScaling` `CapacityProviderReservation` (a customized metric, Average, by
 * provider and cluster), `EstimatedInstanceWarmup` the provider's warm-up. Its capacity provider carries it out.
 */
export function putManagedPolicy(s: Scope, spec: ManagedPolicySpec): void {
  if (!findGroup(s, spec.group)) return;
  const doc: PolicyDoc = {
    AutoScalingGroupName: spec.group, PolicyName: spec.name, PolicyARN: spec.arn, PolicyType: 'TargetTrackingScaling', StepAdjustments: [],
    EstimatedInstanceWarmup: spec.warmup, Alarms: spec.alarms,
    TargetTrackingConfiguration: {
      CustomizedMetricSpecification: {
        MetricName: 'CapacityProviderReservation', Namespace: 'AWS/ECS/ManagedScaling', Statistic: 'Average',
        Dimensions: [{ Name: 'CapacityProviderName', Value: spec.capacityProvider }, { Name: 'ClusterName', Value: spec.cluster }],
      },
      TargetValue: spec.target, DisableScaleIn: false,
    },
    Enabled: true,
  };
  // A re-made policy (new target, warm-up or cluster) keeps its name: it replaces its row.
  savePolicy(s, doc);
}

/** Removes the managed-scaling policy's record (its owner deletes the alarms). */
export function removeManagedPolicy(s: Scope, arn: string): void {
  s.sql.get('DELETE FROM autoscaling_policies WHERE account = ? AND region = ? AND arn = ?').run(s.account, s.region, arn);
}

/** Whether the managed-scaling policy is still on the group and enabled (a user may delete it or put it `--no-enabled`). */
export function managedPolicyActive(sql: Statements, arn: string): boolean {
  const found = policyByArn(sql, arn);
  return !!found && found.policy.Enabled !== false;
}

/**
 * Moves the group toward `wanted` instances: out in one step of at least the minimum and at most the maximum step
 * size (AWS: "the minimum/maximum number of Amazon EC2 instances that Amazon ECS will scale out at one time"), in
 * straight to it, inside [MinSize, MaxSize].
 * Returns the capacity before and after, or undefined when the group is gone or being deleted.
 */
export function stepDesiredCapacity(
  s: Scope & { changed: (kind: 'autoscaling.group', key: string) => void }, name: string, wanted: number, steps: StepSizes,
  cause?: { at: number; alarm: string; policy: string },
): { from: number; to: number } | undefined {
  const g = findGroup(s, name);
  if (!g || g.Status) return undefined;
  const from = g.DesiredCapacity ?? 0;
  const delta = wanted - from;
  if (!delta) return { from, to: from };
  // The step sizes bound scale-out only: "The scale in process is not affected by this parameter."
  // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html)
  const size = delta > 0 ? Math.min(Math.max(delta, steps.minimumScalingStepSize), steps.maximumScalingStepSize) : -delta;
  const to = Math.min(Math.max(from + Math.sign(delta) * size, g.MinSize ?? 0), g.MaxSize ?? 0);
  if (to !== from) {
    // The activities tell it as for any target-tracking policy: "a monitor alarm … triggered policy …".
    if (cause) setDesired(g, to, `At ${causeTime(cause.at)} a monitor alarm ${cause.alarm} in state ALARM triggered policy ${cause.policy}`);
    else g.DesiredCapacity = to;
    saveGroup(s, g);
    s.changed('autoscaling.group', groupKey(s.account, s.region, name));
  }
  return { from, to };
}

/** Protects from scale-in exactly the group's instances that hold tasks (the others may go). */
export function protectBusyInstances(s: Scope, name: string, busy: Set<string>): void {
  const g = findGroup(s, name);
  if (!g) return;
  let changed = false;
  for (const i of g.Instances ?? []) {
    const want = busy.has(i.InstanceId!);
    if (!!i.ProtectedFromScaleIn !== want) {
      i.ProtectedFromScaleIn = want;
      changed = true;
    }
  }
  if (changed) saveGroup(s, g);
}

/**
 * ECS managed draining (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-instance-draining.html):
 * while an ACTIVE capacity provider with managed draining uses the group, it carries AWS's termination lifecycle hook
 * `ecs-managed-draining-termination-hook` (a real hook record: DescribeLifecycleHooks lists it). An instance the group
 * takes out of service then waits in `Terminating:Wait` for every termination hook — this one and the user's own —
 * and ECS completes this one (CONTINUE) once it has drained the instance, sending heartbeats until then.
 */
export const MANAGED_DRAINING_HOOK = 'ecs-managed-draining-termination-hook';

type Changed = { changed: (kind: 'autoscaling.group', key: string) => void };

/** Whether an instance this group takes out of service waits for ECS to drain it first. */
export const drainsBeforeTermination = (s: Scope, group: string) => hooksOf(s, group).some((h) => h.LifecycleHookName === MANAGED_DRAINING_HOOK);

/** Puts or removes the group's managed-draining hook (the capacity provider's `managedDraining`). */
export function setManagedDraining(s: Scope & Changed, name: string, on: boolean): void {
  const g = findGroup(s, name) as (StoredGroup & { berthManagedDraining?: boolean }) | undefined;
  if (!g) return;
  // Berth once kept the hook as a mark on the group's record: it is a hook record now.
  if (g.berthManagedDraining) {
    delete g.berthManagedDraining;
    saveGroup(s, g);
  }
  if (drainsBeforeTermination(s, name) === on) return;
  // AWS's hook: terminating, an hour's heartbeat, CONTINUE by default (ECS keeps it alive while it drains).
  if (on) putOwnedHook(s, name, { LifecycleHookName: MANAGED_DRAINING_HOOK, LifecycleTransition: TERMINATING, HeartbeatTimeout: 3600, DefaultResult: 'CONTINUE' });
  // Without the hook, the instances it held wait only for the user's hooks, if any.
  else removeHook(s, name, MANAGED_DRAINING_HOOK);
  s.changed('autoscaling.group', groupKey(s.account, s.region, name));
}

/** Every group carrying the managed-draining hook, by scope and name. */
export function groupsWithManagedDraining(sql: Statements): { account: string; region: string; name: string }[] {
  return sql.get('SELECT account, region, group_name AS name FROM autoscaling_lifecycle_hooks WHERE name = ?').all(MANAGED_DRAINING_HOOK) as { account: string; region: string; name: string }[];
}

/** The group's instances the managed-draining hook holds in Terminating:Wait until ECS has drained them. */
export function instancesAwaitingDrain(s: Scope, name: string): string[] {
  return instancesHeldBy(s, name, MANAGED_DRAINING_HOOK);
}

/** ECS is still draining the instance: its action's heartbeat (RecordLifecycleActionHeartbeat), so the hook's timeout does not let it go. */
export function stillDraining(s: Scope, name: string, instanceId: string, now: number, metricsPeriod: number): void {
  heartbeatHeldAction(s, name, MANAGED_DRAINING_HOOK, instanceId, now, metricsPeriod);
}

/** ECS has drained the instance: CompleteLifecycleAction CONTINUE for its hook; the group terminates it once no other hook holds it. */
export function proceedTermination(s: Scope & Changed, name: string, instanceId: string): void {
  if (completeHeldAction(s, name, MANAGED_DRAINING_HOOK, instanceId, 'CONTINUE')) s.changed('autoscaling.group', groupKey(s.account, s.region, name));
}
