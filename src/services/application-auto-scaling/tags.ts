/**
 * TagResource, UntagResource, ListTagsForResource: scalable targets only (AWS tags nothing else here), ≤ 50 tags,
 * `aws:` keys reserved. https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TagResource.html
 */
import type { ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, UntagResourceRequest } from '@aws-sdk/client-application-auto-scaling';
import { getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { resourceNotFound, tooManyTags, validation } from './errors.js';
import { targetByArn } from './store.js';

const MAX_TAGS = 50;

function requireTargetArn(ctx: RequestContext, arn: string) {
  const t = targetByArn(ctx.sql, arn);
  if (!t || !arn.includes(`:${ctx.region}:${ctx.account}:`)) throw resourceNotFound(`Scalable target with ARN ${arn} not found.`, arn);
}

export function applyTags(ctx: RequestContext, arn: string, tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.some((k) => k.toLowerCase().startsWith('aws:'))) throw validation('Tag keys starting with "aws:" are reserved for AWS use.');
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  const total = existing.size + keys.filter((k) => !existing.has(k)).length;
  if (total > MAX_TAGS) throw tooManyTags(`The resource ${arn} would have more than ${MAX_TAGS} tags.`, arn);
  putTags(ctx, arn, keys.map((key) => ({ key, value: tags[key] })));
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, never> {
  requireTargetArn(ctx, input.ResourceARN!);
  applyTags(ctx, input.ResourceARN!, input.Tags ?? {});
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): Record<string, never> {
  requireTargetArn(ctx, input.ResourceARN!);
  removeTags(ctx, input.ResourceARN!, input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  requireTargetArn(ctx, input.ResourceARN!);
  return { Tags: Object.fromEntries(getTags(ctx, input.ResourceARN!).map((t) => [t.key, t.value])) };
}
