/** Scheduler's list pages: MaxResults 1–100, NextToken the last key of the page. */
import { validation } from './errors.js';

export const encodeToken = (last: string) => Buffer.from(JSON.stringify({ after: last })).toString('base64');

export function decodeToken(token: string | undefined): string {
  if (!token) return '';
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch { /* refused below */ }
  throw validation('Invalid NextToken.');
}

export function maxResults(n: number | undefined): number {
  if (n === undefined) return 100;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw validation(`1 validation error detected: Value '${n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`);
  return n;
}
