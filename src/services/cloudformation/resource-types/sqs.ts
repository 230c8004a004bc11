/**
 * AWS::SQS::Queue, through SQS's operations: the properties are the queue's attributes (as strings on the wire;
 * `RedrivePolicy` and `RedriveAllowPolicy` as JSON). Ref is the queue's URL; an unnamed queue is named
 * `<stack>-<logical id>-<random>` (with `.fifo` for a FIFO queue), as CloudFormation names it.
 */
import { generatedName, gone, json, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const sqs = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('sqs', op, input);

const ATTRIBUTES = [
  'ContentBasedDeduplication', 'DeduplicationScope', 'DelaySeconds', 'FifoQueue', 'FifoThroughputLimit', 'KmsDataKeyReusePeriodSeconds', 'KmsMasterKeyId',
  'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'RedriveAllowPolicy', 'RedrivePolicy', 'SqsManagedSseEnabled',
  'VisibilityTimeout',
];

function attributesOf(p: Props): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ATTRIBUTES) if (p[k] !== undefined) out[k] = typeof p[k] === 'object' ? json(p[k])! : String(p[k]);
  return out;
}

const fifo = (p: Props) => p.FifoQueue === true || p.FifoQueue === 'true';

export const QUEUE: ResourceType = {
  replaceOn: ['QueueName', 'FifoQueue'],
  async create(ctx, p) {
    const name = p.QueueName ?? (fifo(p) ? `${generatedName(ctx, 75)}.fifo` : generatedName(ctx, 80));
    const tags = Object.fromEntries(tagsOf(ctx, p.Tags).map((t) => [t.Key, t.Value]));
    const { QueueUrl } = await sqs(ctx, 'CreateQueue', { QueueName: name, Attributes: attributesOf(p), ...(Object.keys(tags).length ? { tags } : {}) });
    const { Attributes } = await sqs(ctx, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['QueueArn'] });
    return { physicalId: QueueUrl, attributes: { Arn: Attributes.QueueArn, QueueName: name, QueueUrl } };
  },
  async update(ctx, url, p, old, attrs) {
    const given = attributesOf(p);
    // An attribute no longer given goes back to its default, which SetQueueAttributes takes as the empty value.
    for (const k of Object.keys(attributesOf(old))) if (!(k in given) && k !== 'FifoQueue') given[k] = '';
    if (Object.keys(given).length) await sqs(ctx, 'SetQueueAttributes', { QueueUrl: url, Attributes: given });
    return { physicalId: url, attributes: attrs };
  },
  async delete(ctx, url) {
    await gone(() => sqs(ctx, 'DeleteQueue', { QueueUrl: url }), 'AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist');
  },
};
