/**
 * ECS tagging: TagResource, UntagResource, ListTagsForResource on any ECS ARN.
 * Each resource type says how to tell that its ARN exists and which error a
 * missing one gets (ClusterNotFoundException for clusters, as ECS answers;
 * ResourceNotFoundException otherwise). Modules that add taggable resources
 * (services, tasks, container instances, task sets) call `registerTaggable`.
 */
import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from '@aws-sdk/client-ecs';
import { parseArn } from '../../shared/arns.js';
import type { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { getTags, putTags, removeTags } from '../../state/tags.js';
import { BUILTIN_PROVIDERS } from './capacity-provider-refs.js';
import { capacityProviderArnExists } from './capacity-providers.js';
import { clusterArnExists } from './clusters.js';
import { clusterNotFound, invalidParameter, resourceNotFound } from './errors.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { taskDefinitionArnExists } from './task-definitions.js';

export interface TaggableType {
  /** True if the (well-formed, long-format) ARN names an existing resource in the caller's scope. */
  exists(ctx: RequestContext, arn: string): boolean;
  notFound(): AwsError;
}

const resourceMissing = () => resourceNotFound('The specified resource could not be found.');

/** ECS resource types whose ARNs carry the cluster name (the long ARN format). */
const CLUSTER_SCOPED = new Set(['service', 'task', 'container-instance', 'task-set']);

const TAGGABLE = new Map<string, TaggableType>([
  ['cluster', { exists: clusterArnExists, notFound: clusterNotFound }],
  ['task-definition', { exists: taskDefinitionArnExists, notFound: resourceMissing }],
  ['capacity-provider', { exists: capacityProviderArnExists, notFound: resourceMissing }],
  // Known ECS types that Berth cannot hold yet: always missing until their module registers.
  ...[...CLUSTER_SCOPED].map((t): [string, TaggableType] => [t, { exists: () => false, notFound: resourceMissing }]),
]);

/** Lets a resource module make its ARNs taggable. */
export function registerTaggable(resourceType: string, type: TaggableType) {
  TAGGABLE.set(resourceType, type);
}

/** The resource an ARN names; InvalidParameterException for a malformed or non-ECS ARN. */
function resolve(ctx: RequestContext, resourceArn: string | undefined): { arn: string; type: string; builtin: boolean } {
  const arn = parseArn(resourceArn ?? '');
  const slash = arn?.resource.indexOf('/') ?? -1;
  const type = arn && slash > 0 ? arn.resource.slice(0, slash) : '';
  if (!arn || arn.service !== 'ecs' || !TAGGABLE.has(type) || !arn.region || !arn.account) {
    throw invalidParameter('The ARN provided is invalid.');
  }
  const rest = arn.resource.slice(slash + 1);
  if (CLUSTER_SCOPED.has(type) && !rest.includes('/')) throw invalidParameter('Long arn format must be used for tagging operations');
  const builtin = type === 'capacity-provider' && BUILTIN_PROVIDERS.includes(rest);
  if (!builtin && !TAGGABLE.get(type)!.exists(ctx, resourceArn!)) throw TAGGABLE.get(type)!.notFound();
  return { arn: resourceArn!, type, builtin };
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): TagResourceResponse {
  const { arn, builtin } = resolve(ctx, input.resourceArn);
  if (builtin) throw invalidParameter('The FARGATE and FARGATE_SPOT capacity providers are managed by AWS and can\'t be tagged.');
  const tags = input.tags ?? [];
  const newKeys = new Set(tags.map((t) => t.key));
  const kept = getTags(ctx, arn).filter((t) => !newKeys.has(t.key)).length;
  validateNewTags(tags, kept);
  putTags(ctx, arn, tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): UntagResourceResponse {
  const { arn, builtin } = resolve(ctx, input.resourceArn);
  if (builtin) throw invalidParameter('The FARGATE and FARGATE_SPOT capacity providers are managed by AWS and can\'t be tagged.');
  const keys = input.tagKeys ?? [];
  if (keys.some((k) => k.toLowerCase().startsWith('aws:'))) {
    throw invalidParameter('Tag keys with the aws: prefix are reserved for AWS use and can\'t be removed.');
  }
  removeTags(ctx, arn, keys);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  const { arn, builtin } = resolve(ctx, input.resourceArn);
  return { tags: builtin ? [] : toEcsTags(getTags(ctx, arn)) };
}
