/**
 * A statement's Condition block against the request context (issue 23): every
 * operator must hold, within an operator every key, and a key holds when the
 * request's value matches any of the policy's values. `…IfExists` holds when
 * the key is absent; `ForAllValues:`/`ForAnyValue:` compare multivalued keys
 * (aws:TagKeys) as sets; negated operators hold when no value matches.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { BlockList, isIP } from 'node:net';
import { arnMatch, globMatch, substitute, type VariableLookup } from './match.js';

/** A request's condition keys: names compare regardless of case (aws:SourceIp = aws:sourceip). */
export type ContextValue = string | string[] | boolean | number;
export type RequestContext = Map<string, ContextValue>;

/** Builds a context from plain entries, lower-casing the key names as lookups expect. */
export function contextOf(entries: Record<string, ContextValue | undefined>): RequestContext {
  const m: RequestContext = new Map();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) m.set(k.toLowerCase(), v);
  return m;
}

export type Conditions = Record<string, Record<string, unknown>>;

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map((x) => String(x));

type Compare = (policy: string, request: string) => boolean;

const num = (s: string) => (s.trim() === '' ? NaN : Number(s));
function date(s: string): number {
  // Dates are ISO 8601 or epoch seconds.
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  return Date.parse(s);
}
function ipIn(cidr: string, ip: string): boolean {
  const family = isIP(ip);
  if (!family) return false;
  const [addr, bits] = cidr.split('/');
  const cFamily = isIP(addr);
  if (!cFamily || cFamily !== family) return false;
  const list = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  try {
    list.addSubnet(addr, bits === undefined ? (family === 6 ? 128 : 32) : Number(bits), type);
  } catch {
    return false;
  }
  return list.check(ip, type);
}
const numeric = (f: (a: number, b: number) => boolean): Compare => (p, r) => {
  const a = num(r);
  const b = num(p);
  return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
};
const dated = (f: (a: number, b: number) => boolean): Compare => (p, r) => {
  const a = date(r);
  const b = date(p);
  return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
};

/** Base operators: [comparison, negated]. A negated operator holds when the positive one matches none. */
const OPERATORS: Record<string, [Compare, boolean]> = {
  stringequals: [(p, r) => p === r, false],
  stringnotequals: [(p, r) => p === r, true],
  stringequalsignorecase: [(p, r) => p.toLowerCase() === r.toLowerCase(), false],
  stringnotequalsignorecase: [(p, r) => p.toLowerCase() === r.toLowerCase(), true],
  stringlike: [(p, r) => globMatch(p, r), false],
  stringnotlike: [(p, r) => globMatch(p, r), true],
  numericequals: [numeric((a, b) => a === b), false],
  numericnotequals: [numeric((a, b) => a === b), true],
  numericlessthan: [numeric((a, b) => a < b), false],
  numericlessthanequals: [numeric((a, b) => a <= b), false],
  numericgreaterthan: [numeric((a, b) => a > b), false],
  numericgreaterthanequals: [numeric((a, b) => a >= b), false],
  dateequals: [dated((a, b) => a === b), false],
  datenotequals: [dated((a, b) => a === b), true],
  datelessthan: [dated((a, b) => a < b), false],
  datelessthanequals: [dated((a, b) => a <= b), false],
  dategreaterthan: [dated((a, b) => a > b), false],
  dategreaterthanequals: [dated((a, b) => a >= b), false],
  bool: [(p, r) => p.toLowerCase() === r.toLowerCase(), false],
  binaryequals: [(p, r) => p === r, false],
  ipaddress: [(p, r) => ipIn(p, r), false],
  notipaddress: [(p, r) => ipIn(p, r), true],
  arnequals: [(p, r) => arnMatch(p, r), false],
  arnlike: [(p, r) => arnMatch(p, r), false],
  arnnotequals: [(p, r) => arnMatch(p, r), true],
  arnnotlike: [(p, r) => arnMatch(p, r), true],
};

/** An operator Berth does not know: the statement cannot match (IAM refuses such policies when they are stored). */
export class UnknownConditionOperator extends Error {}

export function conditionsHold(conditions: Conditions | undefined, ctx: RequestContext, vars: VariableLookup): boolean {
  if (!conditions) return true;
  for (const [rawOp, block] of Object.entries(conditions)) {
    if (!operatorHolds(rawOp, block ?? {}, ctx, vars)) return false;
  }
  return true;
}

function operatorHolds(rawOp: string, block: Record<string, unknown>, ctx: RequestContext, vars: VariableLookup): boolean {
  let op = rawOp.toLowerCase();
  let set: 'all' | 'any' | undefined;
  if (op.startsWith('forallvalues:')) { set = 'all'; op = op.slice(13); }
  else if (op.startsWith('foranyvalue:')) { set = 'any'; op = op.slice(12); }
  let ifExists = false;
  if (op.endsWith('ifexists')) { ifExists = true; op = op.slice(0, -8); }
  for (const [key, policyValue] of Object.entries(block)) {
    const present = ctx.get(key.toLowerCase());
    if (op === 'null') {
      // Null: true means "the key is absent", false "the key is present".
      const wantAbsent = asList(policyValue).some((v) => v.toLowerCase() === 'true');
      const absent = present === undefined || (Array.isArray(present) && present.length === 0);
      if (wantAbsent !== absent) return false;
      continue;
    }
    const base = OPERATORS[op];
    if (!base) throw new UnknownConditionOperator(rawOp);
    const [compare, negated] = base;
    const policyValues = asList(policyValue).map((v) => (op.startsWith('string') || op.startsWith('arn') ? substitute(v, vars) : v))
      .filter((v): v is string => v !== undefined);
    if (present === undefined) {
      if (set === 'all') continue; // ForAllValues over no values holds.
      if (set === 'any') return false;
      if (ifExists || negated) continue;
      return false;
    }
    const requestValues = asList(present);
    const matchesOne = (r: string) => policyValues.some((p) => compare(p, r));
    const holdsFor = (r: string) => (negated ? !matchesOne(r) : matchesOne(r));
    let ok: boolean;
    if (set === 'all') ok = requestValues.every(holdsFor);
    else if (set === 'any') ok = requestValues.some(holdsFor);
    else ok = negated ? requestValues.every(holdsFor) : requestValues.some(holdsFor);
    if (!ok) return false;
  }
  return true;
}
