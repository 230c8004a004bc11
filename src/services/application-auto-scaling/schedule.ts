/**
 * Scheduled-action expressions — `at(yyyy-mm-ddThh:mm:ss)`, `rate(n unit)`, `cron(min hour dom month dow year)` —
 * in a `Timezone` (IANA; default UTC), within StartTime/EndTime, parsed by the shared parser
 * (shared/schedule-expression.ts) and refused in Application Auto Scaling's words.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 *
 * On Berth's compressed clock (`--metrics-period`), a schedule runs on a virtual clock that starts at the action's
 * creation and runs 60 / metricsPeriod times as fast: `rate(5 minutes)` fires every 5 metric minutes, `at()` two
 * hours after creation fires after two metric hours. With the default period virtual time is real time.
 */
import { isTimeZone, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from '../../shared/schedule-expression.js';
import { validation } from './errors.js';

export function parseSchedule(expr: string, timezone = 'UTC'): ScheduleExpression {
  if (!isTimeZone(timezone)) throw validation(`Invalid Timezone: ${timezone}`);
  try {
    return parseScheduleExpression(expr, { at: true });
  } catch (err) {
    if (!(err instanceof ScheduleExpressionError)) throw err;
    switch (err.kind) {
      case 'rate': throw validation(`Invalid rate expression: ${expr}`);
      case 'cron': throw validation(`Invalid cron expression: ${expr}. ${err.reason[0].toUpperCase()}${err.reason.slice(1)}`);
      case 'unsupported': throw validation(`Invalid cron expression: ${expr}. ${err.reason}`);
      default: throw validation(`Invalid schedule expression: ${expr}. Use at(), rate() or cron().`);
    }
  }
}
