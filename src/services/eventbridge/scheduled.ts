/**
 * Scheduled rules tick (the event-schedules controller calls `tickSchedule` per rule ARN): when a tick is due, every
 * target of the rule gets a "Scheduled Event" (source `aws.events`, resources the rule's ARN), queued like a match.
 * A tick missed while Berth was stopped is not made up: the rule ticks once for the latest due time, then goes on.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeKind } from '../../state/change-feed.js';
import type { DeliveryDeps } from './delivery.js';
import { eventTime, queueForRule } from './routing.js';
import { nextTick, parseRuleSchedule } from './schedule.js';
import { ruleByArn, setLastTick } from './store.js';
import type { BusEvent } from './types.js';

/** Ticks the rule if it is due; returns ms until its next tick, or undefined when it has none (gone, disabled, unscheduled). */
export function tickSchedule(d: Omit<DeliveryDeps, 'log'>, ruleArn: string): number | undefined {
  const changes: [ChangeKind, string][] = [];
  const wait = d.db.transaction(() => {
    const row = ruleByArn(d.sql, ruleArn);
    if (!row || !row.rule.ScheduleExpression || row.rule.State === 'DISABLED' || row.origin === null) return undefined;
    const schedule = parseRuleSchedule(row.rule.ScheduleExpression);
    const now = d.clock.now();
    let next = nextTick(schedule, row.origin, row.last_tick, d.metricsPeriod);
    let due: typeof next;
    for (let i = 0; next && next.at <= now && i < 100_000; i++) {
      due = next;
      next = nextTick(schedule, row.origin, next.virtual, d.metricsPeriod);
    }
    if (due) {
      const event: BusEvent = {
        version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: row.account,
        time: eventTime(due.at), region: row.region, resources: [row.arn], detail: {},
      };
      queueForRule(d.sql, row.arn, JSON.stringify(event), now, (kind, key) => changes.push([kind, key]));
      setLastTick(d.sql, row.arn, due.virtual);
    }
    return next ? Math.max(0, next.at - now) : undefined;
  })();
  for (const [kind, key] of changes) d.publish(kind, key);
  return wait;
}
