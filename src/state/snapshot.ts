/**
 * Snapshots: one portable archive (tar.gz) of a Berth's state.
 *
 *   berth-snapshot.json        {format, berthVersion, createdAt}  (always first)
 *   state.db                   the SQLite state (a consistent online backup)
 *   blobs/sha256/<hex>         every registry blob the state references, once
 *   blobs/sha512/<hex 1-64>/<hex 65-128>   (sha512 blobs: ustar names are at most 100 bytes a segment)
 *   volumes/…                  Berth-managed volumes (EFS file systems)
 *   s3/objects/…               S3 object bodies (services/s3/files.ts)
 *
 * Loading reads and checks the whole archive into a staging directory first
 * (format version, digests, database integrity), migrates an older state to
 * this schema, and only then replaces the current state: rows in one
 * transaction, blobs added (content-addressed), file trees swapped by rename. A
 * truncated, foreign or newer archive is refused with the state untouched.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { readTar, TarWriter } from '../shared/tar-stream.js';
import { openDb, type Db } from './db.js';
import { INTERNAL_TABLES, userTables } from './reset.js';

export const SNAPSHOT_FORMAT = 1;
const MANIFEST = 'berth-snapshot.json';
/** Directories of the data dir a snapshot carries whole (archive paths use "/"). */
const FILE_TREES = ['volumes', 's3/objects'];

export class SnapshotError extends Error {}

/** The registry's digest algorithms, each with its hex length. */
const BLOB_HEX = { sha256: /^[0-9a-f]{64}$/, sha512: /^[0-9a-f]{128}$/ } as const;
const stagedBlobName = (digest: string) => digest.replace(':', '-');
/** A blob's name in the archive: the hex split after 64 digits, so each path segment fits a ustar name. */
const blobEntry = (digest: string) => {
  const [algorithm, hex] = digest.split(':');
  return `blobs/${algorithm}/${hex.slice(0, 64)}${hex.length > 64 ? `/${hex.slice(64)}` : ''}`;
};

/** What a snapshot is made of: the state, its data dir and the registry's blobs. */
export interface SnapshotFiles {
  db: Db;
  dataDir: string;
  version: string;
  /** Registry blob access (absent when the registry is not running). */
  blobs?: {
    read(digest: string): Promise<Readable>;
    /** Adds a blob from a verified local file. */
    import(digest: string, file: string): Promise<void>;
  };
}

export interface SnapshotDeps extends SnapshotFiles {
  /** Stops what runs for the current state (containers, listeners) before it is replaced. */
  beforeReplace(): Promise<void>;
  /** Lets controllers, listeners and the registry pick the new state up. */
  afterReplace(): Promise<void>;
}

async function* walk(dir: string): AsyncGenerator<{ path: string; dir: boolean; size: number }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      yield { path: p, dir: true, size: 0 };
      yield* walk(p);
    } else if (e.isFile()) yield { path: p, dir: false, size: (await stat(p)).size };
  }
}

export async function saveSnapshot(d: SnapshotFiles, out: Writable): Promise<void> {
  const tmp = join(d.dataDir, `.snapshot-${randomBytes(6).toString('hex')}.db`);
  await mkdir(d.dataDir, { recursive: true });
  try {
    await d.db.backup(tmp);
    const gzip = createGzip();
    const piped = pipeline(gzip, out);
    const tar = new TarWriter(gzip);
    const manifest = Buffer.from(JSON.stringify({ format: SNAPSHOT_FORMAT, berthVersion: d.version, createdAt: new Date().toISOString() }));
    await tar.file(MANIFEST, manifest.length, manifest);
    await tar.file('state.db', (await stat(tmp)).size, createReadStream(tmp));
    const snap = openDb(tmp);
    let blobs: { digest: string; size: number }[] = [];
    try {
      const has = snap.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'registry_blobs'").get();
      if (has) blobs = snap.prepare('SELECT digest, size FROM registry_blobs ORDER BY digest').all() as typeof blobs;
    } finally {
      snap.close();
    }
    if (blobs.length && !d.blobs) throw new SnapshotError('the registry is not running: its blobs cannot be saved');
    for (const b of blobs) await tar.file(blobEntry(b.digest), b.size, await d.blobs!.read(b.digest));
    for (const tree of FILE_TREES) {
      const root = join(d.dataDir, ...tree.split('/'));
      for await (const e of walk(root)) {
        const rel = `${tree}/${relative(root, e.path).split(sep).join('/')}`;
        if (e.dir) await tar.dir(rel);
        else await tar.file(rel, e.size, createReadStream(e.path));
      }
    }
    await tar.end();
    await piped;
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}-wal`, { force: true });
    await rm(`${tmp}-shm`, { force: true });
  }
}

interface Staged {
  dir: string;
  db: string;
  blobs: string[];
  /** Where each of FILE_TREES was staged. */
  trees: string;
}

/** Reads the whole archive into a staging dir, checking everything; throws SnapshotError on any problem. */
async function stage(d: SnapshotFiles, input: Readable): Promise<Staged> {
  const dir = join(d.dataDir, `.load-${randomBytes(6).toString('hex')}`);
  await mkdir(join(dir, 'blobs'), { recursive: true });
  const staged: Staged = { dir, db: join(dir, 'state.db'), blobs: [], trees: join(dir, 'trees') };
  let manifest: { format?: number } | undefined;
  let sawDb = false;
  try {
    await readTar(input.pipe(createGunzip()), async (h, body) => {
      if (!manifest) {
        if (h.name !== MANIFEST) throw new SnapshotError('not a Berth snapshot (no berth-snapshot.json at its start)');
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c);
        try {
          manifest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new SnapshotError('not a Berth snapshot (unreadable berth-snapshot.json)');
        }
        if (typeof manifest?.format !== 'number') throw new SnapshotError('not a Berth snapshot (no format version)');
        if (manifest.format > SNAPSHOT_FORMAT) {
          throw new SnapshotError(`snapshot format ${manifest.format} is newer than this Berth supports (${SNAPSHOT_FORMAT}); upgrade Berth to load it`);
        }
        return;
      }
      if (h.name === 'state.db') {
        sawDb = true;
        await pipeline(body, createWriteStream(staged.db));
      } else if (h.name.startsWith('blobs/') && h.type === 'file') {
        const [, algorithm, encoded] = /^blobs\/(sha256|sha512)\/(.*)$/.exec(h.name) ?? [];
        const hex = encoded?.replace('/', '');
        if (!algorithm || !BLOB_HEX[algorithm as keyof typeof BLOB_HEX].test(hex) || blobEntry(`${algorithm}:${hex}`) !== h.name) {
          throw new SnapshotError(`bad blob name in snapshot: ${h.name}`);
        }
        const hash = createHash(algorithm);
        const file = join(dir, 'blobs', stagedBlobName(`${algorithm}:${hex}`));
        await pipeline(body, async function* (src: AsyncIterable<Buffer>) {
          for await (const c of src) {
            hash.update(c);
            yield c;
          }
        }, createWriteStream(file));
        if (hash.digest('hex') !== hex) throw new SnapshotError(`blob ${algorithm}:${hex} in the snapshot does not match its digest`);
        staged.blobs.push(`${algorithm}:${hex}`);
      } else if (FILE_TREES.some((t) => h.name.startsWith(`${t}/`))) {
        const rel = h.name;
        if (rel.split('/').some((p) => p === '..')) throw new SnapshotError(`unsafe path in snapshot: ${h.name}`);
        const target = join(staged.trees, rel);
        if (h.type === 'dir') await mkdir(target, { recursive: true });
        else if (h.type === 'file') {
          await mkdir(join(target, '..'), { recursive: true });
          await pipeline(body, createWriteStream(target, { mode: h.mode & 0o777 }));
        }
      }
    });
    if (!manifest) throw new SnapshotError('not a Berth snapshot (empty archive)');
    if (!sawDb) throw new SnapshotError('snapshot has no state.db');
    // Opening applies this Berth's migrations to an older snapshot; integrity_check proves it is whole.
    const snap = openDb(staged.db);
    try {
      const ok = snap.pragma('integrity_check', { simple: true });
      if (ok !== 'ok') throw new SnapshotError(`snapshot database is corrupt: ${ok}`);
    } finally {
      snap.close();
    }
    return staged;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof SnapshotError) throw err;
    throw new SnapshotError(`cannot read snapshot: ${(err as Error).message}`);
  }
}

export async function loadSnapshot(d: SnapshotDeps, input: Readable): Promise<void> {
  const staged = await stage(d, input);
  try {
    for (const digest of staged.blobs) {
      if (!d.blobs) throw new SnapshotError('the registry is not running: the snapshot\'s blobs cannot be loaded');
      await d.blobs.import(digest, join(staged.dir, 'blobs', stagedBlobName(digest)));
    }
    await d.beforeReplace();
    replaceRows(d.db, staged.db);
    for (const tree of FILE_TREES) {
      const current = join(d.dataDir, ...tree.split('/'));
      await mkdir(join(current, '..'), { recursive: true });
      await rename(current, join(staged.dir, `old-${tree.replace(/\//g, '-')}`)).catch(() => undefined);
      await rename(join(staged.trees, ...tree.split('/')), current).catch(async () => mkdir(current, { recursive: true }));
    }
    await d.afterReplace();
  } finally {
    await rm(staged.dir, { recursive: true, force: true });
  }
}

/** Every user table's rows replaced by the snapshot's, in one transaction. */
function replaceRows(db: Db, file: string) {
  db.prepare('ATTACH DATABASE ? AS snap').run(file);
  try {
    db.transaction(() => {
      const snapTables = new Set(db.prepare("SELECT name FROM snap.sqlite_master WHERE type = 'table'").pluck().all() as string[]);
      for (const t of userTables(db)) {
        db.prepare(`DELETE FROM main."${t}"`).run();
        if (!snapTables.has(t) || INTERNAL_TABLES.has(t)) continue;
        const cols = (db.prepare(`SELECT name FROM pragma_table_info(?, 'main')`).pluck().all(t) as string[]).map((c) => `"${c}"`).join(', ');
        db.prepare(`INSERT INTO main."${t}" (${cols}) SELECT ${cols} FROM snap."${t}"`).run();
      }
    })();
  } finally {
    db.prepare('DETACH DATABASE snap').run();
  }
}
