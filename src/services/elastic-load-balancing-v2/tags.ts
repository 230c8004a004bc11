/**
 * AddTags, RemoveTags, DescribeTags for load balancers, target groups,
 * listeners and rules; and the Tags parameter of the Create operations.
 * Up to 50 tags per resource, keys 1–128 characters not starting with `aws:`,
 * values up to 256; DescribeTags takes at most 20 ARNs.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html
 */
import type {
  AddTagsInput, AddTagsOutput, DescribeTagsInput, DescribeTagsOutput, RemoveTagsInput, RemoveTagsOutput, Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RequestContext } from '../provider.js';
import { countTags, getTags, putTags, removeTags as removeTagRows } from '../../state/tags.js';
import { duplicateTagKeys, tooManyTags, validationError } from './errors.js';
import { requireAnyResource } from './lookup.js';

const MAX_TAGS = 50;

export function checkTags(tags: Tag[] | undefined): Tag[] {
  const seen = new Set<string>();
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (!key.length || key.length > 128) throw validationError(`Tag key '${key}' must be between 1 and 128 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw validationError(`Tag keys starting with 'aws:' are reserved for internal use`);
    if ((t.Value ?? '').length > 256) throw validationError(`Tag value for key '${key}' must be at most 256 characters long`);
    if (seen.has(key)) throw duplicateTagKeys(key);
    seen.add(key);
  }
  if (seen.size > MAX_TAGS) throw tooManyTags();
  return tags ?? [];
}

/** Stores tags on a new or existing resource, enforcing the per-resource quota. */
export function applyTags(ctx: RequestContext, arn: string, tags: Tag[] | undefined): void {
  const list = checkTags(tags);
  if (!list.length) return;
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  const added = list.filter((t) => !existing.has(t.Key!)).length;
  if (countTags(ctx, arn) + added > MAX_TAGS) throw tooManyTags();
  putTags(ctx, arn, list.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
}

export const tagsOf = (ctx: RequestContext, arn: string): Tag[] => getTags(ctx, arn).map((t) => ({ Key: t.key, Value: t.value }));

export function addTags(ctx: RequestContext, input: AddTagsInput): AddTagsOutput {
  const arns = input.ResourceArns ?? [];
  for (const arn of arns) requireAnyResource(ctx, arn);
  for (const arn of arns) applyTags(ctx, arn, input.Tags);
  return {};
}

export function removeTags(ctx: RequestContext, input: RemoveTagsInput): RemoveTagsOutput {
  const arns = input.ResourceArns ?? [];
  for (const arn of arns) requireAnyResource(ctx, arn);
  for (const arn of arns) removeTagRows(ctx, arn, input.TagKeys ?? []);
  return {};
}

export function describeTags(ctx: RequestContext, input: DescribeTagsInput): DescribeTagsOutput {
  const arns = input.ResourceArns ?? [];
  if (arns.length > 20) throw validationError('1 validation error detected: Value at \'resourceArns\' failed to satisfy constraint: Member must have length less than or equal to 20');
  for (const arn of arns) requireAnyResource(ctx, arn);
  return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagsOf(ctx, arn) })) };
}
