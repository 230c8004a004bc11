/**
 * What Container Insights reports for services each minute (`ECS/ContainerInsights`, dimensions ClusterName and
 * ServiceName): RunningTaskCount, PendingTaskCount, DesiredTaskCount, from the services' own counts, for clusters
 * whose `containerInsights` setting is `enabled` or `enhanced` (a cluster takes the account setting when it is made).
 * RunningTaskCount is the denominator of AWS's "backlog per task" scaling pattern (SQS backlog ÷ running tasks).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Container-Insights-metrics-ECS.html
 */
import type { Cluster, Service } from '@aws-sdk/client-ecs';
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

/** The live services of clusters with Container Insights on, and their task counts. */
export function containerInsightsServiceCounts(sql: Statements): ServiceTaskCounts[] {
  const clusters = sql.get("SELECT account, region, name, doc FROM ecs_clusters WHERE status = 'ACTIVE'").all() as { account: string; region: string; name: string; doc: string }[];
  const on = new Set<string>();
  for (const c of clusters) {
    const setting = (JSON.parse(c.doc) as Cluster).settings?.find((s) => s.name === 'containerInsights')?.value;
    if (setting === 'enabled' || setting === 'enhanced') on.add(`${c.account}|${c.region}|${c.name}`);
  }
  if (!on.size) return [];
  const services = sql.get("SELECT account, region, cluster, name, doc FROM ecs_services WHERE status != 'INACTIVE'").all() as
    { account: string; region: string; cluster: string; name: string; doc: string }[];
  return services.filter((s) => on.has(`${s.account}|${s.region}|${s.cluster}`)).map((s) => {
    const doc = JSON.parse(s.doc) as Service;
    return {
      account: s.account, region: s.region, cluster: s.cluster, service: s.name,
      running: doc.runningCount ?? 0, pending: doc.pendingCount ?? 0, desired: doc.desiredCount ?? 0,
    };
  });
}
