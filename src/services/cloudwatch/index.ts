/**
 * CloudWatch's door for the rest of Berth (controllers): the alarm evaluator's pass, its keys, retention,
 * the action-invoker hook scaling plugs into, and recordOwnMetrics for the metrics Berth produces itself.
 */
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { allAlarmKeys, parseAlarmKey, pruneHistory } from './alarm-store.js';
import { alarmArn, evaluateAlarmNow, type AlarmActionInvoker } from './alarm-evaluation.js';
import { putMetricAlarm } from './alarms.js';
import { deleteNamedAlarms } from './target-tracking.js';
import { metricTime } from './metric-time.js';
import { addSamples, bucketsOf, dimsKey, findMetric, rollUp, upsertMetric } from './metric-store.js';
import { fromStatisticSet, fromValues } from './samples.js';

export { RECORD_ONLY, isScalingAction, type AlarmAction, type AlarmActionInvoker } from './alarm-evaluation.js';
export { metricTime, type MetricTime } from './metric-time.js';
export { alarmsNamingAction, isHighAlarm, putTargetTrackingAlarms, type OwnedAlarm, type WatchedMetric } from './target-tracking.js';

/** Every alarm's evaluator key (account|region|name). */
export const alarmKeys = (sql: Statements) => allAlarmKeys(sql);

/**
 * Evaluates the alarm a key names if it is due (call inside a transaction). Returns the real ms until
 * it is due again, or undefined when the alarm is gone.
 */
export function evaluateAlarm(sql: Statements, key: string, nowMs: number, metricsPeriod: number, invoker: AlarmActionInvoker): number | undefined {
  const ref = parseAlarmKey(key);
  if (!ref) return undefined;
  return evaluateAlarmNow(sql, ref, ref.name, nowMs, metricTime(metricsPeriod), invoker);
}

const HISTORY_DAYS = 30;

/** One bounded retention pass: datapoints rolled up or dropped by age, old alarm history pruned. */
export function cloudwatchRetention(sql: Statements, nowMs: number, metricsPeriod: number, limit = 5000): number {
  const time = metricTime(metricsPeriod);
  const moved = rollUp(sql, time.toMetric(nowMs), limit);
  pruneHistory(sql, nowMs - time.realMs(HISTORY_DAYS * 86400));
  return moved;
}

/** One datapoint Berth itself produces (AWS/ECS, AWS/ApplicationELB, AWS/Logs metric filters, …). */
export interface OwnDatum {
  account: string;
  region: string;
  namespace: string;
  name: string;
  dimensions?: { Name: string; Value: string }[];
  /** Values with counts (one value: `[v]`), or a statistic set. */
  values?: number[];
  counts?: number[];
  statistics?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  unit?: string;
  /** Real epoch ms. */
  timestamp: number;
  /** 1 for high resolution, else 60. */
  storageResolution?: 1 | 60;
}

/**
 * Records datapoints Berth produces itself, bypassing PutMetricData's refusal of `AWS/` namespaces
 * (call inside a transaction). The hook issue 16's metric collection and Logs metric filters write through.
 */
export function recordOwnMetrics(sql: Statements, data: OwnDatum[], metricsPeriod?: number): void {
  const time = metricTime(metricsPeriod);
  for (const d of data) {
    const ts = time.toMetric(d.timestamp);
    const id = upsertMetric(sql, d, d.namespace, d.name, dimsKey(d.dimensions), ts);
    const resolution = d.storageResolution === 1 ? 1 : 60;
    const samples = d.statistics ? fromStatisticSet(d.statistics) : fromValues(d.values ?? [], d.counts);
    if (!samples.count) continue;
    addSamples(sql, id, Math.floor(ts / resolution) * resolution, resolution, d.unit ?? 'None', samples);
  }
}

/**
 * A metric's stored datapoints per (metric) minute in [fromMs, toMs) real time, as Average or Sum, with real epoch
 * ms times: what the console's charts draw (GetMetricStatistics' Period 60 over the same rows).
 */
export function minuteSeries(
  sql: Statements, scope: { account: string; region: string }, metric: { namespace: string; name: string; dimensions: { Name: string; Value: string }[] },
  fromMs: number, toMs: number, stat: 'Average' | 'Sum', metricsPeriod?: number,
): { t: number; v: number }[] {
  const time = metricTime(metricsPeriod);
  const row = findMetric(sql, scope, metric.namespace, metric.name, dimsKey(metric.dimensions));
  if (!row) return [];
  const minutes = new Map<number, { count: number; sum: number }>();
  for (const b of bucketsOf(sql, row.id, time.toMetric(fromMs), time.toMetric(toMs))) {
    const minute = Math.floor(b.ts / 60) * 60;
    const m = minutes.get(minute) ?? { count: 0, sum: 0 };
    m.count += b.count;
    m.sum += b.sum;
    minutes.set(minute, m);
  }
  return [...minutes].sort((a, b) => a[0] - b[0])
    .map(([minute, m]) => ({ t: time.toReal(minute).getTime(), v: stat === 'Sum' ? m.sum : m.count ? m.sum / m.count : 0 }));
}

/**
 * Alarms another service owns (Application Auto Scaling's target-tracking alarms): put with PutMetricAlarm's
 * rules and history, so DescribeAlarms shows them as AWS does; deleted with their owner. Run in the caller's
 * request (its context and transaction).
 */
export function putOwnedAlarm(ctx: RequestContext, input: PutMetricAlarmInput): string {
  putMetricAlarm(ctx, input);
  return alarmArn(ctx, input.AlarmName!);
}

/** Deletes the named alarms that exist (an owner's clean-up: a missing one is not an error). */
export const deleteOwnedAlarms = deleteNamedAlarms;
