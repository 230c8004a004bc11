/**
 * What a service declares about itself, in its `services/<svc>/descriptor.ts`:
 * everything the rest of Berth needs to know to route to it, store it, reset it
 * and watch it. `services/index.ts` lists the descriptors (one line each); the
 * catalogue, the provider loader, the migrations runner and reset read that list.
 *
 * A descriptor is loaded at start-up, so it holds data only: its provider is a
 * loader (`() => import('./provider.js')`), never an import.
 */
import type { ServiceEntry } from '../protocol/catalog.js';
import type { Migration } from '../state/migrations.js';
import type { Provider } from './provider.js';

export interface ServiceDescriptor<K extends string = string> {
  /** Berth's folder name under services/ (the SDK service id in kebab-case); also its catalogue id. */
  readonly id: string;
  /** How a request finds this service and which SDK model parses it (protocol/catalog.ts). */
  readonly catalog: Omit<ServiceEntry, 'id'>;
  /**
   * Its operations, imported on the first request for the service (start-up stays cheap).
   * Absent: catalogued but not served; requests are parsed with its model and refused by name.
   */
  readonly provider?: () => Promise<{ provider: Provider }>;
  /**
   * Its schema steps. Each carries its version: one number space across all services
   * (`schema_migrations.version`), so a data dir records what ran whatever file declares it.
   * Never edit a released one; a new one takes the next free number (state/migrations.ts checks).
   */
  readonly migrations?: readonly Migration[];
  /** What a reset of this service deletes; absent: not resettable (it has no state). */
  readonly reset?: {
    /** Names `?service=` accepts besides the id (lower case). */
    readonly aliases?: readonly string[];
    /** Prefixes of its tables' names: every table starting with one is the service's. */
    readonly tablePrefixes: readonly string[];
  };
  /** ARN service names of its resources (`arn:aws:<name>:…`): reset deletes their tags. */
  readonly arnServices?: readonly string[];
  /** The change kinds its operations publish (`ctx.changed`) for controllers to watch. */
  readonly changeKinds?: readonly K[];
}

/** Declares a descriptor, keeping its change kinds as literal types (the ChangeKind union is made of them). */
export function defineService<const K extends string = never>(d: ServiceDescriptor<K>): ServiceDescriptor<K> {
  return d;
}

/** The change kinds a descriptor declares, as a union. */
export type ChangeKindsOf<D> = D extends ServiceDescriptor<infer K> ? K : never;
