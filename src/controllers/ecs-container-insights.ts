/**
 * ecs-container-insights: once per metric period (`--metrics-period`; a minute by default) writes, through
 * CloudWatch's door, the `ECS/ContainerInsights` service counts of clusters with Container Insights on —
 * RunningTaskCount, PendingTaskCount, DesiredTaskCount (Count; ClusterName, ServiceName) — in one transaction
 * (services/ecs/container-insights.ts). One key, requeued by its resync: an account without such clusters costs one
 * indexed read a period.
 */
import { recordOwnMetrics, type OwnDatum } from '../services/cloudwatch/index.js';
import { containerInsightsServiceCounts } from '../services/ecs/index.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EcsContainerInsightsDeps extends StateDeps {
  metricsPeriod: number;
}

export const CONTAINER_INSIGHTS_KEY = '#ecs-container-insights';

export class EcsContainerInsights implements Controller {
  readonly name = 'ecs-container-insights';
  readonly watches: Watches;

  constructor(private readonly d: EcsContainerInsightsDeps) {
    this.watches = { resync: [{ periodMs: Math.max(200, d.metricsPeriod * 1000), keys: () => [CONTAINER_INSIGHTS_KEY] }] };
  }

  async reconcile(): Promise<ReconcileResult | void> {
    const { db, sql, clock, metricsPeriod } = this.d;
    if (!db.open) return;
    db.transaction(() => {
      const now = clock.now();
      const data: OwnDatum[] = containerInsightsServiceCounts(sql).flatMap((s) => {
        const dimensions = [{ Name: 'ClusterName', Value: s.cluster }, { Name: 'ServiceName', Value: s.service }];
        const datum = (name: string, v: number): OwnDatum => ({
          account: s.account, region: s.region, namespace: 'ECS/ContainerInsights', name, dimensions, values: [v], unit: 'Count', timestamp: now,
        });
        return [datum('RunningTaskCount', s.running), datum('PendingTaskCount', s.pending), datum('DesiredTaskCount', s.desired)];
      });
      if (data.length) recordOwnMetrics(sql, data, metricsPeriod);
    })();
  }
}
