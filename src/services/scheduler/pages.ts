/** Scheduler's list pages: MaxResults 1–100, NextToken the last key of the page (shared/page-token.ts). */
import { decodePageToken, encodePageToken } from '../../shared/page-token.js';
import { validation } from './errors.js';

export const encodeToken = encodePageToken;

export function decodeToken(token: string | undefined): string {
  const after = decodePageToken(token);
  if (after === undefined) throw validation('Invalid NextToken.');
  return after;
}

export function maxResults(n: number | undefined): number {
  if (n === undefined) return 100;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw validation(`1 validation error detected: Value '${n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  return n;
}
