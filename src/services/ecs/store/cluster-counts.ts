/**
 * A cluster's live counts (registered instances, running and pending tasks,
 * active services) and its STATISTICS, as DescribeClusters reports them
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html).
 * Counted from indexes on every read, never stored, so they cannot drift from
 * what runs; no task document is parsed. Also the console's reads of where clusters are and their tasks by state.
 */
import type { KeyValuePair } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';

export interface ClusterCounts {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
}

/** Task states ECS counts as pending: accepted, not yet RUNNING. */
const PENDING_STATES = ['PROVISIONING', 'PENDING', 'ACTIVATING'];

/** The statistics ECS returns for include=STATISTICS, in its order (as DescribeClusters answers on AWS). */
const STAT_KEYS = [
  'runningEC2TasksCount', 'runningFargateTasksCount', 'pendingEC2TasksCount', 'pendingFargateTasksCount',
  'runningExternalTasksCount', 'pendingExternalTasksCount',
  'activeEC2ServiceCount', 'activeFargateServiceCount', 'drainingEC2ServiceCount', 'drainingFargateServiceCount',
  'activeExternalServiceCount', 'drainingExternalServiceCount',
] as const;

type LaunchKind = 'EC2' | 'Fargate' | 'External';

function kindOfLaunchType(launchType: string | null): LaunchKind {
  return launchType === 'FARGATE' ? 'Fargate' : launchType === 'EXTERNAL' ? 'External' : 'EC2';
}

/** Unfinished tasks of a cluster by lastStatus and launch type (kept in ecs_cluster_task_counts by moveClusterCount). */
function taskGroups({ sql, account, region }: Scope, cluster: string) {
  return sql
    .get(`SELECT last_status AS status, NULLIF(launch_type, '') AS launchType, tasks AS n FROM ecs_cluster_task_counts
          WHERE account = ? AND region = ? AND cluster = ? AND last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING') AND tasks > 0`)
    .all(account, region, cluster) as { status: string; launchType: string | null; n: number }[];
}

/** Where a task is counted: its cluster and launch type, as its row records them. */
export interface CountedTask {
  account: string;
  region: string;
  cluster: string;
  launch_type: string | null;
}

/** Moves a task between its cluster's counts for a lastStatus change (`from` undefined: a new task; STOPPED is not counted). */
export function moveClusterCount(sql: Statements, t: CountedTask, from: string | undefined, to: string) {
  if (from === to) return;
  const bump = (status: string | undefined, by: number) => {
    if (status === undefined || status === 'STOPPED') return;
    sql
      .get(`INSERT INTO ecs_cluster_task_counts (account, region, cluster, last_status, launch_type, tasks) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (account, region, cluster, last_status, launch_type) DO UPDATE SET tasks = tasks + excluded.tasks`)
      .run(t.account, t.region, t.cluster, status, t.launch_type ?? '', by);
  };
  bump(from, -1);
  bump(to, 1);
}

/**
 * ACTIVE and DRAINING services by launch type. A service placed by a capacity
 * provider strategy has no launch_type; FARGATE/FARGATE_SPOT providers make it Fargate.
 */
function serviceGroups({ sql, account, region }: Scope, cluster: string) {
  return sql
    .get(`SELECT status, CASE WHEN launch_type IS NOT NULL THEN launch_type
                 WHEN json_extract(doc, '$.capacityProviderStrategy[0].capacityProvider') LIKE 'FARGATE%' THEN 'FARGATE'
                 ELSE 'EC2' END AS launchType, COUNT(*) AS n
          FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status IN ('ACTIVE', 'DRAINING')
          GROUP BY 1, 2`)
    .all(account, region, cluster) as { status: string; launchType: string; n: number }[];
}

export function clusterCounts(scope: Scope, cluster: string): ClusterCounts {
  const { sql } = scope;
  const tasks = taskGroups(scope, cluster);
  const instances = sql
    .get("SELECT COUNT(*) FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND status IN ('ACTIVE', 'DRAINING')")
    .pluck().get(scope.account, scope.region, cluster) as number;
  const services = sql
    .get("SELECT COUNT(*) FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status = 'ACTIVE'")
    .pluck().get(scope.account, scope.region, cluster) as number;
  return {
    registeredContainerInstancesCount: instances,
    runningTasksCount: tasks.filter((t) => t.status === 'RUNNING').reduce((n, t) => n + t.n, 0),
    pendingTasksCount: tasks.filter((t) => PENDING_STATES.includes(t.status)).reduce((n, t) => n + t.n, 0),
    activeServicesCount: services,
  };
}

export function clusterStatistics(scope: Scope, cluster: string): KeyValuePair[] {
  const values = new Map<string, number>(STAT_KEYS.map((k) => [k, 0]));
  const add = (key: string, n: number) => values.set(key, (values.get(key) ?? 0) + n);
  for (const t of taskGroups(scope, cluster)) {
    add(`${t.status === 'RUNNING' ? 'running' : 'pending'}${kindOfLaunchType(t.launchType)}TasksCount`, t.n);
  }
  for (const s of serviceGroups(scope, cluster)) {
    add(`${s.status === 'ACTIVE' ? 'active' : 'draining'}${kindOfLaunchType(s.launchType)}ServiceCount`, s.n);
  }
  return STAT_KEYS.map((name) => ({ name, value: String(values.get(name)) }));
}

/** What stops DeleteCluster, in the order it is checked; undefined if nothing does. */
export function clusterDeleteBlocker(scope: Scope, cluster: string): 'services' | 'tasks' | 'instances' | undefined {
  const has = (query: string) => !!scope.sql.get(query).get(scope.account, scope.region, cluster);
  if (has("SELECT 1 FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status = 'ACTIVE' LIMIT 1")) return 'services';
  // A task holds the cluster until it is STOPPED, whatever its desired status (an IN list: index seeks, not a scan of stopped tasks).
  if (has(`SELECT 1 FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ?
           AND last_status IN ('PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING') LIMIT 1`)) return 'tasks';
  if (has("SELECT 1 FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND status IN ('ACTIVE', 'DRAINING') LIMIT 1")) return 'instances';
  return undefined;
}

/** For Berth's console: the accounts and regions that have at least one ACTIVE cluster, in a stable order. */
export function scopesWithClusters(sql: Statements): { account: string; region: string }[] {
  return sql
    .get("SELECT DISTINCT account, region FROM ecs_clusters WHERE status = 'ACTIVE' ORDER BY account, region")
    .all() as { account: string; region: string }[];
}

/** For Berth's console: a cluster's tasks counted by lastStatus (STOPPED ones only while ECS still describes them). */
export function clusterTaskStates({ sql, account, region }: Scope, cluster: string): Record<string, number> {
  const rows = sql
    .get('SELECT last_status AS status, COUNT(*) AS n FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? GROUP BY last_status')
    .all(account, region, cluster) as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
