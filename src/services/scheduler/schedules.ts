/** Schedules: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules. */
import { isTimeZone, parseScheduleExpression } from '../../shared/schedule-expression.js';
import type { RequestContext } from '../provider.js';
import { conflict, scheduleNotFound, validation } from './errors.js';
import { requireGroup } from './groups.js';
import { decodeToken, encodeToken, maxResults } from './pages.js';
import { deleteScheduleRow, findSchedule, putScheduleRow, scheduleArn, schedulesOf, type ScheduleRow } from './store.js';
import type { ScheduleDoc, SchedulerTarget } from './types.js';

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

interface ScheduleInput {
  Name: string;
  GroupName?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: Date;
  EndDate?: Date;
  Description?: string;
  State?: 'ENABLED' | 'DISABLED';
  KmsKeyArn?: string;
  FlexibleTimeWindow: ScheduleDoc['FlexibleTimeWindow'];
  Target: SchedulerTarget;
  ActionAfterCompletion?: 'NONE' | 'DELETE';
  ClientToken?: string;
}

/** Which targets Berth invokes: SQS queues, ECS clusters (RunTask), EventBridge buses (PutEvents). */
function checkTarget(t: SchedulerTarget) {
  const service = t.Arn.split(':')[2];
  if (service === 'sqs') {
    if (t.Arn.endsWith('.fifo') && !t.SqsParameters?.MessageGroupId) throw validation('SqsParameters.MessageGroupId is required for FIFO queue targets.');
  } else if (service === 'ecs') {
    if (!t.EcsParameters?.TaskDefinitionArn) throw validation('EcsParameters is required for Amazon ECS targets.');
  } else if (service === 'events') {
    if (!t.EventBridgeParameters) throw validation('EventBridgeParameters is required for EventBridge targets.');
  } else {
    throw validation(`Berth does not invoke targets of ${service ?? 'this'} ARN yet: ${t.Arn}`);
  }
  if (t.DeadLetterConfig?.Arn && t.DeadLetterConfig.Arn.split(':')[2] !== 'sqs') throw validation('The dead-letter queue must be an Amazon SQS queue ARN.');
}

function docOf(ctx: RequestContext, input: ScheduleInput): ScheduleDoc {
  if (!NAME.test(input.Name)) throw validation(`Invalid schedule name ${input.Name}.`);
  const group = requireGroup(ctx, input.GroupName).name;
  const tz = input.ScheduleExpressionTimezone ?? 'UTC';
  if (!isTimeZone(tz)) throw validation(`Invalid time zone ${tz}.`);
  try {
    parseScheduleExpression(input.ScheduleExpression, { at: true });
  } catch {
    throw validation(`Invalid Schedule Expression ${input.ScheduleExpression}.`);
  }
  const w = input.FlexibleTimeWindow;
  if (w.Mode === 'FLEXIBLE' && !(w.MaximumWindowInMinutes! >= 1 && w.MaximumWindowInMinutes! <= 1440)) {
    throw validation('MaximumWindowInMinutes must be between 1 and 1440 when the flexible time window is FLEXIBLE.');
  }
  if (w.Mode === 'OFF' && w.MaximumWindowInMinutes !== undefined) throw validation('MaximumWindowInMinutes must not be set when the flexible time window is OFF.');
  if (input.StartDate && input.EndDate && new Date(input.EndDate) <= new Date(input.StartDate)) throw validation('The EndDate must be after the StartDate.');
  checkTarget(input.Target);
  return {
    Name: input.Name, GroupName: group, ScheduleExpression: input.ScheduleExpression,
    ScheduleExpressionTimezone: input.ScheduleExpressionTimezone ?? 'UTC',
    ...(input.StartDate ? { StartDate: new Date(input.StartDate).toISOString() } : {}),
    ...(input.EndDate ? { EndDate: new Date(input.EndDate).toISOString() } : {}),
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    State: input.State ?? 'ENABLED',
    ...(input.KmsKeyArn ? { KmsKeyArn: input.KmsKeyArn } : {}),
    FlexibleTimeWindow: w, Target: input.Target, ActionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
  };
}

export function createSchedule(ctx: RequestContext, input: ScheduleInput) {
  const doc = docOf(ctx, input);
  if (findSchedule(ctx.sql, ctx, doc.GroupName, doc.Name)) throw conflict(`Schedule ${doc.Name} already exists.`);
  putScheduleRow(ctx.sql, ctx, doc, ctx.clock.now());
  const arn = scheduleArn(ctx, doc.GroupName, doc.Name);
  ctx.changed('scheduler.schedule', arn);
  return { ScheduleArn: arn };
}

export function updateSchedule(ctx: RequestContext, input: ScheduleInput) {
  const doc = docOf(ctx, input);
  if (!findSchedule(ctx.sql, ctx, doc.GroupName, doc.Name)) throw scheduleNotFound(doc.Name);
  // An update replaces the whole schedule, and its clock starts again.
  putScheduleRow(ctx.sql, ctx, doc, ctx.clock.now());
  const arn = scheduleArn(ctx, doc.GroupName, doc.Name);
  ctx.changed('scheduler.schedule', arn);
  return { ScheduleArn: arn };
}

function described(row: ScheduleRow & { schedule: ScheduleDoc }) {
  const s = row.schedule;
  return {
    ...s, Arn: row.arn,
    ...(s.StartDate ? { StartDate: new Date(s.StartDate) } : {}),
    ...(s.EndDate ? { EndDate: new Date(s.EndDate) } : {}),
    CreationDate: new Date(row.created_at), LastModificationDate: new Date(row.modified_at),
  };
}

export function getSchedule(ctx: RequestContext, input: { Name: string; GroupName?: string }) {
  const g = requireGroup(ctx, input.GroupName);
  const row = findSchedule(ctx.sql, ctx, g.name, input.Name);
  if (!row) throw scheduleNotFound(input.Name);
  return described(row);
}

export function deleteSchedule(ctx: RequestContext, input: { Name: string; GroupName?: string }) {
  const g = requireGroup(ctx, input.GroupName);
  const row = findSchedule(ctx.sql, ctx, g.name, input.Name);
  if (!row) throw scheduleNotFound(input.Name);
  deleteScheduleRow(ctx.sql, row.arn);
  ctx.changed('scheduler.schedule', row.arn);
  return {};
}

export function listSchedules(ctx: RequestContext, input: { GroupName?: string; NamePrefix?: string; State?: string; NextToken?: string; MaxResults?: number }) {
  if (input.GroupName) requireGroup(ctx, input.GroupName);
  const limit = maxResults(input.MaxResults);
  const rows = schedulesOf(ctx.sql, ctx, { group: input.GroupName, prefix: input.NamePrefix ?? '', state: input.State, after: decodeToken(input.NextToken), limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    Schedules: page.map((r) => ({
      Arn: r.arn, Name: r.name, GroupName: r.grp, State: r.schedule.State, Target: { Arn: r.schedule.Target.Arn },
      CreationDate: new Date(r.created_at), LastModificationDate: new Date(r.modified_at),
    })),
    NextToken: rows.length > limit ? encodeToken(`${page[page.length - 1].grp}/${page[page.length - 1].name}`) : undefined,
  };
}
