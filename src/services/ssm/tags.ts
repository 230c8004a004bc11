/**
 * AddTagsToResource, ListTagsForResource, RemoveTagsFromResource for
 * ResourceType=Parameter (ResourceId is the parameter name). Tags live in the
 * shared tags table under the parameter's ARN.
 */
import type {
  AddTagsToResourceRequest,
  AddTagsToResourceResult,
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  RemoveTagsFromResourceRequest,
  RemoveTagsFromResourceResult,
} from '@aws-sdk/client-ssm';
import type { RequestContext } from '../provider.js';
import { getTags, putTags, removeTags } from '../../state/tags.js';
import { invalidResourceId, invalidResourceType, tooManyTags, validation } from './errors.js';
import { parameterArn, parseRef } from './names.js';
import { findParameter } from './store.js';

const MAX_TAGS = 50;

function parameterArnFor(ctx: RequestContext, type: string | undefined, id: string): string {
  if (type !== 'Parameter') throw invalidResourceType(String(type));
  const ref = parseRef(ctx, id);
  if (!ref || ref.selector !== undefined || !findParameter(ctx, ref.name)) throw invalidResourceId();
  return parameterArn(ctx, ref.name);
}

export function addTagsToResource(ctx: RequestContext, input: AddTagsToResourceRequest): AddTagsToResourceResult {
  const arn = parameterArnFor(ctx, input.ResourceType, input.ResourceId!);
  const tags = input.Tags ?? [];
  for (const t of tags) if (/^aws:/i.test(t.Key ?? '')) throw validation(`Tag keys beginning with "aws:" are reserved for AWS use: ${t.Key}`);
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  const added = tags.filter((t) => !existing.has(t.Key!)).length;
  if (existing.size + added > MAX_TAGS) throw tooManyTags();
  putTags(ctx, arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResult {
  const arn = parameterArnFor(ctx, input.ResourceType, input.ResourceId!);
  return { TagList: getTags(ctx, arn).map((t) => ({ Key: t.key, Value: t.value })) };
}

export function removeTagsFromResource(ctx: RequestContext, input: RemoveTagsFromResourceRequest): RemoveTagsFromResourceResult {
  const arn = parameterArnFor(ctx, input.ResourceType, input.ResourceId!);
  removeTags(ctx, arn, input.TagKeys ?? []);
  return {};
}
