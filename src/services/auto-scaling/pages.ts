/** Describe* paging as Auto Scaling does it: MaxRecords 1–100, NextToken an opaque token naming the last item returned. */
import { validationError } from './errors.js';

export function page<T>(items: T[], keyOf: (t: T) => string, maxRecords: number | undefined, token: string | undefined, defaultLimit = 50): { items: T[]; NextToken?: string } {
  const limit = maxRecords ?? defaultLimit;
  if (limit < 1 || limit > 100) throw validationError(`MaxRecords must be between 1 and 100.`);
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : undefined;
  const rest = after === undefined ? items : items.filter((i) => keyOf(i) > after);
  const out = rest.slice(0, limit);
  return { items: out, ...(rest.length > limit ? { NextToken: Buffer.from(keyOf(out[out.length - 1])).toString('base64') } : {}) };
}
