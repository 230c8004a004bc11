/**
 * EC2's Describe* filters: `Filter.N.Name` / `Filter.N.Value.M`. Filters AND
 * together, the values of one filter OR together; a value may use `*` (any
 * run of characters) and `?` (one character), escaped with a backslash.
 * Matching is case-sensitive. `tag:<key>`, `tag-key` and `tag-value` work on
 * every taggable resource. An unknown filter name is refused, as EC2 does.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Filtering.html
 */
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { invalidParameterValue } from './errors.js';

export type FieldValue = string | number | boolean | undefined | null;

/** Filter name → the values an item has for it (a list when the item has several). */
export type FilterFields<T> = Record<string, (item: T) => FieldValue | readonly FieldValue[]>;

const SPECIAL = /[.+^${}()|[\]\\]/;

export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i];
      out += SPECIAL.test(next) || next === '*' || next === '?' ? `\\${next}` : next;
    } else if (ch === '*') out += '[\\s\\S]*';
    else if (ch === '?') out += '[\\s\\S]';
    else out += SPECIAL.test(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(`^${out}$`);
}

function matcher(pattern: string): (value: string) => boolean {
  if (!/[*?\\]/.test(pattern)) return (v) => v === pattern;
  const re = globToRegExp(pattern);
  return (v) => re.test(v);
}

function asStrings(v: FieldValue | readonly FieldValue[]): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is string | number | boolean => x !== undefined && x !== null).map(String);
}

type Compiled<T> = (item: T) => boolean;

/**
 * A predicate for `filters` over items described by `fields`. Throws
 * InvalidParameterValue for a filter name the resource does not support.
 */
export function compileFilters<T>(
  filters: Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf?: (item: T) => Tag[] | undefined,
): Compiled<T> {
  const tests: Compiled<T>[] = [];
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const values = f.Values ?? [];
    let read: ((item: T) => string[]) | undefined;
    if (tagsOf && name.startsWith('tag:')) {
      const key = name.slice(4);
      read = (item) => (tagsOf(item) ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? '');
    } else if (tagsOf && name === 'tag-key') {
      read = (item) => (tagsOf(item) ?? []).map((t) => t.Key ?? '');
    } else if (tagsOf && name === 'tag-value') {
      read = (item) => (tagsOf(item) ?? []).map((t) => t.Value ?? '');
    } else if (Object.hasOwn(fields, name)) {
      const field = fields[name];
      read = (item) => asStrings(field(item));
    }
    if (!read) throw invalidParameterValue(`The filter '${f.Name ?? 'null'}' is invalid`);
    // A filter without values constrains nothing.
    if (!values.length) continue;
    const matchers = values.map(matcher);
    const get = read;
    tests.push((item) => get(item).some((v) => matchers.some((m) => m(v))));
  }
  return (item) => tests.every((t) => t(item));
}

export const bool = (v: boolean | undefined) => (v ? 'true' : 'false');
