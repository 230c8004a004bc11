/** SendMessage and SendMessageBatch: validation as SQS does it, MD5s, delays, FIFO deduplication and sequence numbers. */
import { createHash, randomUUID } from 'node:crypto';
import type {
  MessageAttributeValue, SendMessageBatchRequest, SendMessageBatchResult, SendMessageRequest, SendMessageResult,
} from '@aws-sdk/client-sqs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { isFifo, numberAttribute } from './attributes.js';
import { checkBatchIds } from './batch.js';
import { batchTooLong, invalidMessageContents, invalidParameterValue, missingParameter } from './errors.js';
import { md5Hex, md5OfAttributes, type StoredAttribute } from './md5.js';
import { queueOfUrl } from './queue-names.js';
import { countActivity, findDedup, insertMessage, nextSequence, recordDedup, type QueueRow } from './store.js';

/** FIFO deduplication ids are remembered for 5 minutes. */
const DEDUP_WINDOW_MS = 5 * 60_000;
const MAX_ATTRIBUTES = 10;
// The characters SQS accepts in a body and in string attribute values.
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_\-.]{1,256}$/;

type Entry = Pick<SendMessageRequest, 'MessageBody' | 'DelaySeconds' | 'MessageAttributes' | 'MessageSystemAttributes' | 'MessageDeduplicationId' | 'MessageGroupId'>;

export function sendMessage(ctx: RequestContext, input: SendMessageRequest): SendMessageResult {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  return send(ctx, q, input);
}

export function sendMessageBatch(ctx: RequestContext, input: SendMessageBatchRequest): SendMessageBatchResult {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const entries = input.Entries ?? [];
  checkBatchIds(entries, 'SendMessageBatchRequestEntry');
  const max = numberAttribute(q, 'MaximumMessageSize');
  const total = entries.reduce((n, e) => n + messageSize(e.MessageBody ?? '', storedAttributes(e.MessageAttributes)), 0);
  if (total > max) throw batchTooLong(max);
  const out: SendMessageBatchResult = { Successful: [], Failed: [] };
  for (const e of entries) {
    try {
      const r = send(ctx, q, e);
      out.Successful!.push({ Id: e.Id!, ...r } as NonNullable<SendMessageBatchResult['Successful']>[number]);
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      out.Failed!.push({ Id: e.Id!, SenderFault: true, Code: err.code, Message: err.message });
    }
  }
  return out;
}

function storedAttributes(attrs: Record<string, MessageAttributeValue> | undefined): Record<string, StoredAttribute> {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    const s: StoredAttribute = { DataType: a.DataType ?? '' };
    if (a.StringValue !== undefined) s.StringValue = a.StringValue;
    if (a.BinaryValue !== undefined) s.BinaryValue = Buffer.from(a.BinaryValue).toString('base64');
    out[name] = s;
  }
  return out;
}

/** What counts toward MaximumMessageSize: the body and each attribute's name, type and value. */
function messageSize(body: string, attrs: Record<string, StoredAttribute>): number {
  let n = Buffer.byteLength(body, 'utf8');
  for (const [name, a] of Object.entries(attrs)) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    n += a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue ?? '');
  }
  return n;
}

function checkAttributes(attrs: Record<string, StoredAttribute>) {
  const names = Object.keys(attrs);
  if (names.length > MAX_ATTRIBUTES) throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  for (const name of names) {
    const a = attrs[name];
    if (!ATTRIBUTE_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..') || /^(aws\.|amazon\.)/i.test(name)) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    }
    if (!DATA_TYPE.test(a.DataType)) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const binary = a.DataType.startsWith('Binary');
    const value = binary ? a.BinaryValue : a.StringValue;
    if (value === undefined || value === '') {
      throw invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${binary ? 'Binary' : a.DataType.split('.')[0]}'.`);
    }
    if (!binary && INVALID_CHARS.test(value)) throw invalidMessageContents();
    if (a.DataType.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
      throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
}

export function send(ctx: RequestContext, q: QueueRow, e: Entry): SendMessageResult {
  const body = e.MessageBody ?? '';
  if (body.length === 0) throw missingParameter('The request must contain the parameter MessageBody.');
  if (INVALID_CHARS.test(body)) throw invalidMessageContents();
  const attrs = storedAttributes(e.MessageAttributes);
  checkAttributes(attrs);
  const max = numberAttribute(q, 'MaximumMessageSize');
  if (messageSize(body, attrs) > max) {
    throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  }
  const fifo = isFifo(q);
  if (e.DelaySeconds !== undefined) {
    if (fifo) throw invalidParameterValue(`Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    if (e.DelaySeconds < 0 || e.DelaySeconds > 900) {
      throw invalidParameterValue(`Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
  }
  const now = ctx.clock.now();
  const system = systemAttributes(e);
  let dedupId: string | undefined;
  if (fifo) {
    if (!e.MessageGroupId) throw missingParameter('The request must contain the parameter MessageGroupId.');
    dedupId = e.MessageDeduplicationId;
    if (!dedupId) {
      if (JSON.parse(q.attributes).ContentBasedDeduplication !== 'true') {
        throw invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      // Content-based deduplication hashes the body only (not the attributes).
      dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
    }
    const scoped = JSON.parse(q.attributes).DeduplicationScope === 'messageGroup' ? `${e.MessageGroupId}\u0000${dedupId}` : dedupId;
    const seen = findDedup(ctx.sql, q.id, scoped, now);
    const md5s = resultMd5s(body, attrs, system);
    if (seen) return { MessageId: seen.message_id, ...md5s, ...(seen.sequence_number ? { SequenceNumber: seen.sequence_number } : {}) };
    const messageId = randomUUID();
    const seq = sequenceNumber(nextSequence(ctx.sql, q.id));
    recordDedup(ctx.sql, q.id, scoped, messageId, seq, now + DEDUP_WINDOW_MS);
    store(ctx, q, body, attrs, system, now, now, messageId, e.MessageGroupId, dedupId, seq);
    return { MessageId: messageId, ...md5s, SequenceNumber: seq };
  }
  if (e.MessageDeduplicationId) {
    throw invalidParameterValue(`Value ${e.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`);
  }
  const delay = e.DelaySeconds ?? numberAttribute(q, 'DelaySeconds');
  const messageId = randomUUID();
  store(ctx, q, body, attrs, system, now, now + delay * 1000, messageId, e.MessageGroupId ?? null, null, null);
  return { MessageId: messageId, ...resultMd5s(body, attrs, system) };
}

/** Only AWSTraceHeader is a settable system attribute. */
function systemAttributes(e: Entry): Record<string, StoredAttribute> {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(e.MessageSystemAttributes ?? {})) {
    if (name !== 'AWSTraceHeader') throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    if (a.DataType !== 'String' || !a.StringValue) throw invalidParameterValue(`Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
    out[name] = { DataType: 'String', StringValue: a.StringValue };
  }
  return out;
}

function resultMd5s(body: string, attrs: Record<string, StoredAttribute>, system: Record<string, StoredAttribute>) {
  const out: Pick<SendMessageResult, 'MD5OfMessageBody' | 'MD5OfMessageAttributes' | 'MD5OfMessageSystemAttributes'> = { MD5OfMessageBody: md5Hex(body) };
  const a = md5OfAttributes(attrs);
  if (a) out.MD5OfMessageAttributes = a;
  const s = md5OfAttributes(system);
  if (s) out.MD5OfMessageSystemAttributes = s;
  return out;
}

/** SQS sequence numbers are 20-digit, increasing per queue. */
const sequenceNumber = (n: number) => (10n ** 19n + BigInt(n)).toString();

function store(
  ctx: RequestContext, q: QueueRow, body: string, attrs: Record<string, StoredAttribute>, system: Record<string, StoredAttribute>,
  now: number, visibleAt: number, messageId: string, groupId: string | null, dedupId: string | null, seq: string | null,
) {
  const hasAttrs = Object.keys(attrs).length > 0;
  insertMessage(ctx.sql, {
    queue_id: q.id, message_id: messageId, body, attributes: hasAttrs ? JSON.stringify(attrs) : null, md5_body: md5Hex(body),
    md5_attributes: md5OfAttributes(attrs) ?? null, system_attributes: Object.keys(system).length ? JSON.stringify(system) : null,
    sender_id: senderId(ctx), sent_at: now, visible_at: visibleAt,
    group_id: groupId, dedup_id: dedupId, sequence_number: seq, dead_letter_source: null,
  });
  countActivity(ctx.sql, q.id, 'sent');
  // Waiting receivers of this queue look again once this commits.
  ctx.changed('sqs.messages', String(q.id));
}

/**
 * SQS's `SenderId`: the account for its root, a role session's unique id (`AROA…:<session>`) for assumed-role
 * callers (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html); for
 * other long-term keys, which Berth maps to no IAM user, the access key.
 */
function senderId(ctx: RequestContext): string {
  if (ctx.principalId) return ctx.principalId;
  return ctx.principalArn.endsWith(':root') ? ctx.account : ctx.accessKeyId;
}
