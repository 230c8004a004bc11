/**
 * Queue attributes: SQS's defaults, its validation of settable values, and what GetQueueAttributes reads.
 * Settable attributes are stored as the strings SQS returns; the computed ones are made on read.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
import type { RequestContext } from '../provider.js';
import { invalidAttributeName, invalidAttributeValue, invalidParameterValue } from './errors.js';
import { queueArn, queueOfArn } from './queue-names.js';
import { expireMessages, queueCounts, type QueueRow } from './store.js';

export const MAX_MESSAGE_SIZE = 262_144;

const DEFAULTS: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: String(MAX_MESSAGE_SIZE),
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  // New queues are encrypted with SQS-managed keys by default since 2022.
  SqsManagedSseEnabled: 'true',
};
const FIFO_DEFAULTS: Record<string, string> = {
  FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue',
};

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_SIZE],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};
const BOOLEANS = new Set(['ContentBasedDeduplication', 'SqsManagedSseEnabled', 'FifoQueue']);
const SETTABLE = new Set([
  ...Object.keys(RANGES), 'Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'SqsManagedSseEnabled',
  'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit',
]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const COMPUTED = [
  'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn',
];
/** The names GetQueueAttributes knows, in the order SQS lists them for `All`. */
const READABLE = new Set([
  'Policy', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', ...COMPUTED, 'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue', 'ContentBasedDeduplication',
  'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'DeduplicationScope', 'FifoThroughputLimit', 'SqsManagedSseEnabled',
]);

export const isFifoName = (name: string) => name.endsWith('.fifo');
export const attributesOf = (q: QueueRow): Record<string, string> => JSON.parse(q.attributes);
export const isFifo = (q: QueueRow) => attributesOf(q).FifoQueue === 'true';
export const numberAttribute = (q: QueueRow, name: string) => Number(attributesOf(q)[name] ?? DEFAULTS[name]);

/** The redrive policy of a queue, parsed. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}
export function redrivePolicyOf(q: QueueRow): RedrivePolicy | undefined {
  const raw = attributesOf(q).RedrivePolicy;
  return raw ? JSON.parse(raw) : undefined;
}

/** Validates requested attribute values and normalises them into the stored strings. */
export function validAttributes(ctx: RequestContext, name: string, given: Record<string, string>, fifo: boolean, self?: QueueRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(given)) {
    const value = String(raw);
    if (name === 'FifoQueue' && !self) {
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name);
      continue; // decided by the caller from the name
    }
    if (!SETTABLE.has(name)) throw invalidAttributeName(name);
    if (FIFO_ONLY.has(name) && !fifo) throw invalidAttributeName(name);
    if (RANGES[name]) {
      const n = Number(value);
      if (value.trim() === '' || !Number.isInteger(n) || n < RANGES[name][0] || n > RANGES[name][1]) throw invalidAttributeValue(name);
      out[name] = String(n);
    } else if (BOOLEANS.has(name)) {
      if (value !== 'true' && value !== 'false') throw invalidAttributeValue(name);
      out[name] = value;
    } else if (name === 'DeduplicationScope') {
      if (value !== 'queue' && value !== 'messageGroup') throw invalidAttributeValue(name);
      out[name] = value;
    } else if (name === 'FifoThroughputLimit') {
      if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidAttributeValue(name);
      out[name] = value;
    } else if (name === 'Policy') {
      if (value !== '' && !isJsonObject(value)) throw invalidAttributeValue(name, 'The policy is not valid JSON.');
      out[name] = value;
    } else if (name === 'RedrivePolicy') {
      out[name] = value === '' ? '' : validRedrivePolicy(ctx, value, fifo, queueArn({ account: ctx.account, region: ctx.region, name }));
    } else if (name === 'RedriveAllowPolicy') {
      out[name] = value === '' ? '' : validRedriveAllowPolicy(value);
    } else {
      out[name] = value;
    }
  }
  if (out.KmsMasterKeyId && !out.KmsDataKeyReusePeriodSeconds) out.KmsDataKeyReusePeriodSeconds = '300';
  return out;
}

function isJsonObject(s: string) {
  try {
    const v = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

function validRedrivePolicy(ctx: RequestContext, value: string, fifo: boolean, selfArn: string): string {
  const bad = (reason: string) => invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  if (!isJsonObject(value)) throw bad('Redrive policy is not a valid JSON map.');
  const p = JSON.parse(value) as Record<string, unknown>;
  if (typeof p.deadLetterTargetArn !== 'string') throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (p.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const max = Number(p.maxReceiveCount);
  if (!Number.isInteger(max) || max < 1 || max > 1000) throw bad('Invalid value for maxReceiveCount: ' + String(p.maxReceiveCount) + ', valid values are from 1 to 1000 both inclusive.');
  const dlq = queueOfArn(ctx, p.deadLetterTargetArn);
  if (!dlq) throw bad('Dead-letter target does not exist.');
  if (isFifo(dlq) !== fifo) throw bad('Dead-letter target queue type must match the source queue type (standard or FIFO).');
  const allow = attributesOf(dlq).RedriveAllowPolicy;
  if (allow) {
    const a = JSON.parse(allow) as { redrivePermission: string; sourceQueueArns?: string[] };
    const denied = a.redrivePermission === 'denyAll' || (a.redrivePermission === 'byQueue' && !a.sourceQueueArns?.includes(selfArn));
    if (denied) throw bad('Dead-letter target does not allow this queue as a source (its RedriveAllowPolicy).');
  }
  // SQS stores (and returns) the policy with maxReceiveCount as a number.
  return JSON.stringify({ deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max });
}

function validRedriveAllowPolicy(value: string): string {
  const bad = (reason: string) => invalidParameterValue(`Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
  if (!isJsonObject(value)) throw bad('Amazon SQS can\'t parse the redrive allow policy.');
  const p = JSON.parse(value) as { redrivePermission?: string; sourceQueueArns?: unknown };
  if (!['allowAll', 'denyAll', 'byQueue'].includes(p.redrivePermission ?? '')) throw bad('Invalid value for redrivePermission.');
  if (p.redrivePermission === 'byQueue') {
    if (!Array.isArray(p.sourceQueueArns) || p.sourceQueueArns.length < 1 || p.sourceQueueArns.length > 10) {
      throw bad('sourceQueueArns must list 1 to 10 queues when redrivePermission is byQueue.');
    }
  } else if (p.sourceQueueArns !== undefined) {
    throw bad('sourceQueueArns is only allowed when redrivePermission is byQueue.');
  }
  return value;
}

/** The stored attributes of a new queue: SQS's defaults under the given values. */
export function initialAttributes(given: Record<string, string>, fifo: boolean): Record<string, string> {
  const out = { ...DEFAULTS, ...(fifo ? FIFO_DEFAULTS : {}), ...given };
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  return out;
}

/** What GetQueueAttributes answers for the names asked (`All`: every attribute the queue has). */
export function readAttributes(ctx: RequestContext, q: QueueRow, names: string[]): Record<string, string> {
  for (const n of names) if (n !== 'All' && !READABLE.has(n)) throw invalidAttributeName(n);
  const all = names.includes('All');
  const wanted = (n: string) => all || names.includes(n);
  const stored = attributesOf(q);
  const now = ctx.clock.now();
  // Messages past the retention period are gone before they are counted.
  expireMessages(ctx.sql, q.id, now - numberAttribute(q, 'MessageRetentionPeriod') * 1000);
  const counts = queueCounts(ctx.sql, q.id, now);
  const computed: Record<string, string> = {
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.notVisible),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(q.created_at / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.modified_at / 1000)),
    QueueArn: queueArn(q),
  };
  const out: Record<string, string> = {};
  for (const n of READABLE) {
    if (!wanted(n)) continue;
    const v = computed[n] ?? stored[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}
