/**
 * Checks parsed input against the model before any provider runs: required members
 * present, values of the declared type, and, for services whose frontends enforce them,
 * the model's enum, pattern, length and range constraints (constraints.ts). Messages
 * follow the wording of AWS's frontends:
 *   1 validation error detected: Value null at 'family' failed to satisfy
 *   constraint: Member must not be null
 *   2 validation errors detected: Value 'SOMETHING' at 'launchType' failed to satisfy
 *   constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]; Value '51' at …
 * Those frontends write member paths in camelCase (`roleName` for IAM's RoleName), list
 * items as `tags.1.member.key`, and report a list or map of simple values once, at the
 * list, with every rule of its members ("Member must satisfy constraint: [...]").
 */
import { AwsError } from './errors.js';
import {
  constraintsFor, enforcesConstraints, frontendFor, MISSING, operationLeftToProvider, patternOf, type Constraint, type ServiceConstraints,
} from './constraints.js';
import type { Shape, StructureShape } from './schema.js';

export interface Violation {
  kind: 'missing' | 'type' | 'constraint';
  path: string;
  message: string;
  /** the broken rule alone (constraint violations), for frontends that word it differently */
  rule?: string;
}

const MAX_VIOLATIONS = 10;

interface Walk {
  out: Violation[];
  cons: ServiceConstraints | null;
  camel: boolean;
}

/**
 * `service` (Berth's service id) turns on the constraints its frontend enforces, except for an
 * `operation` whose constraints are all left to its provider; without it only required members
 * and types are checked, with member names as the model spells them.
 */
export function validateInput(shape: StructureShape, input: Record<string, unknown>, service?: string, operation?: string): Violation[] {
  const cons = operationLeftToProvider(service, operation) ? null : constraintsFor(service);
  const walk: Walk = { out: [], cons, camel: enforcesConstraints(service) };
  checkStructure(shape, input, '', walk, 0);
  return walk.out;
}

export function violationMessage(violations: Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map((v) => v.message).join('; ')}`;
}

/** The error a service's frontend answers for these violations. */
export function inputError(service: string, operation: string, fallbackCode: string, violations: Violation[]): AwsError {
  const missing = violations.filter((v) => v.kind === 'missing');
  const words = missing.length ? frontendFor(service, operation)?.missing : undefined;
  if (words) return new AwsError('MissingParameter', MISSING[words](missing.map((v) => queryPath(v.path))), { status: 400 });
  const fe = violations.some((v) => v.kind === 'constraint') ? frontendFor(service, operation) : undefined;
  if (fe?.style === 'ecr') {
    const v = violations.find((x) => x.kind === 'constraint')!;
    return new AwsError(fe.code, `Invalid parameter at '${v.path}' failed to satisfy constraint: '${v.rule}'`, { status: 400 });
  }
  return new AwsError(fe?.code ?? fallbackCode, violationMessage(violations), { status: 400 });
}

/** A member path as the query protocol names it: `metricData.2.member.dimensions` → `MetricData.member.2.Dimensions`. */
function queryPath(path: string): string {
  return path.replace(/(^|\.)(\d+)\.member(?=\.|$)/g, '$1member.$2').split('.')
    .map((s) => (!s || s === 'member' || /^\d+$/.test(s) ? s : s[0].toUpperCase() + s.slice(1))).join('.');
}

const lowerFirst = (s: string) => (s && s[0] >= 'A' && s[0] <= 'Z' ? s[0].toLowerCase() + s.slice(1) : s);

function at(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function checkStructure(shape: StructureShape, value: Record<string, unknown>, path: string, walk: Walk, depth: number) {
  const { out } = walk;
  for (const name of shape.required) {
    const v = value[name];
    if (v === undefined || v === null) {
      const p = at(path, walk.camel ? lowerFirst(name) : name);
      out.push({ kind: 'missing', path: p, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` });
    }
  }
  const table = walk.cons?.of(shape);
  for (const key in value) {
    const v = value[key];
    if (v === undefined || v === null) continue;
    const member = shape.byName.get(key);
    if (!member) continue;
    const p = at(path, walk.camel ? lowerFirst(key) : key);
    check(member.shape, v, p, walk, depth + 1, table?.[key], !!member.traits.sensitive);
    if (out.length >= MAX_VIOLATIONS) return;
  }
}

function typeError(out: Violation[], path: string, value: unknown, expected: string) {
  out.push({ kind: 'type', path, message: `Value ${describe(value)} at '${path}' failed to satisfy constraint: Member must be ${expected}` });
}

/** A short rendering of a value, without serializing it whole (it may be huge or deeply nested). */
function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.slice(0, 64)}'`;
  if (Array.isArray(value)) return `[list of ${value.length}]`;
  if (value && typeof value === 'object') return '{structure}';
  return String(value);
}

function check(shape: Shape, value: unknown, path: string, walk: Walk, depth: number, c: Constraint | undefined, sensitive: boolean): void {
  const { out } = walk;
  if (depth > 64) return typeError(out, path, '…', 'nested less deeply');
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') return typeError(out, path, value, 'a string');
      if (c) checkSimple(walk, c, value, path, sensitive);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeError(out, path, value, 'a number');
      if (c) checkSimple(walk, c, value, path, sensitive);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') typeError(out, path, value, 'a boolean');
      return;
    case 'timestamp':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) typeError(out, path, value, 'a timestamp');
      return;
    case 'blob':
      if (!(value instanceof Uint8Array) && typeof value !== 'string') return typeError(out, path, value, 'a blob');
      if (c?.l && value instanceof Uint8Array) checkSimple(walk, c, value, path, sensitive);
      return;
    case 'list': {
      if (!Array.isArray(value)) return typeError(out, path, value, 'a list');
      if (c?.l) checkSimple(walk, c, value, path, sensitive);
      const item = shape.member.shape;
      const simpleItems = c?.m && isSimple(item);
      if (simpleItems && value.some((x) => x !== null && x !== undefined && brokenRules(walk, c.m!, x).length)) {
        out.push(violation(`Member must satisfy constraint: [${allRules(walk, c.m!).join(', ')}]`, value, path, sensitive));
      }
      for (let i = 0; i < value.length && out.length < MAX_VIOLATIONS; i++) {
        const x = value[i];
        const p = `${path}.${i + 1}.member`;
        if (x === null || x === undefined) {
          out.push({ kind: 'missing', path: p, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` });
        } else check(item, x, p, walk, depth + 1, simpleItems ? undefined : c?.m, sensitive);
      }
      return;
    }
    case 'map': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return typeError(out, path, value, 'a map');
      const entries = Object.entries(value);
      if (c?.l) checkSimple(walk, c, entries, path, sensitive, value);
      if (c?.k && entries.some(([k]) => brokenRules(walk, c.k!, k).length)) {
        out.push(violation(`Map keys must satisfy constraint: [${allRules(walk, c.k).join(', ')}]`, value, path, sensitive));
      }
      const simpleValues = c?.v && isSimple(shape.value.shape);
      if (simpleValues && entries.some(([, v]) => v !== null && v !== undefined && brokenRules(walk, c.v!, v).length)) {
        out.push(violation(`Map value must satisfy constraint: [${allRules(walk, c.v!).join(', ')}]`, value, path, sensitive));
      }
      for (const [k, v] of entries) {
        if (v === null || v === undefined) continue;
        check(shape.value.shape, v, `${path}.${k}`, walk, depth + 1, simpleValues ? undefined : c?.v, sensitive);
        if (out.length >= MAX_VIOLATIONS) return;
      }
      return;
    }
    case 'structure':
      if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
        return typeError(out, path, value, 'a structure');
      }
      return checkStructure(shape, value as Record<string, unknown>, path, walk, depth);
    default:
      return;
  }
}

const isSimple = (s: Shape) => s.kind !== 'structure' && s.kind !== 'list' && s.kind !== 'map';

/** Reports each rule a value breaks as its own violation. `shown` is what the message echoes (a map's object, not its entries). */
function checkSimple(walk: Walk, c: Constraint, value: unknown, path: string, sensitive: boolean, shown: unknown = value) {
  for (const rule of brokenRules(walk, c, value)) walk.out.push(violation(rule, shown, path, sensitive));
}

function violation(rule: string, value: unknown, path: string, sensitive: boolean): Violation {
  const shown = sensitive ? '' : ` '${render(value)}'`;
  return { kind: 'constraint', path, rule, message: `Value${shown} at '${path}' failed to satisfy constraint: ${rule}` };
}

const maxLen = (n: number) => `Member must have length less than or equal to ${n}`;
const minLen = (n: number) => `Member must have length greater than or equal to ${n}`;
const maxVal = (n: number, c: Constraint) => `Member must have value less than or equal to ${num(n, c)}`;
const minVal = (n: number, c: Constraint) => `Member must have value greater than or equal to ${num(n, c)}`;
const patternRule = (c: Constraint) => `Member must satisfy regular expression pattern: ${c.p}`;
const enumRule = (walk: Walk, c: Constraint) => `Member must satisfy enum value set: [${walk.cons!.enums[c.e!].join(', ')}]`;

/** Java prints a float's whole values with ".0". */
const num = (n: number, c: Constraint) => (c.f && Number.isInteger(n) ? `${n}.0` : String(n));

/** Every rule of a constraint, in the order AWS lists them inside "Member must satisfy constraint: [...]". */
function allRules(walk: Walk, c: Constraint): string[] {
  const rules: string[] = [];
  if (c.l?.[1] != null) rules.push(maxLen(c.l[1]));
  if (c.l?.[0] != null) rules.push(minLen(c.l[0]));
  if (c.r?.[1] != null) rules.push(maxVal(c.r[1], c));
  if (c.r?.[0] != null) rules.push(minVal(c.r[0], c));
  if (c.p !== undefined) rules.push(patternRule(c));
  if (c.e !== undefined) rules.push(enumRule(walk, c));
  return rules;
}

function brokenRules(walk: Walk, c: Constraint, value: unknown): string[] {
  const rules: string[] = [];
  if (c.l) {
    const n = lengthOf(value, c.l);
    if (n !== undefined) {
      if (c.l[1] != null && n > c.l[1]) rules.push(maxLen(c.l[1]));
      if (c.l[0] != null && n < c.l[0]) rules.push(minLen(c.l[0]));
    }
  }
  if (c.r && typeof value === 'number') {
    if (c.r[1] != null && value > c.r[1]) rules.push(maxVal(c.r[1], c));
    if (c.r[0] != null && value < c.r[0]) rules.push(minVal(c.r[0], c));
  }
  if (typeof value === 'string') {
    if (c.p !== undefined && !patternOf(c).test(value)) rules.push(patternRule(c));
    if (c.e !== undefined && !walk.cons!.enums[c.e].includes(value)) rules.push(enumRule(walk, c));
  }
  return rules;
}

/** Strings count code points (what the model's length means); lists and map entries count items; blobs bytes. */
function lengthOf(value: unknown, [min, max]: [number | null, number | null]): number | undefined {
  if (typeof value === 'string') {
    const n = value.length;
    // UTF-16 units ≥ code points: count code points only when the unit count could be misleading.
    if ((max != null && n > max) || (min != null && n >= min && n < 2 * min)) return codePoints(value);
    return n;
  }
  if (Array.isArray(value)) return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  return undefined;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
  }
  return n;
}

/** A value as AWS's (Java) frontends print it: lists [a, b], maps {k=v}, blobs as their ByteBuffer. */
function render(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (depth > 8) return '…';
  if (Array.isArray(value)) return `[${value.map((x) => render(x, depth + 1)).join(', ')}]`;
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${render(v, depth + 1)}`).join(', ')}}`;
  }
  return String(value);
}
