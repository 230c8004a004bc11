/**
 * Service id → provider, imported on first use so start-up stays fast. The loaders are
 * the descriptors' (`provider: () => import('./provider.js')`); a catalogued service
 * without one has no provider (null) and is refused by name.
 */
import type { Provider } from './provider.js';
import { DESCRIPTORS, type ServiceDescriptor } from './index.js';

export class Providers {
  private readonly loaders: ReadonlyMap<string, () => Promise<{ provider: Provider }>>;
  private readonly loaded = new Map<string, Provider | null>();

  constructor(descriptors: readonly Pick<ServiceDescriptor, 'id' | 'provider'>[]) {
    this.loaders = new Map(descriptors.flatMap((d) => (d.provider ? [[d.id, d.provider] as const] : [])));
  }

  async providerFor(serviceId: string): Promise<Provider | null> {
    if (this.loaded.has(serviceId)) return this.loaded.get(serviceId)!;
    const load = this.loaders.get(serviceId);
    const provider = load ? (await load()).provider : null;
    this.loaded.set(serviceId, provider);
    return provider;
  }

  /** Synchronous lookup once loaded: the hot path avoids a promise per request. */
  loadedProvider(serviceId: string): Provider | null | undefined {
    return this.loaded.get(serviceId);
  }
}

/** Berth's providers: every descriptor's (services/index.ts). */
export const PROVIDERS = new Providers(DESCRIPTORS);

export const providerFor = (serviceId: string) => PROVIDERS.providerFor(serviceId);
export const loadedProvider = (serviceId: string) => PROVIDERS.loadedProvider(serviceId);
