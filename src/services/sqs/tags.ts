/** Queue tags (TagQueue, UntagQueue, ListQueueTags), in the shared tags table under the queue's ARN. */
import type { ListQueueTagsRequest, ListQueueTagsResult, TagQueueRequest, UntagQueueRequest } from '@aws-sdk/client-sqs';
import { countTags, getTags, putTags, removeTags, type TagPair } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidParameterValue } from './errors.js';
import { queueArn, queueOfUrl } from './queue-names.js';

/** SQS allows 50 tags per queue. */
const MAX_TAGS = 50;

export function validTags(tags: Record<string, string>): TagPair[] {
  const pairs = Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
  for (const t of pairs) {
    if (t.key.length < 1 || t.key.length > 128) throw invalidParameterValue(`Tag key ${t.key} is invalid. Tag keys must be 1 to 128 characters.`);
    if (t.value.length > 256) throw invalidParameterValue(`Tag value for key ${t.key} is invalid. Tag values must be at most 256 characters.`);
  }
  if (pairs.length > MAX_TAGS) throw invalidParameterValue(`Too many tags added for queue. Maximum is ${MAX_TAGS}.`);
  return pairs;
}

export function tagQueue(ctx: RequestContext, input: TagQueueRequest): Record<string, never> {
  const arn = queueArn(queueOfUrl(ctx, input.QueueUrl!));
  const pairs = validTags(input.Tags ?? {});
  if (!pairs.length) throw invalidParameterValue('The request must contain the parameter Tags.');
  const fresh = pairs.filter((p) => !getTags(ctx, arn).some((t) => t.key === p.key)).length;
  if (countTags(ctx, arn) + fresh > MAX_TAGS) throw invalidParameterValue(`Too many tags added for queue. Maximum is ${MAX_TAGS}.`);
  putTags(ctx, arn, pairs);
  return {};
}

export function untagQueue(ctx: RequestContext, input: UntagQueueRequest): Record<string, never> {
  const arn = queueArn(queueOfUrl(ctx, input.QueueUrl!));
  removeTags(ctx, arn, input.TagKeys ?? []);
  return {};
}

export function listQueueTags(ctx: RequestContext, input: ListQueueTagsRequest): ListQueueTagsResult {
  const tags = getTags(ctx, queueArn(queueOfUrl(ctx, input.QueueUrl!)));
  return tags.length ? { Tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) } : {};
}
