/**
 * Reset: back to a fresh start, for everything or for chosen services, without
 * restarting Berth. Each service's rows are found by table-name prefix (the
 * naming rule of migrations.ts) and its tags by ARN service, both declared by
 * its descriptor (services/<svc>/descriptor.ts); runtime clean-up
 * (containers, listeners, blobs) is done by participants registered by app.ts.
 * The rows go in one transaction, so a concurrent API call sees either the old
 * state or the clean one.
 */
import { DESCRIPTORS, type ServiceDescriptor } from '../services/index.js';
import type { Db } from './db.js';

export interface ResetParticipant {
  /** Runs before the rows are deleted (e.g. stop and remove containers). */
  before?: () => Promise<void>;
  /** Runs after (e.g. close listeners, delete blobs nothing references now). */
  after?: () => Promise<void>;
}

export interface ResettableService {
  /** Names accepted in `?service=` (the SDK service id in kebab-case, plus common aliases). */
  names: string[];
  /** Table-name prefixes of its rows. */
  tablePrefixes: string[];
  /** ARN service names of its resources' tags. */
  arnServices: string[];
}

/** The resettable services of a list of descriptors (those that declare what a reset deletes). */
export function resettableOf(descriptors: readonly Pick<ServiceDescriptor, 'id' | 'reset' | 'arnServices'>[]): ResettableService[] {
  return descriptors.flatMap((d) => d.reset
    ? [{ names: [d.id, ...(d.reset.aliases ?? [])], tablePrefixes: [...d.reset.tablePrefixes], arnServices: [...(d.arnServices ?? [])] }]
    : []);
}

/** Berth's resettable services: every descriptor's (services/index.ts). */
export const RESETTABLE: ResettableService[] = resettableOf(DESCRIPTORS);

/** Tables Berth keeps across resets and snapshots: the schema's own and this data dir's identity. */
export const INTERNAL_TABLES = new Set(['schema_migrations', 'berth_meta']);

export class ResetError extends Error {}

/** The canonical names of the services a `?service=a,b` list selects (all when empty). */
export function selectServices(list: string[] | undefined, all: readonly ResettableService[] = RESETTABLE): ResettableService[] {
  if (!list?.length) return [...all];
  return list.map((name) => {
    const s = all.find((r) => r.names.includes(name.trim().toLowerCase()));
    if (!s) throw new ResetError(`unknown service "${name}"; known: ${all.map((r) => r.names[0]).join(', ')}`);
    return s;
  });
}

export function userTables(db: Db): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[])
    .filter((t) => !INTERNAL_TABLES.has(t));
}

/** Deletes the selected services' rows and tags in one transaction. */
export function deleteServiceRows(db: Db, services: ResettableService[]) {
  const tables = userTables(db).filter((t) => services.some((s) => s.tablePrefixes.some((p) => t.startsWith(p))));
  db.transaction(() => {
    for (const t of tables) db.prepare(`DELETE FROM "${t}"`).run();
    const del = db.prepare('DELETE FROM tags WHERE arn LIKE ?');
    for (const s of services) for (const a of s.arnServices) del.run(`arn:aws:${a}:%`);
  })();
}

export interface ResetDeps {
  db: Db;
  participants: Map<string, ResetParticipant>;
  /** The services a reset knows (Berth's: RESETTABLE). */
  services?: readonly ResettableService[];
}

/** One reset (or snapshot load) at a time per database. */
const queues = new WeakMap<Db, Promise<unknown>>();

export function serialize<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const job = (queues.get(db) ?? Promise.resolve()).then(work);
  queues.set(db, job.catch(() => undefined));
  return job;
}

/** Resets the selected services. */
export function reset(d: ResetDeps, list?: string[]): Promise<string[]> {
  const services = selectServices(list, d.services);
  return serialize(d.db, async () => {
    const chosen = services.map((s) => s.names[0]);
    for (const name of chosen) await d.participants.get(name)?.before?.();
    deleteServiceRows(d.db, services);
    for (const name of chosen) await d.participants.get(name)?.after?.();
    return chosen;
  });
}
