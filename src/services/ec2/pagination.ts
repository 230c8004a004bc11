/**
 * EC2 pagination: MaxResults (an operation-specific range, usually 5–1000;
 * absent means "everything") and an opaque NextToken holding the sequence
 * number of the last item returned, so a page boundary survives deletes.
 */
import { invalidPaginationToken, invalidParameterValue } from './errors.js';

export interface PageInput {
  MaxResults?: number;
  NextToken?: string;
}

export interface PageLimits {
  min: number;
  max: number;
}

export const DEFAULT_LIMITS: PageLimits = { min: 5, max: 1000 };

export function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq }), 'utf8').toString('base64');
}

export function decodeToken(token: string): number {
  try {
    const { s } = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (Number.isInteger(s)) return s;
  } catch { /* fall through */ }
  throw invalidPaginationToken();
}

export function checkMaxResults(max: number | undefined, limits: PageLimits): void {
  if (max === undefined) return;
  // EC2's wording, including "greater than" for the inclusive minimum.
  if (max < limits.min) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value greater than ${limits.min}.`);
  if (max > limits.max) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value less than ${limits.max}.`);
}

/** One page of `items` (already filtered, in seq order). */
export function paginate<T>(
  items: readonly T[],
  seqOf: (item: T) => number,
  input: PageInput,
  limits: PageLimits = DEFAULT_LIMITS,
): { page: T[]; NextToken?: string } {
  checkMaxResults(input.MaxResults, limits);
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const rest = after === undefined ? items : items.filter((i) => seqOf(i) > after);
  if (input.MaxResults === undefined || rest.length <= input.MaxResults) return { page: [...rest] };
  const page = rest.slice(0, input.MaxResults);
  return { page, NextToken: encodeToken(seqOf(page[page.length - 1])) };
}
