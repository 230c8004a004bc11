/**
 * Metric math (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html):
 * a parser and evaluator for the common subset — numbers, query ids, + - * / ^, comparisons
 * (== != < <= > >=), AND/&&, OR/||, NOT, parentheses, and the functions SUM, AVG, MIN, MAX, STDDEV,
 * METRICS([filter]), FILL(x, value|REPEAT|LINEAR), IF(cond, a[, b]), ABS, CEIL, FLOOR, LOG, LOG10,
 * DIFF, RATE, RUNNING_SUM, PERIOD, and SEARCH(query, stat, period) through the caller.
 *
 * Values are scalars, time series (points keyed by period start, in metric seconds) or arrays of
 * series. Arithmetic on two series keeps the timestamps both have; on a series and a scalar, every
 * point. An aggregate (SUM, AVG, …) of an array is a series (per timestamp, over the series that have
 * a value there); of one series, a scalar over its points — both as CloudWatch defines them.
 */

export interface Series {
  label: string;
  /** Period start (metric seconds) → value. */
  points: Map<number, number>;
  /** The query's period, for RATE and PERIOD. */
  period: number;
}

export type Value = number | Series | Series[];

export class ExpressionError extends Error {}

export interface EvalContext {
  /** Every period start of the query window, ascending. */
  grid: number[];
  period: number;
  /** A query's result by its id (MetricStat or an earlier expression). */
  resolve(id: string): Series | Series[] | undefined;
  /** The MetricStat queries' series (METRICS()). */
  metricStats(): Series[];
  /** SEARCH(expression, stat, period); absent: SEARCH is refused. */
  search?(query: string, stat: string, period: number): Series[];
}

// ---------------------------------------------------------------- parsing

type Node =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'id'; v: string }
  | { k: 'sym'; v: string }
  | { k: 'neg'; a: Node }
  | { k: 'not'; a: Node }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'call'; fn: string; args: Node[] };

interface Token { t: 'num' | 'str' | 'name' | 'op' | 'end'; v: string; at: number }

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '^', '(', ')', ','];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: num[0], at: i }); i += num[0].length; continue; }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) { out.push({ t: 'name', v: name[0], at: i }); i += name[0].length; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new ExpressionError(`Unterminated string at position ${i + 1}.`);
      out.push({ t: 'str', v: s, at: i });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`Unrecognized character ${c} at position ${i + 1}.`);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek().t === 'op' && peek().v === v;
  const isWord = (v: string) => peek().t === 'name' && peek().v.toUpperCase() === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`Expected ${v} at position ${peek().at + 1}.`);
    p++;
  };
  const or = (): Node => {
    let a = and();
    while (isOp('||') || isWord('OR')) { p++; a = { k: 'bin', op: '||', a, b: and() }; }
    return a;
  };
  const and = (): Node => {
    let a = not();
    while (isOp('&&') || isWord('AND')) { p++; a = { k: 'bin', op: '&&', a, b: not() }; }
    return a;
  };
  const not = (): Node => {
    if (isWord('NOT')) { p++; return { k: 'not', a: not() }; }
    return cmp();
  };
  const cmp = (): Node => {
    const a = add();
    const t = peek();
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) { p++; return { k: 'bin', op: t.v, a, b: add() }; }
    return a;
  };
  const add = (): Node => {
    let a = mul();
    while (isOp('+') || isOp('-')) { const op = toks[p++].v; a = { k: 'bin', op, a, b: mul() }; }
    return a;
  };
  const mul = (): Node => {
    let a = pow();
    while (isOp('*') || isOp('/')) { const op = toks[p++].v; a = { k: 'bin', op, a, b: pow() }; }
    return a;
  };
  const pow = (): Node => {
    const a = unary();
    if (isOp('^')) { p++; return { k: 'bin', op: '^', a, b: pow() }; }
    return a;
  };
  const unary = (): Node => {
    if (isOp('-')) { p++; return { k: 'neg', a: unary() }; }
    if (isOp('+')) { p++; return unary(); }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[p++];
    if (t.t === 'num') return { k: 'num', v: Number(t.v) };
    if (t.t === 'str') return { k: 'str', v: t.v };
    if (t.t === 'op' && t.v === '(') { const e = or(); expect(')'); return e; }
    if (t.t === 'name') {
      if (isOp('(')) {
        p++;
        const args: Node[] = [];
        if (!isOp(')')) {
          args.push(or());
          while (isOp(',')) { p++; args.push(or()); }
        }
        expect(')');
        return { k: 'call', fn: t.v.toUpperCase(), args };
      }
      if (t.v === 'REPEAT' || t.v === 'LINEAR') return { k: 'sym', v: t.v };
      return { k: 'id', v: t.v };
    }
    throw new ExpressionError(t.t === 'end' ? 'Unexpected end of expression.' : `Unexpected ${t.v} at position ${t.at + 1}.`);
  };
  const node = or();
  if (peek().t !== 'end') throw new ExpressionError(`Unexpected ${peek().v} at position ${peek().at + 1}.`);
  return node;
}

/** The query ids an expression refers to (for ordering and cycle checks). */
export function referencedIds(node: Node): string[] {
  switch (node.k) {
    case 'id': return [node.v];
    case 'neg': case 'not': return referencedIds(node.a);
    case 'bin': return [...referencedIds(node.a), ...referencedIds(node.b)];
    case 'call': return node.args.flatMap(referencedIds);
    default: return [];
  }
}

export const usesMetrics = (node: Node): boolean =>
  node.k === 'call' ? node.fn === 'METRICS' || node.args.some(usesMetrics)
    : node.k === 'bin' ? usesMetrics(node.a) || usesMetrics(node.b)
      : node.k === 'neg' || node.k === 'not' ? usesMetrics(node.a) : false;

// ---------------------------------------------------------------- evaluation

const isSeries = (v: unknown): v is Series => typeof v === 'object' && v !== null && !Array.isArray(v) && 'points' in v;

function series(label: string, points: Map<number, number>, period: number): Series {
  return { label, points, period };
}

function mapValue(v: Value, f: (x: number) => number): Value {
  if (typeof v === 'number') return f(v);
  if (Array.isArray(v)) return v.map((s) => mapValue(s, f) as Series);
  const points = new Map<number, number>();
  for (const [t, x] of v.points) points.set(t, f(x));
  return series(v.label, points, v.period);
}

function combine(a: Value, b: Value, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  if (Array.isArray(a)) return a.map((s) => combine(s, b, f) as Series);
  if (Array.isArray(b)) return b.map((s) => combine(a, s, f) as Series);
  if (typeof a === 'number') return mapValue(b, (y) => f(a, y));
  if (typeof b === 'number') return mapValue(a, (x) => f(x, b));
  const points = new Map<number, number>();
  for (const [t, x] of a.points) {
    const y = b.points.get(t);
    if (y !== undefined) points.set(t, f(x, y));
  }
  return series(a.label, points, a.period);
}

const BINARY: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => x / y, '^': (x, y) => x ** y,
  '==': (x, y) => +(x === y), '!=': (x, y) => +(x !== y), '<': (x, y) => +(x < y), '<=': (x, y) => +(x <= y),
  '>': (x, y) => +(x > y), '>=': (x, y) => +(x >= y), '&&': (x, y) => +(!!x && !!y), '||': (x, y) => +(!!x || !!y),
};

type Aggregate = (xs: number[]) => number;
const AGGREGATES: Record<string, Aggregate> = {
  SUM: (xs) => xs.reduce((s, x) => s + x, 0),
  AVG: (xs) => xs.reduce((s, x) => s + x, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
  STDDEV: (xs) => {
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
  },
};

const UNARY: Record<string, (x: number) => number> = {
  ABS: Math.abs, CEIL: Math.ceil, FLOOR: Math.floor, LOG: Math.log, LOG10: Math.log10,
};

export function evaluate(node: Node, ctx: EvalContext): Value {
  switch (node.k) {
    case 'num': return node.v;
    case 'str': throw new ExpressionError(`A string ("${node.v}") is only valid as a function argument.`);
    case 'sym': throw new ExpressionError(`${node.v} is only valid as FILL's second argument.`);
    case 'id': {
      const v = ctx.resolve(node.v);
      if (v === undefined) throw new ExpressionError(`Unrecognized metric id ${node.v}.`);
      return v;
    }
    case 'neg': return mapValue(evaluate(node.a, ctx), (x) => -x);
    case 'not': return mapValue(evaluate(node.a, ctx), (x) => +!x);
    case 'bin': return combine(evaluate(node.a, ctx), evaluate(node.b, ctx), BINARY[node.op]);
    case 'call': return call(node.fn, node.args, ctx);
  }
}

function arity(fn: string, args: Node[], min: number, max = min) {
  if (args.length < min || args.length > max) throw new ExpressionError(`${fn} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}.`);
}

function call(fn: string, args: Node[], ctx: EvalContext): Value {
  if (AGGREGATES[fn]) {
    arity(fn, args, 1);
    const v = evaluate(args[0], ctx);
    const agg = AGGREGATES[fn];
    if (typeof v === 'number') return v;
    if (isSeries(v)) return v.points.size ? agg([...v.points.values()]) : NaN;
    const points = new Map<number, number>();
    for (const t of ctx.grid) {
      const xs = v.map((s) => s.points.get(t)).filter((x): x is number => x !== undefined);
      if (xs.length) points.set(t, agg(xs));
    }
    return series(fn, points, ctx.period);
  }
  if (UNARY[fn]) {
    arity(fn, args, 1);
    return mapValue(evaluate(args[0], ctx), UNARY[fn]);
  }
  switch (fn) {
    case 'METRICS': {
      arity(fn, args, 0, 1);
      const filter = args[0] ? stringArg(fn, args[0]) : undefined;
      return ctx.metricStats().filter((s) => !filter || s.label.includes(filter));
    }
    case 'FILL': {
      arity(fn, args, 2);
      const v = evaluate(args[0], ctx);
      const how = args[1];
      const fill = (s: Series): Series => {
        const points = new Map<number, number>();
        const known = ctx.grid.filter((t) => s.points.has(t));
        for (const t of ctx.grid) {
          const x = s.points.get(t);
          if (x !== undefined) { points.set(t, x); continue; }
          if (how.k === 'sym' && how.v === 'REPEAT') {
            const before = [...known].reverse().find((k) => k < t);
            const src = before ?? known.find((k) => k > t);
            if (src !== undefined) points.set(t, s.points.get(src)!);
          } else if (how.k === 'sym' && how.v === 'LINEAR') {
            const before = [...known].reverse().find((k) => k < t);
            const after = known.find((k) => k > t);
            if (before !== undefined && after !== undefined) {
              const a = s.points.get(before)!;
              const b = s.points.get(after)!;
              points.set(t, a + ((b - a) * (t - before)) / (after - before));
            }
          } else {
            const f = evaluate(how, ctx);
            if (typeof f !== 'number') throw new ExpressionError('FILL takes a number, REPEAT or LINEAR as its second argument.');
            points.set(t, f);
          }
        }
        return series(s.label, points, s.period);
      };
      if (typeof v === 'number') throw new ExpressionError('FILL takes a time series or an array of time series.');
      return Array.isArray(v) ? v.map(fill) : fill(v);
    }
    case 'IF': {
      arity(fn, args, 2, 3);
      const cond = evaluate(args[0], ctx);
      const then = evaluate(args[1], ctx);
      const otherwise = args[2] ? evaluate(args[2], ctx) : undefined;
      const at = (v: Value | undefined, t: number) => (v === undefined ? undefined : typeof v === 'number' ? v : isSeries(v) ? v.points.get(t) : undefined);
      const pick = (c: Series): Series => {
        const points = new Map<number, number>();
        for (const [t, x] of c.points) {
          const y = x ? at(then, t) : at(otherwise, t);
          if (y !== undefined) points.set(t, y);
        }
        return series(c.label, points, c.period);
      };
      if (typeof cond === 'number') {
        const chosen = cond ? then : otherwise;
        if (chosen === undefined) throw new ExpressionError('IF with a false scalar condition needs a third argument.');
        return chosen;
      }
      return Array.isArray(cond) ? cond.map(pick) : pick(cond);
    }
    case 'DIFF':
    case 'RATE':
    case 'RUNNING_SUM': {
      arity(fn, args, 1);
      const v = evaluate(args[0], ctx);
      const each = (s: Series): Series => {
        const points = new Map<number, number>();
        let prev: [number, number] | undefined;
        let running = 0;
        for (const t of [...s.points.keys()].sort((a, b) => a - b)) {
          const x = s.points.get(t)!;
          if (fn === 'RUNNING_SUM') points.set(t, (running += x));
          else if (prev) points.set(t, fn === 'DIFF' ? x - prev[1] : (x - prev[1]) / (t - prev[0]));
          prev = [t, x];
        }
        return series(s.label, points, s.period);
      };
      if (typeof v === 'number') throw new ExpressionError(`${fn} takes a time series or an array of time series.`);
      return Array.isArray(v) ? v.map(each) : each(v);
    }
    case 'PERIOD': {
      arity(fn, args, 1);
      const v = evaluate(args[0], ctx);
      if (typeof v === 'number') throw new ExpressionError('PERIOD takes a time series.');
      const one = (s: Series) => mapValue(s, () => s.period) as Series;
      return Array.isArray(v) ? v.map(one) : one(v);
    }
    case 'SEARCH': {
      arity(fn, args, 3);
      if (!ctx.search) throw new ExpressionError('SEARCH is not supported here.');
      const period = evaluate(args[2], ctx);
      if (typeof period !== 'number') throw new ExpressionError('SEARCH takes a period in seconds as its third argument.');
      return ctx.search(stringArg(fn, args[0]), stringArg(fn, args[1]), period);
    }
    default:
      throw new ExpressionError(`Unsupported function ${fn}.`);
  }
}

function stringArg(fn: string, node: Node): string {
  if (node.k !== 'str') throw new ExpressionError(`${fn} takes a string in quotes.`);
  return node.v;
}
