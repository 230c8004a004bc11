/**
 * Lifecycle policies: PutLifecyclePolicy, GetLifecyclePolicy,
 * DeleteLifecyclePolicy, StartLifecyclePolicyPreview and
 * GetLifecyclePolicyPreview. The provider stores the policy and asks for a
 * run (change feed); the ecr-lifecycle controller applies it then and every
 * LIFECYCLE_INTERVAL_MS, and computes previews.
 */
import type {
  DeleteLifecyclePolicyRequest, DeleteLifecyclePolicyResponse, GetLifecyclePolicyPreviewRequest,
  GetLifecyclePolicyPreviewResponse, GetLifecyclePolicyRequest, GetLifecyclePolicyResponse, LifecyclePolicyPreviewResult,
  PutLifecyclePolicyRequest, PutLifecyclePolicyResponse, StartLifecyclePolicyPreviewRequest, StartLifecyclePolicyPreviewResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import type { RepoRow } from './store/repositories.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, pageSize, requireRepo } from './common.js';
import { invalidParameter } from './errors.js';
import { LifecyclePolicyError, parseLifecyclePolicy, type LifecycleExpiry } from './lifecycle-evaluate.js';
import { deletePolicy, getPolicy, getPreview, putPolicy, repoKey, startPreview } from './store/lifecycle.js';

const MAX_POLICY_TEXT = 30720;

const policyNotFound = (repo: RepoRow) =>
  new AwsError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.account}'`);

/** Validates a policy text; ECR's message wraps the validator's detail. */
export function checkPolicyText(text: string | undefined): string {
  const t = text ?? '';
  if (t.length > MAX_POLICY_TEXT) {
    throw invalidParameter(`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Member must have length less than or equal to ${MAX_POLICY_TEXT}'`);
  }
  try {
    parseLifecyclePolicy(t);
  } catch (err) {
    if (!(err instanceof LifecyclePolicyError)) throw err;
    throw invalidParameter(`Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${err.message}'`);
  }
  return t;
}

export function putLifecyclePolicy(ctx: RequestContext, input: PutLifecyclePolicyRequest): PutLifecyclePolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:PutLifecyclePolicy');
  const text = checkPolicyText(input.lifecyclePolicyText);
  putPolicy(ctx.sql, repo, text, ctx.clock.now());
  ctx.changed('ecr.lifecycle-policy', repoKey(repo));
  return { registryId: repo.account, repositoryName: repo.name, lifecyclePolicyText: text };
}

export function getLifecyclePolicy(ctx: RequestContext, input: GetLifecyclePolicyRequest): GetLifecyclePolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:GetLifecyclePolicy');
  const policy = getPolicy(ctx.sql, repo);
  if (!policy) throw policyNotFound(repo);
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    lifecyclePolicyText: policy.text,
    ...(policy.evaluatedAt !== null ? { lastEvaluatedAt: new Date(policy.evaluatedAt) } : {}),
  };
}

export function deleteLifecyclePolicy(ctx: RequestContext, input: DeleteLifecyclePolicyRequest): DeleteLifecyclePolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:DeleteLifecyclePolicy');
  const policy = getPolicy(ctx.sql, repo);
  if (!policy) throw policyNotFound(repo);
  deletePolicy(ctx.sql, repo);
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    lifecyclePolicyText: policy.text,
    ...(policy.evaluatedAt !== null ? { lastEvaluatedAt: new Date(policy.evaluatedAt) } : {}),
  };
}

/** Previews the given policy text, else the repository's policy; the controller computes the results. */
export function startLifecyclePolicyPreview(ctx: RequestContext, input: StartLifecyclePolicyPreviewRequest): StartLifecyclePolicyPreviewResponse {
  const repo = requireRepo(ctx, input, 'ecr:StartLifecyclePolicyPreview');
  let text = input.lifecyclePolicyText;
  if (text === undefined) {
    const policy = getPolicy(ctx.sql, repo);
    if (!policy) throw policyNotFound(repo);
    text = policy.text;
  } else {
    checkPolicyText(text);
  }
  if (getPreview(ctx.sql, repo)?.status === 'IN_PROGRESS') {
    throw new AwsError('LifecyclePolicyPreviewInProgressException', 'Previous lifecycle policy preview request has not completed. Please try again later.');
  }
  startPreview(ctx.sql, repo, text, ctx.clock.now());
  ctx.changed('ecr.lifecycle-preview', repoKey(repo));
  return { registryId: repo.account, repositoryName: repo.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
}

const toResult = (e: LifecycleExpiry): LifecyclePolicyPreviewResult => ({
  ...(e.tags.length ? { imageTags: e.tags } : {}),
  imageDigest: e.digest,
  imagePushedAt: new Date(e.pushedAt),
  action: { type: 'EXPIRE' },
  appliedRulePriority: e.rulePriority,
  storageClass: 'STANDARD',
});

export function getLifecyclePolicyPreview(ctx: RequestContext, input: GetLifecyclePolicyPreviewRequest): GetLifecyclePolicyPreviewResponse {
  const repo = requireRepo(ctx, input, 'ecr:GetLifecyclePolicyPreview');
  const preview = getPreview(ctx.sql, repo);
  if (!preview) {
    throw new AwsError('LifecyclePolicyPreviewNotFoundException',
      `There is no dry run for the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
  }
  const status = input.filter?.tagStatus;
  const base = { registryId: repo.account, repositoryName: repo.name, lifecyclePolicyText: preview.text, status: preview.status };
  if (preview.status !== 'COMPLETE') return base;

  const all = preview.results ?? [];
  let results = all.filter((e) => !status || status === 'ANY' || (status === 'TAGGED' ? e.tags.length > 0 : e.tags.length === 0));
  const summary = { expiringImageTotalCount: all.length };
  if (input.imageIds?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) throw invalidParameter('Cannot specify imageIds together with maxResults or nextToken.');
    results = results.filter((e) => input.imageIds!.some((id) =>
      (!id.imageDigest || id.imageDigest === e.digest) && (!id.imageTag || e.tags.includes(id.imageTag)) && (id.imageDigest || id.imageTag)));
    return { ...base, previewResults: results.map(toResult), summary };
  }
  const limit = pageSize(input.maxResults, 100);
  const start = decodeToken(input.nextToken);
  return {
    ...base,
    previewResults: results.slice(start, start + limit).map(toResult),
    ...(results.length > start + limit ? { nextToken: encodeToken(start + limit) } : {}),
    summary,
  };
}
