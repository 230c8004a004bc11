/**
 * Dead-letter queue redrive: StartMessageMoveTask moves a dead-letter queue's messages back to their
 * source queues (or to a destination). Berth moves them within the call, so a task is COMPLETED when listed.
 */
import type {
  CancelMessageMoveTaskRequest, CancelMessageMoveTaskResult, ListMessageMoveTasksRequest, ListMessageMoveTasksResult,
  StartMessageMoveTaskRequest, StartMessageMoveTaskResult,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../provider.js';
import { isFifo, redrivePolicyOf } from './attributes.js';
import { invalidParameterValue, resourceNotFound, unsupportedOperation } from './errors.js';
import { queueArn, queueOfArn } from './queue-names.js';
import { allQueues, messagesInSendOrder, moveMessage } from './store.js';

interface TaskRow {
  handle: string; source_arn: string; destination_arn: string | null; max_per_second: number | null; status: string;
  moved: number; to_move: number; started_at: number; failure_reason: string | null;
}

export function startMessageMoveTask(ctx: RequestContext, input: StartMessageMoveTaskRequest): StartMessageMoveTaskResult {
  const source = queueOfArn(ctx, input.SourceArn!);
  if (!source) throw resourceNotFound('The resource that you specified for the SourceArn parameter doesn\'t exist.');
  const sourceArn = queueArn(source);
  // Only a queue some queue uses as its dead-letter queue can be redriven.
  const isDlq = allQueues(ctx.sql, ctx).some((q) => redrivePolicyOf(q)?.deadLetterTargetArn === sourceArn);
  if (!isDlq) throw invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
  if (isFifo(source)) throw unsupportedOperation('StartMessageMoveTask is not supported for FIFO queues in Berth.');
  const dest = input.DestinationArn ? queueOfArn(ctx, input.DestinationArn) : undefined;
  if (input.DestinationArn && !dest) throw resourceNotFound('The resource that you specified for the DestinationArn parameter doesn\'t exist.');
  const max = input.MaxNumberOfMessagesPerSecond;
  if (max !== undefined && (max < 1 || max > 500)) throw invalidParameterValue('MaxNumberOfMessagesPerSecond must be between 1 and 500.');
  const now = ctx.clock.now();
  let moved = 0;
  const rows = [...messagesInSendOrder(ctx.sql, source.id)];
  for (const m of rows) {
    const target = dest ?? (m.dead_letter_source ? queueOfArn(ctx, m.dead_letter_source) : undefined);
    if (!target) continue;
    moveMessage(ctx.sql, m.id, target.id, now, null);
    ctx.sql.get('UPDATE sqs_messages SET receive_count = 0 WHERE id = ?').run(m.id);
    ctx.changed('sqs.messages', String(target.id));
    moved++;
  }
  const handle = Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64');
  ctx.sql.get(`INSERT INTO sqs_move_tasks (handle, account, region, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at)
    VALUES (?, ?, ?, ?, ?, ?, 'COMPLETED', ?, ?, ?)`).run(handle, ctx.account, ctx.region, sourceArn, input.DestinationArn ?? null, max ?? null, moved, rows.length, now);
  return { TaskHandle: handle };
}

export function listMessageMoveTasks(ctx: RequestContext, input: ListMessageMoveTasksRequest): ListMessageMoveTasksResult {
  const source = queueOfArn(ctx, input.SourceArn!);
  if (!source) throw resourceNotFound('The resource that you specified for the SourceArn parameter doesn\'t exist.');
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidParameterValue('MaxResults must be between 1 and 10.');
  const rows = ctx.sql.get('SELECT * FROM sqs_move_tasks WHERE account = ? AND region = ? AND source_arn = ? ORDER BY started_at DESC, rowid DESC LIMIT ?')
    .all(ctx.account, ctx.region, queueArn(source), max) as TaskRow[];
  return {
    Results: rows.map((t) => ({
      ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
      Status: t.status, SourceArn: t.source_arn, ...(t.destination_arn ? { DestinationArn: t.destination_arn } : {}),
      ...(t.max_per_second ? { MaxNumberOfMessagesPerSecond: t.max_per_second } : {}),
      ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: t.to_move, StartedTimestamp: t.started_at,
      ...(t.failure_reason ? { FailureReason: t.failure_reason } : {}),
    })),
  };
}

export function cancelMessageMoveTask(ctx: RequestContext, input: CancelMessageMoveTaskRequest): CancelMessageMoveTaskResult {
  const t = ctx.sql.get('SELECT * FROM sqs_move_tasks WHERE handle = ? AND account = ? AND region = ?').get(input.TaskHandle!, ctx.account, ctx.region) as TaskRow | undefined;
  if (!t || t.status !== 'RUNNING') throw resourceNotFound('Task does not exist or is not running.');
  return { ApproximateNumberOfMessagesMoved: t.moved };
}
