/**
 * ECS list pagination: an opaque nextToken carrying the position after the last
 * item returned. A token that does not decode is an InvalidParameterException.
 */
import { invalidParameter } from './errors.js';

export function pageSize(maxResults: number | undefined, max: number): number {
  if (maxResults === undefined) return max;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw invalidParameter(`maxResults must be between 1 and ${max}.`);
  }
  return maxResults;
}

export function encodeNextToken(position: number | string): string {
  return Buffer.from(JSON.stringify({ p: position }), 'utf8').toString('base64');
}

export function decodeNextToken(token: string | undefined): number;
export function decodeNextToken<T extends number | string>(token: string | undefined, initial: T): T;
export function decodeNextToken(token: string | undefined, initial: number | string = 0): number | string {
  if (!token) return initial;
  try {
    const { p } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (typeof p === typeof initial) return p;
  } catch { /* fall through */ }
  throw invalidParameter('Invalid nextToken.');
}
