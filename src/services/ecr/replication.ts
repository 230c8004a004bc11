/**
 * Private image replication through the ECR API: PutReplicationConfiguration
 * (validated as ECR does), DescribeRegistry, DescribeImageReplicationStatus.
 * Copies run in the ecr-replication controller (registry/replication.ts).
 */
import type {
  DescribeImageReplicationStatusRequest, DescribeImageReplicationStatusResponse, DescribeRegistryRequest,
  DescribeRegistryResponse, PutReplicationConfigurationRequest, PutReplicationConfigurationResponse,
  ReplicationConfiguration, ReplicationRule,
} from '@aws-sdk/client-ecr';
import { isDigest } from '../../registry/digest.js';
import { resolveManifest } from '../../registry/images.js';
import { digestForTag } from '../../registry/metadata.js';
import { getReplicationConfig, putReplicationConfig, replicationStatuses } from '../../registry/replication.js';
import type { RequestContext } from '../provider.js';
import { requireRepo } from './common.js';
import { imageNotFound, invalidParameter } from './errors.js';

// ECR's quotas: "up to 25 unique destinations across all rules, with a maximum of 10 rules total. Each rule may
// contain up to 100 filters." (https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html)
const MAX_RULES = 10;
const MAX_DESTINATIONS = 25;
const MAX_FILTERS = 100;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT_RE = /^[0-9]{12}$/;
const FILTER_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*\/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$/;

const constraint = (at: string, rule: string) => invalidParameter(`Invalid parameter at '${at}' failed to satisfy constraint: '${rule}'`);

/** The configuration as ECR stores it: only the members it knows, in its order. */
function checkConfiguration(ctx: RequestContext, config: ReplicationConfiguration | undefined): ReplicationConfiguration {
  const rules = config?.rules ?? [];
  if (rules.length > MAX_RULES) throw constraint('replicationConfiguration.rules', `Member must have length less than or equal to ${MAX_RULES}`);
  const unique = new Set<string>();
  const out: ReplicationRule[] = rules.map((rule, i) => {
    const at = `replicationConfiguration.rules.${i + 1}`;
    const destinations = rule.destinations ?? [];
    if (destinations.length > MAX_DESTINATIONS) throw constraint(`${at}.destinations`, `Member must have length less than or equal to ${MAX_DESTINATIONS}`);
    for (const [j, d] of destinations.entries()) {
      if (!REGION_RE.test(d.region ?? '')) throw constraint(`${at}.destinations.${j + 1}.region`, "must satisfy regular expression '[0-9a-z-]{2,25}'");
      if (!ACCOUNT_RE.test(d.registryId ?? '')) throw constraint(`${at}.destinations.${j + 1}.registryId`, "must satisfy regular expression '[0-9]{12}'");
      // moto and ECR: a registry cannot replicate into itself.
      if (d.region === ctx.region && d.registryId === ctx.account) {
        throw constraint('replicationConfiguration', 'Replication destination cannot be the same as the source registry');
      }
      unique.add(`${d.registryId}|${d.region}`);
    }
    const filters = rule.repositoryFilters;
    if (filters !== undefined) {
      if (filters.length < 1 || filters.length > MAX_FILTERS) {
        throw constraint(`${at}.repositoryFilters`, `Member must have length less than or equal to ${MAX_FILTERS} and greater than or equal to 1`);
      }
      for (const [j, f] of filters.entries()) {
        if (f.filterType !== 'PREFIX_MATCH') throw constraint(`${at}.repositoryFilters.${j + 1}.filterType`, 'Member must satisfy enum value set: [PREFIX_MATCH]');
        const filter = f.filter ?? '';
        if (filter.length < 2 || filter.length > 256 || !FILTER_RE.test(filter)) {
          throw constraint(`${at}.repositoryFilters.${j + 1}.filter`, "must satisfy regular expression '^(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*$' and have length between 2 and 256");
        }
      }
    }
    return {
      destinations: destinations.map((d) => ({ region: d.region, registryId: d.registryId })),
      ...(filters ? { repositoryFilters: filters.map((f) => ({ filter: f.filter, filterType: f.filterType })) } : {}),
    };
  });
  if (unique.size > MAX_DESTINATIONS) {
    throw constraint('replicationConfiguration', `The replication configuration can contain at most ${MAX_DESTINATIONS} unique destinations across all rules`);
  }
  return { rules: out };
}

export function putReplicationConfiguration(ctx: RequestContext, input: PutReplicationConfigurationRequest): PutReplicationConfigurationResponse {
  const replicationConfiguration = checkConfiguration(ctx, input.replicationConfiguration);
  putReplicationConfig(ctx.sql, ctx.account, ctx.region, replicationConfiguration);
  return { replicationConfiguration };
}

export function describeRegistry(ctx: RequestContext, _input: DescribeRegistryRequest): DescribeRegistryResponse {
  return {
    registryId: ctx.account,
    replicationConfiguration: getReplicationConfig(ctx.sql, ctx.account, ctx.region) ?? { rules: [] },
  };
}

export function describeImageReplicationStatus(ctx: RequestContext, input: DescribeImageReplicationStatusRequest): DescribeImageReplicationStatusResponse {
  const repo = requireRepo(ctx, input, 'ecr:DescribeImageReplicationStatus');
  const id = input.imageId ?? {};
  const byDigest = id.imageDigest !== undefined ? (isDigest(id.imageDigest) ? resolveManifest(ctx.sql, repo, id.imageDigest) : undefined) : undefined;
  const m = id.imageDigest !== undefined ? byDigest : id.imageTag !== undefined ? resolveManifest(ctx.sql, repo, id.imageTag) : undefined;
  if (!m || (id.imageDigest && id.imageTag && digestForTag(ctx.sql, repo, id.imageTag) !== m.digest)) {
    throw imageNotFound(
      `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`,
    );
  }
  return {
    repositoryName: repo.name,
    imageId: { imageDigest: m.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
    replicationStatuses: replicationStatuses(ctx.sql, repo, m.digest).map((r) => ({
      region: r.destRegion,
      registryId: r.destAccount,
      status: r.status,
      ...(r.failureCode ? { failureCode: r.failureCode } : {}),
    })),
  };
}
