/** Tags of buses and rules (TagResource, UntagResource, ListTagsForResource), in the shared tags table by ARN. */
import { countTags, getTags, putTags, removeTags, type TagPair } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { busNotFound, ruleNotFound, validation } from './errors.js';
import type { Tag } from './types.js';

const MAX_TAGS = 50;

export function validTags(tags: Tag[] | undefined): TagPair[] {
  const pairs = (tags ?? []).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
  for (const t of pairs) {
    if (!t.key || t.key.length > 128) throw validation(`Tag key ${t.key} is not valid.`);
    if (t.key.startsWith('aws:')) throw validation('Tag keys starting with aws: are reserved.');
    if (t.value.length > 256) throw validation(`Tag value for key ${t.key} is not valid.`);
  }
  if (pairs.length > MAX_TAGS) throw validation(`Too many tags: at most ${MAX_TAGS}.`);
  return pairs;
}

/** The bus or rule an ARN names, in the caller's account and region. */
function taggable(ctx: RequestContext, arn: string): string {
  const known = ctx.sql.get('SELECT 1 FROM events_buses WHERE arn = ? UNION ALL SELECT 1 FROM events_rules WHERE arn = ?').get(arn, arn);
  if (known) return arn;
  // Refused as DescribeRule and DescribeEventBus refuse what they cannot find.
  const resource = arn.split(':').slice(5).join(':');
  const rule = /^rule\/(?:([^/]+)\/)?([^/]+)$/.exec(resource);
  if (rule) throw ruleNotFound(rule[2], rule[1] ?? 'default');
  throw busNotFound(resource.replace(/^event-bus\//, ''));
}

export function tagResource(ctx: RequestContext, input: { ResourceARN: string; Tags: Tag[] }) {
  const arn = taggable(ctx, input.ResourceARN);
  const pairs = validTags(input.Tags);
  const fresh = pairs.filter((p) => !getTags(ctx, arn).some((t) => t.key === p.key)).length;
  if (countTags(ctx, arn) + fresh > MAX_TAGS) throw validation(`Too many tags: at most ${MAX_TAGS}.`);
  putTags(ctx, arn, pairs);
  return {};
}

export function untagResource(ctx: RequestContext, input: { ResourceARN: string; TagKeys: string[] }) {
  removeTags(ctx, taggable(ctx, input.ResourceARN), input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: { ResourceARN: string }) {
  return { Tags: getTags(ctx, taggable(ctx, input.ResourceARN)).map((t) => ({ Key: t.key, Value: t.value })) };
}
