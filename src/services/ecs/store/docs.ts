/** Row helpers the ECS store files share: JSON docs in, typed objects out, insertion order. */
import type { Statements } from '../../../state/db.js';

export function parseDoc<T>(row: { doc: string } | undefined): T | undefined {
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

/** A monotonically increasing sequence for stable list order (insertion order). */
export function nextSeq(sql: Statements, table: string): number {
  const row = sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number };
  return row.n;
}
