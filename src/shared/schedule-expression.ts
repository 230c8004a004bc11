/**
 * AWS's schedule expressions, one parser for every service that takes them (Application Auto Scaling's and EC2 Auto
 * Scaling's scheduled actions, EventBridge's scheduled rules, EventBridge Scheduler's schedules):
 * `at(yyyy-mm-ddThh:mm:ss)`, `rate(n minute|minutes|hour|hours|day|days)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html); with `unixCron`, the
 * five-field Unix form EC2 Auto Scaling's `Recurrence` takes (`minute hour day-of-month month day-of-week`, days of
 * week 0–7 with 0 and 7 Sunday, and a day that matches either day field when both are restricted).
 *
 * Two functions: `parseScheduleExpression` (throws ScheduleExpressionError, which each service words its own way) and
 * `nextFireTime` (the first instant after another that the expression names, its fields read in a time zone).
 * Instants are epoch ms; a service that runs schedules on a compressed clock passes its virtual time.
 */
import { fromLocal, local } from './wall-clock.js';

export type ScheduleExpression =
  /** A wall-clock time, read in the time zone `nextFireTime` is given. */
  | { kind: 'at'; year: number; month: number; day: number; hour: number; minute: number; second: number }
  | { kind: 'rate'; everyMs: number }
  /** Each field's allowed values; null: any (`*` or `?`) for the day fields and the year. */
  | {
    kind: 'cron'; minutes: Set<number>; hours: Set<number>; daysOfMonth: Set<number> | null; months: Set<number>; daysOfWeek: Set<number> | null;
    years: Set<number> | null;
    /** Unix cron: with both day fields restricted, a day matching either fires. */
    eitherDay?: boolean;
  };

/** Why an expression was refused: `kind` says which form it tried to be (or `syntax` for none), `reason` what is wrong. */
export class ScheduleExpressionError extends Error {
  constructor(readonly kind: 'at' | 'rate' | 'cron' | 'syntax' | 'unsupported', readonly reason: string) {
    super(reason);
    this.name = 'ScheduleExpressionError';
  }
}

const UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** Field names and ranges: minutes, hours, day of month, month, day of week (1 = Sunday), year. */
const FIELDS: [name: string, lo: number, hi: number, names?: string[]][] = [
  ['minutes', 0, 59], ['hours', 0, 23], ['day-of-month', 1, 31], ['month', 1, 12, MONTHS], ['day-of-week', 1, 7, DAYS], ['year', 1970, 2199],
];

function cronField(text: string, [name, lo, hi, names]: (typeof FIELDS)[number]): Set<number> | null {
  if (text === '*' || text === '?') return null;
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + lo : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n < lo || n > hi) throw new ScheduleExpressionError('cron', `${name} value ${s} is out of range.`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : NaN;
    if (extra !== undefined || !Number.isInteger(step) || step < 1) throw new ScheduleExpressionError('cron', `bad step in ${part}.`);
    // L, W and # (last day, nearest weekday, nth weekday) are not supported yet: refused rather than misread.
    if (range.split('-').some((x) => /[LW#]/i.test(x) && !names?.includes(x.toUpperCase()))) throw new ScheduleExpressionError('unsupported', `Berth does not support L, W or # yet (${part}).`);
    const [a, b] = range === '*' ? [lo, hi] : range.includes('-') ? range.split('-').map(num) : [num(range), stepText === undefined ? num(range) : hi];
    if (a > b) throw new ScheduleExpressionError('cron', `${name} range ${range} is empty.`);
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

const all = (i: number) => new Set(Array.from({ length: FIELDS[i][2] - FIELDS[i][1] + 1 }, (_, k) => FIELDS[i][1] + k));

/** Unix cron's day of week: 0–7 (0 and 7 Sunday) or SUN–SAT. */
const UNIX_DOW: (typeof FIELDS)[number] = ['day-of-week', 0, 7, ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']];

function unixCron(expr: string): ScheduleExpression {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) throw new ScheduleExpressionError('cron', `${expr} is not a five-field cron expression.`);
  const [minutes, hours, doms, months, dows] = f.map((t, i) => cronField(t, i === 4 ? UNIX_DOW : FIELDS[i]));
  return {
    kind: 'cron', minutes: minutes ?? all(0), hours: hours ?? all(1), daysOfMonth: doms, months: months ?? all(3),
    daysOfWeek: dows && new Set([...dows].map((d) => (d % 7) + 1)), years: null, eitherDay: true,
  };
}

/**
 * Parses an expression; `at()` only when the caller's service takes it (`opts.at`); `opts.unixCron`: the expression
 * is a five-field Unix cron line (EC2 Auto Scaling's Recurrence), without `cron(…)`.
 */
export function parseScheduleExpression(expr: string, opts: { at?: boolean; unixCron?: boolean } = {}): ScheduleExpression {
  if (opts.unixCron) return unixCron(expr);
  let m = /^at\((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\)$/.exec(expr);
  if (m && opts.at) {
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    const valid = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (valid.getUTCMonth() !== month - 1 || valid.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
      throw new ScheduleExpressionError('at', `${expr} is not a valid date and time.`);
    }
    return { kind: 'at', year, month, day, hour, minute, second };
  }
  m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expr);
  if (m) {
    const n = Number(m[1]);
    // AWS wants the singular unit for 1 and the plural otherwise.
    if (n < 1 || (n === 1) !== !m[2].endsWith('s')) throw new ScheduleExpressionError('rate', `${expr}: the value must be a positive whole number, with a singular unit for 1 and a plural one otherwise.`);
    return { kind: 'rate', everyMs: n * UNITS[m[2]] };
  }
  m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
  if (m) {
    const f = m.slice(1).map((t, i) => cronField(t, FIELDS[i]));
    if ((m[3] === '?') === (m[5] === '?')) throw new ScheduleExpressionError('cron', "one of day-of-month and day-of-week must be '?'.");
    return { kind: 'cron', minutes: f[0] ?? all(0), hours: f[1] ?? all(1), daysOfMonth: f[2], months: f[3] ?? all(3), daysOfWeek: f[4], years: f[5] };
  }
  throw new ScheduleExpressionError('syntax', `${expr} is not ${opts.at ? 'at(), ' : ''}rate() or cron().`);
}

/** Whether an IANA time zone name is known. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Two years: how far ahead a cron expression is searched for its next time. */
const CRON_HORIZON_MS = 2 * 366 * 86_400_000;

/**
 * The first instant strictly after `after` that the expression names, or undefined when there is none (an `at()`
 * past, a cron whose years are over). Fields are read in `opts.timeZone` (IANA, default UTC); `rate()` counts whole
 * intervals from `opts.origin` (default 0).
 */
export function nextFireTime(s: ScheduleExpression, after: number, opts: { timeZone?: string; origin?: number } = {}): number | undefined {
  const tz = opts.timeZone ?? 'UTC';
  if (s.kind === 'at') {
    const at = fromLocal(s.year, s.month, s.day, s.hour, s.minute, s.second, tz);
    return at > after ? at : undefined;
  }
  if (s.kind === 'rate') {
    const origin = opts.origin ?? 0;
    return origin + (Math.floor((after - origin) / s.everyMs) + 1) * s.everyMs;
  }
  let t = (Math.floor(after / 60_000) + 1) * 60_000;
  const end = after + CRON_HORIZON_MS;
  while (t < end) {
    const l = local(t, tz);
    const dom = !s.daysOfMonth || s.daysOfMonth.has(l.day);
    const dow = !s.daysOfWeek || s.daysOfWeek.has(l.dow);
    const dayOk = (s.eitherDay && s.daysOfMonth && s.daysOfWeek ? dom || dow : dom && dow) && s.months.has(l.month) && (!s.years || s.years.has(l.year));
    // On to the next local hour (a whole day's hours are skipped one by one: zones' days are not all 24 hours).
    if (!dayOk || !s.hours.has(l.hour)) {
      t += (60 - l.minute) * 60_000;
      continue;
    }
    if (s.minutes.has(l.minute)) return t;
    t += 60_000;
  }
  return undefined;
}
