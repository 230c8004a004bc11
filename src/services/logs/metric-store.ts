/**
 * Metric filters' rows and what they produce: every event appended to a log
 * group (PutLogEvents, the awslogs shipper — both go through store.appendEvents)
 * is run through the group's metric filters, and each match becomes a datapoint
 * (namespace, metric name, dimensions, timestamp, value, unit) in
 * `logs_metric_datapoints`. CloudWatch reads them through the store's front door
 * (`metricDatapointsFromFilters`), so Logs never imports CloudWatch.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html
 */
import type { MetricTransformation } from '@aws-sdk/client-cloudwatch-logs';
import type { Statements } from '../../state/db.js';
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

export interface DatapointQuery {
  account: string;
  region: string;
  namespace?: string;
  metricName?: string;
  /** Inclusive, epoch ms. */
  startTime?: number;
  /** Exclusive, epoch ms. */
  endTime?: number;
}

interface GroupRef {
  id: number;
  account: string;
  region: string;
}

const MINUTE_MS = 60_000;

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
 * ingestion but no match.
 */
export function applyMetricFilters(sql: Statements, group: GroupRef, events: { timestamp: number; message: string }[]): number {
  const filters = metricFiltersOf(sql, group.id);
  if (!filters.length || !events.length) return 0;
  const points: MetricDatapoint[] = [];
  for (const f of filters) {
    const extract = extractorOf(f.pattern);
    const transformations = JSON.parse(f.transformations) as MetricTransformation[];
    const minutes = new Map<number, boolean>();
    for (const e of events) {
      const m = extract(e.message);
      const minute = Math.floor(e.timestamp / MINUTE_MS) * MINUTE_MS;
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
  const insert = sql.get(`INSERT INTO logs_metric_datapoints (account, region, namespace, name, dimensions, ts, value, unit)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const p of points) {
    insert.run(group.account, group.region, p.namespace, p.metricName, JSON.stringify(p.dimensions), p.timestamp, p.value, p.unit);
  }
  return points.length;
}

interface DatapointRow {
  namespace: string;
  name: string;
  dimensions: string;
  ts: number;
  value: number;
  unit: string;
}

/**
 * The datapoints metric filters emitted in an account and region, oldest first
 * (optionally one namespace / metric, and a time window). CloudWatch's front door to Logs.
 */
export function metricDatapointsFromFilters(sql: Statements, q: DatapointQuery): MetricDatapoint[] {
  const where = ['account = ?', 'region = ?'];
  const args: unknown[] = [q.account, q.region];
  if (q.namespace !== undefined) { where.push('namespace = ?'); args.push(q.namespace); }
  if (q.metricName !== undefined) { where.push('name = ?'); args.push(q.metricName); }
  if (q.startTime !== undefined) { where.push('ts >= ?'); args.push(q.startTime); }
  if (q.endTime !== undefined) { where.push('ts < ?'); args.push(q.endTime); }
  const rows = sql.get(`SELECT namespace, name, dimensions, ts, value, unit FROM logs_metric_datapoints
                        WHERE ${where.join(' AND ')} ORDER BY ts, id`).all(...args) as DatapointRow[];
  return rows.map((r) => ({
    namespace: r.namespace, metricName: r.name, dimensions: JSON.parse(r.dimensions), timestamp: r.ts, value: r.value, unit: r.unit,
  }));
}

/** The distinct metrics (namespace, name, dimensions) metric filters have emitted in an account and region. */
export function metricsFromFilters(sql: Statements, s: { account: string; region: string }): Omit<MetricDatapoint, 'timestamp' | 'value' | 'unit'>[] {
  const rows = sql.get(`SELECT DISTINCT namespace, name, dimensions FROM logs_metric_datapoints WHERE account = ? AND region = ?
                        ORDER BY namespace, name, dimensions`).all(s.account, s.region) as DatapointRow[];
  return rows.map((r) => ({ namespace: r.namespace, metricName: r.name, dimensions: JSON.parse(r.dimensions) }));
}
