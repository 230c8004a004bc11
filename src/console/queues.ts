/**
 * The console's SQS views, read through SQS's doors (services/sqs/store.ts and index.ts) over the rows
 * GetQueueAttributes reads: every queue of every account and region with its Approximate* counts as SQS computes them
 * (visible; in flight: received and not yet visible again; delayed: never received and not yet visible), its type,
 * settings and dead-letter queue; a queue's page adds the queues that redrive into it. Reads only: messages past
 * their retention period are left out of the counts rather than deleted (a request to the queue deletes them).
 */
import { attributesOf, isFifo, numberAttribute, queueArn, queueUrl, redrivePolicyOf } from '../services/sqs/index.js';
import { allQueues, findQueue, nextVisibleAt, queueCounts, queueScopes, type QueueRow } from '../services/sqs/store.js';
import { parseArn } from '../shared/arns.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import type { QueueSummary, QueuesView, QueueView } from './views.js';

const MAX_QUEUES = 1000;

/** What the summary shows already; the queue page lists the rest of the stored attributes. */
const SHOWN = new Set(['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize',
  'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue']);

const iso = (ms: number) => new Date(ms).toISOString();
const nameOfArn = (arn: string) => parseArn(arn)?.resource ?? arn;

function summary(sql: Statements, endpoint: string, q: QueueRow, now: number): QueueSummary {
  const retention = numberAttribute(q, 'MessageRetentionPeriod');
  const c = queueCounts(sql, q.id, now, now - retention * 1000);
  const redrive = redrivePolicyOf(q);
  return {
    name: q.name,
    arn: queueArn(q),
    url: queueUrl({ host: new URL(endpoint).host }, q),
    type: isFifo(q) ? 'fifo' : 'standard',
    messages: { visible: c.visible, inFlight: c.notVisible, delayed: c.delayed },
    oldestAgeSeconds: c.oldestSentAt === null ? null : Math.max(0, Math.floor((now - c.oldestSentAt) / 1000)),
    visibilityTimeoutSeconds: numberAttribute(q, 'VisibilityTimeout'),
    retentionSeconds: retention,
    delaySeconds: numberAttribute(q, 'DelaySeconds'),
    receiveWaitSeconds: numberAttribute(q, 'ReceiveMessageWaitTimeSeconds'),
    maxMessageBytes: numberAttribute(q, 'MaximumMessageSize'),
    deadLetter: redrive ? { name: nameOfArn(redrive.deadLetterTargetArn), arn: redrive.deadLetterTargetArn, maxReceiveCount: redrive.maxReceiveCount } : null,
    createdAt: iso(q.created_at),
    modifiedAt: iso(q.modified_at),
  };
}

export function queuesView(sql: Statements, endpoint: string, now: number): QueuesView {
  let next = Infinity;
  const scopes = queueScopes(sql).map((scope) => ({
    ...scope,
    queues: allQueues(sql, scope).slice(0, MAX_QUEUES).map((q) => {
      next = Math.min(next, nextVisibleAt(sql, q.id, now) ?? Infinity);
      return summary(sql, endpoint, q, now);
    }),
  }));
  return { scopes, nextChangeAt: next === Infinity ? null : iso(next) };
}

export function queueView(scope: Scope, endpoint: string, name: string, now: number): QueueView | undefined {
  const q = findQueue(scope.sql, scope, name);
  if (!q) return undefined;
  const queue = summary(scope.sql, endpoint, q, now);
  const sources = allQueues(scope.sql, scope).flatMap((s) => {
    const p = redrivePolicyOf(s);
    return p?.deadLetterTargetArn === queue.arn ? [{ name: s.name, maxReceiveCount: p.maxReceiveCount }] : [];
  });
  const stored = attributesOf(q);
  const allow = stored.RedriveAllowPolicy ? JSON.parse(stored.RedriveAllowPolicy) as { redrivePermission: string; sourceQueueArns?: string[] } : null;
  const next = nextVisibleAt(scope.sql, q.id, now);
  return {
    account: scope.account,
    region: scope.region,
    queue,
    sources,
    redriveAllow: { permission: allow?.redrivePermission ?? 'allowAll', sourceQueues: (allow?.sourceQueueArns ?? []).map(nameOfArn) },
    attributes: Object.entries(stored).filter(([k]) => !SHOWN.has(k)).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
    nextChangeAt: next === undefined ? null : iso(next),
  };
}
