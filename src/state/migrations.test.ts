import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb, type Db } from './db.js';
import { MIGRATIONS, migrationsOf, type Migration } from './migrations.js';

/**
 * The single migrations list as it was before services declared their own (commit 83bcdd7),
 * in its order: data dirs and snapshot archives made by Berth until then recorded these versions.
 * Commit fb2d594's list was this one without version 25.
 */
const SINGLE_LIST: Migration[] = JSON.parse(readFileSync(new URL('./testdata/migrations-83bcdd7.json', import.meta.url), 'utf8'));
/** Migrations services declared after the single list (version 26 on): an old data dir gets exactly these. */
const LAST_OF_SINGLE_LIST = Math.max(...SINGLE_LIST.map((m) => m.version));
const LATER = MIGRATIONS.filter((m) => m.version > LAST_OF_SINGLE_LIST).map((m) => m.version);

/** What openDb did with that list: every migration not yet recorded, in list order, one transaction each. */
function migrateTheOldWay(file: string, list: Migration[]) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of list) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, 1);
    })();
  }
  db.close();
}

const recorded = (db: Db) => db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
const schemaOf = (db: Db) => db.prepare(
  "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
).all();

type SchemaObject = { type: string; name: string; tbl_name: string; sql: string };

/** A table's columns as PRAGMA table_info lists them (name, type, not null, default, primary key position). */
const columnsOf = (db: Db | Database.Database, table: string) =>
  (db.prepare('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)').all(table) as object[]).map((c) => JSON.stringify(c));

/**
 * An old schema object is still there as it was; a table may have gained columns from a later migration's
 * ALTER TABLE ADD COLUMN (SQLite writes them into its CREATE TABLE text): its old columns come first, unchanged.
 */
const kept = (old: SchemaObject, oldColumns: string[], now: SchemaObject, db: Db) => JSON.stringify(old) === JSON.stringify(now)
  || (old.type === 'table' && now.type === 'table' && old.name === now.name
    && JSON.stringify(columnsOf(db, now.name).slice(0, oldColumns.length)) === JSON.stringify(oldColumns));

function withDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-migrations-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('migrations declared by service descriptors', () => {
  it('are the single list they replaced: the same versions, names and SQL', () => {
    const byVersion = (a: Migration, b: Migration) => a.version - b.version;
    assert.deepEqual(MIGRATIONS.filter((m) => m.version <= LAST_OF_SINGLE_LIST).map((m) => ({ ...m })), [...SINGLE_LIST].sort(byVersion));
  });

  it('a data dir made by the single list opens with nothing re-run and only later migrations added', () => {
    withDir((dir) => {
      const file = join(dir, 'state.db');
      migrateTheOldWay(file, SINGLE_LIST);
      const before = new Database(file);
      const [rows, schema] = [recorded(before), schemaOf(before) as SchemaObject[]];
      const oldColumns = new Map(schema.filter((o) => o.type === 'table').map((o) => [o.name, columnsOf(before, o.name)]));
      before.close();
      const db = openDb(file);
      try {
        const after = recorded(db) as { version: number; applied_at: number }[];
        assert.deepEqual(after.filter((r) => r.version <= LAST_OF_SINGLE_LIST), rows, 'the old rows are untouched (applied_at still the old run\'s)');
        assert.deepEqual(after.filter((r) => r.version > LAST_OF_SINGLE_LIST).map((r) => r.version), LATER);
        const now = schemaOf(db) as SchemaObject[];
        for (const object of schema) assert.ok(now.some((o) => kept(object, oldColumns.get(object.name) ?? [], o, db)), `kept: ${JSON.stringify(object)}`);
      } finally {
        db.close();
      }
    });
  });

  it('a data dir or snapshot from before migration 25 (fb2d594) gets exactly migration 25 and the later ones', () => {
    withDir((dir) => {
      const file = join(dir, 'state.db');
      migrateTheOldWay(file, SINGLE_LIST.filter((m) => m.version !== 25));
      const db = openDb(file);
      try {
        const rows = recorded(db) as { version: number; applied_at: number }[];
        assert.deepEqual(rows.filter((r) => r.applied_at !== 1).map((r) => r.version), [25, ...LATER]);
        assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ecs_tasks_cluster_status'").get());
      } finally {
        db.close();
      }
    });
  });

  it('a fresh database has the schema the single list made, with the later migrations', () => {
    withDir((dir) => {
      migrateTheOldWay(join(dir, 'old.db'), SINGLE_LIST);
      openDb(join(dir, 'old.db')).close();
      const old = new Database(join(dir, 'old.db'));
      const fresh = openDb(':memory:');
      try {
        assert.deepEqual(schemaOf(fresh), schemaOf(old));
        assert.deepEqual(
          (recorded(fresh) as { version: number }[]).map((r) => r.version),
          (recorded(old) as { version: number }[]).map((r) => r.version),
        );
      } finally {
        old.close();
        fresh.close();
      }
    });
  });

  it('a version declared twice, or a service\'s versions out of order, is refused at start', () => {
    const m = (version: number): Migration => ({ version, name: `m${version}`, sql: '' });
    assert.throws(() => migrationsOf([{ id: 'a', migrations: [m(1)] }, { id: 'b', migrations: [m(1)] }]), /declared by both a and b/);
    assert.throws(() => migrationsOf([{ id: 'a', migrations: [m(2), m(1)] }]), /a: migration 1 is listed after 2/);
    assert.deepEqual(migrationsOf([{ id: 'b', migrations: [m(3)] }, { id: 'a', migrations: [m(1), m(4)] }]).map((x) => x.version), [1, 3, 4]);
  });
});
