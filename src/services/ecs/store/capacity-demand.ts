/**
 * What an Auto Scaling group capacity provider's tasks ask of it, for managed scaling
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html): which of the group's
 * instances hold tasks (the non-empty ones count towards M, and managed termination protection keeps them), and
 * the provider's tasks waiting in PROVISIONING for capacity, grouped by their exact CPU and memory as ECS groups
 * them. Also the waiting tasks themselves, for the controller that places them once instances arrive.
 */
import type { CapacityProvider, Task } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { parseDoc } from './docs.js';

export interface ProviderDemand {
  /** EC2 instance ids of the group's container instances in the cluster that hold a task not yet STOPPED. */
  busyInstanceIds: string[];
  /** The provider's tasks waiting for capacity, per distinct CPU and memory. */
  waiting: { count: number; cpu: number; memory: number }[];
}

/** The rows of EC2 tasks with no container instance yet (ecs_tasks_awaiting_capacity). */
const WAITING = "last_status = 'PROVISIONING' AND container_instance IS NULL AND launch_type = 'EC2'";

export function providerDemand({ sql, account, region }: Scope, cluster: string, provider: string, groupInstanceIds: string[]): ProviderDemand {
  const ids = new Set(groupInstanceIds);
  const busy = (sql.get(`SELECT DISTINCT ci.ec2_instance_id FROM ecs_container_instances ci JOIN ecs_tasks t ON t.container_instance = ci.arn
                         WHERE ci.account = ? AND ci.region = ? AND ci.cluster = ? AND t.last_status != 'STOPPED'`)
    .pluck().all(account, region, cluster) as string[]).filter((id) => ids.has(id));
  const waiting = sql.get(`SELECT cpu, memory, COUNT(*) AS count FROM ecs_tasks INDEXED BY ecs_tasks_awaiting_capacity
                           WHERE account = ? AND region = ? AND cluster = ? AND ${WAITING} AND desired_status = 'RUNNING'
                           AND json_extract(doc, '$.capacityProviderName') = ? GROUP BY cpu, memory`)
    .all(account, region, cluster, provider) as { cpu: number; memory: number; count: number }[];
  return { busyInstanceIds: busy, waiting };
}

/** How many of a cluster's tasks wait in PROVISIONING for capacity (ECS caps them per cluster). */
export function waitingTaskCount({ sql, account, region }: Scope, cluster: string): number {
  return sql.get(`SELECT COUNT(*) FROM ecs_tasks INDEXED BY ecs_tasks_awaiting_capacity WHERE account = ? AND region = ? AND cluster = ? AND ${WAITING}`)
    .pluck().get(account, region, cluster) as number;
}

/** Clusters (as account, region, name) with a task waiting for capacity: capacity placement's resync. */
export function clustersWithWaitingTasks(sql: Statements): { account: string; region: string; cluster: string }[] {
  return sql.get(`SELECT DISTINCT account, region, cluster FROM ecs_tasks INDEXED BY ecs_tasks_awaiting_capacity WHERE ${WAITING}`)
    .all() as { account: string; region: string; cluster: string }[];
}

/** A cluster's tasks waiting for capacity, oldest first (desired STOPPED ones too: the task lifecycle stops those). */
export function waitingTasks({ sql, account, region }: Scope, cluster: string, limit = 1000): Task[] {
  return (sql.get(`SELECT doc FROM ecs_tasks INDEXED BY ecs_tasks_awaiting_capacity WHERE account = ? AND region = ? AND cluster = ? AND ${WAITING}
                   ORDER BY seq LIMIT ?`).pluck().all(account, region, cluster, limit) as string[]).map((d) => JSON.parse(d) as Task);
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
