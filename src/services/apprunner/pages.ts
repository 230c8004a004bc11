/** App Runner's NextToken: an opaque position in a list (the last row's sequence number). */
import { invalidRequest } from './errors.js';

export const pageToken = (seq: number) => Buffer.from(`apprunner:${seq}`).toString('base64');

export function readToken(token: string | undefined, none = 0): number {
  if (!token) return none;
  const m = /^apprunner:(\d+)$/.exec(Buffer.from(token, 'base64').toString());
  if (!m) throw invalidRequest('Invalid NextToken.');
  return Number(m[1]);
}
