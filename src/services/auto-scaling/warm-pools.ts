/**
 * Warm pools (https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html): PutWarmPool,
 * DescribeWarmPool, DeleteWarmPool. The configuration is the group's `WarmPoolConfiguration` (DescribeAutoScalingGroups
 * shows it with `WarmPoolSize`); the pool's instances are kept on the group's record beside its members
 * (`BerthWarmInstances`), in AWS's lifecycle states: `Warmed:Pending` while launched and prepared, then
 * `Warmed:Stopped`, `Warmed:Running` or `Warmed:Hibernated` (the pool state), `Warmed:Terminating` on the way out. The
 * group controller keeps the pool at its size — the larger of `MinSize` and `MaxGroupPreparedCapacity` (default: the
 * group's max size) less the desired capacity — and takes a warmed instance first when it scales out.
 */
import type { DeleteWarmPoolType, DescribeWarmPoolAnswer, DescribeWarmPoolType, Instance, PutWarmPoolType } from '@aws-sdk/client-auto-scaling';
import type { Scope } from '../../state/scope.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, validationError } from './errors.js';
import { page } from './pages.js';
import { findGroup, groupKey, saveGroup, type StoredGroup } from './store.js';

/** A group with its warm pool's instances (Berth's record; DescribeWarmPool shows them). */
export type WarmGroup = StoredGroup & { BerthWarmInstances?: Instance[] };

export const WARMED_READY = new Set(['Warmed:Stopped', 'Warmed:Running', 'Warmed:Hibernated']);

export function putWarmPool(ctx: RequestContext, input: PutWarmPoolType): Record<string, never> {
  const g = findGroup(ctx, input.AutoScalingGroupName!) as WarmGroup | undefined;
  if (!g) throw groupNotFound(input.AutoScalingGroupName!);
  if (g.WarmPoolConfiguration?.Status === 'PendingDelete') throw validationError('The warm pool is being deleted. Wait for the deletion to finish before you put a new one.');
  const max = input.MaxGroupPreparedCapacity;
  // Berth's wordings: AWS's for these two were not captured.
  if (max !== undefined && max !== -1 && max < (input.MinSize ?? 0)) throw validationError('MaxGroupPreparedCapacity must be greater than or equal to MinSize.');
  if (max !== undefined && max > (g.MaxSize ?? 0)) throw validationError(`MaxGroupPreparedCapacity (${max}) cannot be greater than the group's max size (${g.MaxSize}).`);
  g.WarmPoolConfiguration = {
    ...(max !== undefined && max !== -1 ? { MaxGroupPreparedCapacity: max } : {}),
    MinSize: input.MinSize ?? 0, PoolState: input.PoolState ?? 'Stopped',
    ...(input.InstanceReusePolicy ? { InstanceReusePolicy: input.InstanceReusePolicy } : {}),
  };
  g.BerthWarmInstances ??= [];
  g.WarmPoolSize = g.BerthWarmInstances.length;
  saveGroup(ctx, g);
  ctx.changed('autoscaling.group', groupKey(ctx.account, ctx.region, g.AutoScalingGroupName));
  return {};
}

export function describeWarmPool(ctx: RequestContext, input: DescribeWarmPoolType): DescribeWarmPoolAnswer {
  const g = findGroup(ctx, input.AutoScalingGroupName!) as WarmGroup | undefined;
  if (!g) throw groupNotFound(input.AutoScalingGroupName!);
  const { items, NextToken } = page(g.BerthWarmInstances ?? [], (i) => i.InstanceId!, input.MaxRecords, input.NextToken);
  return { ...(g.WarmPoolConfiguration ? { WarmPoolConfiguration: g.WarmPoolConfiguration } : {}), Instances: items, ...(NextToken ? { NextToken } : {}) };
}

/**
 * The pool goes `PendingDelete` while the controller terminates its instances, then the configuration goes;
 * `ForceDelete` drops them without waiting (their outstanding lifecycle actions too).
 */
export function deleteWarmPool(ctx: RequestContext, input: DeleteWarmPoolType): Record<string, never> {
  const g = findGroup(ctx, input.AutoScalingGroupName!) as WarmGroup | undefined;
  if (!g) throw groupNotFound(input.AutoScalingGroupName!);
  if (!g.WarmPoolConfiguration) throw validationError(`No warm pool found for Auto Scaling group ${g.AutoScalingGroupName}.`);
  if (!g.BerthWarmInstances?.length) {
    delete g.WarmPoolConfiguration;
    delete g.WarmPoolSize;
    delete g.BerthWarmInstances;
  } else g.WarmPoolConfiguration.Status = 'PendingDelete';
  saveGroup(ctx, g);
  ctx.changed('autoscaling.group', groupKey(ctx.account, ctx.region, g.AutoScalingGroupName));
  return {};
}

/** How many instances the pool should hold now. */
export function warmPoolTarget(g: WarmGroup): number {
  const c = g.WarmPoolConfiguration;
  if (!c || c.Status === 'PendingDelete') return 0;
  const prepared = c.MaxGroupPreparedCapacity ?? g.MaxSize ?? 0;
  return Math.max(c.MinSize ?? 0, prepared - (g.DesiredCapacity ?? 0));
}

/** The warm pool's counts for the WarmPool* group metrics. */
export function warmPoolCounts(s: Scope, name: string): { desired: number; warmed: number; pending: number; terminating: number } | undefined {
  const g = findGroup(s, name) as WarmGroup | undefined;
  if (!g?.WarmPoolConfiguration) return undefined;
  const states = (g.BerthWarmInstances ?? []).map((i) => i.LifecycleState ?? '');
  return {
    desired: warmPoolTarget(g), warmed: states.filter((x) => WARMED_READY.has(x)).length,
    pending: states.filter((x) => x.startsWith('Warmed:Pending')).length, terminating: states.filter((x) => x.startsWith('Warmed:Terminat')).length,
  };
}
