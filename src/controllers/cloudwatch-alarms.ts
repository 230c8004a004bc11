/**
 * cloudwatch-alarms: evaluates each CloudWatch alarm (key = account|region|name) once per metric
 * minute (or per period when shorter), in metric time (`--metrics-period`), and runs retention
 * (key RETENTION_KEY): datapoint roll-up by age and alarm-history pruning, in bounded passes.
 * An alarm requeues itself for its next evaluation, so a quiet Berth costs one small pass per
 * alarm per metric minute and nothing per metric. A put or delete pokes its key at once.
 * Alarm actions go to the invoker it is given (today: recorded only — see services/cloudwatch).
 */
import { alarmKeys, cloudwatchRetention, evaluateAlarm, type AlarmActionInvoker } from '../services/cloudwatch/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface CloudWatchAlarmsDeps extends StateDeps {
  /** Real seconds per CloudWatch minute (config metricsPeriod). */
  metricsPeriod: number;
  /** What runs an alarm's actions (Application Auto Scaling plugs in here). */
  alarmActions: AlarmActionInvoker;
}

export const RETENTION_KEY = '#retention';
/** Every alarm is re-enqueued this often too, whatever it asked for (a safety net; each pass is cheap when not due). */
const RESYNC_MS = 5 * 60_000;
/** A retention pass moved its whole batch: look again soon. */
const BUSY_RETENTION_MS = 1_000;

export class CloudWatchAlarms implements Controller {
  readonly name = 'cloudwatch-alarms';
  readonly concurrency = 2;

  readonly watches: Watches;

  constructor(private readonly d: CloudWatchAlarmsDeps) {
    const retentionMs = Math.max(1_000, Math.min(60_000, d.metricsPeriod * 1000));
    this.watches = {
      changes: [{ kind: 'cloudwatch.alarm' }],
      resync: [
        { periodMs: RESYNC_MS, keys: () => (this.d.db.open ? alarmKeys(this.d.sql) : []) },
        { periodMs: retentionMs, keys: () => [RETENTION_KEY] },
      ],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { db, sql, clock, metricsPeriod } = this.d;
    if (!db.open) return;
    if (key === RETENTION_KEY) {
      const moved = db.transaction(() => cloudwatchRetention(sql, clock.now(), metricsPeriod))();
      return moved >= 5000 ? { requeueAfterMs: BUSY_RETENTION_MS } : undefined;
    }
    const wait = db.transaction(() => evaluateAlarm(sql, key, clock.now(), metricsPeriod, this.d.alarmActions))();
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
