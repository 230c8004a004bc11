/**
 * CloudWatch Logs filter patterns (FilterLogEvents, TestMetricFilter), compiled
 * to a predicate over an event's message:
 * - terms: `ERROR Exception` (all), `"exact phrase"`, `?ERROR ?WARN` (any), `-DEBUG` (none);
 *   matching is case-sensitive and by substring, as CloudWatch's is;
 * - regular expressions: `%[Ee]rror|[Ff]ail%`;
 * - JSON: `{ $.level = "ERROR" && ($.latency > 100 || $.user.id NOT EXISTS) }` with
 *   =, !=, <, <=, >, >= (strings with `*` wildcards, numbers, %regex%), IS TRUE/FALSE/NULL, EXISTS, NOT EXISTS;
 * - space-delimited: `[ip, user, ..., status = 4* || status = 5*, size > 1000]` over the message's fields
 *   (split at spaces; `"quoted"` and `[bracketed]` text is one field; `...` stands for any number of fields).
 * `compileFilter` also returns what a match extracted (TestMetricFilter's `extractedValues`, the `$.x` / `$name`
 * metric values of metric filters): the JSON selectors of the pattern, or the named (`$ip`) and numbered (`$1`) fields.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { invalidParameter } from './errors.js';

export type Matcher = (message: string) => boolean;

/** What a matching event yielded: extracted values by name (`$.a.b`, `$ip`, `$1`), and the parsed document of a JSON pattern. */
export interface Match {
  values: Record<string, string>;
  doc?: unknown;
}

/** A compiled pattern: undefined when the message does not match. */
export type Extractor = (message: string) => Match | undefined;

const invalid = (why: string) => invalidParameter(`Invalid filter pattern: ${why}`);
const NO_VALUES: Match = { values: {} };

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const extract = compileFilter(pattern);
  return (m) => extract(m) !== undefined;
}

export function compileFilter(pattern: string | undefined): Extractor {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => NO_VALUES;
  if (p.startsWith('{')) return compileJson(p);
  if (p.startsWith('[')) return compileSpaceDelimited(p);
  const bool = p.length > 1 && p.startsWith('%') && p.endsWith('%') ? regexMatcher(p.slice(1, -1)) : compileTerms(p);
  return (m) => (bool(m) ? NO_VALUES : undefined);
}

function regexMatcher(source: string): Matcher {
  // CloudWatch rejects capture groups: "The () operator is not supported."
  if (/(^|[^\\])\(/.test(source)) throw invalid('the () operator is not supported in regular expressions');
  try {
    const re = new RegExp(source);
    return (m) => re.test(m);
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

function compileTerms(p: string): Matcher {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  let i = 0;
  while (i < p.length) {
    while (i < p.length && /\s/.test(p[i])) i++;
    if (i >= p.length) break;
    let bucket = all;
    if (p[i] === '?') { bucket = any; i++; } else if (p[i] === '-') { bucket = none; i++; }
    let term = '';
    if (p[i] === '"') {
      i++;
      while (i < p.length && p[i] !== '"') {
        if (p[i] === '\\' && i + 1 < p.length) i++;
        term += p[i++];
      }
      if (p[i] !== '"') throw invalid('unterminated quoted term');
      i++;
    } else {
      while (i < p.length && !/\s/.test(p[i])) term += p[i++];
    }
    if (term) bucket.push(term);
  }
  return (m) =>
    all.every((t) => m.includes(t)) && (!any.length || any.some((t) => m.includes(t))) && !none.some((t) => m.includes(t));
}

// ---- JSON patterns ---------------------------------------------------------

type Node = { and: Node[] } | { or: Node[] } | { test: (doc: unknown) => boolean };

function evaluate(n: Node, doc: unknown): boolean {
  if ('and' in n) return n.and.every((c) => evaluate(c, doc));
  if ('or' in n) return n.or.some((c) => evaluate(c, doc));
  return n.test(doc);
}

const MISSING = Symbol('missing');

function select(doc: unknown, path: (string | number)[]): unknown {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) return MISSING;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const selectorName = (path: (string | number)[]) => `$${path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
const scalarText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function compileJson(p: string): Extractor {
  if (!p.endsWith('}')) throw invalid('a JSON pattern must end with }');
  const selectors: (string | number)[][] = [];
  const src = p.slice(1, -1);
  let i = 0;
  const ws = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  const peek = (s: string) => { ws(); return src.startsWith(s, i); };
  const eat = (s: string) => { if (!peek(s)) throw invalid(`expected ${s} at position ${i + 1}`); i += s.length; };

  const selector = (): (string | number)[] => {
    ws();
    if (src[i] !== '$') throw invalid(`a selector must start with $ at position ${i + 1}`);
    i++;
    const path: (string | number)[] = [];
    while (i < src.length) {
      if (src[i] === '.') {
        i++;
        let k = '';
        while (i < src.length && /[\w\-@:]/.test(src[i])) k += src[i++];
        if (!k) throw invalid('empty selector segment');
        path.push(k);
      } else if (src[i] === '[') {
        const end = src.indexOf(']', i);
        if (end < 0) throw invalid('unterminated [');
        path.push(Number(src.slice(i + 1, end)));
        i = end + 1;
      } else break;
    }
    selectors.push(path);
    return path;
  };

  const value = (): { kind: 'number'; n: number } | { kind: 'string'; re: RegExp } | { kind: 'regex'; re: RegExp } => {
    ws();
    if (src[i] === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw invalid('unterminated string');
      const s = src.slice(i + 1, end);
      i = end + 1;
      return { kind: 'string', re: wildcard(s) };
    }
    if (src[i] === '%') {
      const end = src.indexOf('%', i + 1);
      if (end < 0) throw invalid('unterminated regular expression');
      const re = new RegExp(src.slice(i + 1, end));
      i = end + 1;
      return { kind: 'regex', re };
    }
    let s = '';
    while (i < src.length && !/[\s)&|]/.test(src[i])) s += src[i++];
    if (!s) throw invalid(`expected a value at position ${i + 1}`);
    return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s) ? { kind: 'number', n: Number(s) } : { kind: 'string', re: wildcard(s) };
  };

  const comparison = (): Node => {
    if (peek('(')) {
      eat('(');
      const inner = disjunction();
      eat(')');
      return inner;
    }
    const path = selector();
    ws();
    const rest = src.slice(i);
    const keyword = /^(IS\s+TRUE|IS\s+FALSE|IS\s+NULL|NOT\s+EXISTS|EXISTS)\b/i.exec(rest);
    if (keyword) {
      i += keyword[0].length;
      const k = keyword[1].toUpperCase().replace(/\s+/g, ' ');
      return {
        test: (doc) => {
          const v = select(doc, path);
          if (k === 'IS TRUE') return v === true;
          if (k === 'IS FALSE') return v === false;
          if (k === 'IS NULL') return v === null;
          if (k === 'EXISTS') return v !== MISSING;
          return v === MISSING;
        },
      };
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(rest)?.[1];
    if (!op) throw invalid(`expected a comparison operator at position ${i + 1}`);
    i += op.length;
    const v = value();
    if (v.kind !== 'number' && op !== '=' && op !== '!=') throw invalid(`${op} needs a numeric value`);
    return {
      test: (doc) => {
        const x = select(doc, path);
        if (x === MISSING || x === null || typeof x === 'object') return false;
        if (v.kind === 'number') {
          const n = typeof x === 'number' ? x : Number(x);
          if (Number.isNaN(n)) return false;
          return op === '=' ? n === v.n : op === '!=' ? n !== v.n : op === '<' ? n < v.n : op === '<=' ? n <= v.n : op === '>' ? n > v.n : n >= v.n;
        }
        const matched = v.re.test(String(x));
        return op === '=' ? matched : !matched;
      },
    };
  };
  const conjunction = (): Node => {
    const parts = [comparison()];
    while (peek('&&')) { eat('&&'); parts.push(comparison()); }
    return parts.length === 1 ? parts[0] : { and: parts };
  };
  const disjunction = (): Node => {
    const parts = [conjunction()];
    while (peek('||')) { eat('||'); parts.push(conjunction()); }
    return parts.length === 1 ? parts[0] : { or: parts };
  };

  let root: Node;
  try {
    root = disjunction();
    ws();
    if (i < src.length) throw invalid(`unexpected ${src.slice(i, i + 10)}`);
  } catch (err) {
    if (err instanceof SyntaxError) throw invalid(err.message);
    throw err;
  }
  return (m) => {
    let doc: unknown;
    try {
      doc = JSON.parse(m);
    } catch {
      return undefined;
    }
    if (!evaluate(root, doc)) return undefined;
    const values: Record<string, string> = {};
    for (const path of selectors) {
      const v = select(doc, path);
      if (v !== MISSING) values[selectorName(path)] = scalarText(v);
    }
    return { values, doc };
  };
}

// ---- space-delimited patterns -----------------------------------------------

type FieldTest = (text: string) => boolean;
interface FieldSpec { name?: string; ellipsis: boolean; test?: FieldTest }

/** A message's fields: split at spaces, with "quoted" and [bracketed] text kept as one field (without its delimiters). */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    while (i < message.length && message[i] === ' ') i++;
    if (i >= message.length) break;
    const close = message[i] === '"' ? '"' : message[i] === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let end = message.indexOf(' ', i);
    if (end < 0) end = message.length;
    out.push(message.slice(i, end));
    i = end;
  }
  return out;
}

/** One field's condition: `name OP value` alternatives joined by && and ||, as in `status = 4* || status = 5*`. */
function fieldCondition(src: string, name: string): FieldTest {
  const orParts = src.split('||').map((o) => o.split('&&').map((a) => a.trim()));
  const tests = orParts.map((ands) => ands.map((cond) => {
    const m = /^([\w\-.$]+)\s*(!=|<=|>=|=|<|>)\s*(.+)$/.exec(cond);
    if (!m) throw invalid(`cannot read the condition "${cond}"`);
    if (m[1] !== name) throw invalid(`the condition "${cond}" must test the field ${name}`);
    const op = m[2];
    let raw = m[3].trim();
    const quoted = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"');
    if (quoted) raw = raw.slice(1, -1);
    const numeric = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw);
    if (!numeric && op !== '=' && op !== '!=') throw invalid(`${op} needs a numeric value`);
    const re = raw.length > 1 && raw.startsWith('%') && raw.endsWith('%') ? regexOf(raw.slice(1, -1)) : wildcard(raw);
    const n = Number(raw);
    return (text: string) => {
      if (numeric) {
        const x = Number(text);
        if (text.trim() === '' || Number.isNaN(x)) return op === '!=';
        return op === '=' ? x === n : op === '!=' ? x !== n : op === '<' ? x < n : op === '<=' ? x <= n : op === '>' ? x > n : x >= n;
      }
      return op === '=' ? re.test(text) : !re.test(text);
    };
  }));
  return (text) => tests.some((ands) => ands.every((t) => t(text)));
}

function regexOf(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

/** Splits the inside of `[ … ]` at top-level commas (a comma inside quotes or %regex% is part of a value). */
function splitSpecs(inner: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const ch of inner) {
    if (quote) {
      if (ch === quote) quote = undefined;
      cur += ch;
    } else if (ch === '"' || ch === '%') {
      quote = ch;
      cur += ch;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim());
}

function compileSpaceDelimited(p: string): Extractor {
  if (!p.endsWith(']')) throw invalid('a space-delimited pattern must end with ]');
  const specs: FieldSpec[] = splitSpecs(p.slice(1, -1)).map((spec, i) => {
    if (spec === '...') return { ellipsis: true };
    if (!spec) throw invalid(`field ${i + 1} is empty`);
    const name = /^[A-Za-z_][\w\-.]*/.exec(spec)?.[0];
    if (!name) throw invalid(`field ${i + 1} ("${spec}") must start with a name`);
    const rest = spec.slice(name.length).trim();
    return { name, ellipsis: false, test: rest ? fieldCondition(spec, name) : undefined };
  });
  if (specs.filter((s) => s.ellipsis).length > 1) throw invalid('only one ... is allowed');
  const at = specs.findIndex((s) => s.ellipsis);
  const head = at < 0 ? specs : specs.slice(0, at);
  const tail = at < 0 ? [] : specs.slice(at + 1);
  return (message) => {
    const fields = splitFields(message);
    if (at < 0 ? fields.length !== specs.length : fields.length < head.length + tail.length) return undefined;
    const pairs: [FieldSpec, string, number][] = [
      ...head.map((s, i) => [s, fields[i], i] as [FieldSpec, string, number]),
      ...tail.map((s, i) => [s, fields[fields.length - tail.length + i], fields.length - tail.length + i] as [FieldSpec, string, number]),
    ];
    const values: Record<string, string> = {};
    for (const [spec, text, index] of pairs) {
      if (spec.test && !spec.test(text)) return undefined;
      values[`$${index + 1}`] = text;
      if (spec.name) values[`$${spec.name}`] = text;
    }
    return { values };
  };
}
