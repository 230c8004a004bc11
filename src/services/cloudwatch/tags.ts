/** TagResource, UntagResource, ListTagsForResource: alarms are CloudWatch's taggable resources in Berth. */
import type { ListTagsForResourceInput, ListTagsForResourceOutput, Tag, TagResourceInput, UntagResourceInput } from '@aws-sdk/client-cloudwatch';
import { parseArn } from '../../shared/arns.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { getAlarm } from './alarm-store.js';
import { invalidParameterValue, limitExceeded, resourceNotFoundException } from './errors.js';

const MAX_TAGS = 50;

/** Beyond the model's key and value lengths (checked by the wire layer): the aws: prefix is reserved. */
export function checkTags(tags: Tag[]) {
  for (const t of tags) {
    if (t.Key?.toLowerCase().startsWith('aws:')) throw invalidParameterValue('Tag keys beginning with aws: are reserved.');
  }
}

/** The alarm an ARN names in this account and region; ResourceNotFoundException otherwise. */
function alarmArnOf(ctx: RequestContext, resourceArn: string): string {
  const p = parseArn(resourceArn);
  const name = p && p.service === 'cloudwatch' && p.account === ctx.account && p.region === ctx.region && p.resource.startsWith('alarm:')
    ? p.resource.slice('alarm:'.length) : undefined;
  if (name === undefined || !getAlarm(ctx.sql, ctx, name)) {
    throw resourceNotFoundException(`Resource ${resourceArn} not found`);
  }
  return resourceArn;
}

export function tagResource(ctx: RequestContext, input: TagResourceInput): Record<string, never> {
  const arn = alarmArnOf(ctx, input.ResourceARN!);
  const tags = input.Tags ?? [];
  checkTags(tags);
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  if (countTags(ctx, arn) + tags.filter((t) => !existing.has(t.Key!)).length > MAX_TAGS) throw limitExceeded(`A resource can have no more than ${MAX_TAGS} tags.`);
  putTags(ctx, arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceInput): Record<string, never> {
  removeTags(ctx, alarmArnOf(ctx, input.ResourceARN!), input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceInput): ListTagsForResourceOutput {
  return { Tags: getTags(ctx, alarmArnOf(ctx, input.ResourceARN!)).map((t) => ({ Key: t.key, Value: t.value })) };
}
