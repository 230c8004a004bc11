/**
 * ECS container instances in SQLite: the ContainerInstance document, its
 * status and id, and the queries placement and the ports it takes need.
 */
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { HOLDING_STATES } from './tasks.js';

export interface InstanceRow {
  account: string;
  region: string;
  cluster: string;
  arn: string;
  status: string;
  doc: string;
}

export function loadInstances(scope: Scope, cluster: string, statusIn = ['ACTIVE', 'DRAINING']): (ContainerInstance & { cluster: string })[] {
  const rows = scope.sql
    .get(`SELECT account, region, cluster, arn, status, doc FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? ORDER BY seq`)
    .all(scope.account, scope.region, cluster) as InstanceRow[];
  return rows.filter((r) => statusIn.includes(r.status)).map((r) => ({ ...(JSON.parse(r.doc) as ContainerInstance), cluster: r.cluster }));
}

/** An instance of a cluster by its id (any status). */
export function findInstanceRow({ sql, account, region }: Scope, cluster: string, id: string): InstanceRow | undefined {
  return sql
    .get('SELECT account, region, cluster, arn, status, doc FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND id = ?')
    .get(account, region, cluster, id) as InstanceRow | undefined;
}

/** The ARN of the registered (not INACTIVE) instance with this id in the cluster, or undefined. */
export function registeredInstanceArn({ sql, account, region }: Scope, cluster: string, id: string): string | undefined {
  const row = sql
    .get("SELECT arn FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND id = ? AND status != 'INACTIVE'")
    .get(account, region, cluster, id) as { arn: string } | undefined;
  return row?.arn;
}

export function registeredInstanceArnExists(sql: Statements, arn: string): boolean {
  return !!sql.get("SELECT 1 FROM ecs_container_instances WHERE arn = ? AND status != 'INACTIVE'").get(arn);
}

export function insertInstance({ sql, account, region }: Scope, cluster: string, id: string, ci: ContainerInstance) {
  sql
    .get(`INSERT INTO ecs_container_instances (account, region, cluster, id, arn, status, ec2_instance_id, doc, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_container_instances))`)
    .run(account, region, cluster, id, ci.containerInstanceArn, ci.status, ci.ec2InstanceId, JSON.stringify(ci));
}

export function saveInstance(sql: Statements, ci: ContainerInstance) {
  sql.get('UPDATE ecs_container_instances SET status = ?, doc = ? WHERE arn = ?').run(ci.status, JSON.stringify(ci), ci.containerInstanceArn);
}

/** A cluster's instances (any status) after `afterSeq`, in registration order. */
export function listInstanceRows({ sql, account, region }: Scope, cluster: string, afterSeq: number): (InstanceRow & { seq: number })[] {
  return sql
    .get('SELECT arn, status, doc, seq FROM ecs_container_instances WHERE account = ? AND region = ? AND cluster = ? AND seq > ? ORDER BY seq')
    .all(account, region, cluster, afterSeq) as (InstanceRow & { seq: number })[];
}

/** A container instance's zone: its ecs.availability-zone attribute, which a task placed on it runs in. */
export function instanceZone(sql: Statements, instanceArn: string): string | undefined {
  return (sql
    .get(`SELECT json_extract(a.value, '$.value') FROM ecs_container_instances ci, json_each(ci.doc, '$.attributes') a
          WHERE ci.arn = ? AND json_extract(a.value, '$.name') = 'ecs.availability-zone'`)
    .pluck().get(instanceArn) as string | null) ?? undefined;
}

/**
 * The host ports (berthHostPorts) of every task that is not STOPPED, on any
 * instance of any cluster, account or region, with the value of its
 * instance's `engineAttribute` ('' when it has none).
 */
export function hostPortsByEngine(sql: Statements, engineAttribute: string): { engine: string; ports: { tcp?: number[]; udp?: number[] } }[] {
  const rows = sql
    .get(`SELECT COALESCE((SELECT json_extract(a.value, '$.value') FROM json_each(ci.doc, '$.attributes') a
                           WHERE json_extract(a.value, '$.name') = ?), '') AS engine,
                 json_extract(t.doc, '$.berthHostPorts') AS ports
          FROM ecs_tasks t JOIN ecs_container_instances ci ON ci.arn = t.container_instance
          WHERE t.last_status IN ${HOLDING_STATES} AND json_extract(t.doc, '$.berthHostPorts') IS NOT NULL`)
    .all(engineAttribute) as { engine: string; ports: string }[];
  return rows.map((r) => ({ engine: r.engine, ports: JSON.parse(r.ports) }));
}
