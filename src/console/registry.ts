/**
 * The console's registry views, read through ECR's front door (services/ecr/store) over the rows DescribeRepositories
 * and DescribeImages read: repositories per account and region, and a repository's newest images with their tags,
 * sizes, push and pull times and scan findings by severity. Bounded: the newest images only.
 */
import {
  countManifests, getRepo, getScan, listRepos, recentManifests, repositoryScopes, repositoryUri, tagsOf, type RepoRow,
} from '../services/ecr/store/index.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import type { ImageView, RegistryView, RepositorySummary, RepositoryView } from './views.js';

const MAX_REPOSITORIES = 500;
const MAX_IMAGES = 100;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** How to log docker in to Berth's registry (docker keeps one credential per host). */
const loginCommand = (endpoint: string, region: string) =>
  `aws --endpoint-url ${endpoint} ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${new URL(endpoint).host}`;

function repositorySummary(sql: Statements, endpoint: string, r: RepoRow): RepositorySummary {
  return {
    name: r.name,
    arn: r.arn,
    uri: repositoryUri(endpoint, r),
    createdAt: iso(r.createdAt)!,
    images: countManifests(sql, r),
    tagMutability: r.settings.imageTagMutability,
    scanOnPush: r.settings.imageScanningConfiguration.scanOnPush,
  };
}

export function registryView(sql: Statements, endpoint: string): RegistryView {
  return {
    endpoint,
    scopes: repositoryScopes(sql).map(({ account, region }) => ({
      account,
      region,
      login: loginCommand(endpoint, region),
      repositories: listRepos({ sql, account, region }, 0, MAX_REPOSITORIES).map((r) => repositorySummary(sql, endpoint, r)),
    })),
  };
}

export function repositoryView(scope: Scope, endpoint: string, name: string): RepositoryView | undefined {
  const repo = getRepo(scope.sql, { account: scope.account, region: scope.region, name });
  if (!repo) return undefined;
  const summary = repositorySummary(scope.sql, endpoint, repo);
  const images = recentManifests(scope.sql, repo, MAX_IMAGES).map((m): ImageView => {
    const tags = tagsOf(scope.sql, repo, m.digest);
    const scan = getScan(scope.sql, repo, m.digest);
    const findings: Record<string, number> = {};
    for (const f of scan?.findings ?? []) findings[f.severity ?? 'UNDEFINED'] = (findings[f.severity ?? 'UNDEFINED'] ?? 0) + 1;
    return {
      digest: m.digest,
      tags,
      mediaType: m.mediaType,
      sizeBytes: m.imageSize,
      pushedAt: iso(m.pushedAt)!,
      lastPulledAt: iso(m.lastPulledAt),
      status: m.imageStatus,
      scan: scan ? { status: scan.status, findings } : null,
      // By tag when it has one (what people type), else by digest.
      pull: `docker pull ${summary.uri}${tags.length ? `:${tags[0]}` : `@${m.digest}`}`,
    };
  });
  return {
    account: scope.account,
    region: scope.region,
    repository: summary,
    login: loginCommand(endpoint, scope.region),
    push: `docker tag <image> ${summary.uri}:<tag> && docker push ${summary.uri}:<tag>`,
    images,
  };
}
