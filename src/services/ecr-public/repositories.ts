/** Repositories: CreateRepository (with catalog data and tags), DescribeRepositories, DeleteRepository. */
import type {
  CreateRepositoryRequest, CreateRepositoryResponse, DeleteRepositoryRequest, DeleteRepositoryResponse,
  DescribeRepositoriesRequest, DescribeRepositoriesResponse, Repository,
} from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import { dropAllTags, putTags } from '../../state/tags.js';
import { countManifests } from '../ecr/store/index.js';
import type { RequestContext } from '../provider.js';
import { checkCatalogData } from './catalog-data.js';
import {
  checkRegistryId, checkRepositoryName, decodeToken, encodeToken, ownRegistry, pageSize, requireRepo, toCatalogData, toRepository,
} from './common.js';
import { invalidParameter, repositoryAlreadyExists } from './errors.js';
import { deletePublicRepo, getPublicRepo, insertPublicRepo, listPublicRepos, registryRepo } from './store.js';
import { checkTags } from './tagging.js';

export function createRepository(ctx: RequestContext, input: CreateRepositoryRequest): CreateRepositoryResponse {
  const name = checkRepositoryName(input.repositoryName);
  checkTags(input.tags);
  const { catalog, logo } = checkCatalogData(input.catalogData);
  ownRegistry(ctx);
  if (getPublicRepo(ctx.sql, ctx.account, name)) throw repositoryAlreadyExists(name, ctx.account);
  const row = insertPublicRepo(ctx.sql, ctx.account, name, ctx.clock.now(), catalog, logo);
  dropAllTags(ctx, row.arn);
  if (input.tags?.length) putTags(ctx, row.arn, input.tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  return { repository: toRepository(ctx, row), catalogData: toCatalogData(ctx, row) };
}

export function describeRepositories(ctx: RequestContext, input: DescribeRepositoriesRequest): DescribeRepositoriesResponse {
  const account = checkRegistryId(ctx, input.registryId);
  if (input.repositoryNames?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter('Cannot specify repositoryNames together with maxResults or nextToken.');
    }
    if (input.repositoryNames.length > 100) {
      throw invalidParameter("Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must have length less than or equal to 100'");
    }
    const repositories: Repository[] = [];
    for (const name of input.repositoryNames) repositories.push(toRepository(ctx, requireRepo(ctx, { registryId: input.registryId, repositoryName: name })));
    return { repositories };
  }
  const limit = pageSize(input.maxResults);
  const rows = account === ctx.account ? listPublicRepos(ctx.sql, account, decodeToken(input.nextToken), limit + 1) : [];
  const page = rows.slice(0, limit);
  return {
    repositories: page.map((r) => toRepository(ctx, r)),
    ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].seq) } : {}),
  };
}

export function deleteRepository(ctx: RequestContext, input: DeleteRepositoryRequest): DeleteRepositoryResponse {
  const repo = requireRepo(ctx, input);
  if (!input.force && countManifests(ctx.sql, registryRepo(repo)) > 0) {
    throw new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${repo.name}' in registry with id '${repo.account}' cannot be deleted because it still contains images`,
    );
  }
  const out = toRepository(ctx, repo);
  deletePublicRepo(ctx.sql, repo);
  dropAllTags(ctx, repo.arn);
  return { repository: out };
}
