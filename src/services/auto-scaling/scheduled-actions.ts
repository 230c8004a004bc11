/**
 * Scheduled actions: PutScheduledUpdateGroupAction, BatchPutScheduledUpdateGroupAction, DescribeScheduledActions,
 * DeleteScheduledAction, BatchDeleteScheduledAction — and running one when it is due (the auto-scaling-schedules
 * controller): it sets the group's min, max and desired capacity as UpdateAutoScalingGroup would, the activity's cause
 * "At … a scheduled action update of AutoScalingGroup constraints to min: 1, max: 4, desired: 2 changing the desired
 * capacity from 1 to 2.". A one-time action (StartTime, no Recurrence) is deleted once it has run, as AWS does.
 * `Recurrence` is Unix cron (five fields) in `TimeZone` (IANA, default UTC), within StartTime/EndTime.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
 *
 * On Berth's compressed clock (`--metrics-period`) an action runs on a virtual clock that starts at its put and runs
 * 60 / metricsPeriod times as fast (as Application Auto Scaling's and EventBridge's schedules do): a StartTime ten
 * minutes after the put is reached after ten metric minutes; `*\/5 * * * *` fires every five metric minutes.
 */
import type {
  BatchDeleteScheduledActionAnswer, BatchDeleteScheduledActionType, BatchPutScheduledUpdateGroupActionAnswer, BatchPutScheduledUpdateGroupActionType,
  DeleteScheduledActionType, DescribeScheduledActionsType, PutScheduledUpdateGroupActionType, ScheduledActionsType, ScheduledUpdateGroupAction,
  ScheduledUpdateGroupActionRequest,
} from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol/errors.js';
import { arn } from '../../shared/arns.js';
import { isTimeZone, nextFireTime, parseScheduleExpression, ScheduleExpressionError } from '../../shared/schedule-expression.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import type { RequestContext } from '../provider.js';
import { addActivity, causeTime, newActivity } from './activities.js';
import { groupNotFound, validationError } from './errors.js';
import { page } from './pages.js';
import type { GroupScalingEnv } from './policy-execution.js';
import { findGroup, groupKey, saveGroup, setDesired } from './store.js';

/** A stored action: times are real epoch ms; CreationTime (Berth's) anchors its virtual clock. */
interface ScheduledDoc {
  AutoScalingGroupName: string;
  ScheduledActionName: string;
  ScheduledActionARN: string;
  StartTime?: number;
  EndTime?: number;
  Recurrence?: string;
  MinSize?: number;
  MaxSize?: number;
  DesiredCapacity?: number;
  TimeZone?: string;
  CreationTime: number;
}

// ------------------------------------------------------------------ store

function actionsOf(s: Scope, group?: string): ScheduledDoc[] {
  return (s.sql.get(`SELECT doc FROM autoscaling_scheduled_actions WHERE account = ? AND region = ? ${group ? 'AND group_name = ?' : ''} ORDER BY group_name, name`)
    .pluck().all(s.account, s.region, ...(group ? [group] : [])) as string[]).map((d) => JSON.parse(d));
}

function saveAction(s: Scope, a: ScheduledDoc): void {
  s.sql.get(`INSERT INTO autoscaling_scheduled_actions (account, region, group_name, name, arn, doc, last_run, seq)
             VALUES (?, ?, ?, ?, ?, ?, NULL, (SELECT COALESCE(MAX(seq), 0) + 1 FROM autoscaling_scheduled_actions))
             ON CONFLICT (account, region, group_name, name) DO UPDATE SET doc = excluded.doc, last_run = NULL`)
    .run(s.account, s.region, a.AutoScalingGroupName, a.ScheduledActionName, a.ScheduledActionARN, JSON.stringify(a));
}

function deleteAction(s: Scope, group: string, name: string): void {
  s.sql.get('DELETE FROM autoscaling_scheduled_actions WHERE account = ? AND region = ? AND group_name = ? AND name = ?').run(s.account, s.region, group, name);
}

/** Every scheduled action's ARN (the schedule controller's resync). */
export function allScheduledUpdateArns(sql: Statements): string[] {
  return sql.get('SELECT arn FROM autoscaling_scheduled_actions').pluck().all() as string[];
}

/** A deleted group's scheduled actions go with it. */
export function forgetGroupSchedules(s: Scope, group: string): void {
  s.sql.get('DELETE FROM autoscaling_scheduled_actions WHERE account = ? AND region = ? AND group_name = ?').run(s.account, s.region, group);
}

// ------------------------------------------------------------------ operations

const changed = (ctx: RequestContext, a: ScheduledDoc) => ctx.changed('autoscaling.scheduled-action', a.ScheduledActionARN);
const ms = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).getTime());

/** One action as a put asks for it (checked); the refusal as an AwsError. */
function actionFrom(ctx: RequestContext, group: string, input: ScheduledUpdateGroupActionRequest & { Time?: Date }, existing: ScheduledDoc | undefined): ScheduledDoc {
  const now = ctx.clock.now();
  const start = ms(input.StartTime) ?? ms(input.Time);
  const end = ms(input.EndTime);
  const { MinSize: min, MaxSize: max, DesiredCapacity: desired } = input;
  if (min === undefined && max === undefined && desired === undefined) throw validationError('At least one of MinSize, MaxSize, or DesiredCapacity must be specified.');
  if (!input.Recurrence && start === undefined) throw validationError('Either StartTime or Recurrence must be specified.');
  if (start !== undefined && start < now - 1000) throw validationError('Given start time is in the past');
  if (end !== undefined && end <= (start ?? now)) throw validationError('End time must be after the start time and in the future.');
  if (min !== undefined && max !== undefined && min > max) throw validationError(`Max bound, ${max}, must be greater than or equal to min bound, ${min}`);
  if (desired !== undefined && ((min !== undefined && desired < min) || (max !== undefined && desired > max))) {
    throw validationError(`Desired capacity:${desired} must be between the specified min size:${min ?? 0} and max size:${max ?? desired}`);
  }
  const tz = input.TimeZone;
  if (tz && !isTimeZone(tz)) throw validationError(`Invalid time zone: ${tz}`);
  if (input.Recurrence) {
    try {
      parseScheduleExpression(input.Recurrence, { unixCron: true });
    } catch (err) {
      if (err instanceof ScheduleExpressionError) throw validationError(`Given recurrence string is invalid: ${input.Recurrence} (${err.reason.replace(/\.$/, '')}).`);
      throw err;
    }
  }
  return {
    AutoScalingGroupName: group, ScheduledActionName: input.ScheduledActionName!,
    ScheduledActionARN: existing?.ScheduledActionARN
      ?? arn('autoscaling', ctx.region, ctx.account, `scheduledUpdateGroupAction:${randomUUID()}:autoScalingGroupName/${group}:scheduledActionName/${input.ScheduledActionName}`),
    ...(start !== undefined ? { StartTime: start } : {}), ...(end !== undefined ? { EndTime: end } : {}),
    ...(input.Recurrence ? { Recurrence: input.Recurrence } : {}),
    ...(min !== undefined ? { MinSize: min } : {}), ...(max !== undefined ? { MaxSize: max } : {}), ...(desired !== undefined ? { DesiredCapacity: desired } : {}),
    ...(tz ? { TimeZone: tz } : {}),
    // A change restarts the action's virtual clock from now.
    CreationTime: now,
  };
}

function put(ctx: RequestContext, group: string, input: ScheduledUpdateGroupActionRequest & { Time?: Date }): void {
  const existing = actionsOf(ctx, group).find((a) => a.ScheduledActionName === input.ScheduledActionName);
  const a = actionFrom(ctx, group, input, existing);
  saveAction(ctx, a);
  changed(ctx, a);
}

export function putScheduledUpdateGroupAction(ctx: RequestContext, input: PutScheduledUpdateGroupActionType): Record<string, never> {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  put(ctx, group, input);
  return {};
}

export function batchPutScheduledUpdateGroupAction(ctx: RequestContext, input: BatchPutScheduledUpdateGroupActionType): BatchPutScheduledUpdateGroupActionAnswer {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const failed: NonNullable<BatchPutScheduledUpdateGroupActionAnswer['FailedScheduledUpdateGroupActions']> = [];
  for (const a of input.ScheduledUpdateGroupActions ?? []) {
    try {
      put(ctx, group, a);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      failed.push({ ScheduledActionName: a.ScheduledActionName, ErrorCode: err.code, ErrorMessage: err.message });
    }
  }
  return { FailedScheduledUpdateGroupActions: failed };
}

const notFound = (group: string, name: string) => validationError(`Scheduled action ${name} does not exist for the Auto Scaling group ${group}.`);

export function deleteScheduledAction(ctx: RequestContext, input: DeleteScheduledActionType): Record<string, never> {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const a = actionsOf(ctx, group).find((x) => x.ScheduledActionName === input.ScheduledActionName);
  if (!a) throw notFound(group, input.ScheduledActionName!);
  deleteAction(ctx, group, a.ScheduledActionName);
  changed(ctx, a);
  return {};
}

export function batchDeleteScheduledAction(ctx: RequestContext, input: BatchDeleteScheduledActionType): BatchDeleteScheduledActionAnswer {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const have = actionsOf(ctx, group);
  const failed: NonNullable<BatchDeleteScheduledActionAnswer['FailedScheduledActions']> = [];
  for (const name of input.ScheduledActionNames ?? []) {
    const a = have.find((x) => x.ScheduledActionName === name);
    if (!a) {
      failed.push({ ScheduledActionName: name, ErrorCode: 'ValidationError', ErrorMessage: notFound(group, name).message });
      continue;
    }
    deleteAction(ctx, group, name);
    changed(ctx, a);
  }
  return { FailedScheduledActions: failed };
}

const out = (a: ScheduledDoc): ScheduledUpdateGroupAction => ({
  AutoScalingGroupName: a.AutoScalingGroupName, ScheduledActionName: a.ScheduledActionName, ScheduledActionARN: a.ScheduledActionARN,
  ...(a.StartTime !== undefined ? { Time: new Date(a.StartTime), StartTime: new Date(a.StartTime) } : {}),
  ...(a.EndTime !== undefined ? { EndTime: new Date(a.EndTime) } : {}),
  Recurrence: a.Recurrence, MinSize: a.MinSize, MaxSize: a.MaxSize, DesiredCapacity: a.DesiredCapacity, TimeZone: a.TimeZone,
});

export function describeScheduledActions(ctx: RequestContext, input: DescribeScheduledActionsType): ScheduledActionsType {
  if (input.AutoScalingGroupName && !findGroup(ctx, input.AutoScalingGroupName)) throw groupNotFound(input.AutoScalingGroupName);
  const names = input.ScheduledActionNames ?? [];
  const from = ms(input.StartTime);
  const to = ms(input.EndTime);
  const all = actionsOf(ctx, input.AutoScalingGroupName).filter((a) => (!names.length || names.includes(a.ScheduledActionName))
    && (from === undefined || (a.StartTime ?? a.CreationTime) >= from) && (to === undefined || (a.StartTime ?? a.CreationTime) <= to));
  const { items, NextToken } = page(all, (a) => `${a.AutoScalingGroupName}\u0000${a.ScheduledActionName}`, input.MaxRecords, input.NextToken);
  return { ScheduledUpdateGroupActions: items.map(out), ...(NextToken ? { NextToken } : {}) };
}

// ------------------------------------------------------------------ running

/** Virtual ↔ real time of an action: anchored at its put, `60 / metricsPeriod` times as fast. */
const clockOf = (a: ScheduledDoc, metricsPeriod: number) => {
  const scale = metricsPeriod / 60;
  return {
    toVirtual: (real: number) => a.CreationTime + (real - a.CreationTime) / scale,
    toReal: (virtual: number) => a.CreationTime + (virtual - a.CreationTime) * scale,
  };
};

/** The next virtual time the action runs after `after` (virtual), inside StartTime/EndTime; undefined: never again. */
function nextRun(a: ScheduledDoc, after: number): number | undefined {
  if (!a.Recurrence) return a.StartTime !== undefined && a.StartTime > after ? a.StartTime : undefined;
  const from = a.StartTime !== undefined ? Math.max(after, a.StartTime - 1) : after;
  const next = nextFireTime(parseScheduleExpression(a.Recurrence, { unixCron: true }), from, { timeZone: a.TimeZone ?? 'UTC' });
  return next === undefined || (a.EndTime !== undefined && next > a.EndTime) ? undefined : next;
}

function apply(s: Scope, a: ScheduledDoc, env: GroupScalingEnv): void {
  const g = findGroup(s, a.AutoScalingGroupName);
  if (!g || g.Status) return;
  const min = a.MinSize ?? g.MinSize ?? 0;
  const max = a.MaxSize ?? g.MaxSize ?? 0;
  const why = (desired: number) => `At ${causeTime(env.now)} a scheduled action update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired}`;
  if (min > max) {
    addActivity(s, newActivity(g, {
      Description: 'Updating the Auto Scaling group constraints.', Cause: `${why(g.DesiredCapacity ?? 0)}.`, StartTime: env.now, EndTime: env.now,
      StatusCode: 'Failed', StatusMessage: `Scheduled action ${a.ScheduledActionName} failed: min ${min} is greater than max ${max}.`, Progress: 100, Details: '{}',
    }));
    return;
  }
  const desired = Math.min(Math.max(a.DesiredCapacity ?? g.DesiredCapacity ?? 0, min), max);
  g.MinSize = min;
  g.MaxSize = max;
  setDesired(g, desired, why(desired));
  saveGroup(s, g);
  env.changed('autoscaling.group', groupKey(s.account, s.region, g.AutoScalingGroupName));
}

/**
 * The schedule controller's pass over one action (in a transaction): runs it when due, and returns the real ms
 * until it is due next (undefined: never again, or gone).
 */
export function runScheduledUpdate(sql: Statements, actionArn: string, env: GroupScalingEnv): number | undefined {
  const row = sql.get('SELECT account, region, doc, last_run FROM autoscaling_scheduled_actions WHERE arn = ?').get(actionArn) as
    { account: string; region: string; doc: string; last_run: number | null } | undefined;
  if (!row) return undefined;
  const a: ScheduledDoc = JSON.parse(row.doc);
  const s = { sql, account: row.account, region: row.region };
  const clock = clockOf(a, env.metricsPeriod);
  const due = nextRun(a, row.last_run ?? a.CreationTime - 1);
  if (due === undefined) return undefined;
  const nowVirtual = clock.toVirtual(env.now);
  if (due > nowVirtual) return Math.max(1, clock.toReal(due) - env.now);
  apply(s, a, env);
  if (!a.Recurrence) {
    deleteAction(s, a.AutoScalingGroupName, a.ScheduledActionName);
    return undefined;
  }
  sql.get('UPDATE autoscaling_scheduled_actions SET last_run = ? WHERE arn = ?').run(nowVirtual, actionArn);
  const next = nextRun(a, nowVirtual);
  return next === undefined ? undefined : Math.max(1, clock.toReal(next) - env.now);
}
