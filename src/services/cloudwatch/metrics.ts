/**
 * PutMetricData, GetMetricStatistics and ListMetrics: datapoints in, statistics per period out.
 * Limits and messages follow https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 * and API_GetMetricStatistics.html.
 */
import type {
  Datapoint, GetMetricStatisticsInput, GetMetricStatisticsOutput, ListMetricsInput, ListMetricsOutput, Metric, MetricDatum,
  PutMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import type { RequestContext } from '../provider.js';
import { badValue, invalidNextToken, invalidParameterCombination, invalidParameterValue } from './errors.js';
import { metricTime, type MetricTime } from './metric-time.js';
import {
  addSamples, bucketsOf, dimsKey, dimsOf, findMetric, LISTED_FOR, metricsOf, upsertMetric, type Bucket, type MetricRow,
} from './metric-store.js';
import { fromStatisticSet, fromValues, merge, type Samples } from './samples.js';
import { parseExtended, statistic } from './statistics.js';
import { checkDimensions, checkLength, checkNamespace, checkPeriod, UNITS, unitMessage } from './validation.js';

const MAX_METRIC_DATA = 1000;
const MAX_VALUES = 150;
const MAX_DATAPOINTS = 1440;
const TWO_WEEKS = 14 * 24 * 3600;
const TWO_HOURS = 2 * 3600;
/** The smallest and largest magnitudes CloudWatch accepts (it rejects others, and NaN/Infinity). */
const MIN_MAGNITUDE = 8.515920e-109;
const MAX_MAGNITUDE = 1.174271e+108;

export const clockOf = (ctx: RequestContext): MetricTime => metricTime(ctx.metricsPeriod);

function checkValue(v: number, at: string) {
  const a = Math.abs(v);
  if (!Number.isFinite(v) || (a !== 0 && (a < MIN_MAGNITUDE || a > MAX_MAGNITUDE))) throw badValue(v, at);
}

export function putMetricData(ctx: RequestContext, input: PutMetricDataInput): Record<string, never> {
  const ns = input.Namespace!;
  checkNamespace(ns);
  if (ns.startsWith('AWS/')) throw invalidParameterValue(`The value ${ns} for parameter Namespace is invalid.`);
  // EntityMetricData's datums are metrics like any other; the entity (resource context for Explore) is not kept.
  const data = [...(input.MetricData ?? []), ...(input.EntityMetricData ?? []).flatMap((e) => e.MetricData ?? [])];
  if (!data.length) {
    throw invalidParameterCombination('At least one of the parameters MetricData or EntityMetricData must be specified.');
  }
  if (data.length > MAX_METRIC_DATA) throw invalidParameterValue(`The collection MetricData must not have a size greater than ${MAX_METRIC_DATA}.`);
  // Every bad unit is named, one per line, before anything else about the datums.
  const badUnits = data.flatMap((d, i) => (d.Unit !== undefined && !UNITS.includes(d.Unit) ? [unitMessage(`MetricData.member.${i + 1}.Unit`)] : []));
  if (badUnits.length) throw invalidParameterValue(badUnits.join('\n'));
  const time = clockOf(ctx);
  const now = time.toMetric(ctx.clock.now());
  const checked = data.map((d, i) => checkDatum(d, `MetricData.member.${i + 1}`, now, time));
  for (const { datum, ts, samples } of checked) {
    const id = upsertMetric(ctx.sql, ctx, ns, datum.MetricName!, dimsKey(datum.Dimensions), Math.max(now, ts));
    const resolution = datum.StorageResolution === 1 ? 1 : 60;
    addSamples(ctx.sql, id, Math.floor(ts / resolution) * resolution, resolution, datum.Unit ?? 'None', samples);
  }
  return {};
}

function checkDatum(d: MetricDatum, at: string, now: number, time: MetricTime): { datum: MetricDatum; ts: number; samples: Samples } {
  checkLength(d.MetricName, `${at}.MetricName`, 1, 255);
  checkDimensions(d.Dimensions, `${at}.Dimensions`);
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
    throw badValue(d.StorageResolution, `${at}.StorageResolution`);
  }
  const given = [d.Value !== undefined && 'Value', d.StatisticValues && 'StatisticValues', d.Values?.length && 'Values'].filter(Boolean) as string[];
  if (given.length > 1) {
    throw invalidParameterCombination(`The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`);
  }
  if (!given.length) {
    throw invalidParameterCombination(`At least one of the parameters ${at}.Value, ${at}.StatisticValues or ${at}.Values must be specified.`);
  }
  const ts = d.Timestamp ? time.toMetric(d.Timestamp.getTime()) : now;
  if (ts < now - TWO_WEEKS) throw invalidParameterValue(`The parameter ${at}.Timestamp must specify a time no more than two weeks in the past.`);
  if (ts > now + TWO_HOURS) throw invalidParameterValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  let samples: Samples;
  if (d.StatisticValues) {
    const s = d.StatisticValues;
    for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum'] as const) checkValue(s[k]!, `${at}.StatisticValues.${k}`);
    if (s.SampleCount! <= 0) throw badValue(s.SampleCount, `${at}.StatisticValues.SampleCount`);
    if (s.Minimum! > s.Maximum!) throw invalidParameterValue(`The parameter ${at}.StatisticValues.Maximum must be greater than ${at}.StatisticValues.Minimum.`);
    samples = fromStatisticSet(s);
  } else if (d.Values?.length) {
    if (d.Values.length > MAX_VALUES) throw invalidParameterValue(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
    if (d.Counts && d.Counts.length !== d.Values.length) {
      throw invalidParameterValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    d.Values.forEach((v, i) => checkValue(v, `${at}.Values.member.${i + 1}`));
    d.Counts?.forEach((c, i) => { if (!(c > 0) || !Number.isFinite(c)) throw badValue(c, `${at}.Counts.member.${i + 1}`); });
    samples = fromValues(d.Values, d.Counts);
  } else {
    checkValue(d.Value!, `${at}.Value`);
    samples = fromValues([d.Value!]);
  }
  return { datum: d, ts, samples };
}

/**
 * Where a query's periods start: CloudWatch rounds StartTime down by its age — to the minute within
 * 15 days (to the period, for high-resolution periods), to 5 minutes within 63 days, else to the hour.
 */
export function alignedStart(start: number, period: number, now: number): number {
  const age = now - start;
  const step = age <= 15 * 86400 ? (period < 60 ? period : 60) : age <= 63 * 86400 ? 300 : 3600;
  return Math.floor(start / step) * step;
}

/** Samples per period start (and unit) over [start, end). */
export function periodSamples(buckets: Bucket[], start: number, end: number, period: number, unit?: string): Map<string, { ts: number; unit: string; samples: Samples }> {
  const out = new Map<string, { ts: number; unit: string; samples: Samples }>();
  for (const b of buckets) {
    if (b.ts < start || b.ts >= end || (unit && b.unit !== unit)) continue;
    const ts = start + Math.floor((b.ts - start) / period) * period;
    const key = `${ts}|${b.unit}`;
    const have = out.get(key);
    out.set(key, { ts, unit: b.unit, samples: have ? merge(have.samples, b) : b });
  }
  return out;
}

export function checkTimeRange(start: number, end: number) {
  if (!(start < end)) throw invalidParameterValue('The parameter StartTime must be less than the parameter EndTime.');
}

// The model's constraints on these inputs (namespace, unit and statistic values, list sizes) are refused by the wire
// layer before a provider runs (protocol/constraints.ts); what follows is CloudWatch's own.
export function getMetricStatistics(ctx: RequestContext, input: GetMetricStatisticsInput): GetMetricStatisticsOutput {
  checkDimensions(input.Dimensions, 'Dimensions');
  checkPeriod(input.Period);
  const stats = input.Statistics ?? [];
  const extended = input.ExtendedStatistics ?? [];
  if (!stats.length && !extended.length) throw invalidParameterCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
  if (stats.length && extended.length) throw invalidParameterCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
  extended.forEach((s, i) => { if (!parseExtended(s)) throw badValue(s, `ExtendedStatistics.member.${i + 1}`); });
  const time = clockOf(ctx);
  const now = time.toMetric(ctx.clock.now());
  const period = input.Period!;
  const end = time.toMetric(input.EndTime!.getTime());
  const start = alignedStart(time.toMetric(input.StartTime!.getTime()), period, now);
  checkTimeRange(start, end);
  const requested = Math.ceil((end - start) / period);
  if (requested > MAX_DATAPOINTS) {
    throw invalidParameterCombination(`You have requested up to ${requested.toLocaleString('en-US')} datapoints, which exceeds the limit of ${MAX_DATAPOINTS.toLocaleString('en-US')}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
  const metric = findMetric(ctx.sql, ctx, input.Namespace!, input.MetricName!, dimsKey(input.Dimensions));
  const datapoints: Datapoint[] = [];
  if (metric) {
    const periods = periodSamples(bucketsOf(ctx.sql, metric.id, start, end), start, end, period, input.Unit);
    for (const { ts, unit, samples } of [...periods.values()].sort((a, b) => a.ts - b.ts)) {
      const dp: Datapoint = { Timestamp: time.toReal(ts), Unit: unit as Datapoint['Unit'] };
      for (const s of stats) (dp as Record<string, unknown>)[s] = statistic(s, samples);
      if (extended.length) {
        const ext: Record<string, number> = {};
        for (const s of extended) {
          const v = statistic(s, samples);
          if (v !== undefined) ext[s] = v;
        }
        dp.ExtendedStatistics = ext;
      }
      datapoints.push(dp);
    }
  }
  return { Label: input.MetricName, Datapoints: datapoints };
}

const PAGE = 500;

export const pageToken = (offset: number) => Buffer.from(JSON.stringify({ o: offset })).toString('base64');
export function pageOffset(token: string | undefined): number {
  if (!token) return 0;
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).o;
    if (Number.isInteger(o) && o >= 0) return o;
  } catch { /* below */ }
  throw invalidNextToken();
}

export function metricOf(row: MetricRow): Metric {
  return { Namespace: row.namespace, MetricName: row.name, Dimensions: dimsOf(row.dims) };
}

export function listMetrics(ctx: RequestContext, input: ListMetricsInput): ListMetricsOutput {
  const time = clockOf(ctx);
  const now = time.toMetric(ctx.clock.now());
  const since = input.RecentlyActive ? now - 3 * 3600 : now - LISTED_FOR;
  const filters = input.Dimensions ?? [];
  const rows = metricsOf(ctx.sql, ctx, since, input.Namespace, input.MetricName).filter((r) => {
    if (!filters.length) return true;
    const dims = new Map(dimsOf(r.dims).map((d) => [d.Name, d.Value]));
    return filters.every((f) => dims.has(f.Name) && (f.Value === undefined || dims.get(f.Name) === f.Value));
  });
  const offset = pageOffset(input.NextToken);
  const page = rows.slice(offset, offset + PAGE);
  const out: ListMetricsOutput = { Metrics: page.map(metricOf) };
  if (input.IncludeLinkedAccounts) out.OwningAccounts = page.map(() => ctx.account);
  if (offset + PAGE < rows.length) out.NextToken = pageToken(offset + PAGE);
  return out;
}
