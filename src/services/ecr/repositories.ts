/**
 * Repositories: CreateRepository, DescribeRepositories, DeleteRepository,
 * PutImageTagMutability, PutImageScanningConfiguration.
 */
import type {
  CreateRepositoryRequest, CreateRepositoryResponse, DeleteRepositoryRequest, DeleteRepositoryResponse,
  DescribeRepositoriesRequest, DescribeRepositoriesResponse, ImageTagMutabilityExclusionFilter,
  PutImageScanningConfigurationRequest, PutImageScanningConfigurationResponse, PutImageTagMutabilityRequest,
  PutImageTagMutabilityResponse, Repository,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { awsManagedKeyArn } from './store/managed-key.js';
import { countManifests } from './store/manifests.js';
import { deleteRepo, getRepo, insertRepo, listRepos, saveRepoSettings, type RepositorySettings } from './store/repositories.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags, putTags } from '../../state/tags.js';
import {
  checkRegistryId, decodeToken, encodeToken, pageSize, repoRef, repositoryArn, requireRepo, toRepository,
} from './common.js';
import { invalidParameter, repositoryNotFound } from './errors.js';
import { checkTags } from './tagging.js';

const FILTER_RE = /^[0-9a-zA-Z._*-]{1,128}$/;

export function checkMutability(value: string | undefined, filters: ImageTagMutabilityExclusionFilter[] | undefined) {
  // The enum itself is the model's, checked before any provider runs (protocol/validate.ts).
  const mutability = value ?? 'MUTABLE';
  const withExclusion = mutability.endsWith('_WITH_EXCLUSION');
  if (withExclusion && !filters?.length) {
    throw invalidParameter(`imageTagMutabilityExclusionFilters must be specified when imageTagMutability is ${mutability}.`);
  }
  if (!withExclusion && filters?.length) {
    throw invalidParameter(`imageTagMutabilityExclusionFilters can only be specified when imageTagMutability is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.`);
  }
  if ((filters?.length ?? 0) > 5) throw invalidParameter('A maximum of 5 imageTagMutabilityExclusionFilters can be specified.');
  for (const f of filters ?? []) {
    if (f.filterType !== 'WILDCARD' || !FILTER_RE.test(f.filter ?? '')) {
      throw invalidParameter(`Invalid imageTagMutabilityExclusionFilter: ${JSON.stringify(f)}`);
    }
  }
  return { imageTagMutability: mutability, ...(withExclusion ? { imageTagMutabilityExclusionFilters: filters as RepositorySettings['imageTagMutabilityExclusionFilters'] } : {}) };
}

function encryption(ctx: RequestContext, input: CreateRepositoryRequest['encryptionConfiguration']): RepositorySettings['encryptionConfiguration'] {
  const type = input?.encryptionType ?? 'AES256';
  if (type === 'AES256') {
    if (input?.kmsKey) throw invalidParameter('KMS key should not be specified when encryption type is AES256.');
    return { encryptionType: type };
  }
  // Without a key, ECR uses the AWS managed key aws/ecr and reports its key ARN, not the alias
  // (Berth encrypts nothing: the setting is recorded).
  // https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html
  return { encryptionType: type, kmsKey: input?.kmsKey || awsManagedKeyArn(ctx.account, ctx.region) };
}

export function createRepository(ctx: RequestContext, input: CreateRepositoryRequest): CreateRepositoryResponse {
  const ref = repoRef(ctx, input);
  if (ref.account !== ctx.account) {
    throw new AwsError('AccessDeniedException', `User: arn:aws:iam::${ctx.account}:root is not authorized to create repositories in the registry with id '${ref.account}'`, { status: 400 });
  }
  checkTags(input.tags);
  const settings: RepositorySettings = {
    ...checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters),
    imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false },
    encryptionConfiguration: encryption(ctx, input.encryptionConfiguration),
  };
  if (getRepo(ctx.sql, ref)) {
    throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${ref.name}' already exists in the registry with id '${ref.account}'`);
  }
  const arn = repositoryArn(ref);
  const row = insertRepo(ctx.sql, ref, arn, ctx.clock.now(), settings);
  dropAllTags(ctx, arn);
  if (input.tags?.length) putTags(ctx, arn, input.tags.map((t) => ({ key: t.Key!, value: t.Value ?? '' })));
  ctx.changed('ecr.repository', arn);
  return { repository: toRepository(ctx, row) };
}

export function describeRepositories(ctx: RequestContext, input: DescribeRepositoriesRequest): DescribeRepositoriesResponse {
  checkRegistryId(input.registryId);
  const account = input.registryId ?? ctx.account;
  if (input.repositoryNames?.length) {
    if (input.maxResults !== undefined || input.nextToken !== undefined) {
      throw invalidParameter('Cannot specify repositoryNames together with maxResults or nextToken.');
    }
    const repositories: Repository[] = [];
    for (const name of input.repositoryNames) {
      repositories.push(toRepository(ctx, requireRepo(ctx, { registryId: input.registryId, repositoryName: name }, 'ecr:DescribeRepositories')));
    }
    return { repositories };
  }
  if (account !== ctx.account) return { repositories: [] };
  const limit = pageSize(input.maxResults);
  const rows = listRepos({ sql: ctx.sql, account, region: ctx.region }, decodeToken(input.nextToken), limit + 1);
  const page = rows.slice(0, limit);
  return {
    repositories: page.map((r) => toRepository(ctx, r)),
    nextToken: rows.length > limit ? encodeToken(page[page.length - 1].seq) : undefined,
  };
}

export function deleteRepository(ctx: RequestContext, input: DeleteRepositoryRequest): DeleteRepositoryResponse {
  const repo = requireRepo(ctx, input, 'ecr:DeleteRepository');
  if (!input.force && countManifests(ctx.sql, repo) > 0) {
    throw new AwsError(
      'RepositoryNotEmptyException',
      `The repository with name '${repo.name}' in registry with id '${repo.account}' cannot be deleted because it still contains images`,
    );
  }
  const out = toRepository(ctx, repo);
  deleteRepo(ctx.sql, repo);
  dropAllTags(ctx, repo.arn);
  ctx.changed('ecr.repository', repo.arn);
  return { repository: out };
}

export function putImageTagMutability(ctx: RequestContext, input: PutImageTagMutabilityRequest): PutImageTagMutabilityResponse {
  const repo = requireRepo(ctx, input, 'ecr:PutImageTagMutability');
  const mutability = checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
  const { imageTagMutabilityExclusionFilters: _old, ...rest } = repo.settings;
  const settings = { ...rest, ...mutability };
  saveRepoSettings(ctx.sql, repo, settings);
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    imageTagMutability: settings.imageTagMutability as PutImageTagMutabilityResponse['imageTagMutability'],
    imageTagMutabilityExclusionFilters: settings.imageTagMutabilityExclusionFilters as ImageTagMutabilityExclusionFilter[] | undefined,
  };
}

export function putImageScanningConfiguration(ctx: RequestContext, input: PutImageScanningConfigurationRequest): PutImageScanningConfigurationResponse {
  const repo = requireRepo(ctx, input, 'ecr:PutImageScanningConfiguration');
  const scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
  saveRepoSettings(ctx.sql, repo, { ...repo.settings, imageScanningConfiguration: { scanOnPush } });
  return { registryId: repo.account, repositoryName: repo.name, imageScanningConfiguration: { scanOnPush } };
}

/** For TagResource and friends: the repository an ARN names in this account and region. */
export function repoByArn(ctx: RequestContext, resourceArn: string | undefined) {
  const m = /^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/.exec(resourceArn ?? '');
  if (!m) throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
  const [, region, account, name] = m;
  const repo = region === ctx.region && account === ctx.account ? getRepo(ctx.sql, { account, region, name }) : undefined;
  if (!repo) throw repositoryNotFound(name, account);
  return repo;
}
