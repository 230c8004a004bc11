/**
 * state.db stays near its live size: new files are in incremental auto-vacuum
 * mode from their first page, older files are converted once when opened, and
 * reclaimFreePages hands freed pages back to the file system.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDb, reclaimFreePages, Statements } from './db.js';

const INCREMENTAL = 2;

function withDir(fn: (dir: string) => Promise<void> | void) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-db-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function logSink() {
  const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
  return { lines, log: { info: (msg: string, fields?: Record<string, unknown>) => lines.push({ msg, fields }) } };
}

describe('state database storage', () => {
  it('a new data dir is in incremental auto-vacuum mode from the start, with nothing to convert', withDir((dir) => {
    const { lines, log } = logSink();
    const db = openDb(join(dir, 'state.db'), undefined, { log });
    try {
      assert.equal(db.pragma('auto_vacuum', { simple: true }), INCREMENTAL);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(lines, []);
    } finally {
      db.close();
    }
  }));

  it('an --ephemeral (in-memory) database opens and reclaims without error', async () => {
    const db = openDb(':memory:');
    assert.equal(db.pragma('auto_vacuum', { simple: true }), INCREMENTAL);
    db.exec('CREATE TABLE junk (x TEXT)');
    for (let i = 0; i < 10; i++) db.prepare('INSERT INTO junk VALUES (?)').run('x'.repeat(4000));
    try {
      db.exec('DELETE FROM junk');
      assert.ok((await reclaimFreePages(db)) >= 0);
      assert.equal(db.pragma('freelist_count', { simple: true }), 0);
    } finally {
      db.close();
    }
  });

  it('a data dir made before incremental vacuum is converted once on open (logged), its rows kept', withDir((dir) => {
    const file = join(dir, 'state.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE kept (x TEXT)');
    old.prepare('INSERT INTO kept VALUES (?)').run('row');
    assert.equal(old.pragma('auto_vacuum', { simple: true }), 0);
    old.close();
    const { lines, log } = logSink();
    let db = openDb(file, undefined, { log });
    assert.equal(db.pragma('auto_vacuum', { simple: true }), INCREMENTAL);
    assert.deepEqual(db.prepare('SELECT x FROM kept').pluck().all(), ['row']);
    db.close();
    assert.equal(lines.length, 1);
    assert.match(lines[0].msg, /converted to incremental vacuum/);
    db = openDb(file, undefined, { log });
    db.close();
    assert.equal(lines.length, 1, 'converted once only');
  }));

  it('with a slack, free pages within that share of the file stay for reuse; more are reclaimed', async () => {
    const db = openDb(':memory:');
    try {
      db.exec('CREATE TABLE kept (x TEXT); CREATE TABLE junk (x TEXT)');
      const put = (table: string, n: number) => db.transaction(() => { for (let i = 0; i < n; i++) db.prepare(`INSERT INTO ${table} VALUES (?)`).run('x'.repeat(4000)); })();
      put('kept', 3000);
      put('junk', 300);
      db.exec('DELETE FROM junk');
      const free = db.pragma('freelist_count', { simple: true }) as number;
      assert.ok(free >= 300 && free < 330, `${free} free`);
      assert.equal(await reclaimFreePages(db, 16_384, 0.2), 0, 'about 9 % free: left');
      assert.equal(db.pragma('freelist_count', { simple: true }), free);
      assert.equal(await reclaimFreePages(db, 16_384, 0.05), free, 'more than 5 %: all reclaimed');
    } finally {
      db.close();
    }
  });

  it('after rows are deleted, reclaiming free pages shrinks the file, at most the pages asked for per call', withDir(async (dir) => {
    const file = join(dir, 'state.db');
    const db = openDb(file, []);
    try {
      db.exec('CREATE TABLE junk (x TEXT)');
      const insert = db.prepare('INSERT INTO junk VALUES (?)');
      db.transaction(() => { for (let i = 0; i < 2000; i++) insert.run('x'.repeat(4000)); })();
      db.pragma('wal_checkpoint(TRUNCATE)');
      const full = statSync(file).size;
      db.exec('DELETE FROM junk');
      const free = db.pragma('freelist_count', { simple: true }) as number;
      assert.ok(free > 1000);
      assert.equal(await reclaimFreePages(db, 300), 300);
      assert.equal(db.pragma('freelist_count', { simple: true }), free - 300);
      assert.equal(await reclaimFreePages(db), free - 300);
      db.pragma('wal_checkpoint(TRUNCATE)');
      const after = statSync(file).size;
      assert.ok(after < full / 10, `${after} bytes after, ${full} before`);
    } finally {
      db.close();
    }
  }));
});

describe('cached statements', () => {
  it('one caller\'s .pluck() does not change what the next caller of the same SQL gets', () => {
    const sql = new Statements(new Database(':memory:'));
    sql.db.exec("CREATE TABLE t (id TEXT, doc TEXT); INSERT INTO t VALUES ('a', '{}')");
    assert.equal(sql.get('SELECT doc FROM t WHERE id = ?').pluck().get('a'), '{}');
    assert.deepEqual(sql.get('SELECT doc FROM t WHERE id = ?').get('a'), { doc: '{}' });
    sql.db.close();
  });
});
