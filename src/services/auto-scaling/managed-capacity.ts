/**
 * The scaling ECS managed scaling asks of a group (through the target-tracking policy it owns on it): a new
 * desired capacity within the step sizes and the group's min and max, and scale-in protection for the instances
 * that hold tasks (managed termination protection). Both go through the group's record, so the group controller
 * converges on them as on SetDesiredCapacity / SetInstanceProtection.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html
 */
import type { Scope } from '../../state/scope.js';
import { findGroup, groupKey, saveGroup } from './store.js';

export interface StepSizes {
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
}

/** A managed-scaling policy's ARN, in EC2 Auto Scaling's form. */
export const managedPolicyArn = (account: string, region: string, group: string, id: string, name: string) =>
  `arn:aws:autoscaling:${region}:${account}:scalingPolicy:${id}:autoScalingGroupName/${group}:policyName/${name}`;

export const isAutoScalingPolicyArn = (arn: string) => /^arn:aws[-a-z]*:autoscaling:[^:]*:\d+:scalingPolicy:[^:]+:autoScalingGroupName\//.test(arn);

/**
 * Moves the group toward `wanted` instances in one step of at least the minimum and at most the maximum step size
 * (AWS: "the minimum/maximum number of instances to scale out or in at one time"), inside [MinSize, MaxSize].
 * Returns the capacity before and after, or undefined when the group is gone or being deleted.
 */
export function stepDesiredCapacity(s: Scope & { changed: (kind: 'autoscaling.group', key: string) => void }, name: string, wanted: number, steps: StepSizes): { from: number; to: number } | undefined {
  const g = findGroup(s, name);
  if (!g || g.Status) return undefined;
  const from = g.DesiredCapacity ?? 0;
  const delta = wanted - from;
  if (!delta) return { from, to: from };
  const size = Math.min(Math.max(Math.abs(delta), steps.minimumScalingStepSize), steps.maximumScalingStepSize);
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
