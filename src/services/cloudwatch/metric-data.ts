/**
 * GetMetricData: MetricStat queries read like GetMetricStatistics (one statistic per period), and
 * expression queries are evaluated over them (expressions.ts), each after the ids it refers to.
 * The same evaluation serves metric-math alarms (alarm-evaluation.ts).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import type {
  GetMetricDataInput, GetMetricDataOutput, MetricDataQuery, MetricDataResult, MetricStat,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../../protocol/errors.js';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { badValue, invalidParameterCombination, invalidParameterValue } from './errors.js';
import { evaluate, ExpressionError, parseExpression, referencedIds, type EvalContext, type Series } from './expressions.js';
import type { MetricTime } from './metric-time.js';
import { bucketsOf, dimsKey, dimsOf, findMetric, LISTED_FOR, metricsOf, type Scope } from './metric-store.js';
import { alignedStart, checkTimeRange, clockOf, pageOffset, pageToken, periodSamples } from './metrics.js';
import { isStatistic, statistic } from './statistics.js';
import { checkDimensions, checkPeriod } from './validation.js';

const ID = /^[a-z][a-zA-Z0-9_]*$/;
const MAX_QUERIES = 500;

export const validationError = (message: string) => new AwsError('ValidationError', message, { status: 400 });

/** Checks a list of queries as GetMetricData and PutMetricAlarm both do. */
export function checkQueries(queries: MetricDataQuery[], at: string) {
  const ids = new Set<string>();
  queries.forEach((q, i) => {
    const m = `${at}.member.${i + 1}`;
    if (!ID.test(q.Id ?? '')) throw badValue(q.Id, `${m}.Id`);
    if (ids.has(q.Id!)) throw invalidParameterValue(`The value ${q.Id} for parameter ${m}.Id is not unique.`);
    ids.add(q.Id!);
    if (!!q.MetricStat === !!q.Expression) {
      throw invalidParameterCombination(`Exactly one of the parameters ${m}.MetricStat and ${m}.Expression must be specified.`);
    }
    if (q.MetricStat) checkMetricStat(q.MetricStat, `${m}.MetricStat`);
    if (q.Period !== undefined) checkPeriod(q.Period, `${m}.Period`);
    if (q.Expression) {
      try {
        parseExpression(q.Expression);
      } catch (err) {
        if (err instanceof ExpressionError) throw validationError(`Error in expression ${q.Id}: ${err.message}`);
        throw err;
      }
    }
  });
}

function checkMetricStat(ms: MetricStat, at: string) {
  checkDimensions(ms.Metric?.Dimensions, `${at}.Metric.Dimensions`);
  checkPeriod(ms.Period, `${at}.Period`);
  if (!isStatistic(ms.Stat!)) throw badValue(ms.Stat, `${at}.Stat`);
}

/** One MetricStat as a series over [start, end) with the query's period. */
export function metricStatSeries(sql: Statements, s: Scope, ms: MetricStat, label: string, start: number, end: number): Series {
  const points = new Map<number, number>();
  const metric = findMetric(sql, s, ms.Metric!.Namespace!, ms.Metric!.MetricName!, dimsKey(ms.Metric!.Dimensions));
  if (metric) {
    for (const p of periodSamples(bucketsOf(sql, metric.id, start, end), start, end, ms.Period!, ms.Unit).values()) {
      const v = statistic(ms.Stat!, p.samples);
      if (v === undefined) continue;
      // Several units in one period: CloudWatch reports them apart; a series keeps the first.
      if (!points.has(p.ts)) points.set(p.ts, v);
    }
  }
  return { label, points, period: ms.Period! };
}

export interface QueryWindow {
  sql: Statements;
  scope: Scope;
  start: number;
  end: number;
  now: number;
}

/** Every query's value (a series, or an array of series for METRICS()/SEARCH), by id. */
export function runQueries(queries: MetricDataQuery[], w: QueryWindow): Map<string, Series | Series[]> {
  const out = new Map<string, Series | Series[]>();
  const byId = new Map(queries.map((q) => [q.Id!, q]));
  const period = queries.find((q) => q.MetricStat)?.MetricStat!.Period ?? queries.find((q) => q.Period)?.Period ?? 60;
  const grid: number[] = [];
  for (let t = w.start; t < w.end; t += period) grid.push(t);
  const stats = () => queries.filter((q) => q.MetricStat).map((q) => value(q.Id!) as Series);
  const visiting = new Set<string>();
  const value = (id: string): Series | Series[] | undefined => {
    const have = out.get(id);
    if (have) return have;
    const q = byId.get(id);
    if (!q) return undefined;
    let v: Series | Series[];
    if (q.MetricStat) {
      v = metricStatSeries(w.sql, w.scope, q.MetricStat, q.Label ?? q.MetricStat.Metric!.MetricName!, w.start, w.end);
    } else {
      if (visiting.has(id)) throw validationError(`Error in expression ${id}: Circular dependency between ${[...visiting].join(', ')}.`);
      visiting.add(id);
      try {
        const node = parseExpression(q.Expression!);
        for (const ref of referencedIds(node)) if (!byId.has(ref)) throw new ExpressionError(`Unrecognized metric id ${ref}.`);
        const ctx: EvalContext = {
          grid, period: q.Period ?? period, resolve: value, metricStats: stats,
          search: (query, stat, p) => search(w, query, stat, p),
        };
        const r = evaluate(node, ctx);
        v = typeof r === 'number'
          ? { label: q.Label ?? id, points: new Map(grid.map((t) => [t, r])), period }
          : Array.isArray(r) ? r : { ...r, label: q.Label ?? id };
      } catch (err) {
        if (err instanceof ExpressionError) throw validationError(`Error in expression ${id}: ${err.message}`);
        throw err;
      } finally {
        visiting.delete(id);
      }
    }
    out.set(id, v);
    return v;
  };
  for (const q of queries) value(q.Id!);
  return out;
}

/**
 * SEARCH's simple form: `{Namespace,Dim1,Dim2} term term …`, where the schema (optional) names the
 * namespace and exactly the dimension names a metric has, and each term is `Key="value"`
 * (MetricName, Namespace or a dimension) or a word some part of the metric contains.
 */
export function search(w: QueryWindow, query: string, stat: string, period: number): Series[] {
  if (!isStatistic(stat)) throw new ExpressionError(`Invalid statistic ${stat} in SEARCH.`);
  let rest = query.trim();
  let schema: string[] | undefined;
  const braces = /^\{([^}]*)\}/.exec(rest);
  if (braces) {
    schema = braces[1].split(',').map((x) => x.trim().replace(/^"|"$/g, '')).filter(Boolean);
    rest = rest.slice(braces[0].length);
  }
  const terms = [...rest.matchAll(/([A-Za-z0-9_.\-/:]+)\s*=\s*"([^"]*)"|"([^"]*)"|(\S+)/g)].map((m) => (m[1] ? { key: m[1], value: m[2] } : { word: m[3] ?? m[4] }));
  const [namespace, ...dimNames] = schema ?? [];
  const rows = metricsOf(w.sql, w.scope, w.now - LISTED_FOR, namespace).filter((r) => {
    const dims = dimsOf(r.dims);
    if (schema && (dims.length !== dimNames.length || !dimNames.every((n) => dims.some((d) => d.Name === n)))) return false;
    return terms.every((t) => {
      if ('key' in t && t.key !== undefined) {
        if (t.key === 'MetricName') return r.name === t.value;
        if (t.key === 'Namespace') return r.namespace === t.value;
        return dims.some((d) => d.Name === t.key && d.Value === t.value);
      }
      const word = (t as { word: string }).word.toLowerCase();
      return [r.namespace, r.name, ...dims.flatMap((d) => [d.Name!, d.Value!])].some((x) => x.toLowerCase().includes(word));
    });
  });
  return rows.slice(0, 500).map((r) => {
    const dims = dimsOf(r.dims);
    const label = [...dims.map((d) => d.Value), r.name].join(' ');
    return metricStatSeries(w.sql, w.scope, { Metric: { Namespace: r.namespace, MetricName: r.name, Dimensions: dims }, Period: period, Stat: stat }, label, w.start, w.end);
  });
}

function resultOf(id: string, s: Series, time: MetricTime, descending: boolean): MetricDataResult {
  const ts = [...s.points.keys()].sort((a, b) => (descending ? b - a : a - b));
  return {
    Id: id, Label: s.label, Timestamps: ts.map((t) => time.toReal(t)), Values: ts.map((t) => s.points.get(t)!),
    StatusCode: 'Complete', Messages: [],
  };
}

export function getMetricData(ctx: RequestContext, input: GetMetricDataInput): GetMetricDataOutput {
  const queries = input.MetricDataQueries ?? [];
  if (!queries.length) throw invalidParameterValue('The collection MetricDataQueries must not be empty.');
  if (queries.length > MAX_QUERIES) throw invalidParameterValue(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  checkQueries(queries, 'MetricDataQueries');
  const time = clockOf(ctx);
  const now = time.toMetric(ctx.clock.now());
  const period = queries.find((q) => q.MetricStat)?.MetricStat!.Period ?? queries.find((q) => q.Period)?.Period ?? 60;
  const start = alignedStart(time.toMetric(input.StartTime!.getTime()), period, now);
  const end = time.toMetric(input.EndTime!.getTime());
  checkTimeRange(start, end);
  const values = runQueries(queries, { sql: ctx.sql, scope: ctx, start, end, now });
  const descending = input.ScanBy !== 'TimestampAscending';
  const results: MetricDataResult[] = [];
  for (const q of queries) {
    if (q.ReturnData === false) continue;
    const v = values.get(q.Id!)!;
    for (const s of Array.isArray(v) ? v : [v]) results.push(resultOf(q.Id!, s, time, descending));
  }
  return { MetricDataResults: results, ...pageOf(results, pageOffset(input.NextToken), input.MaxDatapoints ?? MAX_DATAPOINTS), Messages: [] };
}

/** GetMetricData's page size when MaxDatapoints is omitted, as CloudWatch documents it. */
const MAX_DATAPOINTS = 100_800;

/**
 * One page of the results' datapoints, counted across the results in order: the first `skip` were on earlier pages,
 * this page carries the next `max`. A result cut short says PartialData, and NextToken resumes after the last
 * datapoint (each page recomputes the queries, as the token only counts datapoints). Cuts `results` in place.
 */
function pageOf(results: MetricDataResult[], skip: number, max: number): { NextToken?: string } {
  let seen = 0;
  let left = max;
  for (const r of results) {
    const total = r.Timestamps!.length;
    const from = Math.min(total, Math.max(0, skip - seen));
    const to = Math.min(total, from + left);
    r.Timestamps = r.Timestamps!.slice(from, to);
    r.Values = r.Values!.slice(from, to);
    if (to < total) r.StatusCode = 'PartialData';
    left -= to - from;
    seen += total;
  }
  return seen > skip + max ? { NextToken: pageToken(skip + max) } : {};
}
