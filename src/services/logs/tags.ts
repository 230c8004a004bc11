/**
 * Log group tags, through both API generations: the deprecated
 * TagLogGroup/UntagLogGroup/ListTagsLogGroup (by name) and
 * TagResource/UntagResource/ListTagsForResource (by ARN). Both address the
 * same tags, stored under the group's ARN.
 */
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  ListTagsLogGroupRequest,
  ListTagsLogGroupResponse,
  TagLogGroupRequest,
  TagResourceRequest,
  UntagLogGroupRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import { constraint, groupNotFound, invalidParameter, tooManyTags } from './errors.js';
import { parseArn } from '../../shared/arns.js';
import { groupNameOf } from './names.js';
import { findGroup, groupArn } from './store.js';

const MAX_TAGS = 50;
const KEY_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const VALUE_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function checkTags(tags: Record<string, string>) {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length > 128) throw constraint(k, 'tags', 'Map keys must have length less than or equal to 128');
    if (!KEY_RE.test(k)) throw constraint(k, 'tags', 'Map keys must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$');
    if (k.toLowerCase().startsWith('aws:')) throw invalidParameter('Tag keys prefixed with aws: are reserved for AWS use.');
    if (v.length > 256) throw constraint(v, 'tags', 'Map values must have length less than or equal to 256');
    if (!VALUE_RE.test(v)) throw constraint(v, 'tags', 'Map values must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  }
}

/** Adds or replaces tags on a group's ARN, within the 50-tag limit. */
export function putGroupTags(ctx: RequestContext, arn: string, tags: Record<string, string>) {
  checkTags(tags);
  const existing = new Set(getTags(ctx, arn).map((t) => t.key));
  const added = Object.keys(tags).filter((k) => !existing.has(k)).length;
  if (countTags(ctx, arn) + added > MAX_TAGS) throw tooManyTags(`A resource can have no more than ${MAX_TAGS} tags.`);
  putTags(ctx, arn, Object.entries(tags).map(([key, value]) => ({ key, value })));
}

const tagMap = (ctx: RequestContext, arn: string) => Object.fromEntries(getTags(ctx, arn).map((t) => [t.key, t.value]));

function arnOfGroupNamed(ctx: RequestContext, name: string): string {
  if (!findGroup(ctx.sql, ctx, name)) throw groupNotFound();
  return groupArn(ctx, name);
}

/** TagResource & co. take a log group's or a destination's ARN (the taggable resources Berth stores). */
function arnOfResource(ctx: RequestContext, resourceArn: string): string {
  const a = parseArn(resourceArn);
  if (a?.service === 'logs' && a.account === ctx.account && a.region === ctx.region && a.resource.startsWith('destination:')) {
    const exists = ctx.sql.get('SELECT 1 FROM logs_destinations WHERE account = ? AND region = ? AND name = ?')
      .get(ctx.account, ctx.region, a.resource.slice('destination:'.length));
    if (!exists) throw new AwsError('ResourceNotFoundException', `The specified resource does not exist: ${resourceArn}`);
    return resourceArn;
  }
  const name = resourceArn.startsWith('arn:') ? groupNameOf(ctx, resourceArn) : undefined;
  if (name === undefined || !findGroup(ctx.sql, ctx, name)) {
    throw new AwsError('ResourceNotFoundException', `The specified resource does not exist: ${resourceArn}`);
  }
  return groupArn(ctx, name);
}

export function tagLogGroup(ctx: RequestContext, input: TagLogGroupRequest): Record<string, never> {
  putGroupTags(ctx, arnOfGroupNamed(ctx, input.logGroupName!), input.tags ?? {});
  return {};
}

export function untagLogGroup(ctx: RequestContext, input: UntagLogGroupRequest): Record<string, never> {
  removeTags(ctx, arnOfGroupNamed(ctx, input.logGroupName!), input.tags ?? []);
  return {};
}

export function listTagsLogGroup(ctx: RequestContext, input: ListTagsLogGroupRequest): ListTagsLogGroupResponse {
  return { tags: tagMap(ctx, arnOfGroupNamed(ctx, input.logGroupName!)) };
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, never> {
  putGroupTags(ctx, arnOfResource(ctx, input.resourceArn!), input.tags ?? {});
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): Record<string, never> {
  removeTags(ctx, arnOfResource(ctx, input.resourceArn!), input.tagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  return { tags: tagMap(ctx, arnOfResource(ctx, input.resourceArn!)) };
}
