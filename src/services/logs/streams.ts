/** Log streams: CreateLogStream, DeleteLogStream, DescribeLogStreams. */
import type {
  CreateLogStreamRequest,
  DeleteLogStreamRequest,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import type { RequestContext } from '../provider.js';
import { groupNotFound, invalidParameter, streamExists, streamNotFound } from './errors.js';
import { pageLimit, checkStreamName, decodeToken, encodeToken, requireGroup } from './names.js';
import { deleteStream, findGroup, findStream, insertStream, streamArn, type GroupRow, type StreamRow } from './store.js';

export function createLogStream(ctx: RequestContext, input: CreateLogStreamRequest): Record<string, never> {
  checkStreamName(input.logStreamName!);
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  if (findStream(ctx.sql, group.id, input.logStreamName!)) throw streamExists();
  insertStream(ctx.sql, group.id, input.logStreamName!, ctx.clock.now());
  return {};
}

export function deleteLogStream(ctx: RequestContext, input: DeleteLogStreamRequest): Record<string, never> {
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const stream = findStream(ctx.sql, group.id, input.logStreamName!);
  if (!stream) throw streamNotFound();
  deleteStream(ctx.sql, stream);
  return {};
}

/** The deprecated upload sequence token: still returned, never checked (AWS ignores it since 2023). */
export function sequenceTokenOf(stream: Pick<StreamRow, 'id' | 'last_ingestion_time'>): string {
  return `${String(stream.id).padStart(20, '0')}${String(stream.last_ingestion_time ?? 0).padStart(36, '0')}`;
}

function toLogStream(ctx: RequestContext, group: GroupRow, s: StreamRow): LogStream {
  return {
    logStreamName: s.name,
    creationTime: s.created_at,
    ...(s.last_event_ts !== null
      ? { firstEventTimestamp: s.first_event_ts!, lastEventTimestamp: s.last_event_ts, lastIngestionTime: s.last_ingestion_time! }
      : {}),
    uploadSequenceToken: sequenceTokenOf(s),
    arn: streamArn(ctx, group.name, s.name),
    // "As of June 17, 2019, this parameter is no longer supported for log streams, and is always reported as zero."
    storedBytes: 0,
  };
}

type Position = [number, string];
const isPosition = (p: unknown): p is Position => Array.isArray(p) && p.length === 2 && typeof p[0] === 'number' && typeof p[1] === 'string';

export function describeLogStreams(ctx: RequestContext, input: DescribeLogStreamsRequest): DescribeLogStreamsResponse {
  const limit = pageLimit(input.limit, 50);
  const orderBy = input.orderBy ?? 'LogStreamName';
  if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const group = requireGroup(ctx, input);
  const desc = input.descending === true;
  const after = decodeToken(input.nextToken, isPosition);
  // Streams without events sort as if their last event were at time -1 (first ascending).
  const byTime = orderBy === 'LastEventTime';
  const key = byTime ? 'COALESCE(last_event_ts, -1)' : '0';
  const where = ['group_id = ?'];
  const args: unknown[] = [group.id];
  if (input.logStreamNamePrefix) {
    where.push('substr(name, 1, ?) = ?');
    args.push(input.logStreamNamePrefix.length, input.logStreamNamePrefix);
  }
  if (after) {
    const op = desc ? '<' : '>';
    where.push(byTime ? `(${key}, name) ${op} (?, ?)` : `name ${op} ?`);
    args.push(...(byTime ? after : [after[1]]));
  }
  const dir = desc ? 'DESC' : 'ASC';
  const order = byTime ? `${key} ${dir}, name ${dir}` : `name ${dir}`;
  const rows = ctx.sql
    .get(`SELECT *, ${key} AS k FROM logs_streams WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`)
    .all(...args, limit + 1) as (StreamRow & { k: number })[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    logStreams: page.map((s) => toLogStream(ctx, group, s)),
    ...(rows.length > limit ? { nextToken: encodeToken([last.k, last.name]) } : {}),
  };
}
