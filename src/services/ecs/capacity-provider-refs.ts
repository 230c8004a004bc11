/**
 * Capacity-provider references used by clusters, services and tasks. FARGATE and
 * FARGATE_SPOT exist in every account and region, as on AWS.
 */
import type { CapacityProviderStrategyItem, Cluster } from '@aws-sdk/client-ecs';
import { resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import type { Scope } from '../../state/scope.js';
import { activeCapacityProviderExists, loadCapacityProvider } from './store/index.js';
import { invalidParameter } from './errors.js';

export const BUILTIN_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'];

export function capacityProviderExists(ctx: RequestContext, nameOrArn: string): boolean {
  const name = resourceId(nameOrArn);
  if (BUILTIN_PROVIDERS.includes(name)) return true;
  return activeCapacityProviderExists(ctx, name);
}

export function validateCapacityProviderStrategy(strategy: CapacityProviderStrategyItem[]) {
  if (strategy.length > 20) throw invalidParameter('The capacity provider strategy can contain a maximum of 20 capacity providers.');
  let withBase = 0;
  for (const item of strategy) {
    if (item.weight !== undefined && (item.weight < 0 || item.weight > 1000)) {
      throw invalidParameter('The specified capacity provider strategy weight must be between 0 and 1000.');
    }
    if (item.base !== undefined && (item.base < 0 || item.base > 100000)) {
      throw invalidParameter('The specified capacity provider strategy base must be between 0 and 100000.');
    }
    if (item.base) withBase++;
  }
  if (withBase > 1) throw invalidParameter('The specified capacity provider strategy cannot contain more than one capacity provider with a base value.');
  const names = new Set(strategy.map((s) => s.capacityProvider));
  if (names.size !== strategy.length) throw invalidParameter('The specified capacity provider strategy cannot contain duplicate capacity providers.');
}

/**
 * What RunTask, CreateService and UpdateService check of a strategy beyond its shape: every provider associated with
 * the cluster ("Only capacity providers that are already associated with a cluster … can be used in a capacity
 * provider strategy"), not Fargate and Auto Scaling group providers mixed, and with several providers one of weight
 * above 0 (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html).
 */
export function checkStrategyForCluster(cluster: Cluster, strategy: CapacityProviderStrategyItem[]) {
  validateCapacityProviderStrategy(strategy);
  const associated = new Set(cluster.capacityProviders ?? []);
  for (const item of strategy) {
    if (!associated.has(resourceId(item.capacityProvider ?? ''))) {
      throw invalidParameter('The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.');
    }
  }
  checkStrategyMix(strategy);
}

/** Fargate and Auto Scaling group providers cannot share a strategy; several providers need one weight above 0. */
export function checkStrategyMix(strategy: CapacityProviderStrategyItem[]) {
  const fargate = strategy.filter((s) => BUILTIN_PROVIDERS.includes(resourceId(s.capacityProvider ?? ''))).length;
  if (fargate && fargate < strategy.length) {
    throw invalidParameter('The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.');
  }
  if (strategy.length > 1 && strategy.every((s) => !s.weight)) {
    throw invalidParameter('The specified capacity provider strategy must contain at least one capacity provider with a weight greater than 0.');
  }
}

/** True for an ACTIVE Auto Scaling group provider with managed scaling on: its tasks wait in PROVISIONING for capacity. */
export function providerScalesManaged(ctx: Scope, name: string): boolean {
  const p = loadCapacityProvider(ctx, resourceId(name));
  return p?.status === 'ACTIVE' && p.autoScalingGroupProvider?.managedScaling?.status === 'ENABLED';
}
