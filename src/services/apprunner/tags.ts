/**
 * TagResource, UntagResource, ListTagsForResource on App Runner's resources (services, auto scaling
 * configurations, connections, observability configurations, VPC connectors and VPC ingress connections), in the shared tags table under the resource's ARN. At most 50 tags; `aws:` keys are reserved.
 */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, Tag, TagResourceRequest, TagResourceResponse, UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-apprunner';
import { parseArn } from '../../shared/arns.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidRequest, resourceNotFound } from './errors.js';
import { loadResource, type ResourceKind } from './resource-store.js';
import { loadAsc, loadService } from './store.js';

const RESOURCE_KINDS: string[] = ['connection', 'observabilityconfiguration', 'vpcconnector', 'vpcingressconnection'] satisfies ResourceKind[];

const MAX_TAGS = 50;

export function checkTags(tags: Tag[] | undefined): void {
  for (const t of tags ?? []) {
    if (!t.Key || t.Key.length > 128) throw invalidRequest('Tag keys must be 1 to 128 characters.');
    if (t.Key.toLowerCase().startsWith('aws:')) throw invalidRequest('Tag keys starting with aws: are reserved.');
    if ((t.Value ?? '').length > 256) throw invalidRequest('Tag values must be at most 256 characters.');
  }
  if ((tags?.length ?? 0) > MAX_TAGS) throw invalidRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

function requireResource(ctx: RequestContext, arn: string): void {
  const a = parseArn(arn);
  if (!a || a.service !== 'apprunner') throw invalidRequest(`Invalid ARN: ${arn}`);
  const kind = a.resource.split('/')[0];
  const found = kind === 'service' ? loadService(ctx, arn)?.Status !== undefined && loadService(ctx, arn)!.Status !== 'DELETED'
    : kind === 'autoscalingconfiguration' ? loadAsc(ctx, arn)?.Status === 'ACTIVE'
      : RESOURCE_KINDS.includes(kind) ? !['INACTIVE', 'DELETED'].includes(loadResource(ctx, kind as ResourceKind, arn)?.status ?? 'DELETED')
        : false;
  if (!found) throw resourceNotFound(`Resource ${arn} does not exist.`);
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): TagResourceResponse {
  requireResource(ctx, input.ResourceArn!);
  checkTags(input.Tags);
  const have = new Set(getTags(ctx, input.ResourceArn!).map((t) => t.key));
  const fresh = (input.Tags ?? []).filter((t) => !have.has(t.Key!)).length;
  if (countTags(ctx, input.ResourceArn!) + fresh > MAX_TAGS) throw invalidRequest(`A resource can have at most ${MAX_TAGS} tags.`);
  putTags(ctx, input.ResourceArn!, (input.Tags ?? []).map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): UntagResourceResponse {
  requireResource(ctx, input.ResourceArn!);
  removeTags(ctx, input.ResourceArn!, input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  requireResource(ctx, input.ResourceArn!);
  return { Tags: getTags(ctx, input.ResourceArn!).map((t) => ({ Key: t.key, Value: t.value })) };
}
