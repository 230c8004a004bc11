/**
 * SQLite state: one database file (WAL) or memory, schema migrations, and one
 * transaction per API call. synchronous=NORMAL in WAL mode keeps every
 * committed transaction across a process crash (kill -9); only an OS crash can
 * lose the last commits.
 *
 * The file stays near its live size: the database is in incremental auto-vacuum
 * mode (new files from their first page; an older file is converted once, by a
 * full VACUUM, when it is opened), and the retention job hands freed pages back
 * to the file system a bounded number at a time (`reclaimFreePages`).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../shared/logger.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** PRAGMA auto_vacuum's values. */
const AUTO_VACUUM_INCREMENTAL = 2;
/** The WAL file is truncated back to this after a checkpoint (by default it keeps its largest size forever). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface OpenOptions {
  /** Where the one-time conversion of an older file to incremental vacuum is reported. */
  log?: Pick<Logger, 'info'>;
}

/** Opens (creating if needed) the database and applies the migrations it has not recorded (Berth's by default). */
export function openDb(file: string | ':memory:', migrations: readonly Migration[] = MIGRATIONS, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Before anything writes the first page (WAL mode included): a new database is incremental from its start.
  useIncrementalVacuum(db, file, opts.log);
  if (file !== ':memory:') {
    db.pragma('journal_mode = WAL');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

/**
 * auto_vacuum can only be chosen before the first table exists; a file made
 * before Berth chose it (mode 0, NONE) switches only through a full VACUUM, which
 * rewrites the whole file once (about a second per few hundred MiB, and as much
 * free disk again while it runs).
 */
function useIncrementalVacuum(db: Db, file: string, log: OpenOptions['log']) {
  if (db.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL) return;
  db.pragma('auto_vacuum = INCREMENTAL');
  const hasTables = !!db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
  if (!hasTables) return;
  const started = Date.now();
  const before = pageBytes(db);
  db.exec('VACUUM');
  log?.info('state database converted to incremental vacuum (once)', {
    file, ms: Date.now() - started, bytesBefore: before, bytesAfter: pageBytes(db),
  });
}

const pageBytes = (db: Db) => (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);

/** Free pages below this many (1 MiB of 4 KiB pages) are never worth moving when a slack is given. */
const SLACK_FLOOR_PAGES = 256;

/** How many pages one incremental_vacuum step frees: a few milliseconds of work, so requests wait at most that long. */
const VACUUM_STEP_PAGES = 256;

/**
 * Returns free pages to the file system, at most `maxPages` in steps of a few
 * hundred, yielding to the event loop between steps so the API never waits long;
 * then a passive checkpoint moves the shrink from the WAL into the file. Resolves
 * to the number of pages freed. A no-op for a database not in incremental mode.
 *
 * With `slack`, free pages that are at most that share of the file (or fewer than
 * SLACK_FLOOR_PAGES) are left alone: the next writes reuse them, and the file stays
 * within that share of its live size. A steady Berth frees and reuses pages all
 * the time (metric roll-ups, service events, task documents); moving them every
 * pass cost a tenth of a second a minute at 10,000 tasks for nothing.
 */
export async function reclaimFreePages(db: Db, maxPages = 16_384, slack = 0): Promise<number> {
  if (slack > 0 && db.open) {
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (free < SLACK_FLOOR_PAGES || free <= slack * (db.pragma('page_count', { simple: true }) as number)) return 0;
  }
  let freed = 0;
  while (freed < maxPages && db.open) {
    const free = db.pragma('freelist_count', { simple: true }) as number;
    if (!free) break;
    const step = Math.min(free, VACUUM_STEP_PAGES, maxPages - freed);
    db.pragma(`incremental_vacuum(${step})`);
    const after = db.pragma('freelist_count', { simple: true }) as number;
    if (after >= free) break; // not in incremental mode: nothing moves
    freed += free - after;
    await new Promise((r) => setImmediate(r));
  }
  if (freed && db.open && db.memory === false) db.pragma('wal_checkpoint(PASSIVE)');
  return freed;
}

function migrate(db: Db, migrations: readonly Migration[]) {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
}

/** Cached prepared statements: preparing is the costly part of a small query. */
export class Statements {
  private cache = new Map<string, Database.Statement>();
  constructor(readonly db: Db) {}
  get(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    } else if (s.reader) {
      // A caller's .pluck() stays on the cached statement: the next caller of the same SQL gets rows, not one column.
      s.pluck(false);
    }
    return s;
  }
}
