/**
 * scheduler-schedules: runs EventBridge Scheduler's schedules (key = the schedule's ARN) on Berth's clock, compressed
 * like the metric minute (`--metrics-period`; services/scheduler/firing.ts). Each schedule requeues itself for its next
 * fire; a create, update or delete pokes the key; a resync catches the rest.
 */
import { allScheduleArns, fireSchedule } from '../services/scheduler/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface SchedulerSchedulesDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

const RESYNC_MS = 5 * 60_000;

export class SchedulerSchedules implements Controller {
  readonly name = 'scheduler-schedules';
  readonly watches: Watches;

  constructor(private readonly d: SchedulerSchedulesDeps) {
    this.watches = {
      changes: [{ kind: 'scheduler.schedule' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? allScheduleArns(this.d.sql) : []) }],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.d.db.open) return;
    const wait = fireSchedule({ ...this.d, publish: (kind, k) => this.d.changes.publish(kind, k) }, key);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
