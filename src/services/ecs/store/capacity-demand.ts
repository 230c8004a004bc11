/**
 * What an Auto Scaling group capacity provider's tasks ask of it, for managed scaling
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html): which of the group's
 * instances hold tasks (the non-empty ones count towards M, and managed termination protection keeps them), and
 * the tasks waiting for capacity — each ACTIVE service whose strategy (its own, or the cluster's default it took)
 * names the provider, short of its desired count because placement found no room.
 */
import type { CapacityProvider, CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { parseDoc } from './docs.js';

export interface ProviderDemand {
  /** EC2 instance ids of the group's container instances in the cluster that hold a task not yet STOPPED. */
  busyInstanceIds: string[];
  /** Per waiting service: tasks short of its desired count and its task definition ARN. */
  waiting: { count: number; taskDefinition: string }[];
}

export function providerDemand({ sql, account, region }: Scope, cluster: string, provider: string, groupInstanceIds: string[]): ProviderDemand {
  const ids = new Set(groupInstanceIds);
  const busy = (sql.get(`SELECT DISTINCT ci.ec2_instance_id FROM ecs_container_instances ci JOIN ecs_tasks t ON t.container_instance = ci.arn
                         WHERE ci.account = ? AND ci.region = ? AND ci.cluster = ? AND t.last_status != 'STOPPED'`)
    .pluck().all(account, region, cluster) as string[]).filter((id) => ids.has(id));
  const services = sql.get(`SELECT name, doc FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status = 'ACTIVE'`)
    .all(account, region, cluster) as { name: string; doc: string }[];
  const waiting: ProviderDemand['waiting'] = [];
  for (const row of services) {
    const s = JSON.parse(row.doc) as { capacityProviderStrategy?: CapacityProviderStrategyItem[]; desiredCount?: number; taskDefinition?: string; schedulingStrategy?: string };
    if (s.schedulingStrategy === 'DAEMON' || !s.capacityProviderStrategy?.some((i) => i.capacityProvider === provider)) continue;
    const live = sql.get(`SELECT COUNT(*) FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ?
                          AND desired_status = 'RUNNING' AND last_status != 'STOPPED'`).pluck().get(account, region, cluster, row.name) as number;
    const short = (s.desiredCount ?? 0) - live;
    if (short > 0 && s.taskDefinition) waiting.push({ count: short, taskDefinition: s.taskDefinition });
  }
  return { busyInstanceIds: busy, waiting };
}

/**
 * Every ACTIVE Auto Scaling group capacity provider in every account and region, and the deleted ones still holding
 * managed scaling's policy record (`berthManagedPolicy`: its alarms are yet to be removed) — managed scaling's resync.
 */
export function autoScalingGroupProviders(sql: Statements): { account: string; region: string; provider: CapacityProvider }[] {
  const rows = sql.get(`SELECT account, region, name, doc FROM ecs_capacity_providers
                        WHERE json_extract(doc, '$.autoScalingGroupProvider') IS NOT NULL
                        AND (json_extract(doc, '$.status') = 'ACTIVE' OR json_extract(doc, '$.berthManagedPolicy') IS NOT NULL) ORDER BY seq`)
    .all() as { account: string; region: string; doc: string }[];
  return rows.map((r) => ({ account: r.account, region: r.region, provider: parseDoc<CapacityProvider>(r)! }));
}
