/** Service id → provider, imported on first use so start-up stays fast. */
import type { Provider } from './provider.js';

const LOADERS: Record<string, () => Promise<{ provider: Provider }>> = {
  ecs: () => import('./ecs/provider.js'),
  ec2: () => import('./ec2/provider.js'),
  ecr: () => import('./ecr/provider.js'),
  sts: () => import('./sts/provider.js'),
  iam: () => import('./iam/provider.js'),
  'elastic-load-balancing-v2': () => import('./elastic-load-balancing-v2/provider.js'),
  logs: () => import('./logs/provider.js'),
  ssm: () => import('./ssm/provider.js'),
  'secrets-manager': () => import('./secrets-manager/provider.js'),
  efs: () => import('./efs/provider.js'),
  acm: () => import('./acm/provider.js'),
};

const loaded = new Map<string, Provider | null>();

export async function providerFor(serviceId: string): Promise<Provider | null> {
  if (loaded.has(serviceId)) return loaded.get(serviceId)!;
  const load = LOADERS[serviceId];
  const provider = load ? (await load()).provider : null;
  loaded.set(serviceId, provider);
  return provider;
}

/** Synchronous lookup once loaded: the hot path avoids a promise per request. */
export function loadedProvider(serviceId: string): Provider | null | undefined {
  return loaded.get(serviceId);
}
