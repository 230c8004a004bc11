/**
 * ReceiveMessage: visibility, receive counts, dead-letter redrive, FIFO group order and receive attempts,
 * and long polling. A long poll waits on the change feed (a send, a visibility change or a redrive into
 * the queue publishes `sqs.messages`) and on one timer for the next message to become visible; it never polls.
 */
import type { Message, ReceiveMessageRequest, ReceiveMessageResult } from '@aws-sdk/client-sqs';
import { Later, type RequestContext } from '../provider.js';
import { isFifo, numberAttribute, redrivePolicyOf } from './attributes.js';
import { invalidParameterValue } from './errors.js';
import { md5OfAttributes, type StoredAttribute } from './md5.js';
import { queueArn, queueOfArn, queueOfUrl } from './queue-names.js';
import { newReceipt } from './receipts.js';
import {
  countActivity, expireMessages, findAttempt, markReceived, messagesInSendOrder, moveMessage, nextVisibleAt, queueById, recordAttempt,
  visibleMessages, type MessageRow, type QueueRow,
} from './store.js';

/** How long SQS honours a ReceiveRequestAttemptId. */
const ATTEMPT_WINDOW_MS = 5 * 60_000;
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'AWSTraceHeader'];
const FIFO_SYSTEM_ATTRIBUTES = ['SequenceNumber', 'MessageDeduplicationId', 'MessageGroupId'];

export function receiveMessage(ctx: RequestContext, input: ReceiveMessageRequest): ReceiveMessageResult | Later<ReceiveMessageResult> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const max = input.MaxNumberOfMessages ?? 1;
  if (!Number.isInteger(max) || max < 1 || max > 10) {
    throw invalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
  }
  const wait = input.WaitTimeSeconds ?? numberAttribute(q, 'ReceiveMessageWaitTimeSeconds');
  if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
    throw invalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
  }
  if (input.VisibilityTimeout !== undefined && (input.VisibilityTimeout < 0 || input.VisibilityTimeout > 43_200)) {
    throw invalidParameterValue(`Value ${input.VisibilityTimeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`);
  }
  const first = receiveNow(ctx, q, input, max);
  if (!first.Messages?.length && wait === 0) countActivity(ctx.sql, q.id, 'empty_receives');
  if (first.Messages?.length || wait === 0) return first;
  return new Later(() => longPoll(ctx, q.id, input, max, wait * 1000));
}

/** Waits up to `waitMs` (real time) for messages, trying again whenever one may have become receivable. */
function longPoll(ctx: RequestContext, queueId: number, input: ReceiveMessageRequest, max: number, waitMs: number): Promise<ReceiveMessageResult> {
  const deadline = Date.now() + waitMs;
  const attempt = ctx.db.transaction(() => {
    const q = queueById(ctx.sql, queueId);
    return q ? receiveNow(ctx, q, input, max) : {};
  });
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let woken = false;
    // Once answered, a wake-up already scheduled must not take (and so hide) another message.
    let done = false;
    const unsubscribe = ctx.changes?.subscribe((kind, key) => {
      if (kind === 'sqs.messages' && key === String(queueId) && !woken) {
        woken = true;
        // After the publishing request's own listeners: the commit is done, the message is there.
        setImmediate(tryNow);
      }
    });
    const finish = (r: ReceiveMessageResult) => {
      done = true;
      unsubscribe?.();
      clearTimeout(timer);
      resolve(r);
    };
    function arm() {
      clearTimeout(timer);
      const left = deadline - Date.now();
      if (left <= 0) {
        // A long poll that ends with nothing is one empty receive (AWS/SQS NumberOfEmptyReceives).
        try {
          if (ctx.db.open) ctx.db.transaction(() => countActivity(ctx.sql, queueId, 'empty_receives'))();
        } catch { /* the queue may be gone */ }
        return finish({});
      }
      const now = ctx.clock.now();
      const next = nextVisibleAt(ctx.sql, queueId, now);
      timer = setTimeout(tryNow, next === undefined ? left : Math.max(1, Math.min(left, next - now)));
      // A waiting receive never keeps a stopping Berth alive (its connection is closed then).
      timer.unref();
    }
    function tryNow() {
      if (done) return;
      woken = false;
      try {
        const r = attempt();
        if (r.Messages?.length) return finish(r);
        arm();
      } catch (err) {
        done = true;
        unsubscribe?.();
        clearTimeout(timer);
        reject(err);
      }
    }
    arm();
  });
}

function receiveNow(ctx: RequestContext, q: QueueRow, input: ReceiveMessageRequest, max: number): ReceiveMessageResult {
  const now = ctx.clock.now();
  expireMessages(ctx.sql, q.id, now - numberAttribute(q, 'MessageRetentionPeriod') * 1000);
  const fifo = isFifo(q);
  const attemptId = fifo ? input.ReceiveRequestAttemptId : undefined;
  if (attemptId) {
    // A retried receive with the same attempt id gets the same messages and receipt handles (if still in flight).
    const prior = findAttempt(ctx.sql, q.id, attemptId, now);
    if (prior) return JSON.parse(prior);
  }
  const visibility = (input.VisibilityTimeout ?? numberAttribute(q, 'VisibilityTimeout')) * 1000;
  const redrive = redrivePolicyOf(q);
  const dlq = redrive ? queueOfArn(ctx, redrive.deadLetterTargetArn) : undefined;
  const picked: MessageRow[] = [];
  // Read before writing: better-sqlite3 allows no write while a statement is still being iterated.
  for (const m of fifo ? fifoCandidates(ctx, q.id, now, max * 4) : standardCandidates(ctx, q.id, now, max)) {
    if (picked.length >= max) break;
    // The receive that would exceed maxReceiveCount moves the message to the dead-letter queue instead.
    if (redrive && dlq && m.receive_count >= redrive.maxReceiveCount) {
      moveMessage(ctx.sql, m.id, dlq.id, now, queueArn(q));
      ctx.changed('sqs.messages', String(dlq.id));
      continue;
    }
    picked.push(m);
  }
  const messages = picked.map((m) => {
    const receipt = newReceipt(q.id, m.id);
    markReceived(ctx.sql, m.id, receipt.token, now + visibility, now);
    return render(ctx, { ...m, receive_count: m.receive_count + 1, first_received_at: m.first_received_at ?? now }, receipt.handle, input, fifo);
  });
  if (messages.length) {
    countActivity(ctx.sql, q.id, 'received', messages.length);
    // One change per receive, not per message (visible → in flight).
    ctx.changed('sqs.queue', String(q.id));
  }
  const out: ReceiveMessageResult = messages.length ? { Messages: messages } : {};
  if (attemptId && messages.length) recordAttempt(ctx.sql, q.id, attemptId, JSON.stringify(out), now + ATTEMPT_WINDOW_MS);
  return out;
}

/** Standard queues: visible messages, oldest first (dead-letter moves may skip some, so look a little further). */
function standardCandidates(ctx: RequestContext, queueId: number, now: number, max: number): MessageRow[] {
  return visibleMessages(ctx.sql, queueId, now, max * 4);
}

/**
 * FIFO queues: in send order, skipping every group whose oldest message is not visible (in flight or
 * not yet delivered): a group delivers nothing more until its in-flight messages are deleted or visible again.
 */
function fifoCandidates(ctx: RequestContext, queueId: number, now: number, limit: number): MessageRow[] {
  const blocked = new Set<string>();
  const out: MessageRow[] = [];
  for (const m of messagesInSendOrder(ctx.sql, queueId)) {
    const group = m.group_id ?? '';
    if (blocked.has(group)) continue;
    if (m.visible_at > now) {
      blocked.add(group);
      continue;
    }
    out.push(m);
    if (out.length >= limit) break;
  }
  return out;
}

function render(ctx: RequestContext, m: MessageRow, handle: string, input: ReceiveMessageRequest, fifo: boolean): Message {
  const out: Message = { MessageId: m.message_id, ReceiptHandle: handle, MD5OfBody: m.md5_body, Body: m.body };
  const names = new Set<string>([...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])] as string[]);
  const all = names.has('All');
  const system: Record<string, string | undefined> = {
    SenderId: m.sender_id,
    SentTimestamp: String(m.sent_at),
    ApproximateReceiveCount: String(m.receive_count),
    ApproximateFirstReceiveTimestamp: String(m.first_received_at),
    AWSTraceHeader: m.system_attributes ? (JSON.parse(m.system_attributes) as Record<string, StoredAttribute>).AWSTraceHeader?.StringValue : undefined,
    ...(fifo ? { SequenceNumber: m.sequence_number ?? undefined, MessageDeduplicationId: m.dedup_id ?? undefined, MessageGroupId: m.group_id ?? undefined } : {}),
    ...(m.dead_letter_source ? { DeadLetterQueueSourceArn: m.dead_letter_source } : {}),
  };
  const attrs: Record<string, string> = {};
  for (const name of [...SYSTEM_ATTRIBUTES, ...FIFO_SYSTEM_ATTRIBUTES, 'DeadLetterQueueSourceArn']) {
    if ((all || names.has(name)) && system[name] !== undefined) attrs[name] = system[name]!;
  }
  if (Object.keys(attrs).length) out.Attributes = attrs;
  const wanted = input.MessageAttributeNames ?? [];
  if (m.attributes && wanted.length) {
    const stored = JSON.parse(m.attributes) as Record<string, StoredAttribute>;
    const chosen: Record<string, StoredAttribute> = {};
    for (const [name, a] of Object.entries(stored)) if (attributeWanted(name, wanted)) chosen[name] = a;
    if (Object.keys(chosen).length) {
      // The digest covers the attributes returned, so clients can check what they got.
      out.MD5OfMessageAttributes = md5OfAttributes(chosen);
      out.MessageAttributes = Object.fromEntries(Object.entries(chosen).map(([name, a]) => [name, {
        DataType: a.DataType,
        ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}),
        ...(a.BinaryValue !== undefined ? { BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : {}),
      }]));
    }
  }
  return out;
}

/** `All` or `.*` asks for every attribute, `prefix.*` for those under the prefix, else the exact name. */
function attributeWanted(name: string, wanted: string[]): boolean {
  return wanted.some((w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))));
}
