/** ECS clusters in SQLite: the Cluster document, its status and list order. Counts are in cluster-counts.ts. */
import type { Cluster } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { nextSeq } from './docs.js';

export interface ClusterRow {
  name: string;
  arn: string;
  status: string;
  doc: string;
}

export function loadClusterRow({ sql, account, region }: Scope, name: string): ClusterRow | undefined {
  return sql
    .get('SELECT name, arn, status, doc FROM ecs_clusters WHERE account = ? AND region = ? AND name = ?')
    .get(account, region, name) as ClusterRow | undefined;
}

export function saveCluster({ sql, account, region }: Scope, cluster: Cluster) {
  sql
    .get('UPDATE ecs_clusters SET status = ?, doc = ? WHERE account = ? AND region = ? AND name = ?')
    .run(cluster.status, JSON.stringify(cluster), account, region, cluster.clusterName);
}

export function insertCluster({ sql, account, region }: Scope, cluster: Cluster) {
  sql
    .get('INSERT INTO ecs_clusters (account, region, name, arn, status, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(account, region, cluster.clusterName, cluster.clusterArn, cluster.status, JSON.stringify(cluster), nextSeq(sql, 'ecs_clusters'));
}

/** ACTIVE clusters after `afterSeq`, in creation order. */
export function listClusterRows({ sql, account, region }: Scope, afterSeq: number, limit: number): { arn: string; seq: number }[] {
  return sql
    .get("SELECT arn, seq FROM ecs_clusters WHERE account = ? AND region = ? AND status = 'ACTIVE' AND seq > ? ORDER BY seq LIMIT ?")
    .all(account, region, afterSeq, limit) as { arn: string; seq: number }[];
}

export function activeClusterArnExists(sql: Statements, arn: string): boolean {
  return !!sql.get("SELECT 1 FROM ecs_clusters WHERE arn = ? AND status = 'ACTIVE'").get(arn);
}
