/**
 * Scheduled actions: PutScheduledAction, DescribeScheduledActions, DeleteScheduledAction, and running one when it
 * is due (the scaling-schedules controller): it sets the target's min and/or max and clamps the capacity into them.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html
 */
import type {
  DeleteScheduledActionRequest, DescribeScheduledActionsRequest, DescribeScheduledActionsResponse, PutScheduledActionRequest, ScheduledAction,
} from '@aws-sdk/client-application-auto-scaling';
import { arn } from '../../shared/arns.js';
import { randomUUID } from 'node:crypto';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { ecsCapacity, failed, setEcsDesired, type ScalingEnv } from './capacity.js';
import { objectNotFound, validation } from './errors.js';
import { page } from './pages.js';
import { nextFireTime } from '../../shared/schedule-expression.js';
import { parseSchedule } from './schedule.js';
import { deleteScheduled, getScheduled, getTarget, listScheduled, markScheduledRun, saveScheduled, saveTarget, scheduledByArn, type ScheduledDoc } from './store.js';
import { keyOf, requireTarget } from './targets.js';

export const scheduledChanged = (ctx: RequestContext, arnOf: string) => ctx.changed('appscaling.scheduled-action', arnOf);

export function putScheduledAction(ctx: RequestContext, input: PutScheduledActionRequest): Record<string, never> {
  const k = keyOf(input);
  requireTarget(ctx, k);
  const existing = getScheduled(ctx, k, input.ScheduledActionName!);
  const schedule = input.Schedule ?? existing?.Schedule;
  if (!schedule) throw validation('Schedule is required for a new scheduled action.');
  const timezone = input.Timezone ?? existing?.Timezone;
  parseSchedule(schedule, timezone);
  const range = input.ScalableTargetAction ?? existing?.ScalableTargetAction;
  const { MinCapacity: min, MaxCapacity: max } = range ?? {};
  if (min === undefined && max === undefined) throw validation('ScalableTargetAction must specify MinCapacity, MaxCapacity or both.');
  if (min !== undefined && max !== undefined && min > max) throw validation(`Minimum capacity cannot be greater than maximum capacity. MinCapacity: ${min}, MaxCapacity: ${max}`);
  const start = input.StartTime ? new Date(input.StartTime).getTime() : existing?.StartTime;
  const end = input.EndTime ? new Date(input.EndTime).getTime() : existing?.EndTime;
  if (start !== undefined && end !== undefined && end <= start) throw validation('EndTime must be after StartTime.');
  const action: ScheduledDoc = {
    ...k,
    ScheduledActionName: input.ScheduledActionName!,
    ScheduledActionARN: existing?.ScheduledActionARN
      ?? arn('autoscaling', ctx.region, ctx.account, `scheduledAction:${randomUUID()}:resource/${k.ServiceNamespace}/${k.ResourceId}:scheduledActionName/${input.ScheduledActionName}`),
    Schedule: schedule,
    Timezone: timezone,
    StartTime: start,
    EndTime: end,
    ScalableTargetAction: { ...(min !== undefined ? { MinCapacity: min } : {}), ...(max !== undefined ? { MaxCapacity: max } : {}) },
    // A change restarts the action's virtual clock (schedule.ts) from now.
    CreationTime: ctx.clock.now(),
  };
  saveScheduled(ctx, action);
  scheduledChanged(ctx, action.ScheduledActionARN);
  return {};
}

export function deleteScheduledAction(ctx: RequestContext, input: DeleteScheduledActionRequest): Record<string, never> {
  const k = keyOf(input);
  const a = getScheduled(ctx, k, input.ScheduledActionName!);
  if (!a) {
    throw objectNotFound(`No scheduled action found for service namespace: ${k.ServiceNamespace}, resource ID: ${k.ResourceId}, scalable dimension: ${k.ScalableDimension}, scheduled action name: ${input.ScheduledActionName}`);
  }
  deleteScheduled(ctx, k, a.ScheduledActionName);
  scheduledChanged(ctx, a.ScheduledActionARN);
  return {};
}

const out = (a: ScheduledDoc): ScheduledAction => ({
  ...a, CreationTime: new Date(a.CreationTime),
  StartTime: a.StartTime === undefined ? undefined : new Date(a.StartTime), EndTime: a.EndTime === undefined ? undefined : new Date(a.EndTime),
}) as ScheduledAction;

export function describeScheduledActions(ctx: RequestContext, input: DescribeScheduledActionsRequest): DescribeScheduledActionsResponse {
  const names = input.ScheduledActionNames?.length ? new Set(input.ScheduledActionNames) : undefined;
  const all = listScheduled(ctx, input.ServiceNamespace!).filter((a) => (!names || names.has(a.ScheduledActionName))
    && (!input.ResourceId || a.ResourceId === input.ResourceId) && (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension));
  const { items, NextToken } = page(all, input);
  return { ScheduledActions: items.map(out), NextToken };
}

// ------------------------------------------------------------------ running

/** Virtual ↔ real time of an action's schedule (schedule.ts): anchored at its creation, `60 / metricsPeriod` times as fast. */
const clockOf = (a: ScheduledDoc, metricsPeriod: number) => {
  const scale = metricsPeriod / 60;
  return {
    toVirtual: (real: number) => a.CreationTime + (real - a.CreationTime) / scale,
    toReal: (virtual: number) => a.CreationTime + (virtual - a.CreationTime) * scale,
  };
};

/** The next virtual time the action fires after `afterVirtual`, inside StartTime/EndTime. */
function nextRun(a: ScheduledDoc, afterVirtual: number): number | undefined {
  const s = parseSchedule(a.Schedule, a.Timezone);
  const from = a.StartTime !== undefined && s.kind !== 'at' ? Math.max(afterVirtual, a.StartTime - 1) : afterVirtual;
  const next = nextFireTime(s, from, { timeZone: a.Timezone, origin: a.StartTime ?? a.CreationTime });
  if (next === undefined || (a.EndTime !== undefined && next > a.EndTime)) return undefined;
  return next;
}

/**
 * The scheduler's pass over one action (in a transaction): runs it when due, and returns the real ms until it is
 * due next (undefined: never again, or gone).
 */
export function runScheduledAction(sql: Statements, actionArn: string, env: ScalingEnv): number | undefined {
  const found = scheduledByArn(sql, actionArn);
  if (!found) return undefined;
  const { action: a } = found;
  const clock = clockOf(a, env.metricsPeriod);
  const due = nextRun(a, found.lastRun ?? a.CreationTime - 1);
  if (due === undefined) return undefined;
  const nowVirtual = clock.toVirtual(env.now);
  if (due > nowVirtual) return Math.max(1, clock.toReal(due) - env.now);
  const s = { sql, ...found.scope };
  markScheduledRun(sql, actionArn, nowVirtual);
  const t = getTarget(s, a);
  if (t && !t.SuspendedState.ScheduledScalingSuspended) {
    const { MinCapacity: min, MaxCapacity: max } = a.ScalableTargetAction ?? {};
    if (min !== undefined) t.MinCapacity = min;
    if (max !== undefined) t.MaxCapacity = max;
    if (t.MinCapacity > t.MaxCapacity) {
      if (min !== undefined) t.MaxCapacity = t.MinCapacity;
      else t.MinCapacity = t.MaxCapacity;
    }
    saveTarget(s, t);
    const parts = [min !== undefined ? `minimum capacity was set to ${min}` : '', max !== undefined ? `maximum capacity was set to ${max}` : ''].filter(Boolean);
    const cause = `scheduled action name ${a.ScheduledActionName} was triggered: ${parts.join(' and ')}`;
    const now = ecsCapacity(s, t);
    if ('error' in now) failed(s, t, cause, now.error, env);
    else {
      const clamped = Math.min(Math.max(now.desired, t.MinCapacity), t.MaxCapacity);
      if (clamped !== now.desired) setEcsDesired(s, t, now.service, clamped, cause, env);
    }
  }
  const next = nextRun(a, nowVirtual);
  return next === undefined ? undefined : Math.max(1, clock.toReal(next) - env.now);
}
