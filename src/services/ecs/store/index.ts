/** Row helpers shared by the ECS model files: JSON docs in, typed objects out. */
import type { RequestContext } from '../provider.js';

export function parseDoc<T>(row: { doc: string } | undefined): T | undefined {
  return row ? (JSON.parse(row.doc) as T) : undefined;
}

/** A monotonically increasing sequence for stable list order (insertion order). */
export function nextSeq(ctx: RequestContext, table: string): number {
  const row = ctx.sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number };
  return row.n;
}

/** Epoch seconds with millisecond precision, as ECS timestamps are sent. */
export function nowSeconds(ctx: RequestContext): number {
  return ctx.clock.now() / 1000;
}
