/**
 * CloudWatch's door for the rest of Berth (controllers): the alarm evaluator's pass, its keys, retention
 * and the action-invoker hook scaling plugs into.
 */
import type { Statements } from '../../state/db.js';
import { allAlarmKeys, parseAlarmKey, pruneHistory } from './alarm-store.js';
import { evaluateAlarmNow, type AlarmActionInvoker } from './alarm-evaluation.js';
import { metricTime } from './metric-time.js';
import { rollUp } from './metric-store.js';

export { RECORD_ONLY, isScalingAction, type AlarmAction, type AlarmActionInvoker } from './alarm-evaluation.js';
export { metricTime, type MetricTime } from './metric-time.js';

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
