/**
 * event-schedules: ticks EventBridge's scheduled rules (key = the rule's ARN) on Berth's clock, compressed like the
 * metric minute (`--metrics-period`): each rule requeues itself for its next tick, so a quiet Berth costs one pass per
 * tick per rule. A put, enable, disable or delete pokes the key at once; a resync catches the rest.
 */
import { scheduledRuleArns, tickSchedule } from '../services/eventbridge/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EventSchedulesDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

const RESYNC_MS = 5 * 60_000;

export class EventSchedules implements Controller {
  readonly name = 'event-schedules';
  readonly watches: Watches;

  constructor(private readonly d: EventSchedulesDeps) {
    this.watches = {
      changes: [{ kind: 'events.rule' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? scheduledRuleArns(this.d.sql) : []) }],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.d.db.open) return;
    const wait = tickSchedule({ ...this.d, publish: (kind, k) => this.d.changes.publish(kind, k) }, key);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
