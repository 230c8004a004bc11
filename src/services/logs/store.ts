/**
 * CloudWatch Logs rows: groups, streams and events, keyed by (account, region).
 * Shared by the Logs provider (the API) and the awslogs shipper controller,
 * which is why every function takes a plain Statements handle.
 *
 * Events are ordered by (timestamp, seq); seq is allocated per log group in
 * ingestion order, so events with equal timestamps keep the order they arrived in
 * and (timestamp, seq) is a total order both within a stream and across a group.
 */
import { arn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import type { Scope as StateScope } from '../../state/scope.js';
import { applyMetricFilters } from './metric-store.js';

// What the export-tasks controller reads and records.
export { exportObjectsOf, findExportTask, setExportTaskStatus, unfinishedExportTaskIds, type ExportTaskRow } from './export-store.js';

/** Where a log group lives; the statements are passed beside it. */
export type Scope = Pick<StateScope, 'account' | 'region'>;

export interface GroupRow {
  id: number;
  account: string;
  region: string;
  name: string;
  created_at: number;
  retention_days: number | null;
  kms_key_id: string | null;
  log_group_class: string;
  deletion_protection: number;
  stored_bytes: number;
  next_seq: number;
}

export interface StreamRow {
  id: number;
  group_id: number;
  name: string;
  created_at: number;
  first_event_ts: number | null;
  last_event_ts: number | null;
  last_ingestion_time: number | null;
  stored_bytes: number;
}

export interface EventRow {
  stream_id: number;
  ts: number;
  seq: number;
  ingested_at: number;
  message: string;
}

export interface NewEvent {
  timestamp: number;
  message: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `arn:…:log-group:NAME` (the form TagResource and `logGroupArn` use). */
export const groupArn = (s: Scope, name: string) => arn('logs', s.region, s.account, `log-group:${name}`);
export const streamArn = (s: Scope, group: string, stream: string) =>
  arn('logs', s.region, s.account, `log-group:${group}:log-stream:${stream}`);

export function findGroup(sql: Statements, s: Scope, name: string): GroupRow | undefined {
  return sql.get('SELECT * FROM logs_groups WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as GroupRow | undefined;
}

export interface NewGroup {
  name: string;
  now: number;
  kmsKeyId?: string;
  logGroupClass?: string;
  deletionProtection?: boolean;
}

export function insertGroup(sql: Statements, s: Scope, g: NewGroup): GroupRow {
  sql
    .get(`INSERT INTO logs_groups (account, region, name, created_at, kms_key_id, log_group_class, deletion_protection)
          VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .run(s.account, s.region, g.name, g.now, g.kmsKeyId ?? null, g.logGroupClass ?? 'STANDARD', g.deletionProtection ? 1 : 0);
  return findGroup(sql, s, g.name)!;
}

export function deleteGroup(sql: Statements, group: GroupRow): void {
  sql.get('DELETE FROM logs_events WHERE group_id = ?').run(group.id);
  sql.get('DELETE FROM logs_streams WHERE group_id = ?').run(group.id);
  sql.get('DELETE FROM logs_metric_filters WHERE group_id = ?').run(group.id);
  sql.get('DELETE FROM logs_subscription_filters WHERE group_id = ?').run(group.id);
  sql.get('DELETE FROM logs_resource_policies WHERE account = ? AND region = ? AND name = ?')
    .run(group.account, group.region, `resource:${groupArn(group, group.name)}`);
  sql.get('DELETE FROM logs_groups WHERE id = ?').run(group.id);
}

export function findStream(sql: Statements, groupId: number, name: string): StreamRow | undefined {
  return sql.get('SELECT * FROM logs_streams WHERE group_id = ? AND name = ?').get(groupId, name) as StreamRow | undefined;
}

export function insertStream(sql: Statements, groupId: number, name: string, now: number): StreamRow {
  sql.get('INSERT INTO logs_streams (group_id, name, created_at) VALUES (?, ?, ?)').run(groupId, name, now);
  return findStream(sql, groupId, name)!;
}

/** The stream, created if missing (what the awslogs driver does at container start). */
export function ensureStream(sql: Statements, groupId: number, name: string, now: number): StreamRow {
  return findStream(sql, groupId, name) ?? insertStream(sql, groupId, name, now);
}

export function deleteStream(sql: Statements, stream: StreamRow): void {
  const bytes = stream.stored_bytes;
  sql.get('DELETE FROM logs_events WHERE group_id = ? AND stream_id = ?').run(stream.group_id, stream.id);
  sql.get('DELETE FROM logs_streams WHERE id = ?').run(stream.id);
  sql.get('UPDATE logs_groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?').run(bytes, stream.group_id);
}

/**
 * Appends events (already validated) to a stream in the given order and
 * updates the stream's and group's statistics; the group's metric filters turn
 * matching events into datapoints. Runs inside the caller's transaction.
 */
export function appendEvents(sql: Statements, group: GroupRow, stream: StreamRow, events: NewEvent[], now: number, metricsPeriod?: number): void {
  if (!events.length) return;
  const { next_seq: first } = sql.get('SELECT next_seq FROM logs_groups WHERE id = ?').get(group.id) as { next_seq: number };
  const insert = sql.get('INSERT INTO logs_events (group_id, stream_id, ts, seq, ingested_at, message) VALUES (?, ?, ?, ?, ?, ?)');
  let bytes = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  events.forEach((e, i) => {
    insert.run(group.id, stream.id, e.timestamp, first + i, now, e.message);
    bytes += Buffer.byteLength(e.message, 'utf8');
    if (e.timestamp < minTs) minTs = e.timestamp;
    if (e.timestamp > maxTs) maxTs = e.timestamp;
  });
  sql.get('UPDATE logs_groups SET next_seq = ?, stored_bytes = stored_bytes + ? WHERE id = ?').run(first + events.length, bytes, group.id);
  sql
    .get(`UPDATE logs_streams SET
            first_event_ts = MIN(COALESCE(first_event_ts, ?), ?),
            last_event_ts = MAX(COALESCE(last_event_ts, ?), ?),
            last_ingestion_time = ?, stored_bytes = stored_bytes + ?
          WHERE id = ?`)
    .run(minTs, minTs, maxTs, maxTs, now, bytes, stream.id);
  applyMetricFilters(sql, group, events, metricsPeriod);
}

/** The oldest timestamp a group's retention keeps, or undefined if it keeps everything. */
export function retentionCutoff(group: Pick<GroupRow, 'retention_days'>, now: number): number | undefined {
  return group.retention_days ? now - group.retention_days * DAY_MS : undefined;
}

/**
 * Deletes a group's events older than its retention. AWS deletes expired events
 * within 72 hours; Berth deletes them the next time the group is read or the
 * periodic purge runs, and reads never return them.
 */
export function purgeExpired(sql: Statements, group: GroupRow, now: number): number {
  const cutoff = retentionCutoff(group, now);
  if (cutoff === undefined) return 0;
  const perStream = sql
    .get('SELECT stream_id, SUM(length(CAST(message AS BLOB))) AS bytes FROM logs_events WHERE group_id = ? AND ts < ? GROUP BY stream_id')
    .all(group.id, cutoff) as { stream_id: number; bytes: number }[];
  if (!perStream.length) return 0;
  const removed = sql.get('DELETE FROM logs_events WHERE group_id = ? AND ts < ?').run(group.id, cutoff).changes;
  let total = 0;
  for (const s of perStream) {
    total += s.bytes;
    sql.get('UPDATE logs_streams SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?').run(s.bytes, s.stream_id);
  }
  sql.get('UPDATE logs_groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?').run(total, group.id);
  return removed;
}

/** CloudWatch keeps a metric's datapoints 15 months; DescribeQueries shows the queries of the last 30 days. */
const QUERY_DAYS = 30;

/**
 * The periodic retention pass over every group that has a retention policy,
 * plus Insights queries past their keeping.
 */
export function purgeAllExpired(sql: Statements, now: number): number {
  const groups = sql.get('SELECT * FROM logs_groups WHERE retention_days IS NOT NULL').all() as GroupRow[];
  let n = 0;
  for (const g of groups) n += purgeExpired(sql, g, now);
  sql.get('DELETE FROM logs_queries WHERE created_at < ?').run(now - QUERY_DAYS * DAY_MS);
  return n;
}

/** How far back a tail with a search looks: a rare word in a long stream costs a bounded scan, never the whole stream. */
const TAIL_SCAN_ROWS = 10_000;

/**
 * The newest `limit` events of a stream, oldest first; with `contains`, only those whose message contains it (plain
 * text, case-sensitive, as a quoted term in a filter pattern) among the stream's newest TAIL_SCAN_ROWS. Undefined
 * when the group or the stream does not exist. (The console's log tail.)
 */
export function tailStream(
  sql: Statements, s: Scope, group: string, stream: string, opts: { limit: number; contains?: string },
): NewEvent[] | undefined {
  const g = findGroup(sql, s, group);
  const st = g && findStream(sql, g.id, stream);
  if (!g || !st) return undefined;
  const newest = 'SELECT ts, seq, message FROM logs_events WHERE group_id = ? AND stream_id = ? ORDER BY ts DESC, seq DESC';
  const rows = (opts.contains
    ? sql.get(`SELECT ts, seq, message FROM (${newest} LIMIT ${TAIL_SCAN_ROWS}) WHERE instr(message, ?) > 0 LIMIT ?`).all(g.id, st.id, opts.contains, opts.limit)
    : sql.get(`${newest} LIMIT ?`).all(g.id, st.id, opts.limit)) as { ts: number; message: string }[];
  return rows.reverse().map((r) => ({ timestamp: r.ts, message: r.message }));
}
