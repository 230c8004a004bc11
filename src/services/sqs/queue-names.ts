/** Queue URLs and ARNs: how a request names a queue, and how Berth names one back. */
import { arn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { invalidParameterValue, queueDoesNotExist } from './errors.js';
import { findQueue, type QueueRow } from './store.js';

/** A queue's URL on the host and port the client reached Berth on, as SQS's `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export function queueUrl(ctx: Pick<RequestContext, 'host'>, q: Pick<QueueRow, 'account' | 'name'>): string {
  return `http://${ctx.host ?? 'localhost:4566'}/${q.account}/${q.name}`;
}

export const queueArn = (q: Pick<QueueRow, 'account' | 'region' | 'name'>) => arn('sqs', q.region, q.account, q.name);

/**
 * The queue a QueueUrl names: its last two path segments are the account and the name (any host
 * is accepted, as SQS accepts its legacy and regional endpoints alike).
 */
export function queueOfUrl(ctx: RequestContext, url: string): QueueRow {
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, '');
  const parts = path.split('/').filter(Boolean);
  if (parts.length < 2) throw invalidParameterValue(`Value ${url} for parameter QueueUrl is invalid. Reason: Invalid URL.`);
  const [account, name] = parts.slice(-2);
  if (account !== ctx.account) throw queueDoesNotExist();
  const q = findQueue(ctx.sql, ctx, name);
  if (!q) throw queueDoesNotExist();
  return q;
}

/** The queue an ARN names in the caller's account and region, if any. */
export function queueOfArn(ctx: RequestContext, value: string): QueueRow | undefined {
  const p = parseArn(value);
  if (!p || p.service !== 'sqs' || p.account !== ctx.account || p.region !== ctx.region) return undefined;
  return findQueue(ctx.sql, ctx, p.resource);
}
