/**
 * Event patterns: compiled once from their JSON text, then matched against events.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *
 * A pattern is an object whose fields are either nested patterns or arrays of match values (OR'd); fields are AND'd;
 * `$or` holds two or more alternative patterns. Match values: exact strings, numbers, booleans and null; objects
 * naming one operator — `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but` (a value, a list, or
 * `prefix`/`suffix`/`equals-ignore-case`/`wildcard`), `numeric` (comparisons, a range with two), `exists`, `cidr`.
 * An event field holding an array matches when one of its elements does (arrays of objects too).
 * Refusals use the wording of AWS's own matcher (event-ruler), after EventBridge's "Event pattern is not valid. Reason:".
 */
import { AwsError } from '../../protocol/errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type Matcher =
  | { op: 'exact'; value: string | number | boolean | null }
  | { op: 'prefix' | 'suffix' | 'equals-ignore-case' | 'wildcard'; value: string; ignoreCase?: boolean }
  | { op: 'anything-but'; values: (string | number)[]; ignoreCase?: boolean }
  | { op: 'anything-but-prefix' | 'anything-but-suffix'; value: string }
  | { op: 'anything-but-wildcard'; values: string[] }
  | { op: 'numeric'; checks: [string, number][] }
  | { op: 'exists'; value: boolean }
  | { op: 'cidr'; range: IpRange };

export interface PatternNode {
  fields: [name: string, value: PatternNode | Matcher[]][];
  /** `$or` groups: each an array of alternatives, one of which must match. */
  ors: PatternNode[][];
}

interface IpRange { v6: boolean; base: bigint; mask: bigint }

export const invalidPattern = (reason: string) => new AwsError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);

/** Compiles a pattern's text, refusing it as EventBridge does. */
export function compilePattern(text: string): PatternNode {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (err) {
    throw invalidPattern(`Unexpected character or end of input: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw invalidPattern('Filter is not an object');
  return compileObject(json, false);
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

function compileObject(o: { [k: string]: Json }, insideOr: boolean): PatternNode {
  const node: PatternNode = { fields: [], ors: [] };
  const keys = Object.keys(o);
  if (!keys.length) throw invalidPattern('Empty objects are not allowed');
  for (const key of keys) {
    const v = o[key];
    if (key === '$or') {
      if (!Array.isArray(v)) throw invalidPattern('It must be an Array followed with $or.');
      if (v.some((x) => !isObject(x))) throw invalidPattern('Only JSON object is allowed in array of $or relationship.');
      if (v.length < 2) throw invalidPattern('There must have at least 2 Objects in $or relationship.');
      node.ors.push(v.map((x) => compileObject(x as { [k: string]: Json }, true)));
      continue;
    }
    if (isObject(v)) node.fields.push([key, compileObject(v, insideOr)]);
    else if (Array.isArray(v)) node.fields.push([key, compileValues(v)]);
    else throw invalidPattern(`"${key}" must be an object or an array`);
  }
  return node;
}

function compileValues(values: Json[]): Matcher[] {
  if (!values.length) throw invalidPattern('Empty arrays are not allowed');
  return values.map((v): Matcher => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { op: 'exact', value: v };
    if (Array.isArray(v)) throw invalidPattern('Match value must be String, number, true, false, or null');
    return compileOperator(v);
  });
}

const stringOf = (v: Json, what: string): string => {
  if (typeof v !== 'string') throw invalidPattern(`${what} match pattern must be a string`);
  return v;
};

function compileOperator(o: { [k: string]: Json }): Matcher {
  const keys = Object.keys(o);
  if (!keys.length) throw invalidPattern('Match expression name not found');
  if (keys.length > 1) throw invalidPattern('Only one key allowed in match expression');
  const op = keys[0];
  const v = o[op];
  switch (op) {
    case 'prefix':
    case 'suffix': {
      if (isObject(v) && Object.keys(v).length === 1 && 'equals-ignore-case' in v) {
        return { op, value: stringOf(v['equals-ignore-case'], `${op}/equals-ignore-case`), ignoreCase: true };
      }
      return { op, value: stringOf(v, op) };
    }
    case 'equals-ignore-case':
      return { op, value: stringOf(v, 'equals-ignore-case') };
    case 'wildcard': {
      const value = stringOf(v, 'wildcard');
      if (value.includes('**')) throw invalidPattern('Consecutive wildcard characters at pos ' + value.indexOf('**'));
      return { op, value };
    }
    case 'exists':
      if (typeof v !== 'boolean') throw invalidPattern('exists match pattern must be either true or false.');
      return { op, value: v };
    case 'cidr':
      return { op, range: parseCidr(stringOf(v, 'cidr')) };
    case 'numeric':
      return { op, checks: compileNumeric(v) };
    case 'anything-but':
      return compileAnythingBut(v);
    default:
      throw invalidPattern(`Unrecognized match type ${op}`);
  }
}

function compileAnythingBut(v: Json): Matcher {
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length !== 1) throw invalidPattern('Only one key allowed in match expression');
    const [k] = keys;
    const inner = v[k];
    if (k === 'prefix' || k === 'suffix') {
      const text = stringOf(inner, 'prefix/suffix');
      if (!text) throw invalidPattern('Null prefix/suffix not allowed');
      return { op: k === 'prefix' ? 'anything-but-prefix' : 'anything-but-suffix', value: text };
    }
    if (k === 'equals-ignore-case') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (!list.length || list.some((x) => typeof x !== 'string')) {
        throw invalidPattern('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      return { op: 'anything-but', values: list as string[], ignoreCase: true };
    }
    if (k === 'wildcard') {
      const list = Array.isArray(inner) ? inner : [inner];
      if (!list.length || list.some((x) => typeof x !== 'string')) throw invalidPattern('wildcard match pattern must be a string');
      return { op: 'anything-but-wildcard', values: list as string[] };
    }
    throw invalidPattern(`Unsupported anything-but pattern: ${k}`);
  }
  if (typeof v === 'string' || typeof v === 'number') return { op: 'anything-but', values: [v] };
  if (!Array.isArray(v)) throw invalidPattern('Value of anything-but must be an array or single string/number value.');
  const strings = v.every((x) => typeof x === 'string');
  const numbers = v.every((x) => typeof x === 'number');
  if (!v.length || (!strings && !numbers)) {
    if (v.some((x) => x !== null && typeof x === 'object') || v.some((x) => typeof x === 'boolean' || x === null)) {
      throw invalidPattern('Inside anything but list, start|null|boolean is not supported.');
    }
    throw invalidPattern('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return { op: 'anything-but', values: v as (string | number)[] };
}

const COMPARISONS = new Set(['<', '<=', '=', '>', '>=']);

function compileNumeric(v: Json): [string, number][] {
  if (!Array.isArray(v)) throw invalidPattern('Value of numeric must be an array.');
  const checks: [string, number][] = [];
  for (let i = 0; i < v.length; i += 2) {
    const op = v[i];
    const n = v[i + 1];
    if (typeof op !== 'string') throw invalidPattern(`Invalid member in numeric match: ${JSON.stringify(op)}`);
    if (!COMPARISONS.has(op)) throw invalidPattern(`Unrecognized numeric range operator: ${op}`);
    if (typeof n !== 'number') throw invalidPattern(`Value of ${op} must be numeric`);
    checks.push([op, n]);
  }
  if (!checks.length) throw invalidPattern('Invalid member in numeric match: ]');
  if (checks.length > 2) throw invalidPattern('Too many elements in numeric expression');
  if (checks.length === 2) {
    const [[lo], [hi]] = checks;
    if (!(lo === '>' || lo === '>=')) throw invalidPattern('Too many elements in numeric expression');
    if (!(hi === '<' || hi === '<=')) throw invalidPattern(`Bad numeric range operator: ${hi}`);
    if (checks[0][1] >= checks[1][1]) throw invalidPattern('Bottom must be less than top');
  } else if (checks[0][0] === '=' && v.length > 2) throw invalidPattern('Too many elements in numeric expression');
  return checks;
}

function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((a, p) => (a << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(':') || !/^[0-9a-fA-F:]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return { v6: true, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

function parseCidr(text: string): IpRange {
  const [ip, bitsText, extra] = text.split('/');
  const addr = parseIp(ip);
  const width = addr?.v6 ? 128 : 32;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!addr || extra !== undefined || !/^\d+$/.test(bitsText ?? String(width)) || bits > width) {
    throw invalidPattern(`Malformed CIDR, one '/' required`);
  }
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - bits)) - 1n);
  return { v6: addr.v6, base: addr.value & mask, mask };
}

// ---- matching ----

/** Whether an event (or any JSON object) matches a compiled pattern. */
export function matches(pattern: PatternNode, event: unknown): boolean {
  return matchNode(pattern, [event as Json]);
}

/** The values at `key` of each object in `at`, arrays flattened (an event array matches when one element does). */
function step(at: Json[], key: string): Json[] {
  const out: Json[] = [];
  for (const o of at) {
    if (!isObject(o) || !(key in o)) continue;
    flattenInto(o[key], out);
  }
  return out;
}

function flattenInto(v: Json, out: Json[]) {
  if (Array.isArray(v)) for (const x of v) flattenInto(x, out);
  else out.push(v);
}

function matchNode(node: PatternNode, at: Json[]): boolean {
  for (const [key, sub] of node.fields) {
    const values = step(at, key);
    const ok = Array.isArray(sub) ? matchLeaf(sub, values) : matchNode(sub, values.filter(isObject));
    if (!ok) return false;
  }
  return node.ors.every((alternatives) => alternatives.some((alt) => matchNode(alt, at)));
}

function matchLeaf(matchers: Matcher[], values: Json[]): boolean {
  const leaves = values.filter((v) => !isObject(v));
  return matchers.some((m) => {
    if (m.op === 'exists') return m.value ? leaves.length > 0 : values.length === 0;
    return leaves.some((v) => matchValue(m, v));
  });
}

function matchValue(m: Matcher, v: Json): boolean {
  switch (m.op) {
    case 'exact':
      return typeof m.value === 'number' && typeof v === 'number' ? m.value === v : m.value === v;
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().startsWith(m.value.toLowerCase()) : v.startsWith(m.value));
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().endsWith(m.value.toLowerCase()) : v.endsWith(m.value));
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === m.value.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && wildcard(m.value, v);
    case 'anything-but':
      if (m.ignoreCase) return typeof v === 'string' && !m.values.some((x) => String(x).toLowerCase() === v.toLowerCase());
      return !m.values.some((x) => x === v);
    case 'anything-but-prefix':
      return typeof v === 'string' && !v.startsWith(m.value);
    case 'anything-but-suffix':
      return typeof v === 'string' && !v.endsWith(m.value);
    case 'anything-but-wildcard':
      return typeof v === 'string' && !m.values.some((w) => wildcard(w, v));
    case 'numeric':
      return typeof v === 'number' && m.checks.every(([op, n]) => compare(op, v, n));
    case 'cidr': {
      const ip = typeof v === 'string' ? parseIp(v) : undefined;
      return !!ip && ip.v6 === m.range.v6 && (ip.value & m.range.mask) === m.range.base;
    }
  }
  return false;
}

function compare(op: string, v: number, n: number): boolean {
  switch (op) {
    case '<': return v < n;
    case '<=': return v <= n;
    case '=': return v === n;
    case '>': return v > n;
    default: return v >= n;
  }
}

/** `*` matches any run of characters; `\*` is a literal star, `\\` a backslash. */
function wildcard(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) re += '\\' + pattern[++i];
    else if (c === '*') re += '.*';
    else re += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(value);
}
