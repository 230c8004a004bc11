/** Queue operations: create, find, list, attributes, delete, purge, dead-letter sources. */
import type {
  CreateQueueRequest, CreateQueueResult, DeleteQueueRequest, GetQueueAttributesRequest, GetQueueAttributesResult,
  GetQueueUrlRequest, GetQueueUrlResult, ListDeadLetterSourceQueuesRequest, ListDeadLetterSourceQueuesResult,
  ListQueuesRequest, ListQueuesResult, PurgeQueueRequest, SetQueueAttributesRequest,
} from '@aws-sdk/client-sqs';
import { decodePageToken, encodePageToken } from '../../shared/page-token.js';
import { dropAllTags, putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { attributesOf, initialAttributes, isFifo, isFifoName, readAttributes, redrivePolicyOf, validAttributes } from './attributes.js';
import { invalidAttributeName, invalidParameterValue, purgeInProgress, queueDeletedRecently, queueDoesNotExist, queueNameExists } from './errors.js';
import { queueArn, queueOfUrl, queueUrl } from './queue-names.js';
import { allQueues, deleteQueueRow, deletedAt, expireMessages, findQueue, insertQueue, queuesOf, setPurgedAt, setQueueAttributes as storeAttributes } from './store.js';
import { validTags } from './tags.js';

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
/** SQS frees a deleted queue's name after 60 seconds. */
const NAME_REUSE_MS = 60_000;
/** One purge per queue per 60 seconds. */
const PURGE_INTERVAL_MS = 60_000;

export function createQueue(ctx: RequestContext, input: CreateQueueRequest): CreateQueueResult {
  const name = input.QueueName!;
  const given = (input.Attributes ?? {}) as Record<string, string>;
  const fifo = given.FifoQueue === 'true';
  if (fifo ? !FIFO_NAME.test(name) : !NAME.test(name)) {
    throw invalidParameterValue(fifo
      ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
      : (isFifoName(name) ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length'));
  }
  const attrs = validAttributes(ctx, name, given, fifo);
  const existing = findQueue(ctx.sql, ctx, name);
  if (existing) {
    // Same name and the same values for the attributes given: the same queue (CreateQueue is idempotent).
    const have = attributesOf(existing);
    const defaults = initialAttributes({}, fifo);
    for (const [k, v] of Object.entries(attrs)) if ((have[k] ?? defaults[k] ?? '') !== v) throw queueNameExists(k);
    return { QueueUrl: queueUrl(ctx, existing) };
  }
  const now = ctx.clock.now();
  const freed = deletedAt(ctx.sql, ctx, name);
  if (freed !== undefined && now - freed < NAME_REUSE_MS) throw queueDeletedRecently();
  const tags = validTags(input.tags ?? {});
  const q = insertQueue(ctx.sql, ctx, name, initialAttributes(attrs, fifo), now);
  putTags(ctx, queueArn(q), tags);
  ctx.changed('sqs.queue', String(q.id));
  return { QueueUrl: queueUrl(ctx, q) };
}

export function getQueueUrl(ctx: RequestContext, input: GetQueueUrlRequest): GetQueueUrlResult {
  // Another account's queue (QueueOwnerAWSAccountId) is not shared across accounts in Berth.
  if (input.QueueOwnerAWSAccountId && input.QueueOwnerAWSAccountId !== ctx.account) throw queueDoesNotExist();
  const q = findQueue(ctx.sql, ctx, input.QueueName!);
  if (!q) throw queueDoesNotExist();
  return { QueueUrl: queueUrl(ctx, q) };
}

/** Pages are ordered by name; the token is the last name of the previous page (shared/page-token.ts). */
const encodeToken = encodePageToken;
function decodeToken(token: string | undefined): string {
  const after = decodePageToken(token);
  if (after === undefined) throw invalidParameterValue('Invalid NextToken value.');
  return after;
}

function maxResults(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw invalidParameterValue(`Value ${n} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
  return n;
}

export function listQueues(ctx: RequestContext, input: ListQueuesRequest): ListQueuesResult {
  const limit = maxResults(input.MaxResults);
  // Without MaxResults SQS answers up to 1000 queues and no token.
  const rows = queuesOf(ctx.sql, ctx, input.QueueNamePrefix ?? '', limit ? decodeToken(input.NextToken) : '', (limit ?? 1000) + 1);
  const page = rows.slice(0, limit ?? 1000);
  const out: ListQueuesResult = {};
  if (page.length) out.QueueUrls = page.map((q) => queueUrl(ctx, q));
  if (limit && rows.length > limit) out.NextToken = encodeToken(page[page.length - 1].name);
  return out;
}

export function getQueueAttributes(ctx: RequestContext, input: GetQueueAttributesRequest): GetQueueAttributesResult {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const names = (input.AttributeNames ?? []) as string[];
  if (!names.length) return {};
  const attrs = readAttributes(ctx, q, names);
  return Object.keys(attrs).length ? { Attributes: attrs } : {};
}

export function setQueueAttributes(ctx: RequestContext, input: SetQueueAttributesRequest): Record<string, never> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const given = (input.Attributes ?? {}) as Record<string, string>;
  // FifoQueue is chosen at creation only.
  if ('FifoQueue' in given) throw invalidAttributeName('FifoQueue');
  const changes = validAttributes(ctx, q.name, given, isFifo(q), q);
  const next = { ...attributesOf(q), ...changes };
  for (const [k, v] of Object.entries(next)) if (v === '') delete next[k];
  storeAttributes(ctx.sql, q.id, next, ctx.clock.now());
  ctx.changed('sqs.queue', String(q.id));
  return {};
}

export function deleteQueue(ctx: RequestContext, input: DeleteQueueRequest): Record<string, never> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  dropAllTags(ctx, queueArn(q));
  deleteQueueRow(ctx.sql, q, ctx.clock.now());
  ctx.changed('sqs.queue', String(q.id));
  return {};
}

export function purgeQueue(ctx: RequestContext, input: PurgeQueueRequest): Record<string, never> {
  const q = queueOfUrl(ctx, input.QueueUrl!);
  const now = ctx.clock.now();
  if (q.purged_at !== null && now - q.purged_at < PURGE_INTERVAL_MS) throw purgeInProgress(queueUrl(ctx, q));
  setPurgedAt(ctx.sql, q.id, now);
  // Messages sent before the purge are deleted; SQS takes up to 60 s, Berth does it at once.
  expireMessages(ctx.sql, q.id, now + 1);
  ctx.changed('sqs.queue', String(q.id));
  return {};
}

export function listDeadLetterSourceQueues(ctx: RequestContext, input: ListDeadLetterSourceQueuesRequest): ListDeadLetterSourceQueuesResult {
  const dlq = queueOfUrl(ctx, input.QueueUrl!);
  const arn = queueArn(dlq);
  const limit = maxResults(input.MaxResults);
  const after = limit ? decodeToken(input.NextToken) : '';
  const sources = allQueues(ctx.sql, ctx).filter((q) => q.name > after && redrivePolicyOf(q)?.deadLetterTargetArn === arn);
  const page = sources.slice(0, limit ?? 1000);
  const out: ListDeadLetterSourceQueuesResult = { queueUrls: page.map((q) => queueUrl(ctx, q)) };
  if (limit && sources.length > limit) out.NextToken = encodeToken(page[page.length - 1].name);
  return out;
}
