/**
 * ECS attributes in SQLite: name/value pairs on a target (a container
 * instance) in a cluster. The limits and checks are in ../attributes.ts.
 */
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';

export interface AttributeRow {
  target_type: string;
  target_id: string;
  name: string;
  value: string | null;
}

export function attributeNames({ sql, account, region }: Scope, cluster: string, targetId: string): string[] {
  return sql
    .get('SELECT name FROM ecs_attributes WHERE account = ? AND region = ? AND cluster = ? AND target_id = ?')
    .pluck().all(account, region, cluster, targetId) as string[];
}

export function upsertAttributes({ sql, account, region }: Scope, cluster: string, targetType: string, targetId: string, attributes: { name?: string; value?: string }[]) {
  const upsert = sql.get(`INSERT INTO ecs_attributes (account, region, cluster, target_type, target_id, name, value)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, cluster, target_id, name) DO UPDATE SET value = excluded.value`);
  for (const a of attributes) upsert.run(account, region, cluster, targetType, targetId, a.name, a.value ?? null);
}

export function deleteAttributes({ sql, account, region }: Scope, cluster: string, targetId: string, names: string[]) {
  const del = sql.get('DELETE FROM ecs_attributes WHERE account = ? AND region = ? AND cluster = ? AND target_id = ? AND name = ?');
  for (const n of names) del.run(account, region, cluster, targetId, n);
}

export interface AttributeQuery {
  targetType: string;
  name?: string;
  value?: string;
  /** Keyset: the last (target id, name) of the previous page. */
  afterTarget: string;
  afterName: string;
  limit: number;
}

/** A page of a cluster's attributes in (target id, name) order. */
export function listAttributeRows({ sql, account, region }: Scope, cluster: string, q: AttributeQuery): AttributeRow[] {
  return sql
    .get(`SELECT target_type, target_id, name, value FROM ecs_attributes
          WHERE account = ? AND region = ? AND cluster = ? AND target_type = ?
            AND (? IS NULL OR name = ?) AND (? IS NULL OR value = ?)
            AND (target_id > ? OR (target_id = ? AND name > ?))
          ORDER BY target_id, name LIMIT ?`)
    .all(account, region, cluster, q.targetType, q.name ?? null, q.name ?? null,
      q.value ?? null, q.value ?? null, q.afterTarget, q.afterTarget, q.afterName, q.limit) as AttributeRow[];
}

/** Every attribute stored for a target (PutAttributes' and the custom ones given at registration). */
export function attributesOfTarget(sql: Statements, targetId: string): { name: string; value: string | null }[] {
  return sql.get('SELECT name, value FROM ecs_attributes WHERE target_id = ?').all(targetId) as { name: string; value: string | null }[];
}
