/**
 * Scheduled rules: `rate(value unit)` and `cron(minutes hours day-of-month month day-of-week year)`, in UTC, parsed
 * by the shared parser (shared/schedule-expression.ts).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 *
 * Schedules run on Berth's clock, compressed like CloudWatch's minute (`--metrics-period`): a rule's schedule keeps
 * a virtual clock that starts when the rule is put or enabled (its origin) and runs 60 / metricsPeriod times as fast,
 * so `rate(1 minute)` ticks every period and `cron(0/5 * * * ? *)` every five periods. With the default period
 * virtual time is real time. A `rate()` rule's first tick is one interval after its origin, as on AWS.
 */
import { nextFireTime, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from '../../shared/schedule-expression.js';
import { validation } from './errors.js';

/** A rule's ScheduleExpression, refused as PutRule refuses it. */
export function parseRuleSchedule(expr: string): ScheduleExpression {
  try {
    return parseScheduleExpression(expr);
  } catch (err) {
    if (!(err instanceof ScheduleExpressionError)) throw err;
    // AWS's wording carries no reason; Berth's own limits (L, W, #) say what they are.
    throw validation(err.kind === 'unsupported' ? `Parameter ScheduleExpression is not valid. ${err.reason}` : 'Parameter ScheduleExpression is not valid.');
  }
}

/**
 * When (real ms) a scheduled rule next ticks: its virtual clock starts at `origin` (real ms, where virtual and real
 * time agree) and runs 60 / metricsPeriod times as fast; `lastTick` is the virtual time of its last tick, if any.
 * Also returns that tick's virtual time (what the rule records once it has ticked).
 */
export function nextTick(s: ScheduleExpression, origin: number, lastTick: number | null, metricsPeriod: number): { at: number; virtual: number } | undefined {
  const virtual = nextFireTime(s, lastTick ?? origin, { origin });
  if (virtual === undefined) return undefined;
  return { at: origin + (virtual - origin) * (metricsPeriod / 60), virtual };
}
