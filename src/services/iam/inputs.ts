/**
 * IAM's input constraints (the model carries types, not lengths or patterns;
 * these are from the IAM API reference) and its Marker/MaxItems pagination.
 */
import type { Tag } from '@aws-sdk/client-iam';
import { constraint, invalidInput, limitExceeded, validation } from './errors.js';

const NAME_RE = /^[\w+=,.@-]+$/;
// (\u002F)|(\u002F[\u0021-\u007E]+\u002F)
const PATH_RE = /^(\/|\/[\u0021-\u007E]+\/)$/;
const PATH_PREFIX_RE = /^\/[\u0021-\u007F]*$/;
const DESCRIPTION_RE = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;
const TAG_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const MAX_TAGS = 50;

export function checkLength(value: string, member: string, min: number, max: number) {
  if (value.length < min) throw constraint(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw constraint(value, member, `Member must have length less than or equal to ${max}`);
}

export function checkName(value: string, member: string, max: number) {
  checkLength(value, member, 1, max);
  if (!NAME_RE.test(value)) throw constraint(value, member, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

export function checkPath(value: string | undefined, member = 'path'): string {
  if (value === undefined) return '/';
  checkLength(value, member, 1, 512);
  if (!PATH_RE.test(value)) throw constraint(value, member, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return value;
}

export function checkPathPrefix(value: string | undefined): string {
  if (value === undefined) return '/';
  checkLength(value, 'pathPrefix', 1, 512);
  if (!PATH_PREFIX_RE.test(value)) throw constraint(value, 'pathPrefix', 'Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*');
  return value;
}

export function checkDescription(value: string | undefined) {
  if (value === undefined) return;
  checkLength(value, 'description', 0, 1000);
  if (!DESCRIPTION_RE.test(value)) {
    throw constraint(value, 'description', 'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*');
  }
}

export function checkPolicyText(value: string, member: string) {
  checkLength(value, member, 1, 131072);
}

/** Tag keys are unique regardless of case; at most 50 per resource. */
export function checkTags(tags: Tag[] | undefined): Tag[] {
  if (!tags?.length) return [];
  if (tags.length > MAX_TAGS) throw constraint(`[${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}]`, 'tags', `Member must have length less than or equal to ${MAX_TAGS}`);
  const seen = new Set<string>();
  for (const t of tags) {
    const key = t.Key ?? '';
    checkLength(key, 'tags.member.key', 1, 128);
    if (!TAG_RE.test(key)) throw constraint(key, 'tags.member.key', 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+');
    const value = t.Value ?? '';
    checkLength(value, 'tags.member.value', 0, 256);
    if (!TAG_RE.test(value)) throw constraint(value, 'tags.member.value', 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*');
    if (seen.has(key.toLowerCase())) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
  }
  return tags;
}

export const tooManyTags = () => limitExceeded(`The number of tags has reached the maximum limit of ${MAX_TAGS}.`);

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/**
 * One page of `all`, listed in the order of their keys: `Marker` resumes after
 * the item whose key it names, so a page stays right when items are added or
 * removed between calls. MaxItems defaults to 100 (1..1000).
 */
export function paginate<T>(all: T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined): Page<T> {
  const items = all.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const max = maxItems ?? 100;
  let start = 0;
  if (marker !== undefined) {
    let after: string;
    try {
      after = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')).after;
    } catch {
      throw validation('Invalid Marker.');
    }
    if (typeof after !== 'string') throw validation('Invalid Marker.');
    start = items.findIndex((i) => i.key > after);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const truncated = start + max < items.length;
  return {
    items: slice.map((i) => i.item),
    IsTruncated: truncated,
    ...(truncated ? { Marker: Buffer.from(JSON.stringify({ after: slice[slice.length - 1].key })).toString('base64url') } : {}),
  };
}
