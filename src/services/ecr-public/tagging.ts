/** TagResource, UntagResource, ListTagsForResource on public repositories (tags are {Key, Value}, as ECR's). */
import type {
  ListTagsForResourceRequest, ListTagsForResourceResponse, Tag, TagResourceRequest, TagResourceResponse,
  UntagResourceRequest, UntagResourceResponse,
} from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import { countTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { invalidParameter, repositoryNotFound } from './errors.js';
import { getPublicRepo, type PublicRepoRow } from './store.js';

const MAX_TAGS = 50;

export function checkTags(tags: Tag[] | undefined): void {
  for (const t of tags ?? []) {
    const key = t.Key ?? '';
    if (key.length < 1 || key.length > 128 || (t.Value ?? '').length > 256) {
      throw new AwsError('InvalidTagParameterException', 'Tag keys must be 1-128 characters and values at most 256 characters.');
    }
    // The aws: prefix is reserved for AWS's own tags.
    if (key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidTagParameterException', "Tag keys may not begin with 'aws:'.");
  }
  if ((tags?.length ?? 0) > MAX_TAGS) throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags.`);
}

/** The repository an ARN names: `arn:aws:ecr-public::<account>:repository/<name>` (no region), of the caller's account. */
function repoByArn(ctx: RequestContext, resourceArn: string | undefined): PublicRepoRow {
  const m = /^arn:aws:ecr-public::(\d{12}):repository\/(.+)$/.exec(resourceArn ?? '');
  if (!m) throw invalidParameter("Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'");
  const [, account, name] = m;
  const repo = account === ctx.account ? getPublicRepo(ctx.sql, account, name) : undefined;
  if (!repo) throw repositoryNotFound(name, account);
  return repo;
}

export function tagResource(ctx: RequestContext, input: TagResourceRequest): TagResourceResponse {
  const repo = repoByArn(ctx, input.resourceArn);
  checkTags(input.tags);
  const existing = new Set(getTags(ctx, repo.arn).map((t) => t.key));
  const added = (input.tags ?? []).filter((t) => !existing.has(t.Key!)).length;
  if (countTags(ctx, repo.arn) + added > MAX_TAGS) throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags.`);
  putTags(ctx, repo.arn, (input.tags ?? []).map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return {};
}

export function untagResource(ctx: RequestContext, input: UntagResourceRequest): UntagResourceResponse {
  const repo = repoByArn(ctx, input.resourceArn);
  removeTags(ctx, repo.arn, input.tagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): ListTagsForResourceResponse {
  const repo = repoByArn(ctx, input.resourceArn);
  return { tags: getTags(ctx, repo.arn).map((t) => ({ Key: t.key, Value: t.value })) };
}
