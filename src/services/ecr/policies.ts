/**
 * Repository policies (Set/Get/DeleteRepositoryPolicy) and the registry
 * policy (Put/Get/DeleteRegistryPolicy), stored as the caller wrote them and
 * validated as IAM policy JSON. Repository policies are enforced for callers
 * of other accounts (store/policy.ts).
 */
import type {
  DeleteRegistryPolicyRequest, DeleteRegistryPolicyResponse, DeleteRepositoryPolicyRequest, DeleteRepositoryPolicyResponse,
  GetRegistryPolicyRequest, GetRegistryPolicyResponse, GetRepositoryPolicyRequest, GetRepositoryPolicyResponse,
  PutRegistryPolicyRequest, PutRegistryPolicyResponse, SetRepositoryPolicyRequest, SetRepositoryPolicyResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { setRepoPolicy } from './store/repositories.js';
import { parsePolicy } from './store/policy.js';
import { deleteRegistryPolicy as dropRegistryPolicy, getRegistryPolicy as storedRegistryPolicy, putRegistryPolicy as storeRegistryPolicy } from './store/settings.js';
import type { RequestContext } from '../provider.js';
import { requireRepo } from './common.js';
import { invalidParameter } from './errors.js';

const MAX_POLICY_CHARS = 10240;

export function checkPolicy(text: string | undefined, what: 'repository' | 'registry'): string {
  const policy = text ?? '';
  if (policy.length < 1 || policy.length > MAX_POLICY_CHARS) {
    throw invalidParameter(`Invalid parameter at 'policyText' failed to satisfy constraint: 'Member must have length between 1 and ${MAX_POLICY_CHARS}'`);
  }
  const parsed = parsePolicy(policy);
  if (typeof parsed === 'string') throw invalidParameter(`Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid ${what} policy provided: ${parsed}'`);
  return policy;
}

const noRepositoryPolicy = (name: string, account: string) =>
  new AwsError('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${name}' in the registry with id '${account}'`);

export function setRepositoryPolicy(ctx: RequestContext, input: SetRepositoryPolicyRequest): SetRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:SetRepositoryPolicy');
  const policyText = checkPolicy(input.policyText, 'repository');
  setRepoPolicy(ctx.sql, repo, policyText);
  return { registryId: repo.account, repositoryName: repo.name, policyText };
}

export function getRepositoryPolicy(ctx: RequestContext, input: GetRepositoryPolicyRequest): GetRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:GetRepositoryPolicy');
  if (!repo.policy) throw noRepositoryPolicy(repo.name, repo.account);
  return { registryId: repo.account, repositoryName: repo.name, policyText: repo.policy };
}

export function deleteRepositoryPolicy(ctx: RequestContext, input: DeleteRepositoryPolicyRequest): DeleteRepositoryPolicyResponse {
  const repo = requireRepo(ctx, input, 'ecr:DeleteRepositoryPolicy');
  if (!repo.policy) throw noRepositoryPolicy(repo.name, repo.account);
  setRepoPolicy(ctx.sql, repo, null);
  return { registryId: repo.account, repositoryName: repo.name, policyText: repo.policy };
}

const noRegistryPolicy = (account: string) =>
  new AwsError('RegistryPolicyNotFoundException', `Registry policy does not exist in the registry with id '${account}'`);

export function putRegistryPolicy(ctx: RequestContext, input: PutRegistryPolicyRequest): PutRegistryPolicyResponse {
  const policyText = checkPolicy(input.policyText, 'registry');
  storeRegistryPolicy(ctx, policyText);
  return { registryId: ctx.account, policyText };
}

export function getRegistryPolicy(ctx: RequestContext, _input: GetRegistryPolicyRequest): GetRegistryPolicyResponse {
  const policyText = storedRegistryPolicy(ctx);
  if (!policyText) throw noRegistryPolicy(ctx.account);
  return { registryId: ctx.account, policyText };
}

export function deleteRegistryPolicy(ctx: RequestContext, _input: DeleteRegistryPolicyRequest): DeleteRegistryPolicyResponse {
  const policyText = storedRegistryPolicy(ctx);
  if (!policyText) throw noRegistryPolicy(ctx.account);
  dropRegistryPolicy(ctx);
  return { registryId: ctx.account, policyText };
}
