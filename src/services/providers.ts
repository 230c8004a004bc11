/**
 * Service id → provider, imported on first use so start-up stays fast. The loaders are
 * the descriptors' (`provider: () => import('./provider.js')`); a catalogued service
 * without one has no provider (null) and is refused by name.
 *
 * Also the internal door (`internalDoor`): how one service runs another's operation
 * (CloudFormation's resource providers creating a role, a bucket, a load balancer), with
 * the same validation and implementation as the API: one implementation of each resource.
 */
import { CATALOG, type Catalog } from '../protocol/catalog.js';
import { notImplemented } from '../protocol/errors.js';
import { loadModel } from '../protocol/model.js';
import { inputError, validateInput } from '../protocol/validate.js';
import type { RegistryLink } from '../registry/index.js';
import type { Clock } from '../shared/clock.js';
import { requestId as newRequestId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Db, Statements } from '../state/db.js';
import { Later, lowerCamel, type Invoke, type Provider, type RequestContext } from './provider.js';
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

/** What the internal door runs operations with: what the gateway gives a request's context. */
export interface InternalDoorDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  changes: ChangeFeed;
  registry?: RegistryLink;
  metricsPeriod?: number;
  catalog?: Catalog;
  providers?: Providers;
  /**
   * Services whose operations run behind their own front door rather than a descriptor's provider (S3's streaming
   * handler, which gives them its object files and commit hooks): the door hands such a service's calls to it, with
   * the context it built; the front door runs the operation in its own transaction.
   */
  frontDoors?: Readonly<Record<string, (ctx: RequestContext, operation: string, input: Record<string, unknown>) => Promise<unknown>>>;
}

/**
 * The internal door (see `Invoke` in provider.ts): validates the input against the service's model as the gateway
 * does (a violation is the service's own validation error), runs the operation in one transaction (a savepoint when
 * the caller is already in one) and publishes its change notices once it has committed. The input is copied: an
 * operation never sees, nor changes, the caller's object.
 */
export function internalDoor(deps: InternalDoorDeps): Invoke {
  const catalog = deps.catalog ?? CATALOG;
  const providers = deps.providers ?? PROVIDERS;
  const invoke: Invoke = async <O>(caller: Parameters<Invoke>[0], service: string, operation: string, given: object): Promise<O> => {
    const model = loadModel(service, catalog.byId);
    const op = model.operations.get(operation);
    if (!op) throw new Error(`internal call of ${service}.${operation}: the service's model has no such operation`);
    const input = structuredClone(given) as Record<string, unknown>;
    const violations = validateInput(op.input, input, service, operation);
    if (violations.length) throw inputError(service, operation, model.entry.validationError, violations);
    const changes: [ChangeKind, string][] = [];
    const ctx: RequestContext = {
      account: caller.account, region: caller.region, requestId: newRequestId(),
      principalArn: caller.principalArn ?? `arn:aws:iam::${caller.account}:root`, accessKeyId: caller.accessKeyId ?? '',
      db: deps.db, sql: deps.sql, clock: deps.clock, log: deps.log, registry: deps.registry, metricsPeriod: deps.metricsPeriod,
      changes: deps.changes, changed: (kind, key) => changes.push([kind, key]), invoke,
    };
    const frontDoor = deps.frontDoors?.[service];
    if (frontDoor) return (await frontDoor(ctx, operation, input)) as O;
    const provider = providers.loadedProvider(service) ?? (await providers.providerFor(service));
    const fn = provider?.[lowerCamel(operation)];
    if (!fn) throw notImplemented(service, operation);
    let output = deps.db.transaction(() => fn(ctx, input))();
    for (const [kind, key] of changes.splice(0)) deps.changes.publish(kind, key);
    if (output instanceof Later) {
      output = await output.run();
      for (const [kind, key] of changes.splice(0)) deps.changes.publish(kind, key);
    }
    return output as O;
  };
  return invoke;
}
