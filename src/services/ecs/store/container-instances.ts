/**
 * ECS container instances in SQLite: the ContainerInstance document, its
 * status, id and engine. What their tasks take is in instance-usage.ts.
 */
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { ENGINE_ATTRIBUTE } from './engine-routing.js';

export interface InstanceRow {
  account: string;
  region: string;
  cluster: string;
  arn: string;
  status: string;
  doc: string;
}

/** A cluster's instances in the given statuses, in registration order (the others' documents are not read). */
export function loadInstances(scope: Scope, cluster: string, statusIn = ['ACTIVE', 'DRAINING']): (ContainerInstance & { cluster: string })[] {
  const rows = scope.sql
    .get(`SELECT account, region, cluster, arn, status, doc FROM ecs_container_instances
          WHERE account = ? AND region = ? AND cluster = ? AND status IN (SELECT value FROM json_each(?)) ORDER BY seq`)
    .all(scope.account, scope.region, cluster, JSON.stringify(statusIn)) as InstanceRow[];
  return rows.map((r) => ({ ...(JSON.parse(r.doc) as ContainerInstance), cluster: r.cluster }));
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

/** The EC2 instance behind a container instance (any status), or undefined. */
export function ec2InstanceIdOf(sql: Statements, containerInstanceArn: string): string | undefined {
  const row = sql.get('SELECT ec2_instance_id FROM ecs_container_instances WHERE arn = ?').get(containerInstanceArn) as { ec2_instance_id: string | null } | undefined;
  return row?.ec2_instance_id ?? undefined;
}

export function registeredInstanceArnExists(sql: Statements, arn: string): boolean {
  return !!sql.get("SELECT 1 FROM ecs_container_instances WHERE arn = ? AND status != 'INACTIVE'").get(arn);
}

/** Records a new instance; `engine` is its berth.engine attribute ('' for the local engine), fixed at registration. */
export function insertInstance({ sql, account, region }: Scope, cluster: string, id: string, ci: ContainerInstance) {
  const engine = ci.attributes?.find((a) => a.name === ENGINE_ATTRIBUTE)?.value ?? '';
  sql
    .get(`INSERT INTO ecs_container_instances (account, region, cluster, id, arn, status, ec2_instance_id, engine, doc, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_container_instances))`)
    .run(account, region, cluster, id, ci.containerInstanceArn, ci.status, ci.ec2InstanceId, engine, JSON.stringify(ci));
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
