/**
 * Log events: PutLogEvents, GetLogEvents, FilterLogEvents.
 *
 * GetLogEvents tokens are positions between events: `f/<position>/s` reads the
 * events after it, `b/<position>/s` the events before it. As on AWS, a call that
 * reaches the end returns the token it was given, so a reader polls with the
 * same nextForwardToken until new events arrive.
 */
import type {
  FilteredLogEvent,
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  InputLogEvent,
  PutLogEventsRequest,
  PutLogEventsResponse,
  RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import type { RequestContext } from '../provider.js';
import { constraint, groupNotFound, invalidParameter, streamNotFound } from './errors.js';
import { compileFilterPattern } from './filter-pattern.js';
import { pageLimit, decodeToken, encodeToken, requireGroup } from './names.js';
import { appendEvents, findGroup, findStream, retentionCutoff, type EventRow, type GroupRow } from './store.js';
import { sequenceTokenOf } from './streams.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** Each event counts its UTF-8 message plus 26 bytes toward a batch. */
export const EVENT_OVERHEAD_BYTES = 26;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_EVENT_BYTES = 1_048_576;
const MAX_RESPONSE_BYTES = 1_048_576;

export function putLogEvents(ctx: RequestContext, input: PutLogEventsRequest): PutLogEventsResponse {
  const events: InputLogEvent[] = input.logEvents ?? [];
  if (events.length < 1) throw constraint('[]', 'logEvents', 'Member must have length greater than or equal to 1');
  if (events.length > 10_000) throw constraint(`[list of ${events.length}]`, 'logEvents', 'Member must have length less than or equal to 10000');
  let batchBytes = 0;
  events.forEach((e, i) => {
    const size = Buffer.byteLength(e.message ?? '', 'utf8');
    if (size < 1) throw constraint('', `logEvents.${i + 1}.member.message`, 'Member must have length greater than or equal to 1');
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    batchBytes += size + EVENT_OVERHEAD_BYTES;
  });
  if (batchBytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${batchBytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp! < events[i - 1].timestamp!) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const stream = findStream(ctx.sql, group.id, input.logStreamName!);
  if (!stream) throw streamNotFound();

  // Events too old, expired by retention or too new are rejected; the rest are stored.
  // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
  const now = ctx.clock.now();
  const cutoff = retentionCutoff(group, now);
  let expiredEnd = 0;
  let tooOldEnd = 0;
  let tooNewStart = events.length;
  events.forEach((e, i) => {
    const ts = e.timestamp!;
    if (cutoff !== undefined && ts < cutoff) expiredEnd = i + 1;
    else if (ts < now - 14 * DAY_MS) tooOldEnd = i + 1;
    if (ts > now + 2 * HOUR_MS && tooNewStart === events.length) tooNewStart = i;
  });
  const accepted = events.slice(Math.max(expiredEnd, tooOldEnd), tooNewStart);
  if (accepted.length && accepted[accepted.length - 1].timestamp! - accepted[0].timestamp! > DAY_MS) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  appendEvents(ctx.sql, group, stream, accepted.map((e) => ({ timestamp: e.timestamp!, message: e.message! })), now, ctx.metricsPeriod);

  const rejected: RejectedLogEventsInfo = {};
  if (tooNewStart < events.length) rejected.tooNewLogEventStartIndex = tooNewStart;
  if (tooOldEnd) rejected.tooOldLogEventEndIndex = tooOldEnd;
  if (expiredEnd) rejected.expiredLogEventEndIndex = expiredEnd;
  return {
    nextSequenceToken: sequenceTokenOf({ id: stream.id, last_ingestion_time: now }),
    ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
  };
}

// ---- GetLogEvents ----------------------------------------------------------

interface Position { ts: number; seq: number }
const START: Position = { ts: 0, seq: 0 };
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const tokenOf = (dir: 'f' | 'b', p: Position) => `${dir}/${pad(p.ts, 20)}${pad(p.seq, 20)}${'0'.repeat(16)}/s`;

function parseStreamToken(token: string): { dir: 'f' | 'b'; pos: Position } {
  const m = /^([fb])\/(\d{20})(\d{20})\d{16}\/s$/.exec(token);
  if (!m) throw invalidParameter('The specified nextToken is invalid.');
  return { dir: m[1] as 'f' | 'b', pos: { ts: Number(m[2]), seq: Number(m[3]) } };
}

function timeWindow(startTime: number | undefined, endTime: number | undefined, endInclusive: boolean): { sql: string; args: number[] } {
  const parts: string[] = [];
  const args: number[] = [];
  if (startTime !== undefined) { parts.push('ts >= ?'); args.push(startTime); }
  if (endTime !== undefined) { parts.push(endInclusive ? 'ts <= ?' : 'ts < ?'); args.push(endTime); }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}

function requireStream(ctx: RequestContext, group: GroupRow, name: string) {
  const stream = findStream(ctx.sql, group.id, name);
  if (!stream) throw streamNotFound();
  return stream;
}

/** Takes rows while the response stays within AWS's 1 MB. */
function withinResponseSize<T extends { message: string }>(rows: T[]): T[] {
  let bytes = 0;
  const out: T[] = [];
  for (const r of rows) {
    bytes += Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_RESPONSE_BYTES && out.length) break;
    out.push(r);
  }
  return out;
}

export function getLogEvents(ctx: RequestContext, input: GetLogEventsRequest): GetLogEventsResponse {
  const limit = pageLimit(input.limit, 10_000);
  const group = requireGroup(ctx, input);
  const stream = requireStream(ctx, group, input.logStreamName!);
  const token = input.nextToken !== undefined ? parseStreamToken(input.nextToken) : undefined;
  // Without a token: startFromHead reads forward from the first event, otherwise backward from the last.
  const dir = token?.dir ?? (input.startFromHead ? 'f' : 'b');
  const window = timeWindow(input.startTime, input.endTime, false);
  const base = `SELECT ts, seq, ingested_at, message FROM logs_events WHERE group_id = ? AND stream_id = ?${window.sql}`;
  let rows: EventRow[];
  if (dir === 'f') {
    const pos = token?.pos ?? START;
    rows = ctx.sql.get(`${base} AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`)
      .all(group.id, stream.id, ...window.args, pos.ts, pos.seq, limit) as EventRow[];
    rows = withinResponseSize(rows);
  } else {
    const pos = token?.pos;
    const after = pos ? ' AND (ts, seq) < (?, ?)' : '';
    rows = ctx.sql.get(`${base}${after} ORDER BY ts DESC, seq DESC LIMIT ?`)
      .all(group.id, stream.id, ...window.args, ...(pos ? [pos.ts, pos.seq] : []), limit) as EventRow[];
    rows = withinResponseSize(rows).reverse();
  }
  let forward: Position;
  let backward: Position;
  if (rows.length) {
    forward = rows[rows.length - 1];
    backward = rows[0];
  } else {
    // Nothing (more) to read: hand back the position the call started from.
    forward = backward = token?.pos ?? START;
  }
  return {
    events: rows.map((r) => ({ timestamp: r.ts, message: r.message, ingestionTime: r.ingested_at })),
    nextForwardToken: tokenOf('f', { ts: forward.ts, seq: forward.seq }),
    nextBackwardToken: tokenOf('b', { ts: backward.ts, seq: backward.seq }),
  };
}

// ---- FilterLogEvents -------------------------------------------------------

interface FilterToken { d: 'f' | 'b'; ts: number; seq: number }
const isFilterToken = (p: unknown): p is FilterToken =>
  !!p && typeof p === 'object' && ((p as FilterToken).d === 'f' || (p as FilterToken).d === 'b')
  && Number.isInteger((p as FilterToken).ts) && Number.isInteger((p as FilterToken).seq);

const eventIdOf = (r: { ts: number; seq: number }) => `${pad(r.ts, 20)}${pad(r.seq, 20)}${'0'.repeat(16)}`;
const JAN_2024 = Date.UTC(2024, 0, 1);

export function filterLogEvents(ctx: RequestContext, input: FilterLogEventsRequest): FilterLogEventsResponse {
  const limit = pageLimit(input.limit, 10_000);
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  if ((input.logStreamNames?.length ?? 0) > 100) {
    throw constraint(`[list of ${input.logStreamNames!.length}]`, 'logStreamNames', 'Member must have length less than or equal to 100');
  }
  if (input.startFromHead === false && input.startTime !== undefined && input.startTime < JAN_2024) {
    throw invalidParameter('startFromHead=false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.');
  }
  const matches = compileFilterPattern(input.filterPattern);
  const group = requireGroup(ctx, input);
  const token = decodeToken(input.nextToken, isFilterToken);
  const dir = token?.d ?? (input.startFromHead === false ? 'b' : 'f');

  const streams = new Map<number, string>();
  const streamRows = ctx.sql.get('SELECT id, name FROM logs_streams WHERE group_id = ?').all(group.id) as { id: number; name: string }[];
  for (const s of streamRows) {
    if (input.logStreamNames && !input.logStreamNames.includes(s.name)) continue;
    if (input.logStreamNamePrefix !== undefined && !s.name.startsWith(input.logStreamNamePrefix)) continue;
    streams.set(s.id, s.name);
  }
  const filtered = input.logStreamNames !== undefined || input.logStreamNamePrefix !== undefined;
  if (filtered && !streams.size) return { events: [], searchedLogStreams: [] };

  const window = timeWindow(input.startTime, input.endTime, true);
  const position = token ? ` AND (ts, seq) ${dir === 'f' ? '>' : '<'} (?, ?)` : '';
  const order = dir === 'f' ? 'ts, seq' : 'ts DESC, seq DESC';
  const rows = ctx.sql
    .get(`SELECT stream_id, ts, seq, ingested_at, message FROM logs_events INDEXED BY logs_events_group_time
          WHERE group_id = ?${window.sql}${position} ORDER BY ${order}`)
    .iterate(group.id, ...window.args, ...(token ? [token.ts, token.seq] : [])) as IterableIterator<EventRow>;
  const events: FilteredLogEvent[] = [];
  let last: EventRow | undefined;
  let more = false;
  let bytes = 0;
  for (const r of rows) {
    if (filtered && !streams.has(r.stream_id)) continue;
    if (!matches(r.message)) continue;
    bytes += Buffer.byteLength(r.message, 'utf8') + EVENT_OVERHEAD_BYTES;
    if (events.length >= limit || (bytes > MAX_RESPONSE_BYTES && events.length)) {
      more = true;
      break;
    }
    events.push({
      logStreamName: streams.get(r.stream_id),
      timestamp: r.ts, message: r.message, ingestionTime: r.ingested_at, eventId: eventIdOf(r),
    });
    last = r;
  }
  return {
    events,
    searchedLogStreams: [],
    ...(more && last ? { nextToken: encodeToken({ d: dir, ts: last.ts, seq: last.seq }) } : {}),
  };
}
