/**
 * SQS's door for the rest of Berth: other services and controllers send messages through it (EventBridge's SQS
 * targets and dead-letter queues) with SendMessage's own rules, and read queues' counts (AWS/SQS metrics).
 */
import type { MessageAttributeValue, SendMessageResult } from '@aws-sdk/client-sqs';
import type { RequestContext } from '../provider.js';
import { isFifo } from './attributes.js';
import { queueDoesNotExist } from './errors.js';
import { queueOfArn } from './queue-names.js';
import { send } from './send.js';

export { publishQueueMetrics } from './metrics.js';
// For readers of the stored queues (the console): a queue's settable attributes and redrive policy as SQS returns
// them, its ARN and URL.
export { attributesOf, isFifo, numberAttribute, redrivePolicyOf, type RedrivePolicy } from './attributes.js';
export { queueArn, queueUrl } from './queue-names.js';

export interface ServiceMessage {
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** FIFO queues: required. */
  groupId?: string;
  /** FIFO queues: the deduplication id (a repeat within 5 minutes is acknowledged, not enqueued). */
  deduplicationId?: string;
}

/**
 * Sends a message to the queue an ARN names, as SendMessage would for a caller in the queue's account and region
 * (`ctx`): the same validation, MD5s, FIFO sequencing and deduplication, and waiting receivers are woken.
 * Throws SQS's AwsError (QueueDoesNotExist, InvalidMessageContents, …) when SQS would refuse it.
 */
export function sendToQueue(ctx: RequestContext, queueArn: string, m: ServiceMessage): SendMessageResult {
  const q = queueOfArn(ctx, queueArn);
  if (!q) throw queueDoesNotExist();
  const fifo = isFifo(q);
  return send(ctx, q, {
    MessageBody: m.body, MessageAttributes: m.attributes,
    ...(fifo ? { MessageGroupId: m.groupId, MessageDeduplicationId: m.deduplicationId } : {}),
  });
}
