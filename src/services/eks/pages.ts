/**
 * EKS's list paging: `maxResults` 1–100 (default 100) and an opaque `nextToken` (the creation sequence of the
 * last item answered), as ListClusters, ListNodegroups, ListUpdates and the rest page.
 */
import { invalidParameter } from './errors.js';

export const MAX_RESULTS = 100;

export function pageRequest(input: { maxResults?: number; nextToken?: string }): { limit: number; afterSeq: number } {
  const limit = input.maxResults ?? MAX_RESULTS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RESULTS) throw invalidParameter('maxResults must be between 1 and 100.');
  let afterSeq = 0;
  if (input.nextToken) {
    try {
      afterSeq = JSON.parse(Buffer.from(input.nextToken, 'base64url').toString('utf8')).s;
    } catch { /* below */ }
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw invalidParameter('The nextToken is invalid.');
  }
  return { limit, afterSeq };
}

/** One more than the page was read: whether a next page exists, and its token. */
export function pageOf<T extends { seq: number }>(rows: T[], limit: number): { page: T[]; nextToken?: string } {
  const page = rows.slice(0, limit);
  return { page, nextToken: rows.length > limit ? Buffer.from(JSON.stringify({ s: page[page.length - 1].seq })).toString('base64url') : undefined };
}
