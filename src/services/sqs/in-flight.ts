/** What a receiver does with a received message: DeleteMessage(Batch) and ChangeMessageVisibility(Batch). */
import type {
  ChangeMessageVisibilityBatchRequest, ChangeMessageVisibilityBatchResult, ChangeMessageVisibilityRequest,
  DeleteMessageBatchRequest, DeleteMessageBatchResult, DeleteMessageRequest,
} from '@aws-sdk/client-sqs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { checkBatchIds } from './batch.js';
import { invalidParameterValue, messageNotInflight, receiptHandleInvalid } from './errors.js';
import { queueOfUrl } from './queue-names.js';
import { parseReceipt } from './receipts.js';
import { countActivity, deleteMessageRow, messageById, setVisibleAt, type QueueRow } from './store.js';

export function deleteMessage(ctx: RequestContext, input: DeleteMessageRequest): Record<string, never> {
  remove(ctx, queueOfUrl(ctx, input.QueueUrl!), input.ReceiptHandle!);
  return {};
}

export function deleteMessageBatch(ctx: RequestContext, input: DeleteMessageBatchRequest): DeleteMessageBatchResult {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const entries = input.Entries ?? [];
  checkBatchIds(entries, 'DeleteMessageBatchRequestEntry');
  return perEntry(entries, (e) => remove(ctx, q, e.ReceiptHandle!)) as DeleteMessageBatchResult;
}

export function changeMessageVisibility(ctx: RequestContext, input: ChangeMessageVisibilityRequest): Record<string, never> {
  changeVisibility(ctx, queueOfUrl(ctx, input.QueueUrl!), input.ReceiptHandle!, input.VisibilityTimeout!);
  return {};
}

export function changeMessageVisibilityBatch(ctx: RequestContext, input: ChangeMessageVisibilityBatchRequest): ChangeMessageVisibilityBatchResult {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const entries = input.Entries ?? [];
  checkBatchIds(entries, 'ChangeMessageVisibilityBatchRequestEntry');
  return perEntry(entries, (e) => changeVisibility(ctx, q, e.ReceiptHandle!, e.VisibilityTimeout ?? 0)) as ChangeMessageVisibilityBatchResult;
}

function perEntry<E extends { Id?: string }>(entries: E[], fn: (e: E) => void) {
  const out = { Successful: [] as { Id: string }[], Failed: [] as { Id: string; SenderFault: boolean; Code: string; Message: string }[] };
  for (const e of entries) {
    try {
      fn(e);
      out.Successful.push({ Id: e.Id! });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      out.Failed.push({ Id: e.Id!, SenderFault: true, Code: err.code, Message: err.message });
    }
  }
  return out;
}

/**
 * Deleting by a receipt handle of this queue: a handle from an earlier receive still deletes the message
 * (as on SQS standard queues); one whose message is already gone succeeds too.
 */
function remove(ctx: RequestContext, q: QueueRow, handle: string) {
  const r = parseReceipt(handle);
  if (!r || r.queueId !== q.id) throw receiptHandleInvalid(handle);
  if (deleteMessageRow(ctx.sql, r.rowId)) {
    countActivity(ctx.sql, q.id, 'deleted');
    ctx.changed('sqs.queue', String(q.id));
  }
}

function changeVisibility(ctx: RequestContext, q: QueueRow, handle: string, seconds: number) {
  const r = parseReceipt(handle);
  if (!r || r.queueId !== q.id) throw receiptHandleInvalid(handle);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200) {
    throw invalidParameterValue(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
  }
  const m = messageById(ctx.sql, r.rowId);
  const now = ctx.clock.now();
  // Only the latest receive's handle of a message still in flight may change its visibility.
  if (!m || m.queue_id !== q.id || m.receipt !== r.token || m.visible_at <= now) throw messageNotInflight();
  setVisibleAt(ctx.sql, m.id, now + seconds * 1000);
  if (seconds === 0) ctx.changed('sqs.messages', String(q.id));
}
