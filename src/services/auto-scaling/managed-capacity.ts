/**
 * The scaling ECS managed scaling asks of a group (through the target-tracking policy it owns on it): a new
 * desired capacity within the step sizes and the group's min and max, and scale-in protection for the instances
 * that hold tasks (managed termination protection). Both go through the group's record, so the group controller
 * converges on them as on SetDesiredCapacity / SetInstanceProtection.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html
 */
import type { Scope } from '../../state/scope.js';
import { findGroup, groupKey, saveGroup, type StoredGroup } from './store.js';

export interface StepSizes {
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
}

/** A managed-scaling policy's ARN, in EC2 Auto Scaling's form. */
export const managedPolicyArn = (account: string, region: string, group: string, id: string, name: string) =>
  `arn:aws:autoscaling:${region}:${account}:scalingPolicy:${id}:autoScalingGroupName/${group}:policyName/${name}`;

export const isAutoScalingPolicyArn = (arn: string) => /^arn:aws[-a-z]*:autoscaling:[^:]*:\d+:scalingPolicy:[^:]+:autoScalingGroupName\//.test(arn);

/**
 * Moves the group toward `wanted` instances: out in one step of at least the minimum and at most the maximum step
 * size (AWS: "the minimum/maximum number of Amazon EC2 instances that Amazon ECS will scale out at one time"), in
 * straight to it, inside [MinSize, MaxSize].
 * Returns the capacity before and after, or undefined when the group is gone or being deleted.
 */
export function stepDesiredCapacity(s: Scope & { changed: (kind: 'autoscaling.group', key: string) => void }, name: string, wanted: number, steps: StepSizes): { from: number; to: number } | undefined {
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
    g.DesiredCapacity = to;
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
 * AWS puts a termination lifecycle hook on the group (`ecs-managed-draining-termination-hook`) so that an instance the
 * group takes out of service waits in `Terminating:Wait` while ECS drains it, and ECS then lets it go on. Berth keeps
 * the hook as a mark on the group's record, set while an ACTIVE capacity provider with managed draining uses it.
 */
export const MANAGED_DRAINING_HOOK = 'ecs-managed-draining-termination-hook';

type DrainingGroup = StoredGroup & { berthManagedDraining?: boolean };

/** Whether an instance this group takes out of service waits for ECS to drain it first. */
export const drainsBeforeTermination = (g: StoredGroup) => !!(g as DrainingGroup).berthManagedDraining;

/** Sets or clears the group's managed-draining mark (the capacity provider's `managedDraining`). */
export function setManagedDraining(s: Scope, name: string, on: boolean): void {
  const g = findGroup(s, name) as DrainingGroup | undefined;
  if (!g || !!g.berthManagedDraining === on) return;
  if (on) g.berthManagedDraining = true;
  else delete g.berthManagedDraining;
  // Without the hook, the instances it held go on terminating.
  if (!on) for (const i of g.Instances ?? []) if (i.LifecycleState === 'Terminating:Wait') i.LifecycleState = 'Terminating:Proceed';
  saveGroup(s, g);
}

/** The group's instances waiting in Terminating:Wait for ECS to drain them. */
export function instancesAwaitingDrain(s: Scope, name: string): string[] {
  return (findGroup(s, name)?.Instances ?? []).filter((i) => i.LifecycleState === 'Terminating:Wait').map((i) => i.InstanceId!);
}

/** ECS has drained the instance: the group terminates it (CompleteLifecycleAction CONTINUE). */
export function proceedTermination(s: Scope & { changed: (kind: 'autoscaling.group', key: string) => void }, name: string, instanceId: string): void {
  const g = findGroup(s, name);
  const m = g?.Instances?.find((i) => i.InstanceId === instanceId);
  if (!g || m?.LifecycleState !== 'Terminating:Wait') return;
  m.LifecycleState = 'Terminating:Proceed';
  saveGroup(s, g);
  s.changed('autoscaling.group', groupKey(s.account, s.region, name));
}
