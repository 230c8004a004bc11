/**
 * Tags of any resource, keyed by ARN: the one `tags` table every service shares (made by ECS's first
 * migration; reset deletes a service's rows by its descriptor's ARN service names). Each service maps its own
 * tag shape (ECS {key, value}, ELB/STS {Key, Value}) onto these rows.
 */
import type { Statements } from './db.js';

/** Tags need only the statement cache: providers pass their context, controllers a `{ sql }`. */
type TagScope = { sql: Statements };

export interface TagPair {
  key: string;
  value: string;
}

export function getTags(ctx: TagScope, arn: string): TagPair[] {
  return ctx.sql.get('SELECT key, value FROM tags WHERE arn = ? ORDER BY seq').all(arn) as TagPair[];
}

export function putTags(ctx: TagScope, arn: string, tags: TagPair[]): void {
  const seq = ctx.sql.get('SELECT COALESCE(MAX(seq), 0) AS n FROM tags WHERE arn = ?').get(arn) as { n: number };
  let n = seq.n;
  const upsert = ctx.sql.get(
    'INSERT INTO tags (arn, key, value, seq) VALUES (?, ?, ?, ?) ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value',
  );
  for (const t of tags) upsert.run(arn, t.key, t.value, ++n);
}

export function removeTags(ctx: TagScope, arn: string, keys: string[]): void {
  const del = ctx.sql.get('DELETE FROM tags WHERE arn = ? AND key = ?');
  for (const k of keys) del.run(arn, k);
}

export function countTags(ctx: TagScope, arn: string): number {
  return (ctx.sql.get('SELECT COUNT(*) AS n FROM tags WHERE arn = ?').get(arn) as { n: number }).n;
}

export function dropAllTags(ctx: TagScope, arn: string): void {
  ctx.sql.get('DELETE FROM tags WHERE arn = ?').run(arn);
}
