/**
 * Logs Insights: StartQuery, GetQueryResults, StopQuery, DescribeQueries, GetLogRecord over
 * Berth's stored events (the language is insights-query.ts's).
 *
 * A query is Scheduled when StartQuery returns and runs the first time its
 * results are asked for (GetQueryResults), within that call: it is then
 * Complete, with its rows and statistics stored, so later reads return the same
 * answer. Running is never observable. StopQuery cancels a query not yet run.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribeQueriesRequest,
  DescribeQueriesResponse,
  GetLogRecordRequest,
  GetLogRecordResponse,
  GetQueryResultsRequest,
  GetQueryResultsResponse,
  QueryStatistics,
  QueryStatus,
  ResultField,
  StartQueryRequest,
  StartQueryResponse,
  StopQueryRequest,
  StopQueryResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { constraint, groupNotFound, invalidParameter } from './errors.js';
import { parseQuery, rowOf, runQuery, type InsightsRecord } from './insights-query.js';
import { pageLimit, decodeToken, encodeToken, groupNameOf, isString } from './names.js';
import { findGroup, purgeExpired, type EventRow } from './store.js';

interface QueryRow {
  id: string;
  account: string;
  region: string;
  query_string: string;
  groups: string;
  start_time: number;
  end_time: number;
  max_rows: number | null;
  status: QueryStatus;
  created_at: number;
  results: string | null;
  statistics: string | null;
}

const MAX_GROUPS = 50;
const queryNotFound = () => new AwsError('ResourceNotFoundException', 'Query does not exist.');

export function startQuery(ctx: RequestContext, input: StartQueryRequest): StartQueryResponse {
  const given = [input.logGroupName !== undefined, input.logGroupNames !== undefined, input.logGroupIdentifiers !== undefined].filter(Boolean).length;
  if (given === 0) throw invalidParameter('Should provide either logGroupName, logGroupNames or logGroupIdentifiers.');
  if (given > 1) throw invalidParameter('logGroupName, logGroupNames and logGroupIdentifiers are mutually exclusive parameters.');
  if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') {
    throw invalidParameter(`Berth runs Logs Insights QL (CWLI) queries only, not ${input.queryLanguage}.`);
  }
  if (input.endTime! < input.startTime!) throw invalidParameter('End time should not be before the start time.');
  const names = input.logGroupName !== undefined ? [input.logGroupName]
    : input.logGroupNames ?? input.logGroupIdentifiers!.map((id) => groupNameOf(ctx, id) ?? id);
  if (names.length > MAX_GROUPS) throw constraint(`[list of ${names.length}]`, input.logGroupNames ? 'logGroupNames' : 'logGroupIdentifiers', `Member must have length less than or equal to ${MAX_GROUPS}`);
  for (const n of names) {
    if (!findGroup(ctx.sql, ctx, n)) throw groupNotFound();
  }
  parseQuery(input.queryString!); // MalformedQueryException now, as AWS compiles at StartQuery
  const id = randomUUID();
  ctx.sql
    .get(`INSERT INTO logs_queries (id, account, region, query_string, groups, start_time, end_time, max_rows, status, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Scheduled', ?)`)
    .run(id, ctx.account, ctx.region, input.queryString!, JSON.stringify([...new Set(names)]), input.startTime!, input.endTime!, input.limit ?? null, ctx.clock.now());
  return { queryId: id };
}

function findQuery(ctx: RequestContext, id: string): QueryRow {
  const q = ctx.sql.get('SELECT * FROM logs_queries WHERE id = ? AND account = ? AND region = ?').get(id, ctx.account, ctx.region) as QueryRow | undefined;
  if (!q) throw queryNotFound();
  return q;
}

const ptrOf = (group: string, stream: string, r: EventRow) => Buffer.from(JSON.stringify([group, stream, r.ts, r.seq]), 'utf8').toString('base64url');

const isPtr = (p: unknown): p is [string, string, number, number] =>
  Array.isArray(p) && p.length === 4 && typeof p[0] === 'string' && typeof p[1] === 'string' && Number.isInteger(p[2]) && Number.isInteger(p[3]);

/** GetLogRecord: every field of the event a query result's @ptr points at. */
export function getLogRecord(ctx: RequestContext, input: GetLogRecordRequest): GetLogRecordResponse {
  let ptr: unknown;
  try {
    ptr = JSON.parse(Buffer.from(input.logRecordPointer!, 'base64url').toString('utf8'));
  } catch { /* below */ }
  if (!isPtr(ptr)) throw invalidParameter('The specified log record pointer is invalid.');
  const [groupName, streamName, ts, seq] = ptr;
  const group = findGroup(ctx.sql, ctx, groupName);
  const stream = group && (ctx.sql.get('SELECT id FROM logs_streams WHERE group_id = ? AND name = ?').get(group.id, streamName) as { id: number } | undefined);
  const row = group && stream && (ctx.sql.get('SELECT stream_id, ts, seq, ingested_at, message FROM logs_events WHERE group_id = ? AND stream_id = ? AND ts = ? AND seq = ?')
    .get(group.id, stream.id, ts, seq) as EventRow | undefined);
  if (!group || !row) throw new AwsError('ResourceNotFoundException', 'The specified log record does not exist.');
  const fields = rowOf({ timestamp: row.ts, message: row.message, logStream: streamName, log: `${group.account}:${group.name}`, ingestionTime: row.ingested_at, ptr: input.logRecordPointer! });
  const record: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined && k !== '@ptr') record[k] = String(v);
  }
  return { logRecord: record };
}

/** Runs a scheduled query over the events of its groups in [startTime s, endTime s] and stores the outcome. */
function execute(ctx: RequestContext, q: QueryRow): void {
  const parsed = parseQuery(q.query_string);
  const from = q.start_time * 1000;
  const to = q.end_time * 1000 + 999; // endTime is inclusive, in whole seconds
  let recordsScanned = 0;
  let bytesScanned = 0;
  let logGroupsScanned = 0;
  const records: InsightsRecord[] = [];
  for (const name of JSON.parse(q.groups) as string[]) {
    const group = findGroup(ctx.sql, ctx, name);
    if (!group) continue; // deleted since StartQuery
    purgeExpired(ctx.sql, group, ctx.clock.now());
    logGroupsScanned++;
    const streams = new Map((ctx.sql.get('SELECT id, name FROM logs_streams WHERE group_id = ?').all(group.id) as { id: number; name: string }[]).map((s) => [s.id, s.name]));
    const rows = ctx.sql.get(`SELECT stream_id, ts, seq, ingested_at, message FROM logs_events INDEXED BY logs_events_group_time
                              WHERE group_id = ? AND ts >= ? AND ts <= ? ORDER BY ts, seq`).all(group.id, from, to) as EventRow[];
    for (const r of rows) {
      recordsScanned++;
      bytesScanned += Buffer.byteLength(r.message, 'utf8');
      const stream = streams.get(r.stream_id) ?? '';
      records.push({
        timestamp: r.ts, message: r.message, logStream: stream, log: `${group.account}:${group.name}`,
        ingestionTime: r.ingested_at, ptr: ptrOf(group.name, stream, r),
      });
    }
  }
  // Several groups interleave by time.
  records.sort((a, b) => a.timestamp - b.timestamp);
  const outcome = runQuery(parsed, records, q.max_rows ?? 10_000);
  const statistics: QueryStatistics = { recordsMatched: outcome.recordsMatched, recordsScanned, bytesScanned, logGroupsScanned, estimatedRecordsSkipped: 0, estimatedBytesSkipped: 0 };
  ctx.sql.get("UPDATE logs_queries SET status = 'Complete', results = ?, statistics = ? WHERE id = ?")
    .run(JSON.stringify(outcome.rows), JSON.stringify(statistics), q.id);
  q.status = 'Complete';
  q.results = JSON.stringify(outcome.rows);
  q.statistics = JSON.stringify(statistics);
}

export function getQueryResults(ctx: RequestContext, input: GetQueryResultsRequest): GetQueryResultsResponse {
  const q = findQuery(ctx, input.queryId!);
  if (q.status === 'Scheduled') execute(ctx, q);
  const empty: QueryStatistics = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
  return {
    queryLanguage: 'CWLI',
    results: q.results ? (JSON.parse(q.results) as ResultField[][]) : [],
    statistics: q.statistics ? JSON.parse(q.statistics) : empty,
    status: q.status,
  };
}

export function stopQuery(ctx: RequestContext, input: StopQueryRequest): StopQueryResponse {
  const q = findQuery(ctx, input.queryId!);
  if (q.status !== 'Scheduled' && q.status !== 'Running') throw invalidParameter(`Query ${q.id} is not running: its status is ${q.status}.`);
  ctx.sql.get("UPDATE logs_queries SET status = 'Cancelled' WHERE id = ?").run(q.id);
  return { success: true };
}

interface QueryToken { c: number; id: string }
const isQueryToken = (p: unknown): p is QueryToken =>
  !!p && typeof p === 'object' && typeof (p as QueryToken).c === 'number' && isString((p as QueryToken).id);

export function describeQueries(ctx: RequestContext, input: DescribeQueriesRequest): DescribeQueriesResponse {
  const max = pageLimit(input.maxResults, 1000);
  const where = ['account = ?', 'region = ?'];
  const args: unknown[] = [ctx.account, ctx.region];
  if (input.status !== undefined) { where.push('status = ?'); args.push(input.status); }
  const after = decodeToken(input.nextToken, isQueryToken);
  if (after) { where.push('(created_at, id) < (?, ?)'); args.push(after.c, after.id); }
  if (input.logGroupName !== undefined && !findGroup(ctx.sql, ctx, input.logGroupName)) throw groupNotFound();
  const rows = ctx.sql.get(`SELECT * FROM logs_queries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC`).iterate(...args) as IterableIterator<QueryRow>;
  const page: QueryRow[] = [];
  let more = false;
  for (const r of rows) {
    const groups = JSON.parse(r.groups) as string[];
    if (input.logGroupName !== undefined && !groups.includes(input.logGroupName)) continue;
    if (page.length === max) { more = true; break; }
    page.push(r);
  }
  const last = page[page.length - 1];
  return {
    queries: page.map((r) => {
      const groups = JSON.parse(r.groups) as string[];
      const stats = r.statistics ? (JSON.parse(r.statistics) as QueryStatistics) : undefined;
      return {
        queryLanguage: 'CWLI', queryId: r.id, queryString: r.query_string, status: r.status, createTime: r.created_at,
        logGroupName: groups[0], ...(stats ? { bytesScanned: stats.bytesScanned } : {}),
      };
    }),
    ...(more ? { nextToken: encodeToken({ c: last.created_at, id: last.id }) } : {}),
  };
}
