/**
 * Metrics and their datapoints in SQLite. A metric is (account, region, namespace, name, dimension set);
 * its datapoints are Samples per (bucket start, resolution, unit), in metric seconds (metric-time.ts).
 * PutMetricData writes 1-second buckets for high-resolution data and 60-second buckets otherwise;
 * rollUp() later merges old buckets into coarser ones, as CloudWatch keeps them
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html):
 * 1-second data for 3 hours, 60-second for 15 days, 5-minute for 63 days, 1-hour for 455 days.
 * Every sample lives in exactly one row, so a query reads all resolutions in its range.
 */
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import type { Statements } from '../../state/db.js';
import { merge, type Samples } from './samples.js';

export interface Scope {
  account: string;
  region: string;
}

export interface MetricRow {
  id: number;
  namespace: string;
  name: string;
  dims: string;
  last_put: number;
}

interface DatapointRow {
  metric_id: number;
  ts: number;
  resolution: number;
  unit: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  vals: string | null;
}

export interface Bucket extends Samples {
  ts: number;
  resolution: number;
  unit: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Each resolution, how long it is kept, and what it rolls up into. */
export const RETENTION: { resolution: number; keep: number; into?: number }[] = [
  { resolution: 1, keep: 3 * HOUR, into: 60 },
  { resolution: 60, keep: 15 * DAY, into: 300 },
  { resolution: 300, keep: 63 * DAY, into: 3600 },
  { resolution: 3600, keep: 455 * DAY },
];

/** ListMetrics lists a metric for two weeks after its last datapoint. */
export const LISTED_FOR = 14 * DAY;

/** A dimension set in one canonical text form: sorted by name. */
export function dimsKey(dims: readonly Dimension[] | undefined): string {
  const pairs = (dims ?? []).map((d) => [d.Name!, d.Value!] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(pairs);
}

export function dimsOf(key: string): Dimension[] {
  return (JSON.parse(key) as [string, string][]).map(([Name, Value]) => ({ Name, Value }));
}

export function upsertMetric(sql: Statements, s: Scope, namespace: string, name: string, dims: string, now: number): number {
  const row = sql.get(`INSERT INTO cloudwatch_metrics (account, region, namespace, name, dims, last_put) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (account, region, namespace, name, dims) DO UPDATE SET last_put = MAX(last_put, excluded.last_put) RETURNING id`)
    .get(s.account, s.region, namespace, name, dims, now) as { id: number };
  return row.id;
}

export function findMetric(sql: Statements, s: Scope, namespace: string, name: string, dims: string): MetricRow | undefined {
  return sql.get('SELECT id, namespace, name, dims, last_put FROM cloudwatch_metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dims = ?')
    .get(s.account, s.region, namespace, name, dims) as MetricRow | undefined;
}

/** Metrics of a namespace (and name), for SEARCH and ListMetrics; the caller filters dimensions. */
export function metricsOf(sql: Statements, s: Scope, since: number, namespace?: string, name?: string): MetricRow[] {
  return sql.get(`SELECT id, namespace, name, dims, last_put FROM cloudwatch_metrics
      WHERE account = ? AND region = ? AND last_put >= ? AND (? IS NULL OR namespace = ?) AND (? IS NULL OR name = ?)
      ORDER BY namespace, name, dims`)
    .all(s.account, s.region, since, namespace ?? null, namespace ?? null, name ?? null, name ?? null) as MetricRow[];
}

export function addSamples(sql: Statements, metricId: number, ts: number, resolution: number, unit: string, add: Samples): void {
  const row = sql.get('SELECT * FROM cloudwatch_datapoints WHERE metric_id = ? AND ts = ? AND resolution = ? AND unit = ?')
    .get(metricId, ts, resolution, unit) as DatapointRow | undefined;
  const merged = row ? merge(samplesOf(row), add) : add;
  sql.get(`INSERT INTO cloudwatch_datapoints (metric_id, ts, resolution, unit, count, sum, min, max, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (metric_id, ts, resolution, unit) DO UPDATE SET count = excluded.count, sum = excluded.sum,
        min = excluded.min, max = excluded.max, vals = excluded.vals`)
    .run(metricId, ts, resolution, unit, merged.count, merged.sum, merged.min, merged.max, merged.values ? JSON.stringify(merged.values) : null);
}

function samplesOf(r: DatapointRow): Samples {
  return { count: r.count, sum: r.sum, min: r.min, max: r.max, values: r.vals ? JSON.parse(r.vals) : null };
}

/** Every bucket of a metric starting in [from, to) (metric seconds). */
export function bucketsOf(sql: Statements, metricId: number, from: number, to: number): Bucket[] {
  const rows = sql.get('SELECT * FROM cloudwatch_datapoints WHERE metric_id = ? AND ts >= ? AND ts < ? ORDER BY ts')
    .all(metricId, Math.floor(from), Math.ceil(to)) as DatapointRow[];
  return rows.map((r) => ({ ...samplesOf(r), ts: r.ts, resolution: r.resolution, unit: r.unit }));
}

/** Whether a metric has any bucket starting in [from, to) (metric seconds). */
export function hasBuckets(sql: Statements, metricId: number, from: number, to: number): boolean {
  return sql.get('SELECT 1 FROM cloudwatch_datapoints WHERE metric_id = ? AND ts >= ? AND ts < ? LIMIT 1').get(metricId, Math.floor(from), Math.ceil(to)) !== undefined;
}

/**
 * One bounded pass of retention: up to `limit` buckets past their resolution's age are merged into
 * the next coarser resolution (or deleted past the last), and metrics with no datapoints that
 * ListMetrics no longer shows are forgotten. Returns how many buckets it moved.
 */
export function rollUp(sql: Statements, now: number, limit = 5000): number {
  let moved = 0;
  for (const step of RETENTION) {
    if (moved >= limit) break;
    const cutoff = now - step.keep;
    const rows = sql.get('SELECT * FROM cloudwatch_datapoints WHERE resolution = ? AND ts < ? LIMIT ?')
      .all(step.resolution, cutoff, limit - moved) as DatapointRow[];
    const del = sql.get('DELETE FROM cloudwatch_datapoints WHERE metric_id = ? AND ts = ? AND resolution = ? AND unit = ?');
    for (const r of rows) {
      del.run(r.metric_id, r.ts, r.resolution, r.unit);
      if (step.into) addSamples(sql, r.metric_id, Math.floor(r.ts / step.into) * step.into, step.into, r.unit, samplesOf(r));
    }
    moved += rows.length;
  }
  sql.get(`DELETE FROM cloudwatch_metrics WHERE last_put < ?
      AND NOT EXISTS (SELECT 1 FROM cloudwatch_datapoints d WHERE d.metric_id = cloudwatch_metrics.id)`).run(now - LISTED_FOR);
  return moved;
}
