/**
 * CloudWatch Logs Insights queries: a parser and an evaluator for the common
 * commands, over records Berth supplies (its stored events).
 *
 *   fields @timestamp, @message, lower(level) as lvl      (also `display`)
 *   | filter status >= 500 and (path like /api/ or @message like "timeout") and not ispresent(skip)
 *   | parse @message "user=* action=*" as user, action     (or a regex with named groups: /user=(?<user>\S+)/)
 *   | stats count(*) as n, avg(ms), sum(bytes), min(ms), max(ms), count_distinct(user) by status, bin(5m)
 *   | sort n desc, status
 *   | limit 20
 *   | dedup user
 *
 * Fields: @timestamp, @message, @logStream, @log (`account:group`), @ingestionTime, @ptr, and the fields of a
 * JSON message, flattened with dots (`user.id`, `tags.0`). Comparisons are numeric when both sides are numbers.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
import { AwsError } from '../../protocol/errors.js';

export type Value = string | number | boolean | undefined;
export type Row = Record<string, Value>;

/** One event as the evaluator sees it. */
export interface InsightsRecord {
  timestamp: number;
  message: string;
  logStream: string;
  /** `account:group`, as Insights shows @log. */
  log: string;
  ingestionTime: number;
  ptr: string;
}

type Expr =
  | { k: 'lit'; v: Value }
  | { k: 'field'; name: string }
  | { k: 'call'; fn: string; args: Expr[]; text: string }
  | { k: 'cmp'; op: string; l: Expr; r: Expr }
  | { k: 'like'; l: Expr; re: RegExp }
  | { k: 'in'; l: Expr; list: Expr[] }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr };

interface Named { expr: Expr; name: string }
interface Agg { fn: string; arg?: Expr; name: string }

type Command =
  | { kind: 'fields'; items: Named[]; display: boolean }
  | { kind: 'filter'; expr: Expr }
  | { kind: 'parse'; source: Expr; re: RegExp; names: string[] }
  | { kind: 'stats'; aggs: Agg[]; by: Named[] }
  | { kind: 'sort'; keys: { name: string; desc: boolean }[] }
  | { kind: 'limit'; n: number }
  | { kind: 'dedup'; names: string[] };

export interface Query { commands: Command[] }

/** What AWS answers a query it cannot compile: MalformedQueryException with the location. */
export function malformed(message: string, start = 0, end = 0): AwsError {
  return new AwsError('MalformedQueryException', message, { fields: { queryCompileError: { location: { startCharOffset: start, endCharOffset: end }, message } } });
}

// ---- tokens -----------------------------------------------------------------

type Tok = { t: 'id' | 'num' | 'str' | 're' | 'op' | 'dur'; v: string; at: number; re?: RegExp };

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000, w: 604_800_000 };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const at = i;
    if (c === '#') { while (i < src.length && src[i] !== '\n') i++; continue; } // a comment to the end of the line
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        s += src[i++];
      }
      if (i >= src.length) throw malformed('unterminated string', at, i);
      i++;
      out.push({ t: 'str', v: s, at });
      continue;
    }
    if (c === '/') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== '/') {
        if (src[i] === '\\' && i + 1 < src.length) s += src[i++];
        s += src[i++];
      }
      if (i >= src.length) throw malformed('unterminated regular expression', at, i);
      i++;
      let flags = '';
      while (i < src.length && /[a-z]/.test(src[i])) flags += src[i++];
      try {
        out.push({ t: 're', v: s, at, re: new RegExp(s, flags.includes('i') ? 'i' : '') });
      } catch (err) {
        throw malformed(`invalid regular expression: ${(err as Error).message}`, at, i);
      }
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw malformed('unterminated `field name`', at, i);
      out.push({ t: 'id', v: src.slice(i + 1, end), at });
      i = end + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num && (c !== '-' || !out.length || out[out.length - 1].t === 'op')) {
      i += num[0].length;
      const unit = /^[a-z]+/.exec(src.slice(i))?.[0];
      if (unit && unit in DURATION_MS) {
        i += unit.length;
        out.push({ t: 'dur', v: String(Number(num[0]) * DURATION_MS[unit]), at });
      } else out.push({ t: 'num', v: num[0], at });
      continue;
    }
    const id = /^[@A-Za-z_][\w.@$-]*/.exec(src.slice(i));
    if (id) {
      // A trailing '-' belongs to an operator, not the name.
      const name = id[0].replace(/-+$/, '');
      i += name.length;
      out.push({ t: 'id', v: name, at });
      continue;
    }
    const op = /^(=~|!=|<=|>=|==|[=<>(),|*\[\]+])/.exec(src.slice(i))?.[0];
    if (!op) throw malformed(`unexpected character '${c}'`, at, at);
    i += op.length;
    out.push({ t: 'op', v: op === '==' ? '=' : op, at });
  }
  return out;
}

// ---- parser -----------------------------------------------------------------

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[], private readonly end: number) {}

  get done() { return this.i >= this.toks.length; }
  peek(): Tok | undefined { return this.toks[this.i]; }
  next(): Tok {
    const t = this.toks[this.i++];
    if (!t) throw malformed('unexpected end of the command', this.end, this.end);
    return t;
  }
  isOp(v: string) { const t = this.peek(); return !!t && t.t === 'op' && t.v === v; }
  isWord(v: string) { const t = this.peek(); return !!t && t.t === 'id' && t.v.toLowerCase() === v; }
  eatOp(v: string) {
    const t = this.next();
    if (t.t !== 'op' || t.v !== v) throw malformed(`expected '${v}' but found '${t.v}'`, t.at, t.at + t.v.length);
  }
  name(): string {
    const t = this.next();
    if (t.t !== 'id') throw malformed(`expected a field name but found '${t.v}'`, t.at, t.at + t.v.length);
    return t.v;
  }

  or(): Expr {
    let l = this.and();
    while (this.isWord('or')) { this.i++; l = { k: 'or', l, r: this.and() }; }
    return l;
  }
  and(): Expr {
    let l = this.not();
    while (this.isWord('and')) { this.i++; l = { k: 'and', l, r: this.not() }; }
    return l;
  }
  not(): Expr {
    if (this.isWord('not')) { this.i++; return { k: 'not', e: this.not() }; }
    return this.cmp();
  }
  cmp(): Expr {
    const l = this.primary();
    const negate = this.isWord('not') && ['like', 'in'].includes(this.toks[this.i + 1]?.v.toLowerCase() ?? '');
    if (negate) this.i++;
    let e: Expr | undefined;
    if (this.isWord('like') || this.isOp('=~')) {
      const t0 = this.next();
      const t = this.next();
      if (t.t === 're') e = { k: 'like', l, re: t.re! };
      else if (t.t === 'str' && t0.t === 'id') e = { k: 'like', l, re: new RegExp(t.v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) };
      else throw malformed(`expected a string or /regex/ after ${t0.v}`, t.at, t.at + t.v.length);
    } else if (this.isWord('in')) {
      this.i++;
      this.eatOp('[');
      const list: Expr[] = [];
      while (!this.isOp(']')) {
        list.push(this.primary());
        if (!this.isOp(']')) this.eatOp(',');
      }
      this.eatOp(']');
      e = { k: 'in', l, list };
    } else {
      const t = this.peek();
      if (t && t.t === 'op' && ['=', '!=', '<', '<=', '>', '>='].includes(t.v)) {
        this.i++;
        e = { k: 'cmp', op: t.v, l, r: this.primary() };
      }
    }
    if (!e) {
      if (negate) throw malformed('expected like or in after not');
      return l;
    }
    return negate ? { k: 'not', e } : e;
  }
  primary(): Expr {
    const t = this.next();
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      this.eatOp(')');
      return e;
    }
    if (t.t === 'num' || t.t === 'dur') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'id') {
      if (this.isOp('(')) {
        this.i++;
        const args: Expr[] = [];
        while (!this.isOp(')')) {
          if (this.isOp('*')) { this.i++; args.push({ k: 'lit', v: '*' }); } else args.push(this.or());
          if (!this.isOp(')')) this.eatOp(',');
        }
        const close = this.next();
        return { k: 'call', fn: t.v.toLowerCase(), args, text: this.source(t.at, close.at + 1) };
      }
      if (t.v.toLowerCase() === 'true' || t.v.toLowerCase() === 'false') return { k: 'lit', v: t.v.toLowerCase() === 'true' };
      return { k: 'field', name: t.v };
    }
    throw malformed(`unexpected '${t.v}'`, t.at, t.at + t.v.length);
  }
  /** The source text between two offsets: a call's default result name (`count(*)`, `bin(5m)`). */
  source = (from: number, to: number) => this.text.slice(from, to).replace(/\s+/g, '');
  text = '';

  named(): Named {
    const from = this.i;
    const expr = this.or();
    if (this.isWord('as')) { this.i++; return { expr, name: this.name() }; }
    const name = expr.k === 'field' ? expr.name : expr.k === 'call' ? expr.text : this.toks.slice(from, this.i).map((t) => t.v).join(' ');
    return { expr, name };
  }
  list<T>(item: () => T, stop?: string): T[] {
    const out = [item()];
    while (this.isOp(',') && !(stop && this.toks[this.i + 1]?.v === stop)) { this.i++; out.push(item()); }
    return out;
  }
}

const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'earliest', 'latest']);

export function parseQuery(src: string): Query {
  if (!src.trim()) throw malformed('the query is empty');
  const toks = tokenize(src);
  // Commands are separated by | tokens (a | inside a string or regex is part of its token).
  const groups: Tok[][] = [[]];
  for (const t of toks) {
    if (t.t === 'op' && t.v === '|') groups.push([]);
    else groups[groups.length - 1].push(t);
  }
  const commands: Command[] = [];
  for (const g of groups) {
    if (!g.length) throw malformed('empty command between |', 0, src.length);
    const p = new Parser(g.slice(1), src.length);
    p.text = src;
    const head = g[0];
    const word = head.t === 'id' ? head.v.toLowerCase() : '';
    switch (word) {
      case 'fields':
      case 'display':
        commands.push({ kind: 'fields', items: p.list(() => p.named()), display: word === 'display' });
        break;
      case 'filter':
        commands.push({ kind: 'filter', expr: p.or() });
        break;
      case 'parse': {
        const source = p.primary();
        const t = p.next();
        if (t.t === 're') {
          const names = [...t.v.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]);
          if (!names.length) throw malformed('a parse regular expression needs named groups (?<name>…)', t.at, t.at + t.v.length);
          commands.push({ kind: 'parse', source, re: t.re!, names });
        } else if (t.t === 'str') {
          if (!p.isWord('as')) throw malformed('parse with a glob pattern needs "as field, …"', t.at, t.at + t.v.length);
          p.next();
          const names = p.list(() => p.name());
          const pieces = t.v.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
          if (pieces.length - 1 !== names.length) {
            throw malformed(`the pattern has ${pieces.length - 1} * but ${names.length} field names`, t.at, t.at + t.v.length);
          }
          // Each * captures as little as it can; the last one the rest of the value.
          const re = new RegExp(pieces.map((s, i) => (i === 0 ? s : `(${i === pieces.length - 1 ? '.*' : '.*?'})${s}`)).join(''), 's');
          commands.push({ kind: 'parse', source, re, names });
        } else throw malformed('parse needs a "glob * pattern" or a /regex/', t.at, t.at + t.v.length);
        break;
      }
      case 'stats': {
        const aggs: Agg[] = p.list(() => {
          const n = p.named();
          if (n.expr.k !== 'call' || !AGGREGATES.has(n.expr.fn)) throw malformed(`stats needs an aggregate function (${[...AGGREGATES].join(', ')})`);
          const arg = n.expr.args[0];
          return { fn: n.expr.fn, arg: arg && !(arg.k === 'lit' && arg.v === '*') ? arg : undefined, name: n.name };
        });
        let by: Named[] = [];
        if (p.isWord('by')) { p.next(); by = p.list(() => p.named()); }
        commands.push({ kind: 'stats', aggs, by });
        break;
      }
      case 'sort':
        commands.push({
          kind: 'sort',
          keys: p.list(() => {
            const name = p.name();
            let desc = false;
            if (p.isWord('desc')) { p.next(); desc = true; } else if (p.isWord('asc')) p.next();
            return { name, desc };
          }),
        });
        break;
      case 'limit': {
        const t = p.next();
        const n = Number(t.v);
        if (t.t !== 'num' || !Number.isInteger(n) || n < 1 || n > 10_000) throw malformed('limit needs a whole number from 1 to 10000', t.at, t.at + t.v.length);
        commands.push({ kind: 'limit', n });
        break;
      }
      case 'dedup':
        commands.push({ kind: 'dedup', names: p.list(() => p.name()) });
        break;
      default:
        throw malformed(`unexpected symbol '${head.v}': Berth's Insights knows fields, display, filter, parse, stats, sort, limit and dedup`, head.at, head.at + head.v.length);
    }
    if (!p.done) {
      const t = p.peek()!;
      throw malformed(`unexpected symbol '${t.v}'`, t.at, t.at + t.v.length);
    }
  }
  return { commands };
}

// ---- evaluator --------------------------------------------------------------

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Insights' timestamp text: `2024-01-02 03:04:05.678` (UTC). */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

const TIME_FIELDS = new Set(['@timestamp', '@ingestionTime']);

function flatten(prefix: string, v: unknown, into: Row) {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, into);
  } else if (prefix) into[prefix] = v === null ? undefined : (v as Value);
}

export function rowOf(r: InsightsRecord): Row {
  const row: Row = {};
  const m = r.message.trimStart();
  if (m.startsWith('{')) {
    try { flatten('', JSON.parse(m), row); } catch { /* not JSON: no discovered fields */ }
  }
  return Object.assign(row, {
    '@timestamp': r.timestamp, '@message': r.message, '@logStream': r.logStream, '@log': r.log,
    '@ingestionTime': r.ingestionTime, '@ptr': r.ptr,
  });
}

const num = (v: Value): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
};
const text = (v: Value) => (v === undefined ? '' : String(v));

function compare(a: Value, b: Value): number {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;
}

function call(fn: string, args: Value[]): Value {
  const [a, b] = args;
  switch (fn) {
    case 'bin': return undefined; // bin() needs the row's @timestamp: handled by evalExpr
    case 'ispresent': return a !== undefined;
    case 'isempty': return a === undefined || a === '';
    case 'isblank': return a === undefined || text(a).trim() === '';
    case 'strlen': return a === undefined ? undefined : text(a).length;
    case 'tolower': case 'lower': return a === undefined ? undefined : text(a).toLowerCase();
    case 'toupper': case 'upper': return a === undefined ? undefined : text(a).toUpperCase();
    case 'trim': return a === undefined ? undefined : text(a).trim();
    case 'concat': return args.map(text).join('');
    case 'substr': return a === undefined ? undefined : text(a).substr(num(b) ?? 0, num(args[2]) ?? undefined);
    case 'abs': return num(a) === undefined ? undefined : Math.abs(num(a)!);
    case 'floor': return num(a) === undefined ? undefined : Math.floor(num(a)!);
    case 'ceil': return num(a) === undefined ? undefined : Math.ceil(num(a)!);
    case 'coalesce': return args.find((x) => x !== undefined);
    default: throw malformed(`unknown function ${fn}()`);
  }
}

function evalExpr(e: Expr, row: Row): Value {
  switch (e.k) {
    case 'lit': return e.v;
    case 'field': return row[e.name];
    case 'call':
      if (e.fn === 'bin') {
        const period = num(evalExpr(e.args[0] ?? { k: 'lit', v: undefined }, row));
        const ts = num(row['@timestamp']);
        return period && ts !== undefined ? Math.floor(ts / period) * period : undefined;
      }
      return call(e.fn, e.args.map((a) => evalExpr(a, row)));
    case 'cmp': {
      const l = evalExpr(e.l, row);
      const r = evalExpr(e.r, row);
      if (l === undefined || r === undefined) return e.op === '!=' && l !== r;
      const c = compare(l, r);
      return e.op === '=' ? c === 0 : e.op === '!=' ? c !== 0 : e.op === '<' ? c < 0 : e.op === '<=' ? c <= 0 : e.op === '>' ? c > 0 : c >= 0;
    }
    case 'like': {
      const l = evalExpr(e.l, row);
      return l !== undefined && e.re.test(text(l));
    }
    case 'in': {
      const l = evalExpr(e.l, row);
      return l !== undefined && e.list.some((x) => compare(l, evalExpr(x, row)) === 0);
    }
    case 'and': return truthy(evalExpr(e.l, row)) && truthy(evalExpr(e.r, row));
    case 'or': return truthy(evalExpr(e.l, row)) || truthy(evalExpr(e.r, row));
    case 'not': return !truthy(evalExpr(e.e, row));
  }
}

const truthy = (v: Value) => v !== undefined && v !== false && v !== 0 && v !== '';

/** Is this expression's value a time (shown as Insights shows @timestamp)? */
const isTime = (e: Expr | undefined): boolean =>
  !!e && ((e.k === 'field' && TIME_FIELDS.has(e.name)) || (e.k === 'call' && e.fn === 'bin'));

function aggregate(a: Agg, rows: Row[]): Value {
  const values = a.arg ? rows.map((r) => evalExpr(a.arg!, r)).filter((v) => v !== undefined) : rows.map(() => 1);
  const nums = values.map(num).filter((v): v is number => v !== undefined);
  switch (a.fn) {
    case 'count': return values.length;
    case 'count_distinct': return new Set(values.map(text)).size;
    case 'sum': return nums.reduce((s, x) => s + x, 0);
    case 'avg': return nums.length ? nums.reduce((s, x) => s + x, 0) / nums.length : undefined;
    case 'min': return nums.length ? Math.min(...nums) : undefined;
    case 'max': return nums.length ? Math.max(...nums) : undefined;
    case 'earliest': return values[0];
    case 'latest': return values[values.length - 1];
    default: return undefined;
  }
}

export interface QueryOutcome {
  /** Rows of [field, value] in the order Insights returns them. */
  rows: { field: string; value: string }[][];
  recordsMatched: number;
}

/**
 * Runs a parsed query over records (oldest first). `maxRows` caps the rows
 * returned (StartQuery's limit, default 10,000).
 */
export function runQuery(q: Query, records: Iterable<InsightsRecord>, maxRows = 10_000): QueryOutcome {
  let rows: Row[] = [];
  let columns: string[] | undefined;
  const timeColumns = new Set(TIME_FIELDS);
  let aggregated = false;
  let sorted = false;
  let limit = maxRows;
  let recordsMatched = 0;

  // Per-record commands run as a stream until the first stats, sort, limit or dedup.
  const firstBatch = q.commands.findIndex((c) => c.kind === 'stats' || c.kind === 'sort' || c.kind === 'limit' || c.kind === 'dedup');
  const streaming = firstBatch < 0 ? q.commands : q.commands.slice(0, firstBatch);
  const rest = firstBatch < 0 ? [] : q.commands.slice(firstBatch);

  const perRow = (c: Command, row: Row): boolean => {
    if (c.kind === 'filter') return truthy(evalExpr(c.expr, row));
    if (c.kind === 'parse') {
      const m = c.re.exec(text(evalExpr(c.source, row)));
      if (m) c.names.forEach((n, i) => { row[n] = m.groups?.[n] ?? m[i + 1]; });
      return true;
    }
    if (c.kind === 'fields') {
      for (const it of c.items) {
        if (it.expr.k !== 'field' || it.expr.name !== it.name) row[it.name] = evalExpr(it.expr, row);
      }
    }
    return true;
  };
  const project = (c: Command) => {
    if (c.kind !== 'fields') return;
    for (const it of c.items) if (isTime(it.expr)) timeColumns.add(it.name);
    const names = c.items.map((it) => it.name);
    columns = c.display || !columns ? names : [...columns, ...names.filter((n) => !columns!.includes(n))];
  };
  for (const c of streaming) project(c);
  for (const rec of records) {
    const row = rowOf(rec);
    if (streaming.every((c) => perRow(c, row))) rows.push(row);
  }
  recordsMatched = rows.length;

  for (const c of rest) {
    switch (c.kind) {
      case 'filter':
      case 'parse':
      case 'fields':
        project(c);
        rows = rows.filter((r) => perRow(c, r));
        if (!aggregated) recordsMatched = rows.length;
        break;
      case 'stats': {
        const groups = new Map<string, Row[]>();
        for (const r of rows) {
          const key = JSON.stringify(c.by.map((b) => evalExpr(b.expr, r) ?? null));
          let g = groups.get(key);
          if (!g) groups.set(key, (g = []));
          g.push(r);
        }
        rows = [...groups.values()].map((g) => {
          const out: Row = {};
          for (const b of c.by) out[b.name] = evalExpr(b.expr, g[0]);
          for (const a of c.aggs) out[a.name] = aggregate(a, g);
          return out;
        });
        for (const b of c.by) if (isTime(b.expr)) timeColumns.add(b.name);
        for (const a of c.aggs) if ((a.fn === 'min' || a.fn === 'max' || a.fn === 'earliest' || a.fn === 'latest') && isTime(a.arg)) timeColumns.add(a.name);
        columns = [...c.by.map((b) => b.name), ...c.aggs.map((a) => a.name)];
        aggregated = true;
        break;
      }
      case 'sort':
        rows.sort((a, b) => {
          for (const k of c.keys) {
            const x = a[k.name];
            const y = b[k.name];
            if (x === undefined && y === undefined) continue;
            if (x === undefined) return 1;
            if (y === undefined) return -1;
            const d = compare(x, y);
            if (d) return k.desc ? -d : d;
          }
          return 0;
        });
        sorted = true;
        break;
      case 'limit':
        rows = rows.slice(0, c.n);
        limit = Math.min(limit, c.n);
        break;
      case 'dedup': {
        const seen = new Set<string>();
        rows = rows.filter((r) => {
          const key = JSON.stringify(c.names.map((n) => r[n] ?? null));
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        break;
      }
    }
  }
  // Without a sort, events come newest first, as the Insights console shows them.
  if (!sorted && !aggregated) rows.reverse();
  const fields = columns ?? ['@timestamp', '@message'];
  const out = rows.slice(0, limit).map((r) => {
    const cells = fields
      .filter((f) => r[f] !== undefined)
      .map((f) => ({ field: f, value: timeColumns.has(f) && typeof r[f] === 'number' ? formatTimestamp(r[f] as number) : text(r[f]) }));
    if (!aggregated && r['@ptr'] !== undefined && !fields.includes('@ptr')) cells.push({ field: '@ptr', value: text(r['@ptr']) });
    return cells;
  });
  return { rows: out, recordsMatched };
}
