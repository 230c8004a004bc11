/** EventBridge Scheduler rows: schedule groups and schedules (the schedule document, its clock's origin and last fire). */
import { arn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import type { ScheduleDoc } from './types.js';

export interface Scope {
  account: string;
  region: string;
}

export interface GroupRow { account: string; region: string; name: string; arn: string; created_at: number; modified_at: number }
export interface ScheduleRow {
  account: string; region: string; grp: string; name: string; arn: string; doc: string;
  created_at: number; modified_at: number;
  /** When the schedule's clock started (real ms: creation, update). */
  origin: number;
  /** The virtual time of its last fire. */
  last_fire: number | null;
}

export const DEFAULT_GROUP = 'default';
export const groupArn = (s: Scope, name: string) => arn('scheduler', s.region, s.account, `schedule-group/${name}`);
export const scheduleArn = (s: Scope, group: string, name: string) => arn('scheduler', s.region, s.account, `schedule/${group}/${name}`);

/** Every account and region has a `default` group; it is written on first use. */
export function ensureDefaultGroup(sql: Statements, s: Scope, now: number) {
  sql.get('INSERT OR IGNORE INTO scheduler_groups (account, region, name, arn, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, DEFAULT_GROUP, groupArn(s, DEFAULT_GROUP), now, now);
}

export function findGroup(sql: Statements, s: Scope, name: string): GroupRow | undefined {
  return sql.get('SELECT * FROM scheduler_groups WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as GroupRow | undefined;
}

export function insertGroup(sql: Statements, s: Scope, name: string, now: number) {
  sql.get('INSERT INTO scheduler_groups (account, region, name, arn, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, name, groupArn(s, name), now, now);
}

export function deleteGroupRow(sql: Statements, g: GroupRow): string[] {
  const arns = sql.get('SELECT arn FROM scheduler_schedules WHERE account = ? AND region = ? AND grp = ?').pluck().all(g.account, g.region, g.name) as string[];
  sql.get('DELETE FROM scheduler_schedules WHERE account = ? AND region = ? AND grp = ?').run(g.account, g.region, g.name);
  sql.get('DELETE FROM scheduler_groups WHERE arn = ?').run(g.arn);
  return arns;
}

export function groupsOf(sql: Statements, s: Scope, prefix: string, after: string, limit: number): GroupRow[] {
  return sql.get('SELECT * FROM scheduler_groups WHERE account = ? AND region = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?')
    .all(s.account, s.region, prefix.length, prefix, after, limit) as GroupRow[];
}

export function findSchedule(sql: Statements, s: Scope, group: string, name: string): (ScheduleRow & { schedule: ScheduleDoc }) | undefined {
  const row = sql.get('SELECT * FROM scheduler_schedules WHERE account = ? AND region = ? AND grp = ? AND name = ?').get(s.account, s.region, group, name) as ScheduleRow | undefined;
  return row && { ...row, schedule: JSON.parse(row.doc) as ScheduleDoc };
}

export function scheduleByArn(sql: Statements, arnText: string): (ScheduleRow & { schedule: ScheduleDoc }) | undefined {
  const row = sql.get('SELECT * FROM scheduler_schedules WHERE arn = ?').get(arnText) as ScheduleRow | undefined;
  return row && { ...row, schedule: JSON.parse(row.doc) as ScheduleDoc };
}

export function putScheduleRow(sql: Statements, s: Scope, doc: ScheduleDoc, now: number) {
  sql.get(`INSERT INTO scheduler_schedules (account, region, grp, name, arn, doc, created_at, modified_at, origin, last_fire)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
      ON CONFLICT (account, region, grp, name) DO UPDATE SET doc = excluded.doc, modified_at = excluded.modified_at, origin = excluded.origin, last_fire = NULL`)
    .run(s.account, s.region, doc.GroupName, doc.Name, scheduleArn(s, doc.GroupName, doc.Name), JSON.stringify(doc), now, now, now);
}

export function setLastFire(sql: Statements, arnText: string, virtual: number) {
  sql.get('UPDATE scheduler_schedules SET last_fire = ? WHERE arn = ?').run(virtual, arnText);
}

export function deleteScheduleRow(sql: Statements, arnText: string) {
  sql.get('DELETE FROM scheduler_schedules WHERE arn = ?').run(arnText);
}

export function schedulesOf(sql: Statements, s: Scope, q: { group?: string; prefix: string; state?: string; after: string; limit: number }): (ScheduleRow & { schedule: ScheduleDoc })[] {
  const rows = sql.get(`SELECT * FROM scheduler_schedules WHERE account = @account AND region = @region AND (@group IS NULL OR grp = @group)
      AND substr(name, 1, length(@prefix)) = @prefix AND (@state IS NULL OR json_extract(doc, '$.State') = @state)
      AND grp || '/' || name > @after ORDER BY grp || '/' || name LIMIT @limit`)
    .all({ account: s.account, region: s.region, group: q.group ?? null, prefix: q.prefix, state: q.state ?? null, after: q.after, limit: q.limit }) as ScheduleRow[];
  return rows.map((r) => ({ ...r, schedule: JSON.parse(r.doc) as ScheduleDoc }));
}

/** Every schedule's ARN, and those of deleted schedules whose invocations still wait for a retry (the controller's keys). */
export function allScheduleArns(sql: Statements): string[] {
  return sql.get('SELECT arn FROM scheduler_schedules UNION SELECT schedule_arn FROM scheduler_retries').pluck().all() as string[];
}

/** A failed invocation waiting for its retry. */
export interface RetryRow {
  id: number; schedule_arn: string; execution_id: string;
  /** JSON: the schedule's Target as it fired. */
  target: string;
  scheduled_time: string; failures: number; first_at: number; due_at: number;
}

export function dueRetries(sql: Statements, scheduleArn: string, now: number): RetryRow[] {
  return sql.get('SELECT * FROM scheduler_retries WHERE schedule_arn = ? AND due_at <= ? ORDER BY due_at, id').all(scheduleArn, now) as RetryRow[];
}

export function nextRetryAt(sql: Statements, scheduleArn: string): number | undefined {
  return (sql.get('SELECT MIN(due_at) FROM scheduler_retries WHERE schedule_arn = ?').pluck().get(scheduleArn) as number | null) ?? undefined;
}

export function putRetry(sql: Statements, r: Omit<RetryRow, 'id'> & { id?: number }) {
  if (r.id !== undefined) sql.get('UPDATE scheduler_retries SET failures = ?, due_at = ? WHERE id = ?').run(r.failures, r.due_at, r.id);
  else {
    sql.get('INSERT INTO scheduler_retries (schedule_arn, execution_id, target, scheduled_time, failures, first_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.schedule_arn, r.execution_id, r.target, r.scheduled_time, r.failures, r.first_at, r.due_at);
  }
}

export function deleteRetry(sql: Statements, id: number) {
  sql.get('DELETE FROM scheduler_retries WHERE id = ?').run(id);
}
