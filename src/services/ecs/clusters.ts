/**
 * ECS clusters: CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
 * UpdateClusterSettings, PutClusterCapacityProviders, DeleteCluster.
 * A deleted cluster stays describable as INACTIVE, as on ECS.
 */
import type {
  Cluster,
  ClusterSetting,
  CreateClusterRequest,
  CreateClusterResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  Failure,
  ListClustersRequest,
  ListClustersResponse,
  PutClusterCapacityProvidersRequest,
  PutClusterCapacityProvidersResponse,
  UpdateClusterRequest,
  UpdateClusterResponse,
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { ecsArn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags, getTags, putTags } from '../../state/tags.js';
import { effectiveSetting } from './account-settings.js';
import { validateCapacityProviderStrategy, capacityProviderExists, checkStrategyMix } from './capacity-provider-refs.js';
import { clusterNotFound, invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { activeClusterArnExists, clusterCounts, clusterDeleteBlocker, clusterScopedProviders, clusterStatistics, insertCluster, listClusterRows, loadClusterRow, parseDoc, saveCluster, type ClusterRow } from './store/index.js';
import { validateNewTags } from './tag-rules.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const DEFAULT_CLUSTER = 'default';

/** The name in a cluster reference (name or ARN); undefined if the ARN is another account's or region's. */
export function clusterNameOf(ctx: RequestContext, ref: string | undefined): string | undefined {
  if (!ref) return DEFAULT_CLUSTER;
  if (!ref.startsWith('arn:')) return ref;
  const arn = parseArn(ref);
  if (!arn || arn.service !== 'ecs' || !arn.resource.startsWith('cluster/')) return undefined;
  if (arn.account !== ctx.account || arn.region !== ctx.region) return undefined;
  return arn.resource.slice('cluster/'.length);
}

/** The ACTIVE cluster a request names, or ClusterNotFoundException. */
export function requireActiveCluster(ctx: RequestContext, ref: string | undefined): Cluster {
  const name = clusterNameOf(ctx, ref);
  const row = name ? loadClusterRow(ctx, name) : undefined;
  if (!row || row.status !== 'ACTIVE') throw clusterNotFound();
  return parseDoc<Cluster>(row)!;
}

function validateSettings(settings: ClusterSetting[] | undefined) {
  for (const s of settings ?? []) {
    if (s.name !== 'containerInsights') {
      throw invalidParameter(`Invalid setting name: ${s.name}. Valid setting names are: containerInsights.`);
    }
    if (!['enabled', 'disabled', 'enhanced'].includes(s.value ?? '')) {
      throw invalidParameter(`Invalid value for containerInsights: ${s.value}. Valid values are enabled, disabled, enhanced.`);
    }
  }
}

function mergeSettings(current: ClusterSetting[] | undefined, updates: ClusterSetting[] | undefined): ClusterSetting[] {
  const out = new Map((current ?? []).map((s) => [s.name, s.value]));
  for (const s of updates ?? []) out.set(s.name, s.value);
  return [...out].map(([name, value]) => ({ name, value }));
}

function validateProviderAssociation(ctx: RequestContext, providers: string[], strategy: PutClusterCapacityProvidersRequest['defaultCapacityProviderStrategy']) {
  for (const p of providers) {
    if (!capacityProviderExists(ctx, p)) {
      throw invalidParameter(`The specified capacity provider '${p}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`);
    }
  }
  validateCapacityProviderStrategy(strategy ?? []);
  for (const item of strategy ?? []) {
    if (!providers.includes(item.capacityProvider!)) {
      throw invalidParameter(
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
      );
    }
  }
  checkStrategyMix(strategy ?? []);
}

export function createCluster(ctx: RequestContext, input: CreateClusterRequest): CreateClusterResponse {
  const name = input.clusterName ?? DEFAULT_CLUSTER;
  if (!NAME_RE.test(name)) {
    throw invalidParameter('Cluster name can only contain letters (upper and lower case), numbers, underscores, and hyphens, and must be 1-255 characters long.');
  }
  validateSettings(input.settings);
  validateNewTags(input.tags);
  const providers = input.capacityProviders ?? [];
  validateProviderAssociation(ctx, providers, input.defaultCapacityProviderStrategy);

  const existing = loadClusterRow(ctx, name);
  // CreateCluster on an ACTIVE name is idempotent: ECS returns the existing cluster.
  if (existing && existing.status === 'ACTIVE') return { cluster: describeOne(ctx, existing, ['TAGS', 'SETTINGS', 'CONFIGURATIONS']) };

  const arn = ecsArn.cluster(ctx.region, ctx.account, name);
  const cluster: Cluster = {
    clusterArn: arn,
    clusterName: name,
    status: 'ACTIVE',
    registeredContainerInstancesCount: 0,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    activeServicesCount: 0,
    statistics: [],
    // A new cluster's Container Insights default is the containerInsights account setting.
    settings: mergeSettings([{ name: 'containerInsights', value: effectiveSetting(ctx, 'containerInsights').value }], input.settings),
    capacityProviders: providers,
    defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
    ...(input.configuration ? { configuration: input.configuration } : {}),
    ...(input.serviceConnectDefaults?.namespace
      ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } }
      : {}),
  };
  if (existing) {
    saveCluster(ctx, cluster);
    dropAllTags(ctx, arn);
  } else {
    insertCluster(ctx, cluster);
  }
  if (input.tags?.length) putTags(ctx, arn, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  // Watchers of clusters (the console's live pages) hear of a new one.
  ctx.changed('ecs.cluster', arn);
  return { cluster: { ...cluster, tags: input.tags ?? [] } };
}

/** The stored cluster with its live counts (they are never stored: see cluster-counts.ts). */
function withCounts(ctx: RequestContext, cluster: Cluster): Cluster {
  return { ...cluster, ...clusterCounts(ctx, cluster.clusterName!) };
}

/**
 * A cluster as DescribeClusters shows it. Without `include`, ECS still sends
 * `statistics`, `tags` and `settings`, as empty lists, and leaves out
 * `configuration` and `attachments` (the AWS CLI's describe-clusters
 * examples: https://docs.aws.amazon.com/cli/latest/reference/ecs/describe-clusters.html).
 */
function describeOne(ctx: RequestContext, row: ClusterRow, include: string[]): Cluster {
  const cluster = parseDoc<Cluster>(row)!;
  const out: Cluster = { ...withCounts(ctx, cluster), statistics: [], tags: [], settings: [] };
  delete out.configuration;
  delete out.attachments;
  if (include.includes('SETTINGS')) out.settings = cluster.settings ?? [];
  if (include.includes('CONFIGURATIONS') && cluster.configuration) out.configuration = cluster.configuration;
  if (include.includes('STATISTICS')) out.statistics = clusterStatistics(ctx, row.name);
  if (include.includes('TAGS')) out.tags = getTags(ctx, row.arn);
  if (include.includes('ATTACHMENTS')) out.attachments = cluster.attachments ?? [];
  return out;
}

export function describeClusters(ctx: RequestContext, input: DescribeClustersRequest): DescribeClustersResponse {
  const refs = input.clusters?.length ? input.clusters : [DEFAULT_CLUSTER];
  if (refs.length > 100) throw invalidParameter('The clusters list can contain a maximum of 100 clusters.');
  const include = input.include ?? [];
  const clusters: Cluster[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const name = clusterNameOf(ctx, ref);
    const row = name ? loadClusterRow(ctx, name) : undefined;
    if (row) clusters.push(describeOne(ctx, row, include));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : ecsArn.cluster(ctx.region, ctx.account, ref), reason: 'MISSING' });
  }
  return { clusters, failures };
}

export function listClusters(ctx: RequestContext, input: ListClustersRequest): ListClustersResponse {
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken);
  const rows = listClusterRows(ctx, after, limit + 1);
  const page = rows.slice(0, limit);
  return {
    clusterArns: page.map((r) => r.arn),
    nextToken: rows.length > limit ? encodeNextToken(page[page.length - 1].seq) : undefined,
  };
}

export function updateCluster(ctx: RequestContext, input: UpdateClusterRequest): UpdateClusterResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  validateSettings(input.settings);
  if (input.settings) cluster.settings = mergeSettings(cluster.settings, input.settings);
  if (input.configuration) cluster.configuration = { ...cluster.configuration, ...input.configuration };
  if (input.serviceConnectDefaults?.namespace) cluster.serviceConnectDefaults = { namespace: input.serviceConnectDefaults.namespace };
  saveCluster(ctx, cluster);
  return { cluster: { ...withCounts(ctx, cluster), tags: getTags(ctx, cluster.clusterArn!) } };
}

export function updateClusterSettings(ctx: RequestContext, input: UpdateClusterSettingsRequest): UpdateClusterSettingsResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  validateSettings(input.settings);
  cluster.settings = mergeSettings(cluster.settings, input.settings);
  saveCluster(ctx, cluster);
  return { cluster: { ...withCounts(ctx, cluster), tags: getTags(ctx, cluster.clusterArn!) } };
}

export function putClusterCapacityProviders(
  ctx: RequestContext,
  input: PutClusterCapacityProvidersRequest,
): PutClusterCapacityProvidersResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  validateProviderAssociation(ctx, input.capacityProviders ?? [], input.defaultCapacityProviderStrategy);
  cluster.capacityProviders = input.capacityProviders ?? [];
  cluster.defaultCapacityProviderStrategy = input.defaultCapacityProviderStrategy ?? [];
  saveCluster(ctx, cluster);
  return { cluster: { ...withCounts(ctx, cluster), tags: getTags(ctx, cluster.clusterArn!) } };
}

/**
 * ECS's DeleteCluster refusals, with the messages ECS sends. ECS does not
 * document the order of its checks; services come first because deleting them
 * is the first step ECS's message asks for (their tasks then drain).
 */
const DELETE_BLOCKED = {
  services: () => new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.'),
  tasks: () => new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'),
  instances: () => new AwsError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.'),
};

export function deleteCluster(ctx: RequestContext, input: DeleteClusterRequest): DeleteClusterResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const blocker = clusterDeleteBlocker(ctx, cluster.clusterName!);
  if (blocker) throw DELETE_BLOCKED[blocker]();
  // Managed Instances providers are scoped to their cluster; Auto Scaling group providers are just disassociated.
  if (clusterScopedProviders(ctx, cluster.clusterName!).length) {
    throw new AwsError('ClusterContainsCapacityProviderException', 'The Cluster cannot be deleted while Cluster Scoped Capacity Providers are attached to the cluster.');
  }
  const deleted: Cluster = { ...cluster, status: 'INACTIVE' };
  saveCluster(ctx, deleted);
  ctx.changed('ecs.cluster', cluster.clusterArn!);
  return { cluster: { ...withCounts(ctx, deleted), tags: getTags(ctx, cluster.clusterArn!) } };
}

/** True if an ACTIVE or INACTIVE cluster with this ARN exists (for tagging). */
export function clusterArnExists(ctx: RequestContext, arn: string): boolean {
  return activeClusterArnExists(ctx.sql, arn);
}

