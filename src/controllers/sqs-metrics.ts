/**
 * sqs-metrics: publishes AWS/SQS metrics once per metric period (`--metrics-period`; a minute by default) in one
 * transaction (services/sqs/metrics.ts). One key, requeued by its resync.
 */
import { publishQueueMetrics } from '../services/sqs/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface SqsMetricsDeps extends StateDeps {
  metricsPeriod: number;
}

export const SQS_METRICS_KEY = '#sqs-metrics';

export class SqsMetrics implements Controller {
  readonly name = 'sqs-metrics';
  readonly watches: Watches;

  constructor(private readonly d: SqsMetricsDeps) {
    this.watches = { resync: [{ periodMs: Math.max(200, d.metricsPeriod * 1000), keys: () => [SQS_METRICS_KEY] }] };
  }

  async reconcile(): Promise<ReconcileResult | void> {
    const { db, sql, clock, metricsPeriod } = this.d;
    if (!db.open) return;
    db.transaction(() => publishQueueMetrics(sql, clock.now(), metricsPeriod))();
  }
}
