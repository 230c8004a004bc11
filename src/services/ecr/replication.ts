/**
 * Private image replication through the ECR API: PutReplicationConfiguration
 * (validated as ECR does), DescribeRegistry, DescribeImageReplicationStatus,
 * and replication backfills (Start/Stop/ListReplicationBackfills,
 * DescribeReplicationBackfillResults). Copies run in the ecr-replication
 * controller (store/replication.ts, store/replication-backfill.ts);
 * these operations only record what is wanted.
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribeImageReplicationStatusRequest, DescribeImageReplicationStatusResponse, DescribeRegistryRequest,
  DescribeRegistryResponse, DescribeReplicationBackfillResultsRequest, DescribeReplicationBackfillResultsResponse,
  ListReplicationBackfillsRequest, ListReplicationBackfillsResponse, PutReplicationConfigurationRequest,
  PutReplicationConfigurationResponse, ReplicationBackfillSummary, ReplicationConfiguration, ReplicationRule,
  StartReplicationBackfillRequest, StartReplicationBackfillResponse, StopReplicationBackfillRequest,
  StopReplicationBackfillResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { resolveManifest } from './store/images.js';
import { digestForTag } from './store/manifests.js';
import { destinationsFor, getReplicationConfig, putReplicationConfig, replicationStatuses } from './store/replication.js';
import {
  ACTIVE_BACKFILL, backfillKey, backfillProgress, backfillResults, getBackfill, insertBackfill, listBackfills, stopBackfill,
  type BackfillRow,
} from './store/replication-backfill.js';
import type { RequestContext } from '../provider.js';
import { checkRegistryId, decodeToken, encodeToken, requireRepo } from './common.js';
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
  putReplicationConfig(ctx, replicationConfiguration);
  return { replicationConfiguration };
}

export function describeRegistry(ctx: RequestContext, _input: DescribeRegistryRequest): DescribeRegistryResponse {
  return {
    registryId: ctx.account,
    replicationConfiguration: getReplicationConfig(ctx) ?? { rules: [] },
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

// --- replication backfills --------------------------------------------------

/** ECR: "a registry can have at most 10 replication backfills in progress at once". */
const MAX_ACTIVE_BACKFILLS = 10;
const BACKFILL_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The registry a backfill request names: only the caller's own (registryId defaults to it). */
function ownRegistry(ctx: RequestContext, registryId: string | undefined, action: string): void {
  checkRegistryId(registryId);
  if (registryId !== undefined && registryId !== ctx.account) {
    throw new AwsError(
      'AccessDeniedException',
      `User: arn:aws:iam::${ctx.account}:root is not authorized to perform: ${action} on resource: arn:aws:ecr:${ctx.region}:${registryId}:registry`,
      { status: 400 },
    );
  }
}

/** The caller's backfill by id, else ReplicationBackfillNotFoundException. */
function requireBackfill(ctx: RequestContext, id: string | undefined): BackfillRow {
  if (!id || id.length > 36) throw constraint('replicationBackfillId', 'Member must have length less than or equal to 36 and greater than or equal to 1');
  const b = BACKFILL_ID_RE.test(id) ? getBackfill(ctx.sql, id) : undefined;
  if (!b || b.account !== ctx.account || b.region !== ctx.region) {
    throw new AwsError('ReplicationBackfillNotFoundException', `The replication backfill with id '${id}' does not exist in the registry with id '${ctx.account}'`);
  }
  return b;
}

const destinationOf = (b: BackfillRow) => ({ region: b.destRegion, registryId: b.destAccount });

export function startReplicationBackfill(ctx: RequestContext, input: StartReplicationBackfillRequest): StartReplicationBackfillResponse {
  ownRegistry(ctx, input.registryId, 'ecr:StartReplicationBackfill');
  const d = input.destination;
  if (!REGION_RE.test(d?.region ?? '')) throw constraint('destination.region', "must satisfy regular expression '[0-9a-z-]{2,25}'");
  if (!ACCOUNT_RE.test(d?.registryId ?? '')) throw constraint('destination.registryId', "must satisfy regular expression '[0-9]{12}'");
  const dest = { account: d!.registryId!, region: d!.region! };
  // ECR: "The destination must already be configured in the registry's replication configuration."
  const configured = (getReplicationConfig(ctx)?.rules ?? [])
    .some((r) => (r.destinations ?? []).some((x) => x.registryId === dest.account && x.region === dest.region));
  if (!configured) {
    throw invalidParameter(
      `The destination with region '${dest.region}' and registry id '${dest.account}' is not configured in the replication configuration of the registry with id '${ctx.account}'`,
    );
  }
  const active = listBackfills(ctx).filter((b) => ACTIVE_BACKFILL.includes(b.status));
  // ECR: one backfill in progress per destination Region at a time.
  const busy = active.find((b) => b.destRegion === dest.region);
  if (busy) {
    throw new AwsError(
      'ReplicationBackfillInProgressException',
      `The replication backfill with id '${busy.id}' is already in progress for the destination region '${dest.region}'. Wait for it to finish or stop it before starting another one.`,
    );
  }
  if (active.length >= MAX_ACTIVE_BACKFILLS) {
    throw new AwsError('LimitExceededException', `The registry with id '${ctx.account}' already has the maximum of ${MAX_ACTIVE_BACKFILLS} replication backfills in progress`);
  }
  const b = insertBackfill(ctx, randomUUID(), dest, ctx.clock.now());
  ctx.changed('ecr.replication', backfillKey(b.id));
  return {
    replicationBackfillId: b.id, registryId: ctx.account, destination: destinationOf(b), status: b.status, startedAt: new Date(b.startedAt),
  };
}

export function stopReplicationBackfill(ctx: RequestContext, input: StopReplicationBackfillRequest): StopReplicationBackfillResponse {
  ownRegistry(ctx, input.registryId, 'ecr:StopReplicationBackfill');
  const b = requireBackfill(ctx, input.replicationBackfillId);
  if (b.status !== 'PREPARING' && b.status !== 'IN_PROGRESS') {
    throw new AwsError(
      'ReplicationBackfillInvalidStatusException',
      `The replication backfill with id '${b.id}' cannot be stopped because its status is ${b.status}. Only a backfill that is PREPARING or IN_PROGRESS can be stopped.`,
    );
  }
  const status = stopBackfill(ctx.sql, b, ctx.clock.now());
  return { registryId: ctx.account, replicationBackfillId: b.id, destination: destinationOf(b), status, startedAt: new Date(b.startedAt) };
}

function summary(ctx: RequestContext, b: BackfillRow): ReplicationBackfillSummary {
  const progress = backfillProgress(ctx.sql, b);
  return {
    replicationBackfillId: b.id,
    destination: destinationOf(b),
    status: b.status,
    ...(b.failureCode ? { failureCode: b.failureCode } : {}),
    ...(progress ? { progress } : {}),
    startedAt: new Date(b.startedAt),
    ...(b.endedAt !== null ? { endedAt: new Date(b.endedAt) } : {}),
  };
}

function limit(maxResults: number | undefined, max: number, fallback: number): number {
  if (maxResults === undefined) return fallback;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw constraint('maxResults', `Member must have value less than or equal to ${max} and greater than or equal to 1`);
  }
  return maxResults;
}

export function listReplicationBackfills(ctx: RequestContext, input: ListReplicationBackfillsRequest): ListReplicationBackfillsResponse {
  ownRegistry(ctx, input.registryId, 'ecr:ListReplicationBackfills');
  const size = limit(input.maxResults, 50, 25);
  const start = decodeToken(input.nextToken);
  const all = listBackfills(ctx);
  return {
    registryId: ctx.account,
    backfills: all.slice(start, start + size).map((b) => summary(ctx, b)),
    ...(all.length > start + size ? { nextToken: encodeToken(start + size) } : {}),
  };
}

export function describeReplicationBackfillResults(
  ctx: RequestContext, input: DescribeReplicationBackfillResultsRequest,
): DescribeReplicationBackfillResultsResponse {
  ownRegistry(ctx, input.registryId, 'ecr:DescribeReplicationBackfillResults');
  const filter = input.resultStatusFilter;
  if (filter !== undefined && filter !== 'COMPLETE' && filter !== 'FAILED') {
    throw constraint('resultStatusFilter', 'Member must satisfy enum value set: [COMPLETE, FAILED]');
  }
  const size = limit(input.maxResults, 1000, 100);
  const start = decodeToken(input.nextToken);
  const b = requireBackfill(ctx, input.replicationBackfillId);
  // ECR: "Results are available only after the replication backfill reaches a terminal status."
  const terminal = !ACTIVE_BACKFILL.includes(b.status);
  const all = terminal ? backfillResults(ctx.sql, b.id, filter) : [];
  const { replicationBackfillId, destination, status, failureCode, progress, startedAt, endedAt } = summary(ctx, b);
  return {
    registryId: ctx.account,
    replicationBackfillId, destination, status,
    ...(failureCode ? { failureCode } : {}),
    ...(progress ? { progress } : {}),
    ...(terminal ? {
      results: all.slice(start, start + size).map((r) => ({
        repositoryName: r.repo,
        imageId: { imageDigest: r.digest, ...(r.tag ? { imageTag: r.tag } : {}) },
        status: r.status,
        ...(r.failureCode ? { failureCode: r.failureCode } : {}),
      })),
    } : {}),
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(all.length > start + size ? { nextToken: encodeToken(start + size) } : {}),
  };
}
