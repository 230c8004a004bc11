/**
 * auto-scaling-schedules: runs EC2 Auto Scaling scheduled actions (key = the action's ARN) when due, on the compressed
 * clock (`--metrics-period`), and requeues each for its next time. A put or delete pokes its key; a resync catches the
 * rest (services/auto-scaling/scheduled-actions.ts).
 */
import { allScheduledUpdateArns, runScheduledUpdate } from '../services/auto-scaling/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';
import { scalingEnv, type ScalingDeps } from './scaling-policies.js';

const RESYNC_MS = 5 * 60_000;

export class AutoScalingSchedules implements Controller {
  readonly name = 'auto-scaling-schedules';
  readonly watches: Watches;

  constructor(private readonly d: StateDeps & ScalingDeps) {
    this.watches = {
      changes: [{ kind: 'autoscaling.scheduled-action' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? allScheduledUpdateArns(this.d.sql) : []) }],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { db, sql } = this.d;
    if (!db.open) return;
    const wait = db.transaction(() => runScheduledUpdate(sql, key, scalingEnv(this.d)))();
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
