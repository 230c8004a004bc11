/**
 * EFS tagging: TagResource, UntagResource, ListTagsForResource (file systems
 * and access points, by id or ARN) and the file-system-only legacy trio
 * CreateTags, DeleteTags, DescribeTags. The `Name` tag is also the
 * resource's Name in its description.
 */
import type {
  CreateTagsRequest,
  DeleteTagsRequest,
  DescribeTagsRequest,
  DescribeTagsResponse,
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  Tag,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-efs';
import { efsArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { countTags, putTags, removeTags } from '../../state/tags.js';
import { accessPointNotFound, badRequest, fileSystemNotFound } from './errors.js';
import {
  accessPointIdOf, decodeMarker, efsTags, encodeMarker, fileSystemIdOf, loadAccessPoint, loadFileSystem, pageLimit,
} from './store.js';

const MAX_TAGS = 50;

/** EFS's tag rules: keys 1–128 characters, values up to 256, no reserved `aws:` prefix, at most 50 per resource. */
export function validateTags(tags: Tag[] | undefined) {
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128) throw badRequest('Tag keys must be between 1 and 128 characters long.');
    if ((t.Value ?? '').length > 256) throw badRequest('Tag values must be at most 256 characters long.');
    if (key.toLowerCase().startsWith('aws:')) throw badRequest("Tag keys starting with 'aws:' are reserved for AWS use.");
  }
  if ((tags?.length ?? 0) > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

export function applyTags(ctx: RequestContext, arn: string, tags: Tag[] | undefined) {
  if (!tags?.length) return;
  putTags(ctx, arn, tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  if (countTags(ctx, arn) > MAX_TAGS) throw badRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

/** The ARN of a taggable resource named by id or ARN; the resource must exist (and not be going away). */
function taggableArn(ctx: RequestContext, ref: string): string {
  const isAccessPoint = ref.startsWith('fsap-') || /:access-point\//.test(ref);
  if (isAccessPoint) {
    const id = accessPointIdOf(ref);
    const row = loadAccessPoint(ctx, id);
    if (!row || row.state === 'deleting') throw accessPointNotFound(id);
    return efsArn.accessPoint(ctx.region, ctx.account, id);
  }
  const id = fileSystemIdOf(ref);
  const row = loadFileSystem(ctx, id);
  if (!row || row.state === 'deleting') throw fileSystemNotFound(id);
  return efsArn.fileSystem(ctx.region, ctx.account, id);
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): Record<string, never> {
  const arn = taggableArn(ctx, input.ResourceId!);
  validateTags(input.Tags);
  applyTags(ctx, arn, input.Tags);
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): Record<string, never> {
  const arn = taggableArn(ctx, input.ResourceId!);
  removeTags(ctx, arn, input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  const arn = taggableArn(ctx, input.ResourceId!);
  const limit = pageLimit(input.MaxResults, 100, 'MaxResults');
  const start = decodeMarker(input.NextToken, 'NextToken');
  const tags = efsTags(ctx, arn);
  const page = tags.slice(start, start + limit);
  return { Tags: page, NextToken: start + limit < tags.length ? encodeMarker(start + limit) : undefined };
}

// The pre-2020 tagging API: file systems only, kept for older tools (and Terraform's older providers).

export function createTags(ctx: RequestContext, input: CreateTagsRequest): Record<string, never> {
  const arn = taggableArn(ctx, fileSystemIdOf(input.FileSystemId!));
  validateTags(input.Tags);
  applyTags(ctx, arn, input.Tags);
  return {};
}

export function deleteTags(ctx: RequestContext, input: DeleteTagsRequest): Record<string, never> {
  const arn = taggableArn(ctx, fileSystemIdOf(input.FileSystemId!));
  removeTags(ctx, arn, input.TagKeys ?? []);
  return {};
}

export function describeTags(ctx: RequestContext, input: DescribeTagsRequest): DescribeTagsResponse {
  const arn = taggableArn(ctx, fileSystemIdOf(input.FileSystemId!));
  const limit = Math.min(pageLimit(input.MaxItems, 100, 'MaxItems'), 100);
  const start = decodeMarker(input.Marker);
  const tags = efsTags(ctx, arn);
  const page = tags.slice(start, start + limit);
  return { Marker: input.Marker, Tags: page, NextMarker: start + limit < tags.length ? encodeMarker(start + limit) : undefined };
}
