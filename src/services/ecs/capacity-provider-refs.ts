/**
 * Capacity-provider references used by clusters, services and tasks. FARGATE and
 * FARGATE_SPOT exist in every account and region, as on AWS.
 */
import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import { resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { activeCapacityProviderExists } from './store/index.js';
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
