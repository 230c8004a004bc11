/**
 * A CronJob's `schedule`: the five-field Unix cron line (minute hour day-of-month month day-of-week, read by
 * the shared parser, shared/schedule-expression.ts) or one of the macros Kubernetes takes (@yearly, @monthly,
 * @weekly, @daily, @hourly). `TZ=`/`CRON_TZ=` prefixes are refused as the API server refuses them: the time
 * zone is `spec.timeZone`.
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 */
import { parseScheduleExpression, type ScheduleExpression } from '../../../shared/schedule-expression.js';

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** Throws an Error whose message is the reason (the caller words the 422). */
export function parseKubeCron(schedule: string): ScheduleExpression {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) throw new Error('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  return parseScheduleExpression(MACROS[text] ?? text, { unixCron: true });
}
