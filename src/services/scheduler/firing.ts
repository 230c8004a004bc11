/**
 * Running schedules (the scheduler-schedules controller calls `fireSchedule` per schedule ARN). A schedule's clock
 * starts when it is created or updated and runs on Berth's clock compressed like the metric minute
 * (`--metrics-period`), as EventBridge rules' schedules do: `rate(1 minute)` fires every period, and `at()` and `cron()`
 * are read on a virtual clock that agrees with real time at the origin. StartDate and EndDate bound recurring
 * schedules; an `at()` in the past fires at once. A fire invokes the target in one transaction with recording it: an
 * SQS queue (the input as body), an ECS cluster (RunTask with EcsParameters, the input as overrides), an EventBridge
 * bus (a PutEvents of EventBridgeParameters' source and detail type, the input as detail). A failure goes to the
 * target's dead-letter queue when it has one. After its last fire a schedule with ActionAfterCompletion DELETE is deleted.
 */
import { randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { AwsError } from '../../protocol/errors.js';
import { parseArn } from '../../shared/arns.js';
import type { ChangeKind } from '../../state/change-feed.js';
import { invokeTarget, nextFire, parseSchedule, putEventOnBus, type DeliveryDeps } from '../eventbridge/index.js';
import { sendToQueue } from '../sqs/index.js';
import type { RequestContext } from '../provider.js';
import { deleteScheduleRow, groupArn, scheduleByArn, setLastFire, type ScheduleRow } from './store.js';
import type { ScheduleDoc } from './types.js';

export type FireDeps = DeliveryDeps;

/** Fires the schedule if it is due; returns ms until it should look again, or undefined when it never fires again. */
export function fireSchedule(d: FireDeps, arn: string): number | undefined {
  const changes: [ChangeKind, string][] = [];
  const wait = d.db.transaction(() => {
    const row = scheduleByArn(d.sql, arn);
    if (!row || row.schedule.State === 'DISABLED') return undefined;
    const s = row.schedule;
    const schedule = parseSchedule(s.ScheduleExpression, { at: true, timezone: s.ScheduleExpressionTimezone });
    const scale = d.metricsPeriod / 60;
    const toReal = (virtual: number) => row.origin + (virtual - row.origin) * scale;
    const start = s.StartDate ? Date.parse(s.StartDate) : undefined;
    const end = s.EndDate ? Date.parse(s.EndDate) : undefined;
    const next = (after: number | null): number | undefined => {
      if (schedule.kind === 'at') return after === null ? Math.max(schedule.at, row.origin) : undefined;
      const from = Math.max(after ?? row.origin, start !== undefined ? start - 1 : -Infinity);
      const t = nextFire(schedule, from, row.origin);
      return t !== undefined && (end === undefined || t <= end) ? t : undefined;
    };
    const now = d.clock.now();
    let due = next(row.last_fire);
    if (due === undefined) return completed(d, row, changes);
    if (toReal(due) > now) return toReal(due) - now;
    // Fires missed while Berth was stopped are not made up: the latest due one fires once.
    for (let i = 0; i < 100_000; i++) {
      const after = next(due);
      if (after === undefined || toReal(after) > now) break;
      due = after;
    }
    invoke(d, row, s, now, changes);
    setLastFire(d.sql, row.arn, due);
    const following = next(due);
    return following === undefined ? completed(d, row, changes) : Math.max(0, toReal(following) - now);
  })();
  for (const [kind, key] of changes) d.publish(kind, key);
  return wait;
}

function completed(d: FireDeps, row: ScheduleRow, changes: [ChangeKind, string][]): undefined {
  const s = JSON.parse(row.doc) as ScheduleDoc;
  if (s.ActionAfterCompletion === 'DELETE') {
    deleteScheduleRow(d.sql, row.arn);
    changes.push(['scheduler.schedule', row.arn]);
  }
  return undefined;
}

function invoke(d: FireDeps, row: ScheduleRow, s: ScheduleDoc, now: number, changes: [ChangeKind, string][]) {
  const t = s.Target;
  const input = t.Input ?? '{}';
  try {
    d.db.transaction(() => {
      const p = parseArn(t.Arn);
      if (p?.service === 'events' && p.resource.startsWith('event-bus/')) {
        let detail: unknown;
        try { detail = JSON.parse(input); } catch { detail = undefined; }
        if (!detail || typeof detail !== 'object' || Array.isArray(detail)) throw new AwsError('MalformedDetail', 'Detail is malformed.');
        putEventOnBus(d.sql, p, p.resource.slice('event-bus/'.length), {
          source: t.EventBridgeParameters!.Source, detailType: t.EventBridgeParameters!.DetailType, detail, resources: [row.arn],
        }, now, (kind, key) => changes.push([kind, key]));
        return;
      }
      invokeTarget(d, t, input, { deduplicationId: randomUUID() }, changes);
    })();
  } catch (err) {
    const code = err instanceof AwsError ? err.code : 'InternalFailure';
    const message = err instanceof Error ? err.message : String(err);
    const dlq = t.DeadLetterConfig?.Arn;
    if (!dlq) {
      d.log.warn('scheduler target invocation failed; dropped (no dead-letter queue)', { schedule: row.arn, code, error: message });
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
        body: input, groupId: row.name, deduplicationId: randomUUID(),
        attributes: {
          ERROR_CODE: attr(code), ERROR_MESSAGE: attr(message.slice(0, 1000)), EXHAUSTED_RETRY_CONDITION: attr('MaximumRetryAttemptsExhausted'),
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '0' }, TARGET_ARN: attr(t.Arn), SCHEDULE_ARN: attr(row.arn),
          GROUP_ARN: attr(groupArn(row, row.grp)),
        },
      }))();
    } catch (dlqErr) {
      d.log.warn('scheduler dead-letter queue refused the failure; dropped', { schedule: row.arn, dlq, error: String(dlqErr) });
    }
  }
}
