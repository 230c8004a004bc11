/**
 * What every ECR Public operation needs: the region rule, the account's registry, the repository a request names
 * (registryId is the caller's own account: a public registry is written only by its owner), the Repository and
 * RepositoryCatalogData shapes, and list pagination.
 */
import type { Repository, RepositoryCatalogData } from '@aws-sdk/client-ecr-public';
import { AwsError } from '../../protocol/errors.js';
import type { RegistryLink } from '../../registry/index.js';
import { isRepositoryName, registryHost } from '../../registry/names.js';
import type { RequestContext } from '../provider.js';
import { invalidParameter, repositoryNotFound, unsupportedCommand } from './errors.js';
import { ensurePublicRegistry, getPublicRepo, type PublicRegistryRow, type PublicRepoRow } from './store.js';

/** Where AWS has an ECR Public endpoint (https://docs.aws.amazon.com/general/latest/gr/ecr-public.html). */
export const API_REGIONS = ['us-east-1', 'us-west-2'];

/**
 * A region without an ECR Public endpoint: on AWS the client cannot connect at all (`Could not connect to the
 * endpoint URL: "https://api.ecr-public.eu-west-1.amazonaws.com/"`); Berth, reached on one address for every
 * region, answers the service's own refusal instead.
 */
export function checkRegion(ctx: RequestContext, operation: string): void {
  if (!API_REGIONS.includes(ctx.region)) {
    throw unsupportedCommand(`${operation} command is only supported in ${API_REGIONS.join(' and ')}; Amazon ECR Public has no endpoint in ${ctx.region}.`);
  }
}

export function registryOf(ctx: RequestContext): RegistryLink {
  const reg = ctx.registry;
  if (!reg) throw new AwsError('ServerException', 'The registry is not running in this Berth.', { status: 500, sender: false });
  return reg;
}

/** host:port of Berth's public registry (public.ecr.aws on AWS). */
export function publicHost(ctx: RequestContext): string {
  const endpoint = ctx.registry?.publicEndpoint() || 'http://127.0.0.1:4567';
  return registryHost(endpoint);
}

export function checkRegistryId(ctx: RequestContext, registryId: string | undefined): string {
  if (registryId === undefined) return ctx.account;
  if (!/^[0-9]{12}$/.test(registryId)) {
    throw invalidParameter("Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''");
  }
  return registryId;
}

export function checkRepositoryName(name: string | undefined): string {
  if (name === undefined || !isRepositoryName(name) || name.length > 205) {
    throw invalidParameter(
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length between 2 and 205'",
    );
  }
  return name;
}

/** The caller's public registry (made on first use, with its alias). */
export const ownRegistry = (ctx: RequestContext): PublicRegistryRow => ensurePublicRegistry(ctx.sql, ctx.account, ctx.clock.now());

/**
 * The repository, or RepositoryNotFoundException. Another account's public repositories are not the caller's to
 * manage: AWS answers as if they did not exist in the caller's view.
 */
export function requireRepo(ctx: RequestContext, input: { registryId?: string; repositoryName?: string }): PublicRepoRow {
  const account = checkRegistryId(ctx, input.registryId);
  const name = checkRepositoryName(input.repositoryName);
  const repo = account === ctx.account ? getPublicRepo(ctx.sql, account, name) : undefined;
  if (!repo) throw repositoryNotFound(name, account);
  return repo;
}

export function repositoryUri(ctx: RequestContext, alias: string, name: string): string {
  return `${publicHost(ctx)}/${alias}/${name}`;
}

export function toRepository(ctx: RequestContext, row: PublicRepoRow): Repository {
  const { alias } = ensurePublicRegistry(ctx.sql, row.account, ctx.clock.now());
  return {
    repositoryArn: row.arn,
    registryId: row.account,
    repositoryName: row.name,
    repositoryUri: repositoryUri(ctx, alias, row.name),
    createdAt: new Date(row.createdAt),
  };
}

/** Where the public registry serves a repository's logo (AWS: a CloudFront URL of the gallery). */
export function logoUrl(ctx: RequestContext, row: PublicRepoRow): string | undefined {
  if (!row.hasLogo) return undefined;
  const { alias } = ensurePublicRegistry(ctx.sql, row.account, ctx.clock.now());
  return `http://${publicHost(ctx)}/logo/${alias}/${row.name}`;
}

export function toCatalogData(ctx: RequestContext, row: PublicRepoRow): RepositoryCatalogData {
  const c = row.catalog;
  const logo = logoUrl(ctx, row);
  return {
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.architectures?.length ? { architectures: c.architectures } : {}),
    ...(c.operatingSystems?.length ? { operatingSystems: c.operatingSystems } : {}),
    ...(logo ? { logoUrl: logo } : {}),
    ...(c.aboutText !== undefined ? { aboutText: c.aboutText } : {}),
    ...(c.usageText !== undefined ? { usageText: c.usageText } : {}),
    // Only AWS Marketplace sellers' repositories are certified.
    marketplaceCertified: false,
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
