/**
 * EKS tagging: TagResource, UntagResource, ListTagsForResource (clusters, by ARN), and the `tags`
 * map CreateCluster takes. EKS allows 50 tags a resource; keys 1–128 characters, values up to 256,
 * and no `aws:` prefix. https://docs.aws.amazon.com/eks/latest/userguide/eks-using-tags.html
 */
import type { ListTagsForResourceRequest, ListTagsForResourceResponse, TagResourceRequest, UntagResourceRequest } from '@aws-sdk/client-eks';
import { parseArn } from '../../shared/arns.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { badRequest, resourceNotFound } from './errors.js';
import { listItems, loadCluster, type ItemKind, type Scope } from './store.js';

const MAX_TAGS = 50;

export function validateTags(tags: Record<string, string> | undefined) {
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (key.length < 1 || key.length > 128) throw badRequest('Tag keys must be between 1 and 128 characters long.');
    if (value.length > 256) throw badRequest('Tag values must be at most 256 characters long.');
    if (key.toLowerCase().startsWith('aws:')) throw badRequest("Tag keys starting with 'aws:' are reserved for AWS use.");
  }
  if (Object.keys(tags ?? {}).length > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

export function applyTags(ctx: RequestContext, arn: string, tags: Record<string, string> | undefined) {
  const pairs = Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
  if (!pairs.length) return;
  putTags(ctx, arn, pairs);
  if (countTags(ctx, arn) > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

export const eksTags = (s: Scope, arn: string): Record<string, string> => Object.fromEntries(getTags(s, arn).map((t) => [t.key, t.value]));

/** What a taggable ARN's resource type is among a cluster's items. */
const ITEM_TYPES: Record<string, ItemKind> = {
  nodegroup: 'nodegroup', fargateprofile: 'fargateprofile', addon: 'addon', 'access-entry': 'accessentry', podidentityassociation: 'podidentity',
};

/** The ARN of a taggable resource that exists in the caller's account and region (a cluster or one of its items). */
function taggable(ctx: RequestContext, arn: string): string {
  const a = parseArn(arn);
  if (!a || a.service !== 'eks') throw badRequest(`${arn} is not a valid ARN`);
  const [type, name] = a.resource.split('/');
  const here = a.account === ctx.account && a.region === ctx.region;
  const row = here && (type === 'cluster' || ITEM_TYPES[type]) ? loadCluster(ctx, name) : undefined;
  if (!row || row.status === 'DELETING') throw resourceNotFound(arn);
  if (type !== 'cluster') {
    const item = listItems<Record<string, unknown>>(ctx, name, ITEM_TYPES[type]).find((i) => Object.values(i.doc).includes(arn));
    if (!item || item.doc.status === 'DELETING') throw resourceNotFound(arn);
  }
  return arn;
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, never> {
  const arn = taggable(ctx, input.resourceArn!);
  validateTags(input.tags);
  applyTags(ctx, arn, input.tags);
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): Record<string, never> {
  removeTags(ctx, taggable(ctx, input.resourceArn!), input.tagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  return { tags: eksTags(ctx, taggable(ctx, input.resourceArn!)) };
}
