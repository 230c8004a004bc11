/**
 * Repository policies (Set/Get/DeleteRepositoryPolicy), stored as written and validated as IAM policy JSON (ECR's
 * parser). With --enforce-iam the public registry hands a push's policy to IAM's evaluation; pulls are anonymous.
 */
import type {
  DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse, GetRepositoryPolicyRequest, GetRepositoryPolicyResponse,
  SetRepositoryPolicyRequest, SetRepositoryPolicyResponse,
} from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import { parsePolicy } from '../ecr/store/index.js';
import type { RequestContext } from '../provider.js';
import { requireRepo } from './common.js';
import { invalidParameter } from './errors.js';
import { setPublicRepoPolicy } from './store.js';

const MAX_POLICY_CHARS = 10240;

const noRepositoryPolicy = (name: string, account: string) =>
  new AwsError('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${name}' in the registry with id '${account}'`);

export function setRepositoryPolicy(ctx: RequestContext, input: SetRepositoryPolicyRequest): SetRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input);
  const policyText = input.policyText ?? '';
  if (policyText.length < 1 || policyText.length > MAX_POLICY_CHARS) {
    throw invalidParameter(`Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length between 1 and ${MAX_POLICY_CHARS}'`);
  }
  const parsed = parsePolicy(policyText);
  if (typeof parsed === 'string') throw invalidParameter(`Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided: ${parsed}'`);
  setPublicRepoPolicy(ctx.sql, repo, policyText);
  return { registryId: repo.account, repositoryName: repo.name, policyText };
}

export function getRepositoryPolicy(ctx: RequestContext, input: GetRepositoryPolicyRequest): GetRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input);
  if (!repo.policy) throw noRepositoryPolicy(repo.name, repo.account);
  return { registryId: repo.account, repositoryName: repo.name, policyText: repo.policy };
}

export function deleteRepositoryPolicy(ctx: RequestContext, input: DeleteRepositoryPolicyRequest): DeleteRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input);
  if (!repo.policy) throw noRepositoryPolicy(repo.name, repo.account);
  setPublicRepoPolicy(ctx.sql, repo, null);
  return { registryId: repo.account, repositoryName: repo.name, policyText: repo.policy };
}
