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

export function allScheduleArns(sql: Statements): string[] {
  return sql.get('SELECT arn FROM scheduler_schedules').pluck().all() as string[];
}
