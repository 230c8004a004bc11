/**
 * What Container Insights reports for services each minute (`ECS/ContainerInsights`, dimensions ClusterName and
 * ServiceName): RunningTaskCount, PendingTaskCount, DesiredTaskCount, from the services' own counts, for clusters
 * whose `containerInsights` setting is `enabled` or `enhanced` (a cluster takes the account setting when it is made).
 * RunningTaskCount is the denominator of AWS's "backlog per task" scaling pattern (SQS backlog ÷ running tasks).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Container-Insights-metrics-ECS.html
 */
import type { Statements } from '../../state/db.js';

export interface ServiceTaskCounts {
  account: string;
  region: string;
  cluster: string;
  service: string;
  running: number;
  pending: number;
  desired: number;
}

/**
 * The live services of clusters with Container Insights on, and their task counts. Once a metric minute: SQLite reads
 * the setting and the three counts from the documents (1,000 clusters and services parsed in JavaScript each minute
 * were ~40 ms of an idle Berth's CPU), and only the services of clusters that have it on are read.
 */
export function containerInsightsServiceCounts(sql: Statements): ServiceTaskCounts[] {
  const clusters = sql.get(`SELECT account, region, name FROM ecs_clusters WHERE status = 'ACTIVE' AND EXISTS (
      SELECT 1 FROM json_each(doc, '$.settings') s
      WHERE json_extract(s.value, '$.name') = 'containerInsights' AND json_extract(s.value, '$.value') IN ('enabled', 'enhanced'))`)
    .all() as { account: string; region: string; name: string }[];
  const services = sql.get(`SELECT name AS service, COALESCE(json_extract(doc, '$.runningCount'), 0) AS running,
      COALESCE(json_extract(doc, '$.pendingCount'), 0) AS pending, COALESCE(json_extract(doc, '$.desiredCount'), 0) AS desired
      FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status != 'INACTIVE' ORDER BY seq`);
  return clusters.flatMap((c) =>
    (services.all(c.account, c.region, c.name) as Omit<ServiceTaskCounts, 'account' | 'region' | 'cluster'>[])
      .map((s) => ({ account: c.account, region: c.region, cluster: c.name, ...s })));
}
