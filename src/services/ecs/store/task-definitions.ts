/**
 * ECS task definitions in SQLite: a row per family revision with its status
 * and TaskDefinition document. The one lookup for both front doors: the
 * provider names a revision by family (latest ACTIVE) or family:revision in
 * its scope, the controllers and metadata by ARN.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { parseTaskDefinitionArn } from '../../../shared/arns.js';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { parseDoc } from './docs.js';

export interface TaskDefinitionRow {
  family: string;
  revision: number;
  status: string;
  doc: string;
}

/** A reference as ECS accepts it: "family", "family:revision" or the full ARN. */
export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** The revision a reference names; a bare family names its latest ACTIVE revision. */
export function loadTaskDefinitionRow({ sql, account, region }: Scope, ref: TaskDefinitionRef): TaskDefinitionRow | undefined {
  if (ref.revision === undefined) {
    return sql
      .get(`SELECT family, revision, status, doc FROM ecs_task_definitions
            WHERE account = ? AND region = ? AND family = ? AND status = 'ACTIVE' ORDER BY revision DESC LIMIT 1`)
      .get(account, region, ref.family) as TaskDefinitionRow | undefined;
  }
  return sql
    .get('SELECT family, revision, status, doc FROM ecs_task_definitions WHERE account = ? AND region = ? AND family = ? AND revision = ?')
    .get(account, region, ref.family, ref.revision) as TaskDefinitionRow | undefined;
}

/** A task definition by its ARN (any status), for controllers and metadata (which have no request scope). */
export function findTaskDefinitionByArn(sql: Statements, arn: string): TaskDefinition | undefined {
  const a = parseTaskDefinitionArn(arn);
  return a ? parseDoc<TaskDefinition>(loadTaskDefinitionRow({ sql, account: a.account, region: a.region }, a)) : undefined;
}

export function saveTaskDefinition({ sql, account, region }: Scope, def: TaskDefinition) {
  sql
    .get('UPDATE ecs_task_definitions SET status = ?, doc = ? WHERE account = ? AND region = ? AND family = ? AND revision = ?')
    .run(def.status, JSON.stringify(def), account, region, def.family, def.revision);
}

/** The next revision of a family: revisions count up from 1 and are never reused. */
export function nextRevision({ sql, account, region }: Scope, family: string): number {
  const last = sql
    .get('SELECT COALESCE(MAX(revision), 0) AS n FROM ecs_task_definitions WHERE account = ? AND region = ? AND family = ?')
    .get(account, region, family) as { n: number };
  return last.n + 1;
}

/** @param registeredAt epoch seconds with millisecond precision, as ECS sends timestamps. */
export function insertTaskDefinition({ sql, account, region }: Scope, def: TaskDefinition, registeredAt: number) {
  sql
    .get('INSERT INTO ecs_task_definitions (account, region, family, revision, status, doc, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(account, region, def.family, def.revision, def.status, JSON.stringify(def), registeredAt);
}

export interface TaskDefinitionListQuery {
  status: string;
  family?: string;
  desc: boolean;
  /** Keyset: `family:revision` of the previous page's last row, '' for the first page. */
  after: string;
  afterFamily: string;
  afterRevision: number;
  limit: number;
}

export function listTaskDefinitionRows({ sql, account, region }: Scope, q: TaskDefinitionListQuery): { family: string; revision: number }[] {
  const cmp = q.desc ? '<' : '>';
  return sql
    .get(`SELECT family, revision FROM ecs_task_definitions
          WHERE account = ? AND region = ? AND status = ? AND (? IS NULL OR family = ?)
            AND (? = '' OR family ${cmp} ? OR (family = ? AND revision ${cmp} ?))
          ORDER BY family ${q.desc ? 'DESC' : 'ASC'}, revision ${q.desc ? 'DESC' : 'ASC'} LIMIT ?`)
    .all(account, region, q.status, q.family ?? null, q.family ?? null,
      q.after, q.afterFamily, q.afterFamily, q.afterRevision, q.limit) as { family: string; revision: number }[];
}

/** Families by name after `after`: ACTIVE ones have an ACTIVE revision, INACTIVE ones none, ALL both. */
export function listFamilies({ sql, account, region }: Scope, status: 'ACTIVE' | 'INACTIVE' | 'ALL', prefix: string, after: string, limit: number): string[] {
  const having = { ACTIVE: 'HAVING active > 0', INACTIVE: 'HAVING active = 0', ALL: '' }[status];
  return (sql
    .get(`SELECT family, SUM(status = 'ACTIVE') AS active FROM ecs_task_definitions
          WHERE account = ? AND region = ? AND substr(family, 1, ?) = ? AND family > ?
          GROUP BY family ${having} ORDER BY family LIMIT ?`)
    .all(account, region, prefix.length, prefix, after, limit) as { family: string }[]).map((r) => r.family);
}
