/**
 * ECS capacity providers: CreateCapacityProvider, DescribeCapacityProviders,
 * UpdateCapacityProvider, DeleteCapacityProvider. FARGATE and FARGATE_SPOT are
 * built in and described first. ECS finishes updates and deletes
 * asynchronously: the responses say UPDATE_IN_PROGRESS / DELETE_IN_PROGRESS,
 * and Berth stores the finished state (UPDATE_COMPLETE; INACTIVE with
 * DELETE_COMPLETE) at once, so describe and waiters see the end state.
 */
import type {
  AutoScalingGroupProvider,
  CapacityProvider,
  CreateCapacityProviderRequest,
  CreateCapacityProviderResponse,
  DeleteCapacityProviderRequest,
  DeleteCapacityProviderResponse,
  DescribeCapacityProvidersRequest,
  DescribeCapacityProvidersResponse,
  Failure,
  ManagedScaling,
  UpdateCapacityProviderRequest,
  UpdateCapacityProviderResponse,
} from '@aws-sdk/client-ecs';
import { ecsArn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags, getTags, putTags } from '../../state/tags.js';
import { BUILTIN_PROVIDERS } from './capacity-provider-refs.js';
import { clusterNameOf, requireActiveCluster } from './clusters.js';
import { clientException, invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { activeCapacityProviders, autoScalingGroupInUse, clustersUsingProvider, loadCapacityProvider, putCapacityProvider, saveCapacityProvider } from './store/index.js';
import { validateNewTags } from './tag-rules.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const RESERVED_PREFIX_RE = /^(aws|ecs|fargate)/i;
const DEFAULT_SCALING: Required<ManagedScaling> = {
  status: 'DISABLED',
  targetCapacity: 100,
  minimumScalingStepSize: 1,
  maximumScalingStepSize: 10000,
  instanceWarmupPeriod: 300,
};

const notFound = () => invalidParameter('The specified capacity provider does not exist. Specify a valid name or ARN and try again.');

function builtin(ctx: RequestContext, name: string): CapacityProvider {
  return {
    capacityProviderArn: ecsArn.capacityProvider(ctx.region, ctx.account, name),
    name,
    status: 'ACTIVE',
    type: name as CapacityProvider['type'],
    tags: [],
  };
}

/** The name in a capacity provider reference (name or ARN); undefined for another scope's ARN. */
function providerNameOf(ctx: RequestContext, ref: string): string | undefined {
  if (!ref.startsWith('arn:')) return ref;
  const arn = parseArn(ref);
  if (!arn || arn.service !== 'ecs' || !arn.resource.startsWith('capacity-provider/')) return undefined;
  if (arn.account !== ctx.account || arn.region !== ctx.region) return undefined;
  return arn.resource.slice('capacity-provider/'.length);
}

/** An ACTIVE user-created provider by name or ARN, scoped to `cluster` for Managed Instances ones. */
function requireActiveProvider(ctx: RequestContext, ref: string, cluster: string | undefined): CapacityProvider {
  const name = providerNameOf(ctx, ref);
  if (name && BUILTIN_PROVIDERS.includes(name)) {
    throw invalidParameter(`The ${name} capacity provider is managed by AWS and can't be updated or deleted.`);
  }
  const provider = name ? loadCapacityProvider(ctx, name) : undefined;
  if (!provider || provider.status !== 'ACTIVE') throw notFound();
  if (cluster !== undefined && provider.cluster !== undefined && provider.cluster !== clusterNameOf(ctx, cluster)) throw notFound();
  return provider;
}

function checkEnum(value: string | undefined, allowed: string[], what: string) {
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidParameter(`Invalid value for ${what}: ${value}. Valid values are ${allowed.join(', ')}.`);
  }
}

function checkScaling(s: ManagedScaling) {
  checkEnum(s.status, ['ENABLED', 'DISABLED'], 'managedScaling.status');
  const range = (v: number | undefined, min: number, max: number, what: string) => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) {
      throw invalidParameter(`The managed scaling ${what} must be between ${min} and ${max}.`);
    }
  };
  range(s.targetCapacity, 1, 100, 'target capacity');
  range(s.minimumScalingStepSize, 1, 10000, 'minimum scaling step size');
  range(s.maximumScalingStepSize, 1, 10000, 'maximum scaling step size');
  range(s.instanceWarmupPeriod, 0, 10000, 'instance warmup period');
  if (s.minimumScalingStepSize! > s.maximumScalingStepSize!) {
    throw invalidParameter('The managed scaling minimum scaling step size must be less than or equal to the maximum scaling step size.');
  }
}

function asgProvider(input: AutoScalingGroupProvider): AutoScalingGroupProvider {
  const managedScaling = { ...DEFAULT_SCALING, ...input.managedScaling };
  checkScaling(managedScaling);
  checkEnum(input.managedTerminationProtection, ['ENABLED', 'DISABLED'], 'managedTerminationProtection');
  checkEnum(input.managedDraining, ['ENABLED', 'DISABLED'], 'managedDraining');
  return {
    autoScalingGroupArn: input.autoScalingGroupArn,
    managedScaling,
    managedTerminationProtection: input.managedTerminationProtection ?? 'DISABLED',
    managedDraining: input.managedDraining ?? 'ENABLED',
  };
}

export function createCapacityProvider(ctx: RequestContext, input: CreateCapacityProviderRequest): CreateCapacityProviderResponse {
  const name = input.name ?? '';
  if (!NAME_RE.test(name)) {
    throw invalidParameter('The capacity provider name can only contain letters (upper and lower case), numbers, underscores, and hyphens, and must be 1-255 characters long.');
  }
  // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html
  if (RESERVED_PREFIX_RE.test(name)) {
    throw invalidParameter(`Invalid capacity provider name '${name}'. The name can't be prefixed with "aws", "ecs", or "fargate".`);
  }
  validateNewTags(input.tags);
  if (!!input.autoScalingGroupProvider === !!input.managedInstancesProvider) {
    throw invalidParameter('Specify exactly one of autoScalingGroupProvider or managedInstancesProvider.');
  }
  const existing = loadCapacityProvider(ctx, name);
  if (existing?.status === 'ACTIVE') {
    throw clientException(`The specified capacity provider name '${name}' is already in use. Specify a unique name and try again.`);
  }
  const arn = ecsArn.capacityProvider(ctx.region, ctx.account, name);
  let provider: CapacityProvider;
  if (input.autoScalingGroupProvider) {
    const asg = asgProvider(input.autoScalingGroupProvider);
    if (!asg.autoScalingGroupArn) throw invalidParameter('autoScalingGroupArn should not be null or empty.');
    if (autoScalingGroupInUse(ctx, asg.autoScalingGroupArn)) {
      throw clientException('The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.');
    }
    provider = { capacityProviderArn: arn, name, status: 'ACTIVE', autoScalingGroupProvider: asg, type: 'EC2_AUTOSCALING' };
  } else {
    // Managed Instances providers belong to one cluster.
    if (!input.cluster) throw invalidParameter('A cluster must be specified to create a Managed Instances capacity provider.');
    const cluster = requireActiveCluster(ctx, input.cluster);
    const mi = input.managedInstancesProvider!;
    checkEnum(mi.propagateTags, ['CAPACITY_PROVIDER', 'NONE'], 'propagateTags');
    provider = {
      capacityProviderArn: arn,
      name,
      cluster: cluster.clusterName,
      status: 'ACTIVE',
      managedInstancesProvider: { ...mi, propagateTags: mi.propagateTags ?? 'NONE' },
      type: 'MANAGED_INSTANCES',
    };
  }
  putCapacityProvider(ctx, provider, !!existing);
  if (existing) dropAllTags(ctx, arn);
  if (input.tags?.length) putTags(ctx, arn, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  return { capacityProvider: { ...provider, tags: input.tags ?? [] } };
}

export function describeCapacityProviders(
  ctx: RequestContext,
  input: DescribeCapacityProvidersRequest,
): DescribeCapacityProvidersResponse {
  for (const field of input.include ?? []) checkEnum(field, ['TAGS'], 'include');
  const limit = pageSize(input.maxResults, 10);
  const cluster = input.cluster !== undefined ? requireActiveCluster(ctx, input.cluster) : undefined;
  const refs = input.capacityProviders ?? [];
  if (refs.length > 100) throw invalidParameter('The capacityProviders list can contain a maximum of 100 capacity providers.');
  const withTags = (p: CapacityProvider): CapacityProvider =>
    BUILTIN_PROVIDERS.includes(p.name!) ? p : { ...p, tags: input.include?.includes('TAGS') ? getTags(ctx, p.capacityProviderArn!) : [] };

  const all: CapacityProvider[] = [];
  const failures: Failure[] = [];
  if (refs.length) {
    for (const ref of refs) {
      const name = providerNameOf(ctx, ref);
      const found = name && BUILTIN_PROVIDERS.includes(name) ? builtin(ctx, name) : name ? loadCapacityProvider(ctx, name) : undefined;
      const inScope = found && (!cluster || !found.cluster || found.cluster === cluster.clusterName);
      if (found && inScope) all.push(found);
      else failures.push({ arn: ref.startsWith('arn:') ? ref : ecsArn.capacityProvider(ctx.region, ctx.account, ref), reason: 'MISSING' });
    }
  } else if (cluster) {
    const names = new Set(cluster.capacityProviders ?? []);
    for (const name of names) {
      const p = BUILTIN_PROVIDERS.includes(name) ? builtin(ctx, name) : loadCapacityProvider(ctx, name);
      if (p) all.push(p);
    }
    for (const p of activeCapacityProviders(ctx)) if (p.cluster === cluster.clusterName && !names.has(p.name!)) all.push(p);
  } else {
    // ECS lists the built-in Fargate providers first, then the account's own.
    all.push(...BUILTIN_PROVIDERS.map((n) => builtin(ctx, n)), ...activeCapacityProviders(ctx).filter((p) => !p.cluster));
  }
  const start = decodeNextToken(input.nextToken);
  const page = all.slice(start, start + limit);
  return {
    capacityProviders: page.map(withTags),
    failures,
    nextToken: start + limit < all.length ? encodeNextToken(start + limit) : undefined,
  };
}

export function updateCapacityProvider(ctx: RequestContext, input: UpdateCapacityProviderRequest): UpdateCapacityProviderResponse {
  const provider = requireActiveProvider(ctx, input.name ?? '', input.cluster);
  if (!!input.autoScalingGroupProvider === !!input.managedInstancesProvider) {
    throw invalidParameter('Specify exactly one of autoScalingGroupProvider or managedInstancesProvider.');
  }
  if (input.autoScalingGroupProvider) {
    if (!provider.autoScalingGroupProvider) throw invalidParameter('The capacity provider is not an Auto Scaling group capacity provider.');
    const update = input.autoScalingGroupProvider;
    const current = provider.autoScalingGroupProvider;
    provider.autoScalingGroupProvider = asgProvider({
      autoScalingGroupArn: current.autoScalingGroupArn,
      managedScaling: { ...current.managedScaling, ...update.managedScaling },
      managedTerminationProtection: update.managedTerminationProtection ?? current.managedTerminationProtection,
      managedDraining: update.managedDraining ?? current.managedDraining,
    });
  } else {
    if (!provider.managedInstancesProvider) throw invalidParameter('The capacity provider is not a Managed Instances capacity provider.');
    const update = input.managedInstancesProvider!;
    checkEnum(update.propagateTags, ['CAPACITY_PROVIDER', 'NONE'], 'propagateTags');
    const current = provider.managedInstancesProvider;
    provider.managedInstancesProvider = {
      ...current,
      ...update,
      instanceLaunchTemplate: { ...current.instanceLaunchTemplate, ...update.instanceLaunchTemplate } as typeof current.instanceLaunchTemplate,
    };
  }
  provider.updateStatus = 'UPDATE_COMPLETE';
  delete provider.updateStatusReason;
  saveCapacityProvider(ctx, provider);
  return { capacityProvider: { ...provider, updateStatus: 'UPDATE_IN_PROGRESS', tags: getTags(ctx, provider.capacityProviderArn!) } };
}

export function deleteCapacityProvider(ctx: RequestContext, input: DeleteCapacityProviderRequest): DeleteCapacityProviderResponse {
  const provider = requireActiveProvider(ctx, input.capacityProvider ?? '', input.cluster);
  const tags = getTags(ctx, provider.capacityProviderArn!);
  const inUse = clustersUsingProvider(ctx, provider.name!);
  if (inUse.length) {
    // ECS answers 200 and records the failure on the provider rather than throwing.
    provider.updateStatus = 'DELETE_FAILED';
    provider.updateStatusReason = `The capacity provider cannot be deleted because it is associated with cluster: ${inUse[0]}. Remove the capacity provider from the cluster and try again.`;
    saveCapacityProvider(ctx, provider);
    return { capacityProvider: { ...provider, tags } };
  }
  saveCapacityProvider(ctx, { ...provider, status: 'INACTIVE', updateStatus: 'DELETE_COMPLETE', updateStatusReason: undefined });
  return { capacityProvider: { ...provider, updateStatus: 'DELETE_IN_PROGRESS', updateStatusReason: undefined, tags } };
}

/** True if the ARN names an ACTIVE capacity provider in this scope that can carry tags (not FARGATE*). */
export function capacityProviderArnExists(ctx: RequestContext, arn: string): boolean {
  const name = providerNameOf(ctx, arn);
  return !!name && loadCapacityProvider(ctx, name)?.status === 'ACTIVE';
}
