/**
 * Scheduled-action expressions — `at(yyyy-mm-ddThh:mm:ss)`, `rate(n unit)`, `cron(min hour dom month dow year)` —
 * in a `Timezone` (IANA; default UTC), within StartTime/EndTime.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
 *
 * On Berth's compressed clock (`--metrics-period`), a schedule runs on a virtual clock that starts at the action's
 * creation and runs 60 / metricsPeriod times as fast: `rate(5 minutes)` fires every 5 metric minutes, `at()` two
 * hours after creation fires after two metric hours. With the default period virtual time is real time.
 */
import { validation } from './errors.js';
import { fromLocal, local } from '../../shared/wall-clock.js';

export type Schedule =
  | { kind: 'at'; at: number }
  | { kind: 'rate'; everyMs: number }
  | { kind: 'cron'; fields: Set<number>[]; years?: Set<number>; domAny: boolean; dowAny: boolean; tz: string };

const UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Field ranges: minutes, hours, day of month, month, day of week (1 = Sunday), year. */
const RANGES: [number, number, string[]?][] = [[0, 59], [0, 23], [1, 31], [1, 12, MONTHS], [1, 7, DAYS], [1970, 2199]];

function parseField(text: string, [lo, hi, names]: [number, number, string[]?], what: string): Set<number> | 'any' {
  if (text === '*' || text === '?') return 'any';
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + lo : Number(s);
    if (!Number.isInteger(n) || n < lo || n > hi) throw validation(`Invalid cron expression: ${what} value ${s} is out of range.`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw validation(`Invalid cron expression: bad step in ${part}.`);
    if (/[LW#]/.test(range)) throw validation(`Berth does not support L, W or # in cron expressions yet (${part}).`);
    const [a, b] = range === '*' ? [lo, hi] : range.includes('-') ? range.split('-').map(num) : [num(range), stepText === undefined ? num(range) : hi];
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

function checkTimezone(tz: string) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw validation(`Invalid Timezone: ${tz}`);
  }
}

export function parseSchedule(expr: string, timezone = 'UTC'): Schedule {
  checkTimezone(timezone);
  let m = /^at\((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\)$/.exec(expr);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
    return { kind: 'at', at: fromLocal(y, mo, d, h, mi, s, timezone) };
  }
  m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expr);
  if (m) {
    const n = Number(m[1]);
    if (n < 1 || (n === 1) !== !m[2].endsWith('s')) throw validation(`Invalid rate expression: ${expr}`);
    return { kind: 'rate', everyMs: n * UNITS[m[2]] };
  }
  m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
  if (m) {
    const names = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'];
    const parsed = m.slice(1).map((f, i) => parseField(f, RANGES[i], names[i]));
    const all = (i: number) => new Set(Array.from({ length: RANGES[i][1] - RANGES[i][0] + 1 }, (_, k) => RANGES[i][0] + k));
    const fields = parsed.slice(0, 5).map((f, i) => (f === 'any' ? all(i) : f));
    if (m[3] !== '?' && m[5] !== '?') throw validation(`Invalid cron expression: ${expr}. One of day-of-month and day-of-week must be '?'.`);
    return { kind: 'cron', fields, years: parsed[5] === 'any' ? undefined : parsed[5], domAny: parsed[2] === 'any', dowAny: parsed[4] === 'any', tz: timezone };
  }
  throw validation(`Invalid schedule expression: ${expr}. Use at(), rate() or cron().`);
}

/** Two years: how far ahead a cron schedule is searched for its next time. */
const CRON_HORIZON_MS = 2 * 366 * 86_400_000;

/** The first time (virtual ms) the schedule fires strictly after `after`, counting rate() from `origin`; undefined: never again. */
export function nextFire(s: Schedule, after: number, origin: number): number | undefined {
  if (s.kind === 'at') return s.at > after ? s.at : undefined;
  if (s.kind === 'rate') return origin + (Math.floor((after - origin) / s.everyMs) + 1) * s.everyMs;
  const [mins, hours, doms, months, dows] = s.fields;
  let t = (Math.floor(after / 60_000) + 1) * 60_000;
  const end = after + CRON_HORIZON_MS;
  while (t < end) {
    const l = local(t, s.tz);
    const dayOk = (s.domAny || doms.has(l.day)) && (s.dowAny || dows.has(l.dow)) && months.has(l.month) && (!s.years || s.years.has(l.year));
    if (!dayOk || !hours.has(l.hour)) {
      t += (60 - l.minute) * 60_000; // on to the next local hour
      continue;
    }
    if (mins.has(l.minute)) return t;
    t += 60_000;
  }
  return undefined;
}
