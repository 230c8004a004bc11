/**
 * Intrinsic functions, condition functions and references, evaluated against a stack's parameters, pseudo
 * parameters, mappings, conditions and the resources made so far; and the references a value makes (its implicit
 * dependencies). https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
import { templateError, validationError } from './errors.js';
import type { Template } from './template.js';

/** `Ref: AWS::NoValue`: the property (or list element) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface EvalEnv {
  /** Parameter values (lists as arrays) and pseudo parameters (`AWS::Region` …). */
  refs: Record<string, unknown>;
  mappings: Template['Mappings'];
  conditions: Record<string, boolean>;
  /** A resource's Ref value (its physical id, or what its type returns); throws while it has none. */
  resourceRef(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  importValue(name: string): string;
  /** The region's Availability Zones (Fn::GetAZs). */
  zones: string[];
}

/** Thrown for a value that cannot be evaluated: the message is CloudFormation's. */
export class EvalError extends Error {}

const fail = (message: string): never => {
  throw new EvalError(message);
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The single key of a function object (`{ "Fn::Join": … }`), or undefined for a plain object. */
function fnKey(v: Record<string, unknown>): string | undefined {
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::')) ? keys[0] : undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : fail(`Template error: expected a string, found ${JSON.stringify(v)}`));

/** `value` with every function evaluated; `Ref: AWS::NoValue` members and elements removed. */
export function evaluate(value: unknown, env: EvalEnv): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, env)).filter((v) => v !== NO_VALUE);
  if (!isObject(value)) return value;
  const key = fnKey(value);
  if (!key) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const e = evaluate(v, env);
      if (e !== NO_VALUE) out[k] = e;
    }
    return out;
  }
  const arg = value[key];
  switch (key) {
    case 'Ref': {
      const name = str(arg);
      if (name === 'AWS::NoValue') return NO_VALUE;
      if (name in env.refs) return env.refs[name];
      return env.resourceRef(name);
    }
    case 'Condition':
      return conditionValue(str(arg), env);
    case 'Fn::GetAtt': {
      const [id, ...rest] = Array.isArray(arg) ? arg : str(arg).split('.');
      return env.getAtt(str(id), rest.map((x) => str(evaluate(x, env))).join('.'));
    }
    case 'Fn::Sub':
      return sub(arg, env);
    case 'Fn::Join': {
      const [sep, list] = arg as [unknown, unknown];
      const items = evaluate(list, env);
      if (!Array.isArray(items)) fail('Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.');
      return (items as unknown[]).map(str).join(str(sep));
    }
    case 'Fn::Select': {
      const [index, list] = arg as [unknown, unknown];
      const items = evaluate(list, env);
      const i = Number(evaluate(index, env));
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) fail('Template error: Fn::Select cannot select nonexistent value at index ' + String(i));
      return (items as unknown[])[i];
    }
    case 'Fn::Split': {
      const [sep, source] = arg as [unknown, unknown];
      return str(evaluate(source, env)).split(str(sep));
    }
    case 'Fn::If': {
      const [cond, yes, no] = arg as [unknown, unknown, unknown];
      return evaluate(conditionValue(str(cond), env) ? yes : no, env);
    }
    case 'Fn::Equals': {
      const [a, b] = (arg as unknown[]).map((x) => evaluate(x, env));
      return JSON.stringify(scalarForm(a)) === JSON.stringify(scalarForm(b));
    }
    case 'Fn::Not':
      return !truth((arg as unknown[])[0], env);
    case 'Fn::And':
      return (arg as unknown[]).every((c) => truth(c, env));
    case 'Fn::Or':
      return (arg as unknown[]).some((c) => truth(c, env));
    case 'Fn::FindInMap': {
      const [map, top, second] = (arg as unknown[]).map((x) => str(evaluate(x, env)));
      const m = env.mappings?.[map];
      if (!m) fail(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      const v = m![top]?.[second];
      if (v === undefined) fail(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      return v;
    }
    case 'Fn::GetAZs':
      return [...env.zones];
    case 'Fn::ImportValue':
      return env.importValue(str(evaluate(arg, env)));
    case 'Fn::Base64':
      return Buffer.from(str(evaluate(arg, env))).toString('base64');
    case 'Fn::Cidr': {
      const [block, count, bits] = (arg as unknown[]).map((x) => evaluate(x, env));
      return cidrs(str(block), Number(count), Number(bits));
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(evaluate(arg, env));
    // Rules functions (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/rules-section-structure.html).
    case 'Fn::Contains': {
      const [list, v] = (arg as unknown[]).map((x) => evaluate(x, env));
      return Array.isArray(list) && list.map(String).includes(String(v));
    }
    case 'Fn::EachMemberEquals': {
      const [list, v] = (arg as unknown[]).map((x) => evaluate(x, env));
      return Array.isArray(list) && list.every((x) => String(x) === String(v));
    }
    case 'Fn::EachMemberIn': {
      const [list, allowed] = (arg as unknown[]).map((x) => evaluate(x, env));
      return Array.isArray(list) && Array.isArray(allowed) && list.every((x) => allowed.map(String).includes(String(x)));
    }
    case 'Fn::Length': {
      const items = evaluate(arg, env);
      return Array.isArray(items) ? items.length : fail('Template error: Fn::Length requires a list');
    }
    default:
      return fail(`Template format error: Unrecognized function ${key}`);
  }
}

/** Numbers and strings compare as CloudFormation compares them: as their string forms. */
function scalarForm(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return v;
}

function truth(c: unknown, env: EvalEnv): boolean {
  const v = evaluate(c, env);
  if (typeof v !== 'boolean') fail('Template error: condition functions must evaluate to true or false');
  return v as boolean;
}

function conditionValue(name: string, env: EvalEnv): boolean {
  if (!(name in env.conditions)) fail(`Template format error: Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
  return env.conditions[name];
}

/** Fn::Sub: `${Name}`, `${Resource.Attribute}`, `${!Literal}`, with an optional map of its own variables. */
function sub(arg: unknown, env: EvalEnv): string {
  const [text, vars] = Array.isArray(arg) ? [str(arg[0]), (arg[1] ?? {}) as Record<string, unknown>] : [str(arg), {}];
  const own = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, evaluate(v, env)]));
  return text.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const n = name.trim();
    if (n in own) return str(own[n]);
    if (n in env.refs) return str(Array.isArray(env.refs[n]) ? (env.refs[n] as unknown[]).join(',') : env.refs[n]);
    const dot = n.indexOf('.');
    if (dot > 0 && !n.startsWith('AWS::')) return str(env.getAtt(n.slice(0, dot), n.slice(dot + 1)));
    return str(env.resourceRef(n));
  });
}

/** Fn::Cidr: `count` blocks of `bits` host bits each, from the start of `block`. */
function cidrs(block: string, count: number, bits: number): string[] {
  const [addr, prefixText] = block.split('/');
  const prefix = Number(prefixText);
  const octets = addr.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255)) || !(prefix >= 0 && prefix <= 32)) fail(`Template error: Fn::Cidr: invalid ipBlock ${block}`);
  if (!(bits > 0 && 32 - bits >= prefix) || !(count >= 1 && count <= 256)) fail('Template error: Fn::Cidr: invalid count or cidrBits');
  const base = (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
  const size = 2 ** bits;
  if (count * size > 2 ** (32 - prefix)) fail(`Template error: Fn::Cidr: ${block} cannot hold ${count} blocks of ${bits} bits`);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = (base + i * size) >>> 0;
    out.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${32 - bits}`);
  }
  return out;
}

/** The template's conditions, each evaluated once (a condition may name another). */
export function evaluateConditions(template: Template, env: Omit<EvalEnv, 'conditions'>): Record<string, boolean> {
  const defs = template.Conditions ?? {};
  const done: Record<string, boolean> = {};
  const visiting = new Set<string>();
  const conditions = new Proxy(done, {
    has: (_t, name: string) => name in defs,
    get: (_t, name: string) => resolve(name),
  });
  const resolve = (name: string): boolean => {
    if (name in done) return done[name];
    if (!(name in defs)) throw templateError(`Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
    if (visiting.has(name)) throw templateError(`Circular dependency between conditions: [${name}]`);
    visiting.add(name);
    const noResources = { ...env, conditions, resourceRef: (id: string) => fail(`Template format error: Unresolved dependencies [${id}]. Cannot reference resources in the Conditions block of the template`) };
    const v = evaluate(defs[name], noResources as EvalEnv);
    if (typeof v !== 'boolean') throw templateError(`Conditions can only be boolean operations on parameters and other conditions [${name}]`);
    done[name] = v;
    return v;
  };
  for (const name of Object.keys(defs)) resolve(name);
  return { ...done };
}

/** The logical ids `value` references (Ref, Fn::GetAtt, Fn::Sub variables), among `known`. */
export function referencesOf(value: unknown, known: ReadonlySet<string>, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencesOf(v, known, out);
    return out;
  }
  if (!isObject(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Ref' && typeof v === 'string' && known.has(v)) out.add(v);
    else if (k === 'Fn::GetAtt') {
      const id = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('.')[0] : undefined;
      if (typeof id === 'string' && known.has(id)) out.add(id);
      if (Array.isArray(v)) referencesOf(v.slice(1), known, out);
    } else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      const own = Array.isArray(v) && isObject(v[1]) ? new Set(Object.keys(v[1])) : new Set<string>();
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          const id = m[1].trim().split('.')[0];
          if (!own.has(m[1].trim()) && known.has(id)) out.add(id);
        }
      }
      if (Array.isArray(v)) referencesOf(v[1], known, out);
    } else referencesOf(v, known, out);
  }
  return out;
}

/** A thrown EvalError or AwsError as the ValidationError CloudFormation answers. */
export function asValidation(err: unknown): never {
  if (err instanceof EvalError) throw validationError(err.message);
  throw err;
}
