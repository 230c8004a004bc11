/**
 * Metric filters' rows and what they produce: every event appended to a log
 * group (PutLogEvents, the awslogs shipper — both go through store.appendEvents)
 * is run through the group's metric filters, and each match becomes a CloudWatch
 * datapoint (namespace, metric name, dimensions, timestamp, value, unit), recorded
 * through CloudWatch's door in the appending transaction: GetMetricData, ListMetrics
 * and alarms see it as on AWS, and the events and their datapoints commit together.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html
 */
import type { MetricTransformation } from '@aws-sdk/client-cloudwatch-logs';
import type { Statements } from '../../state/db.js';
import { metricTime, recordOwnMetrics } from '../cloudwatch/index.js';
import { compileFilter, type Extractor, type Match } from './filter-pattern.js';

export interface MetricFilterRow {
  group_id: number;
  name: string;
  pattern: string;
  transformations: string;
  created_at: number;
}

/** A datapoint a metric filter emitted, in CloudWatch's terms. */
export interface MetricDatapoint {
  namespace: string;
  metricName: string;
  /** Sorted by name. */
  dimensions: { name: string; value: string }[];
  /** Epoch milliseconds: the log event's timestamp. */
  timestamp: number;
  value: number;
  /** A CloudWatch StandardUnit; `None` when the filter named none. */
  unit: string;
}

interface GroupRef {
  id: number;
  account: string;
  region: string;
}

/** Compiled patterns, by pattern text: appendEvents runs for every shipped batch. */
const compiled = new Map<string, Extractor>();
function extractorOf(pattern: string): Extractor {
  let e = compiled.get(pattern);
  if (!e) {
    e = compileFilter(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, e);
  }
  return e;
}

export function metricFiltersOf(sql: Statements, groupId: number): MetricFilterRow[] {
  return sql.get('SELECT * FROM logs_metric_filters WHERE group_id = ? ORDER BY name').all(groupId) as MetricFilterRow[];
}

/**
 * A value a transformation names: a number (`1`, `2.5`), a JSON selector (`$.latency`)
 * or a space-delimited field (`$size`, `$3`); undefined when the event has none or it is not a number.
 */
function numberOf(spec: string, m: Match): number | undefined {
  const text = valueOf(spec, m);
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function valueOf(spec: string, m: Match): string | undefined {
  if (!spec.startsWith('$')) return spec;
  if (spec in m.values) return m.values[spec];
  if (spec.startsWith('$.') && m.doc !== undefined) {
    let cur: unknown = m.doc;
    for (const part of spec.slice(2).split('.')) {
      const [key, ...indexes] = part.split(/[[\]]+/).filter((x) => x !== '');
      if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return undefined;
      cur = (cur as Record<string, unknown>)[key];
      for (const i of indexes) {
        if (!Array.isArray(cur)) return undefined;
        cur = cur[Number(i)];
      }
    }
    if (cur === undefined || cur === null || typeof cur === 'object') return undefined;
    return String(cur);
  }
  return undefined;
}

/** The datapoints one transformation makes of a matched event (none when its value or a dimension is missing). */
export function datapointOf(t: MetricTransformation, m: Match, timestamp: number): MetricDatapoint | undefined {
  const value = numberOf(t.metricValue!, m);
  if (value === undefined) return undefined;
  const dimensions: MetricDatapoint['dimensions'] = [];
  for (const [name, spec] of Object.entries(t.dimensions ?? {})) {
    const v = valueOf(spec, m);
    // CloudWatch Logs drops an event whose dimension field is missing or empty.
    if (v === undefined || v === '') return undefined;
    dimensions.push({ name, value: v });
  }
  dimensions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { namespace: t.metricNamespace!, metricName: t.metricName!, dimensions, timestamp, value, unit: t.unit ?? 'None' };
}

/**
 * Runs a group's metric filters over events being appended (inside the appending
 * transaction, so the events and their datapoints commit together). A filter with
 * a defaultValue reports it once for every minute of the batch in which events
 * arrived and none matched, as CloudWatch Logs reports it for periods with
 * ingestion but no match — CloudWatch's minute, so compressed by `--metrics-period`.
 */
export function applyMetricFilters(sql: Statements, group: GroupRef, events: { timestamp: number; message: string }[], metricsPeriod?: number): number {
  const time = metricTime(metricsPeriod);
  const minuteOf = (ts: number) => time.toReal(Math.floor(time.toMetric(ts) / 60) * 60).getTime();
  const filters = metricFiltersOf(sql, group.id);
  if (!filters.length || !events.length) return 0;
  const points: MetricDatapoint[] = [];
  for (const f of filters) {
    const extract = extractorOf(f.pattern);
    const transformations = JSON.parse(f.transformations) as MetricTransformation[];
    const minutes = new Map<number, boolean>();
    for (const e of events) {
      const m = extract(e.message);
      const minute = minuteOf(e.timestamp);
      if (m) {
        minutes.set(minute, true);
        for (const t of transformations) {
          const p = datapointOf(t, m, e.timestamp);
          if (p) points.push(p);
        }
      } else if (!minutes.has(minute)) minutes.set(minute, false);
    }
    for (const t of transformations) {
      if (t.defaultValue === undefined || t.defaultValue === null) continue;
      for (const [minute, matched] of minutes) {
        if (!matched) points.push({ namespace: t.metricNamespace!, metricName: t.metricName!, dimensions: [], timestamp: minute, value: t.defaultValue, unit: t.unit ?? 'None' });
      }
    }
  }
  recordOwnMetrics(sql, points.map((p) => ({
    account: group.account, region: group.region, namespace: p.namespace, name: p.metricName,
    dimensions: p.dimensions.map((d) => ({ Name: d.name, Value: d.value })), values: [p.value], unit: p.unit, timestamp: p.timestamp,
  })), metricsPeriod);
  return points.length;
}
