/** Berth's own facts about a data dir (e.g. its instance id), in berth_meta. */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';

export function getOrCreateMeta(db: Db, key: string, make: () => string): string {
  const row = db.prepare('SELECT value FROM berth_meta WHERE key = ?').get(key) as { value: string } | undefined;
  if (row) return row.value;
  const value = make();
  db.prepare('INSERT INTO berth_meta (key, value) VALUES (?, ?)').run(key, value);
  return value;
}

/** A fact kept in berth_meta (undefined: never set). */
export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM berth_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}

export function setMeta(db: Db, key: string, value: string) {
  db.prepare('INSERT INTO berth_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * Labels every container this data dir's Berth starts, so a restarted Berth
 * adopts exactly its own containers and never touches another Berth's on the
 * same engine.
 */
export function instanceId(db: Db): string {
  return getOrCreateMeta(db, 'instance-id', () => randomBytes(8).toString('hex'));
}
