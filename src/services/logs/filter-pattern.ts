/**
 * CloudWatch Logs filter patterns (FilterLogEvents, TestMetricFilter), compiled
 * to a predicate over an event's message:
 * - terms: `ERROR Exception` (all), `"exact phrase"`, `?ERROR ?WARN` (any), `-DEBUG` (none);
 *   matching is case-sensitive and by substring, as CloudWatch's is;
 * - regular expressions: `%[Ee]rror|[Ff]ail%`;
 * - JSON: `{ $.level = "ERROR" && ($.latency > 100 || $.user.id NOT EXISTS) }` with
 *   =, !=, <, <=, >, >= (strings with `*` wildcards, numbers, %regex%), IS TRUE/FALSE/NULL, EXISTS, NOT EXISTS.
 * Space-delimited patterns (`[ip, user, …]`) are not supported: InvalidParameterException.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { invalidParameter } from './errors.js';

export type Matcher = (message: string) => boolean;

const invalid = (why: string) => invalidParameter(`Invalid filter pattern: ${why}`);

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => true;
  if (p.startsWith('{')) return compileJson(p);
  if (p.startsWith('[')) throw invalidParameter('Space-delimited filter patterns ([field, …]) are not supported by Berth yet.');
  if (p.length > 1 && p.startsWith('%') && p.endsWith('%')) return regexMatcher(p.slice(1, -1));
  return compileTerms(p);
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

function compileJson(p: string): Matcher {
  if (!p.endsWith('}')) throw invalid('a JSON pattern must end with }');
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
      return false;
    }
    return evaluate(root, doc);
  };
}
