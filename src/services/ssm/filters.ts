/**
 * ParameterStringFilter (DescribeParameters, GetParametersByPath) and the legacy
 * ParametersFilter. Not every key is valid for both operations:
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParameterStringFilter.html
 */
import type { ParametersFilter, ParameterStringFilter } from '@aws-sdk/client-ssm';
import { getTags } from '../../state/tags.js';
import { invalidFilterKey, invalidFilterOption, invalidFilterValue, validation } from './errors.js';
import { isUnderPath, parameterArn } from './names.js';
import type { Scope, StoredVersion } from './store.js';

export type FilterUse = 'describe' | 'by-path';

const KEYS: Record<FilterUse, string[]> = {
  describe: ['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType'],
  'by-path': ['Type', 'KeyId', 'Label'],
};

const OPTIONS: Record<string, string[]> = {
  Name: ['Equals', 'BeginsWith', 'Contains'],
  Type: ['Equals', 'BeginsWith'],
  KeyId: ['Equals', 'BeginsWith'],
  Path: ['Recursive', 'OneLevel'],
  Tier: ['Equals'],
  DataType: ['Equals'],
  Label: ['Equals'],
  tag: ['Equals'],
};

export interface Candidate {
  /** The latest version (or, with a Label filter, the labelled one). */
  version: StoredVersion;
  all: StoredVersion[];
}

/** Checks keys and options as SSM does, before anything is read. */
export function checkFilters(filters: ParameterStringFilter[] | undefined, use: FilterUse): void {
  for (const f of filters ?? []) {
    const key = f.Key ?? '';
    const base = key.startsWith('tag:') && use === 'describe' ? 'tag' : key;
    if (base !== 'tag' && !KEYS[use].includes(key)) {
      // The message lists the keys every caller may use, as SSM's does.
      throw invalidFilterKey(key, use === 'by-path' ? ['Type', 'KeyId'] : [...KEYS.describe, 'tag:<key>']);
    }
    const options = OPTIONS[base];
    if (f.Option !== undefined && !options.includes(f.Option)) throw invalidFilterOption(f.Option, options);
    if (base !== 'tag' && !f.Values?.length) throw invalidFilterValue(`The following filter values are missing : null for filter key ${key}.`);
    if (base === 'Path') for (const v of f.Values ?? []) if (!v.startsWith('/')) throw invalidFilterValue(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". Value: ${v}`);
  }
}

function textMatches(actual: string | undefined, option: string, values: string[]): boolean {
  if (actual === undefined) return false;
  if (option === 'BeginsWith') return values.some((v) => actual.startsWith(v));
  if (option === 'Contains') return values.some((v) => actual.includes(v));
  return values.includes(actual);
}

/** Whether a parameter passes every filter; a Label filter also picks the version returned. */
export function applyFilters(s: Scope, c: Candidate, filters: ParameterStringFilter[] | undefined): Candidate | undefined {
  let picked = c.version;
  for (const f of filters ?? []) {
    const key = f.Key!;
    const option = f.Option ?? (key === 'Path' ? 'OneLevel' : 'Equals');
    const values = f.Values ?? [];
    const v = c.version;
    let ok: boolean;
    if (key === 'Name') {
      // Name filters compare fully qualified names either way round.
      ok = textMatches(v.name, option, values) || textMatches(v.name, option, values.map((x) => (x.startsWith('/') ? x.slice(1) : `/${x}`)));
    } else if (key === 'Type') ok = textMatches(v.type, option, values);
    else if (key === 'KeyId') ok = textMatches(v.keyId, option, values);
    else if (key === 'Tier') ok = values.includes(v.tier);
    else if (key === 'DataType') ok = values.includes(v.dataType);
    else if (key === 'Path') ok = values.some((p) => isUnderPath(v.name, p, option === 'Recursive'));
    else if (key === 'Label') {
      const labelled = [...c.all].reverse().find((x) => x.labels.some((l) => values.includes(l)));
      ok = !!labelled;
      if (labelled) picked = labelled;
    } else {
      const tagKey = key.slice('tag:'.length);
      const tag = getTags(s, parameterArn(s, v.name)).find((t) => t.key === tagKey);
      ok = !!tag && (values.length === 0 || values.includes(tag.value));
    }
    if (!ok) return undefined;
  }
  return { ...c, version: picked };
}

/** The deprecated ParametersFilter (Name, Type, KeyId), as ParameterStringFilters. */
export function legacyFilters(filters: ParametersFilter[] | undefined): ParameterStringFilter[] {
  return (filters ?? []).map((f) => {
    if (!['Name', 'Type', 'KeyId'].includes(f.Key ?? '')) {
      throw validation(`1 validation error detected: Value '${f.Key}' at 'filters.1.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Name, Type, KeyId]`);
    }
    // The legacy Name filter matches name prefixes.
    return { Key: f.Key, Option: f.Key === 'Name' ? 'BeginsWith' : 'Equals', Values: f.Values };
  });
}
