/**
 * Running schedules (the scheduler-schedules controller calls `fireSchedule` per schedule ARN). A schedule's clock
 * starts when it is created or updated and runs on Berth's clock compressed like the metric minute
 * (`--metrics-period`), as EventBridge rules' schedules do: `rate(1 minute)` fires every period, and `at()` and `cron()`
 * are read on a virtual clock that agrees with real time at the origin. StartDate and EndDate bound recurring
 * schedules; an `at()` in the past fires at once. A FLEXIBLE time window fires each time at a point within
 * MaximumWindowInMinutes after it (the same point for a given schedule and time, so a restart does not move it).
 *
 * A fire invokes the target in one transaction with recording it: an SQS queue (the input as body), an ECS cluster
 * (RunTask with EcsParameters, the input as overrides), an EventBridge bus (a PutEvents of EventBridgeParameters'
 * source and detail type, the input as detail). A failure the target's service could change (not a client fault) is
 * retried with backoff within the target's RetryPolicy (EventBridge's retry.ts: defaults 185 attempts, 24 hours),
 * each waiting retry a row (scheduler_retries) that survives a restart; then, or at once for a client fault, the
 * input goes to the target's dead-letter queue with the attributes EventBridge Scheduler sets, or is dropped.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 * After its last fire a schedule with ActionAfterCompletion DELETE is deleted.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { AwsError } from '../../protocol/errors.js';
import { parseArn } from '../../shared/arns.js';
import { nextFireTime, parseScheduleExpression } from '../../shared/schedule-expression.js';
import type { ChangeKind } from '../../state/change-feed.js';
import { afterFailure, invokeTarget, putEventOnBus, type DeliveryDeps } from '../eventbridge/index.js';
import { sendToQueue } from '../sqs/index.js';
import type { RequestContext } from '../provider.js';
import { deleteRetry, deleteScheduleRow, dueRetries, nextRetryAt, putRetry, scheduleByArn, setLastFire, type ScheduleRow } from './store.js';
import type { ScheduleDoc, SchedulerTarget } from './types.js';

export type FireDeps = DeliveryDeps;
type Changes = [ChangeKind, string][];

/** Fires the schedule if it is due and retries its failed invocations that are due; returns ms until it should look again. */
export function fireSchedule(d: FireDeps, arn: string): number | undefined {
  const changes: Changes = [];
  const wait = d.db.transaction(() => {
    retryDue(d, arn, changes);
    const fires = fireDue(d, arn, changes);
    // After both: a fire that failed just now waits for its first retry.
    const retryAt = nextRetryAt(d.sql, arn);
    const retries = retryAt === undefined ? undefined : Math.max(0, retryAt - d.clock.now());
    return retries === undefined ? fires : fires === undefined ? retries : Math.min(retries, fires);
  })();
  for (const [kind, key] of changes) d.publish(kind, key);
  return wait;
}

/** A fire's point within its flexible time window (virtual ms after the scheduled time), fixed by the schedule and time. */
export function windowOffset(arn: string, due: number, windowMs: number): number {
  if (!windowMs) return 0;
  const h = createHash('sha256').update(`${arn}|${due}`).digest();
  return Math.floor((h.readUIntBE(0, 6) / 2 ** 48) * windowMs);
}

function fireDue(d: FireDeps, arn: string, changes: Changes): number | undefined {
  const row = scheduleByArn(d.sql, arn);
  if (!row || row.schedule.State === 'DISABLED') return undefined;
  const s = row.schedule;
  const tz = s.ScheduleExpressionTimezone ?? 'UTC';
  const schedule = parseScheduleExpression(s.ScheduleExpression, { at: true });
  const scale = d.metricsPeriod / 60;
  const w = s.FlexibleTimeWindow;
  const windowMs = w.Mode === 'FLEXIBLE' ? (w.MaximumWindowInMinutes ?? 0) * 60_000 : 0;
  const fireAt = (virtual: number) => row.origin + (virtual + windowOffset(arn, virtual, windowMs) - row.origin) * scale;
  const start = s.StartDate ? Date.parse(s.StartDate) : undefined;
  const end = s.EndDate ? Date.parse(s.EndDate) : undefined;
  const next = (after: number | null): number | undefined => {
    if (schedule.kind === 'at') return after === null ? Math.max(nextFireTime(schedule, -Infinity, { timeZone: tz }) ?? row.origin, row.origin) : undefined;
    const from = Math.max(after ?? row.origin, start !== undefined ? start - 1 : -Infinity);
    const t = nextFireTime(schedule, from, { timeZone: tz, origin: row.origin });
    return t !== undefined && (end === undefined || t <= end) ? t : undefined;
  };
  const now = d.clock.now();
  let due = next(row.last_fire);
  if (due === undefined) return completed(d, row, changes);
  if (fireAt(due) > now) return fireAt(due) - now;
  // Fires missed while Berth was stopped are not made up: the latest due one fires once.
  for (let i = 0; i < 100_000; i++) {
    const after = next(due);
    if (after === undefined || fireAt(after) > now) break;
    due = after;
  }
  const target = s.Target;
  attempt(d, {
    scheduleArn: row.arn, scheduleName: row.name, executionId: randomBytes(8).toString('hex'), target,
    scheduledTime: new Date(Math.floor(due / 1000) * 1000).toISOString().replace('.000Z', 'Z'), failures: 0, firstAt: now,
  }, now, changes);
  setLastFire(d.sql, row.arn, due);
  const following = next(due);
  return following === undefined ? completed(d, row, changes) : Math.max(0, fireAt(following) - now);
}

function completed(d: FireDeps, row: ScheduleRow, changes: Changes): undefined {
  const s = JSON.parse(row.doc) as ScheduleDoc;
  if (s.ActionAfterCompletion === 'DELETE') {
    deleteScheduleRow(d.sql, row.arn);
    changes.push(['scheduler.schedule', row.arn]);
  }
  return undefined;
}

/** Retries the schedule's failed invocations that are due. */
function retryDue(d: FireDeps, arn: string, changes: Changes): void {
  const now = d.clock.now();
  for (const r of dueRetries(d.sql, arn, now)) {
    attempt(d, {
      scheduleArn: arn, scheduleName: arn.split('/').pop()!, executionId: r.execution_id, target: JSON.parse(r.target) as SchedulerTarget,
      scheduledTime: r.scheduled_time, failures: r.failures, firstAt: r.first_at, retryId: r.id,
    }, now, changes);
  }
}

interface Invocation {
  scheduleArn: string;
  scheduleName: string;
  executionId: string;
  target: SchedulerTarget;
  scheduledTime: string;
  /** Failed attempts so far. */
  failures: number;
  firstAt: number;
  /** Its scheduler_retries row, when it is a retry. */
  retryId?: number;
}

/** Invokes the target once; a failure is kept for its retry or dead-lettered. */
function attempt(d: FireDeps, inv: Invocation, now: number, changes: Changes) {
  const t = inv.target;
  const input = t.Input ?? '{}';
  try {
    d.db.transaction(() => {
      const p = parseArn(t.Arn);
      if (p?.service === 'events' && p.resource.startsWith('event-bus/')) {
        let detail: unknown;
        try { detail = JSON.parse(input); } catch { detail = undefined; }
        if (!detail || typeof detail !== 'object' || Array.isArray(detail)) throw new AwsError('MalformedDetail', 'Detail is malformed.');
        putEventOnBus(d.sql, p, p.resource.slice('event-bus/'.length), {
          source: t.EventBridgeParameters!.Source, detailType: t.EventBridgeParameters!.DetailType, detail, resources: [inv.scheduleArn],
        }, now, (kind, key) => changes.push([kind, key]));
        return;
      }
      invokeTarget(d, t, input, { deduplicationId: randomUUID() }, changes);
    })();
    if (inv.retryId !== undefined) deleteRetry(d.sql, inv.retryId);
  } catch (err) {
    const failures = inv.failures + 1;
    const next = afterFailure(err, failures, inv.firstAt, now, t.RetryPolicy);
    if ('retryAt' in next) {
      putRetry(d.sql, {
        id: inv.retryId, schedule_arn: inv.scheduleArn, execution_id: inv.executionId, target: JSON.stringify(t), scheduled_time: inv.scheduledTime,
        failures, first_at: inv.firstAt, due_at: next.retryAt,
      });
      d.log.debug('scheduler target invocation failed; retrying', { schedule: inv.scheduleArn, failures, error: String(err) });
      return;
    }
    if (inv.retryId !== undefined) deleteRetry(d.sql, inv.retryId);
    deadLetter(d, inv, input, err, failures - 1, next.giveUp, changes);
  }
}

/** The dead-letter event EventBridge Scheduler sends: the input as body, what happened in message attributes. */
function deadLetter(d: FireDeps, inv: Invocation, input: string, err: unknown, retries: number, exhausted: string | undefined, changes: Changes) {
  // A failure of the target's service reports its code and message; anything else is the scheduler's own.
  const code = err instanceof AwsError && err.code !== 'InternalFailure' ? err.code : 'AWS.Scheduler.InternalServerError';
  const message = err instanceof AwsError && err.code !== 'InternalFailure' ? err.message : 'Unexpected error occurred while processing the request';
  const dlq = inv.target.DeadLetterConfig?.Arn;
  if (!dlq) {
    d.log.warn('scheduler target invocation failed; dropped (no dead-letter queue)', { schedule: inv.scheduleArn, code, error: String(err) });
    return;
  }
  const attr = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v || '-' });
  const q = parseArn(dlq)!;
  const ctx: RequestContext = {
    account: q.account, region: q.region, requestId: randomUUID(), principalArn: `arn:aws:iam::${q.account}:root`, accessKeyId: '',
    db: d.db, sql: d.sql, clock: d.clock, log: d.log, metricsPeriod: d.metricsPeriod, changed: (kind, key) => changes.push([kind, key]),
  };
  try {
    d.db.transaction(() => sendToQueue(ctx, dlq, {
      body: input, groupId: inv.scheduleName, deduplicationId: randomUUID(),
      attributes: {
        ERROR_CODE: attr(code), ERROR_MESSAGE: attr(message.slice(0, 1000)), EXECUTION_ID: attr(inv.executionId),
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attr(exhausted) } : {}),
        IS_PAYLOAD_TRUNCATED: attr('false'), RETRY_ATTEMPTS: attr(String(retries)), SCHEDULED_TIME: attr(inv.scheduledTime),
        SCHEDULE_ARN: attr(inv.scheduleArn), TARGET_ARN: attr(inv.target.Arn),
      },
    }))();
  } catch (dlqErr) {
    d.log.warn('scheduler dead-letter queue refused the failure; dropped', { schedule: inv.scheduleArn, dlq, error: String(dlqErr) });
  }
}
