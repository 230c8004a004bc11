/**
 * Export tasks to Berth's S3: CreateExportTask, DescribeExportTasks,
 * CancelExportTask. The API records a PENDING task; the export-tasks
 * controller writes its objects (export-store.ts) into the bucket and completes it.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html
 */
import { randomUUID } from 'node:crypto';
import type {
  CancelExportTaskRequest,
  CreateExportTaskRequest,
  CreateExportTaskResponse,
  DescribeExportTasksRequest,
  DescribeExportTasksResponse,
  ExportTaskStatusCode,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import { bucketOwner } from '../s3/index.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { EXPORT_STATUS_MESSAGES, setExportTaskStatus, type ExportTaskRow } from './export-store.js';
import { pageLimit, decodeToken, encodeToken } from './names.js';
import { findGroup } from './store.js';

const taskNotFound = () => new AwsError('ResourceNotFoundException', 'The specified export task does not exist.');

export function createExportTask(ctx: RequestContext, input: CreateExportTaskRequest): CreateExportTaskResponse {
  if (input.to! < input.from!) throw invalidParameter('Specified time range of 0 or negative span is not allowed.');
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const bucket = bucketOwner(ctx.sql, input.destination!);
  // AWS checks the bucket by calling GetBucketAcl as CloudWatch Logs.
  if (!bucket) throw invalidParameter('The given bucket does not exist. Please make sure the bucket is valid.');
  if (bucket.region !== ctx.region) throw invalidParameter('The specified bucket is not in the same region as the log group. Please use a bucket in the same region.');
  // One active export task per account and region.
  const active = ctx.sql.get("SELECT 1 FROM logs_export_tasks WHERE account = ? AND region = ? AND status IN ('PENDING', 'RUNNING')").get(ctx.account, ctx.region);
  if (active) throw new AwsError('LimitExceededException', 'Resource limit exceeded.');
  const id = randomUUID();
  ctx.sql
    .get(`INSERT INTO logs_export_tasks (id, account, region, name, group_name, stream_prefix, from_ts, to_ts, bucket, prefix, status, status_message, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)`)
    .run(id, ctx.account, ctx.region, input.taskName ?? null, group.name, input.logStreamNamePrefix ?? null, input.from!, input.to!,
      input.destination!, input.destinationPrefix ?? 'exportedlogs', EXPORT_STATUS_MESSAGES.PENDING, ctx.clock.now());
  ctx.changed('logs.export-task', id);
  return { taskId: id };
}

interface TaskToken { c: number; id: string }
const isTaskToken = (p: unknown): p is TaskToken => !!p && typeof p === 'object' && typeof (p as TaskToken).c === 'number' && typeof (p as TaskToken).id === 'string';

export function describeExportTasks(ctx: RequestContext, input: DescribeExportTasksRequest): DescribeExportTasksResponse {
  const limit = pageLimit(input.limit, 50);
  const where = ['account = ?', 'region = ?'];
  const args: unknown[] = [ctx.account, ctx.region];
  if (input.taskId !== undefined) { where.push('id = ?'); args.push(input.taskId); }
  if (input.statusCode !== undefined) { where.push('status = ?'); args.push(input.statusCode); }
  const after = decodeToken(input.nextToken, isTaskToken);
  if (after) { where.push('(created_at, id) < (?, ?)'); args.push(after.c, after.id); }
  args.push(limit + 1);
  const rows = ctx.sql.get(`SELECT * FROM logs_export_tasks WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...args) as ExportTaskRow[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    exportTasks: page.map((t) => ({
      taskId: t.id, ...(t.name !== null ? { taskName: t.name } : {}), logGroupName: t.group_name, from: t.from_ts, to: t.to_ts,
      destination: t.bucket, destinationPrefix: t.prefix,
      status: { code: t.status as ExportTaskStatusCode, ...(t.status_message ? { message: t.status_message } : {}) },
      executionInfo: { creationTime: t.created_at, ...(t.completed_at !== null ? { completionTime: t.completed_at } : {}) },
    })),
    ...(rows.length > limit ? { nextToken: encodeToken({ c: last.created_at, id: last.id }) } : {}),
  };
}

export function cancelExportTask(ctx: RequestContext, input: CancelExportTaskRequest): Record<string, never> {
  const t = ctx.sql.get('SELECT * FROM logs_export_tasks WHERE id = ? AND account = ? AND region = ?').get(input.taskId!, ctx.account, ctx.region) as ExportTaskRow | undefined;
  if (!t) throw taskNotFound();
  if (t.status !== 'PENDING' && t.status !== 'RUNNING') throw new AwsError('InvalidOperationException', 'The specified export task has already finished');
  setExportTaskStatus(ctx.sql, t.id, 'CANCELLED', undefined, ctx.clock.now());
  return {};
}
