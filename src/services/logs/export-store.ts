/**
 * Export tasks' rows, and what an export writes: one gzip object per log stream,
 * `<destinationPrefix>/<taskId>/<stream>/000000.gz`, each line the event's ISO
 * 8601 timestamp, a space and its message, as CloudWatch Logs writes them. The
 * export-tasks controller reads these through the store's front door and writes
 * the objects through S3's.
 */
import { gzipSync } from 'node:zlib';
import type { Statements } from '../../state/db.js';
import { findGroup } from './store.js';

export type ExportStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'PENDING_CANCEL';

export interface ExportTaskRow {
  id: string;
  account: string;
  region: string;
  name: string | null;
  group_name: string;
  stream_prefix: string | null;
  from_ts: number;
  to_ts: number;
  bucket: string;
  prefix: string;
  status: ExportStatus;
  status_message: string | null;
  created_at: number;
  completed_at: number | null;
}

/** What AWS says beside each status code. */
export const EXPORT_STATUS_MESSAGES: Record<string, string> = {
  PENDING: 'Pending', RUNNING: 'Started successfully', COMPLETED: 'Completed successfully', CANCELLED: 'Cancelled by user',
};

export function findExportTask(sql: Statements, id: string): ExportTaskRow | undefined {
  return sql.get('SELECT * FROM logs_export_tasks WHERE id = ?').get(id) as ExportTaskRow | undefined;
}

/** Tasks an export-tasks pass must finish (a restart finds those it left RUNNING). */
export function unfinishedExportTaskIds(sql: Statements): string[] {
  return sql.get("SELECT id FROM logs_export_tasks WHERE status IN ('PENDING', 'RUNNING') ORDER BY created_at").pluck().all() as string[];
}

export function setExportTaskStatus(sql: Statements, id: string, status: ExportStatus, message: string | undefined, now: number): void {
  const finished = status === 'COMPLETED' || status === 'CANCELLED' || status === 'FAILED';
  sql.get('UPDATE logs_export_tasks SET status = ?, status_message = ?, completed_at = ? WHERE id = ?')
    .run(status, message ?? EXPORT_STATUS_MESSAGES[status] ?? null, finished ? now : null, id);
}

const MAX_OBJECT_BYTES = 100 * 1024 * 1024;

/**
 * The objects an export writes: per stream with events in [from, to] (both inclusive),
 * gzip of `<ISO timestamp> <message>\n` lines, split into 000000.gz, 000001.gz, … every
 * ~100 MiB of text. Undefined when the log group no longer exists.
 */
export function exportObjectsOf(sql: Statements, t: ExportTaskRow): { key: string; body: Buffer }[] | undefined {
  const group = findGroup(sql, { account: t.account, region: t.region }, t.group_name);
  if (!group) return undefined;
  const streams = sql.get('SELECT id, name FROM logs_streams WHERE group_id = ? AND substr(name, 1, ?) = ? ORDER BY name')
    .all(group.id, (t.stream_prefix ?? '').length, t.stream_prefix ?? '') as { id: number; name: string }[];
  const out: { key: string; body: Buffer }[] = [];
  const base = t.prefix ? `${t.prefix.replace(/\/+$/, '')}/${t.id}` : t.id;
  for (const s of streams) {
    const rows = sql.get('SELECT ts, message FROM logs_events WHERE group_id = ? AND stream_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, seq')
      .all(group.id, s.id, t.from_ts, t.to_ts) as { ts: number; message: string }[];
    let chunk: string[] = [];
    let bytes = 0;
    let part = 0;
    const flush = () => {
      if (!chunk.length) return;
      out.push({ key: `${base}/${s.name}/${String(part++).padStart(6, '0')}.gz`, body: gzipSync(chunk.join('')) });
      chunk = [];
      bytes = 0;
    };
    for (const r of rows) {
      const line = `${new Date(r.ts).toISOString()} ${r.message}\n`;
      chunk.push(line);
      bytes += line.length;
      if (bytes >= MAX_OBJECT_BYTES) flush();
    }
    flush();
  }
  return out;
}
