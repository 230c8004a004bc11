/**
 * The schema, as the migrations every service's descriptor declares
 * (`services/<svc>/descriptor.ts`). Never edit a released migration: add one.
 * Resources are rows keyed by (account, region, …) with the SDK-shaped object
 * in `doc` (JSON), plus the columns queries filter on; a service's tables start
 * with its prefix (reset finds them by it).
 *
 * Versions are one number space across services, as `schema_migrations` records
 * them: data dirs and snapshots made when all migrations lived in one list (1..25)
 * keep their numbers, so nothing re-runs or is skipped. A new migration takes the
 * next free number; `migrationsOf` refuses a number used twice (two services that
 * land at once and picked the same one fail the tests, not a user's data dir).
 */
import { DESCRIPTORS, type ServiceDescriptor } from '../services/index.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The descriptors' migrations in the order they run: by version. A migration may
 * build on any lower-numbered one (e.g. ECS's index on ecs_tasks, ECR's columns on
 * registry_manifests), whichever descriptor declares it.
 */
export function migrationsOf(descriptors: readonly Pick<ServiceDescriptor, 'id' | 'migrations'>[]): Migration[] {
  const owner = new Map<number, string>();
  const all: Migration[] = [];
  for (const d of descriptors) {
    let last = 0;
    for (const m of d.migrations ?? []) {
      if (!Number.isInteger(m.version) || m.version < 1) throw new Error(`${d.id}: migration version ${m.version} is not a positive integer`);
      if (m.version <= last) throw new Error(`${d.id}: migration ${m.version} is listed after ${last}: list a service's migrations in version order`);
      const other = owner.get(m.version);
      if (other) throw new Error(`migration version ${m.version} is declared by both ${other} and ${d.id}: give the newer one the next free number`);
      owner.set(m.version, d.id);
      all.push(m);
      last = m.version;
    }
  }
  return all.sort((a, b) => a.version - b.version);
}

/** Berth's schema: every descriptor's migrations (services/index.ts). */
export const MIGRATIONS: readonly Migration[] = migrationsOf(DESCRIPTORS);
