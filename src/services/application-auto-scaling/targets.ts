/**
 * Scalable targets: RegisterScalableTarget (create or update in place), DeregisterScalableTarget (its policies,
 * their alarms and its scheduled actions go with it), DescribeScalableTargets.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
 */
import type {
  DeregisterScalableTargetRequest, DescribeScalableTargetsRequest, DescribeScalableTargetsResponse, RegisterScalableTargetRequest,
  RegisterScalableTargetResponse, ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import { arn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import { dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { noTarget, validation } from './errors.js';
import { page } from './pages.js';
import { removePolicy } from './policies.js';
import { ecsCapacity, setEcsDesired } from './capacity.js';
import { checkTargetKey, defaultRole, ecsServiceOf, isEcsService, requireEcsService } from './resources.js';
import { deleteScheduled, deleteTarget, getTarget, listPolicies, listScheduled, listTargets, saveTarget, type TargetDoc, type TargetKey } from './store.js';
import { applyTags } from './tags.js';

export const keyOf = (i: { ServiceNamespace?: string; ResourceId?: string; ScalableDimension?: string }): TargetKey =>
  ({ ServiceNamespace: i.ServiceNamespace!, ResourceId: i.ResourceId!, ScalableDimension: i.ScalableDimension! });

const sameTarget = (a: TargetKey, b: TargetKey) =>
  a.ServiceNamespace === b.ServiceNamespace && a.ResourceId === b.ResourceId && a.ScalableDimension === b.ScalableDimension;

/** The target a policy or scheduled action names; ObjectNotFoundException in AWS's words when it is not registered. */
export function requireTarget(ctx: RequestContext, k: TargetKey): TargetDoc {
  const t = getTarget(ctx, k);
  if (!t) throw noTarget(k);
  return t;
}

export function registerScalableTarget(ctx: RequestContext, input: RegisterScalableTargetRequest): RegisterScalableTargetResponse {
  const k = keyOf(input);
  checkTargetKey(k);
  const existing = getTarget(ctx, k);
  if (!existing) requireEcsService(ctx, k);
  const min = input.MinCapacity ?? existing?.MinCapacity;
  const max = input.MaxCapacity ?? existing?.MaxCapacity;
  if (min === undefined || max === undefined) {
    throw validation('MinCapacity and MaxCapacity are required for registering a new scalable target.');
  }
  if (min < 0 || max < 0) throw validation('MinCapacity and MaxCapacity must not be negative.');
  if (min > max) throw validation(`Minimum capacity cannot be greater than maximum capacity. MinCapacity: ${min}, MaxCapacity: ${max}`);
  const suspended = { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false, ...existing?.SuspendedState };
  for (const [key, value] of Object.entries(input.SuspendedState ?? {})) if (value !== undefined) (suspended as Record<string, boolean>)[key] = value;
  const target: TargetDoc = {
    ...k,
    ScalableTargetARN: existing?.ScalableTargetARN ?? arn('application-autoscaling', ctx.region, ctx.account, `scalable-target/${randomHex(18)}`),
    MinCapacity: min,
    MaxCapacity: max,
    RoleARN: input.RoleARN ?? existing?.RoleARN ?? defaultRole(ctx.account, k.ServiceNamespace),
    CreationTime: existing?.CreationTime ?? ctx.clock.now(),
    SuspendedState: suspended,
  };
  if (input.Tags && Object.keys(input.Tags).length) applyTags(ctx, target.ScalableTargetARN, input.Tags);
  saveTarget(ctx, target);
  clampCapacity(ctx, target);
  return { ScalableTargetARN: target.ScalableTargetARN };
}

/**
 * "If the specified resource is not active …, this operation does not change the resource's current capacity.
 * Otherwise, it changes the resource's current capacity to a value that is inside of this range."
 * (API_RegisterScalableTarget). Berth acts on ECS services only.
 */
function clampCapacity(ctx: RequestContext, t: TargetDoc) {
  if (!isEcsService(t)) return;
  const now = ecsCapacity(ctx, t);
  if ('error' in now) return;
  const clamped = Math.min(Math.max(now.desired, t.MinCapacity), t.MaxCapacity);
  if (clamped === now.desired) return;
  const cause = clamped > now.desired ? `minimum capacity was set to ${t.MinCapacity}` : `maximum capacity was set to ${t.MaxCapacity}`;
  setEcsDesired(ctx, t, now.service, clamped, cause, { now: ctx.clock.now(), metricsPeriod: ctx.metricsPeriod ?? 60, changed: ctx.changed });
}

export function deregisterScalableTarget(ctx: RequestContext, input: DeregisterScalableTargetRequest): Record<string, never> {
  const k = keyOf(input);
  const target = requireTarget(ctx, k);
  for (const p of listPolicies(ctx, k.ServiceNamespace).filter((p) => sameTarget(p, k))) removePolicy(ctx, p);
  for (const a of listScheduled(ctx, k.ServiceNamespace).filter((a) => sameTarget(a, k))) deleteScheduled(ctx, k, a.ScheduledActionName);
  deleteTarget(ctx, k);
  dropAllTags(ctx, target.ScalableTargetARN);
  return {};
}

/**
 * An ECS service's scalable target goes with the service: once the service is deleted (DRAINING, INACTIVE or gone)
 * its target is deregistered with its policies (and their alarms) and scheduled actions, as AWS does (a later
 * DeregisterScalableTarget answers ObjectNotFoundException). Returns whether there was one to deregister.
 */
export function retireDeletedServiceTarget(ctx: RequestContext, cluster: string, service: string): boolean {
  const k: TargetKey = { ServiceNamespace: 'ecs', ResourceId: `service/${cluster}/${service}`, ScalableDimension: 'ecs:service:DesiredCount' };
  if (!getTarget(ctx, k) || ecsServiceOf(ctx, k.ResourceId)?.status === 'ACTIVE') return false;
  deregisterScalableTarget(ctx, k as DeregisterScalableTargetRequest);
  return true;
}

export const targetOut = (t: TargetDoc): ScalableTarget => ({ ...t, CreationTime: new Date(t.CreationTime) }) as ScalableTarget;

export function describeScalableTargets(ctx: RequestContext, input: DescribeScalableTargetsRequest): DescribeScalableTargetsResponse {
  const ids = input.ResourceIds?.length ? new Set(input.ResourceIds) : undefined;
  const all = listTargets(ctx, input.ServiceNamespace!)
    .filter((t) => (!ids || ids.has(t.ResourceId)) && (!input.ScalableDimension || t.ScalableDimension === input.ScalableDimension));
  const { items, NextToken } = page(all, input);
  return { ScalableTargets: items.map(targetOut), NextToken };
}
