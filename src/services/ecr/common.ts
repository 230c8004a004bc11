/**
 * What every ECR operation needs: the repository a request names (by name and
 * optional registryId, i.e. account), access across accounts through
 * repository policies, the Repository shape, the registry instance this
 * Berth runs, and list pagination.
 */
import type { Repository } from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { createOnPush } from './store/creation-templates.js';
import type { RegistryLink } from '../../registry/index.js';
import { getRepo, type RepoRow } from './store/repositories.js';
import { isRepositoryName, repositoryUri, type RepoRef } from '../../registry/names.js';
import { repositoryGrants } from './store/policy.js';
import { registryPolicyFor } from './store/settings.js';
import { arn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { accessDenied, invalidParameter, repositoryNotFound } from './errors.js';

export const repositoryArn = (ref: RepoRef) => arn('ecr', ref.region, ref.account, `repository/${ref.name}`);

/** The registry of this Berth (the ECR API and /v2/ share its blob store and upload sessions). */
export function registryOf(ctx: RequestContext): RegistryLink {
  const reg = ctx.registry;
  if (!reg) throw new AwsError('ServerException', 'The registry is not running in this Berth.', { status: 500, sender: false });
  return reg;
}

export function checkRegistryId(registryId: string | undefined): void {
  if (registryId !== undefined && !/^[0-9]{12}$/.test(registryId)) {
    throw invalidParameter("Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''");
  }
}

export function checkRepositoryName(name: string | undefined, field = 'repositoryName'): string {
  if (name === undefined || !isRepositoryName(name)) {
    throw invalidParameter(
      `Invalid parameter at '${field}' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 256'`,
    );
  }
  return name;
}

/** The repository reference a request names; registryId defaults to the caller's account. */
export function repoRef(ctx: RequestContext, input: { registryId?: string; repositoryName?: string }): RepoRef {
  checkRegistryId(input.registryId);
  return { account: input.registryId ?? ctx.account, region: ctx.region, name: checkRepositoryName(input.repositoryName) };
}

/**
 * The repository, or RepositoryNotFoundException. Another account's
 * repository is reachable only where its policy allows `action` for the caller.
 */
export function requireRepo(ctx: RequestContext, input: { registryId?: string; repositoryName?: string }, action: string): RepoRow {
  const ref = repoRef(ctx, input);
  const repo = getRepo(ctx.sql, ref);
  if (ref.account !== ctx.account && !(repo && repositoryGrants(repo.policy, registryPolicyFor({ sql: ctx.sql, ...ref }, action), ctx.account, action))) {
    throw accessDenied(ctx.account, action, repositoryArn(ref));
  }
  if (!repo) throw repositoryNotFound(ref.name, ref.account);
  return repo;
}

/**
 * For a push (InitiateLayerUpload, PutImage): the repository, created first
 * when it is missing and a CREATE_ON_PUSH creation template covers it.
 */
export function requireRepoForPush(ctx: RequestContext, input: { registryId?: string; repositoryName?: string }, action: string): RepoRow {
  const ref = repoRef(ctx, input);
  if (ref.account === ctx.account && !getRepo(ctx.sql, ref)) {
    const created = createOnPush(ctx.sql, ref, ctx.clock.now());
    if (created?.lifecyclePolicyKey) ctx.changed('ecr.lifecycle-policy', created.lifecyclePolicyKey);
  }
  return requireRepo(ctx, input, action);
}

export function toRepository(ctx: RequestContext, row: RepoRow): Repository {
  const endpoint = ctx.registry?.endpoint() || 'http://127.0.0.1:4566';
  return {
    repositoryArn: row.arn,
    registryId: row.account,
    repositoryName: row.name,
    repositoryUri: repositoryUri(endpoint, row),
    createdAt: new Date(row.createdAt),
    imageTagMutability: row.settings.imageTagMutability as Repository['imageTagMutability'],
    ...(row.settings.imageTagMutabilityExclusionFilters
      ? { imageTagMutabilityExclusionFilters: row.settings.imageTagMutabilityExclusionFilters as Repository['imageTagMutabilityExclusionFilters'] }
      : {}),
    imageScanningConfiguration: row.settings.imageScanningConfiguration,
    encryptionConfiguration: row.settings.encryptionConfiguration as Repository['encryptionConfiguration'],
  };
}

// --- pagination ---------------------------------------------------------

export function pageSize(maxResults: number | undefined, max = 1000): number {
  if (maxResults === undefined) return max;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw invalidParameter(`Invalid parameter at 'maxResults' failed to satisfy constraint: 'must be less than or equal to ${max} and greater than or equal to 1'`);
  }
  return maxResults;
}

export const encodeToken = (position: number) => Buffer.from(JSON.stringify({ p: position })).toString('base64');

export function decodeToken(token: string | undefined): number {
  if (!token) return 0;
  try {
    const { p } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Number.isInteger(p) && p >= 0) return p;
  } catch { /* fall through */ }
  throw invalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid token'");
}
