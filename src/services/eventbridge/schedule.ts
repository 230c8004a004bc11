/**
 * Scheduled rules: `rate(value unit)` and `cron(minutes hours day-of-month month day-of-week year)`, in UTC.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 *
 * Schedules run on Berth's clock, compressed like CloudWatch's minute (`--metrics-period`): a rule's schedule keeps
 * a virtual clock that starts when the rule is put or enabled (its origin) and runs 60 / metricsPeriod times as fast,
 * so `rate(1 minute)` ticks every period and `cron(0/5 * * * ? *)` every five periods. With the default period
 * virtual time is real time. A `rate()` rule's first tick is one interval after its origin, as on AWS.
 */
import { validation } from './errors.js';
import { fromLocal, local } from '../../shared/wall-clock.js';

export type Schedule =
  | { kind: 'at'; at: number }
  | { kind: 'rate'; everyMs: number }
  | {
    kind: 'cron'; minutes: Set<number>; hours: Set<number>; doms: Set<number> | null; months: Set<number>; dows: Set<number> | null; years: Set<number> | null;
    /** IANA time zone the fields are read in (EventBridge Scheduler's ScheduleExpressionTimezone; rules: UTC). */
    tz: string;
  };

const UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const RANGES: [number, number, string[]?][] = [[0, 59], [0, 23], [1, 31], [1, 12, MONTHS], [1, 7, DAYS], [1970, 2199]];

const invalid = () => validation('Parameter ScheduleExpression is not valid.');

function field(text: string, [lo, hi, names]: [number, number, string[]?]): Set<number> | null {
  if (text === '*' || text === '?') return null;
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + lo : Number(s);
    if (!Number.isInteger(n) || n < lo || n > hi) throw invalid();
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw invalid();
    // L, W and # (last day, nearest weekday, nth weekday) are not supported yet: refused rather than misread.
    if (/[LW#]/i.test(range) && !names?.includes(range.toUpperCase())) throw validation(`Parameter ScheduleExpression is not valid. Berth does not support L, W or # yet (${part}).`);
    const [a, b] = range === '*' ? [lo, hi] : range.includes('-') ? range.split('-').map(num) : [num(range), stepText === undefined ? num(range) : hi];
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

/**
 * Parses a schedule expression. EventBridge rules take rate() and cron() in UTC; EventBridge Scheduler also takes
 * at(yyyy-mm-ddThh:mm:ss) and a time zone (`opts`), and words its refusals its own way (`invalid`).
 */
export function parseSchedule(expr: string, opts: { at?: boolean; timezone?: string; invalid?: () => Error } = {}): Schedule {
  const tz = opts.timezone ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw validation(`Invalid time zone ${tz}.`);
  }
  try {
    return parse(expr, tz, !!opts.at);
  } catch (err) {
    throw opts.invalid?.() ?? err;
  }
}

function parse(expr: string, tz: string, allowAt: boolean): Schedule {
  const at = allowAt ? /^at\((\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\)$/.exec(expr) : null;
  if (at) {
    const [y, mo, d, h, mi, sec] = at.slice(1).map(Number);
    return { kind: 'at', at: fromLocal(y, mo, d, h, mi, sec, tz) };
  }
  let m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expr);
  if (m) {
    const n = Number(m[1]);
    // AWS wants the singular unit for 1 and the plural otherwise.
    if (n < 1 || (n === 1) !== !m[2].endsWith('s')) throw invalid();
    return { kind: 'rate', everyMs: n * UNITS[m[2]] };
  }
  m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expr);
  if (!m) throw invalid();
  const f = m.slice(1).map((t, i) => field(t, RANGES[i]));
  // One of day-of-month and day-of-week must be '?'.
  if ((m[3] === '?') === (m[5] === '?')) throw invalid();
  const all = (i: number) => new Set(Array.from({ length: RANGES[i][1] - RANGES[i][0] + 1 }, (_, k) => RANGES[i][0] + k));
  return { kind: 'cron', minutes: f[0] ?? all(0), hours: f[1] ?? all(1), doms: f[2], months: f[3] ?? all(3), dows: f[4], years: f[5], tz };
}

const HORIZON_MS = 2 * 366 * 86_400_000;

/** The first virtual time (ms) the schedule fires strictly after `after`, counting rate() from `origin`. */
export function nextFire(s: Schedule, after: number, origin: number): number | undefined {
  if (s.kind === 'at') return s.at > after ? s.at : undefined;
  if (s.kind === 'rate') return origin + (Math.floor((after - origin) / s.everyMs) + 1) * s.everyMs;
  let t = (Math.floor(after / 60_000) + 1) * 60_000;
  const end = after + HORIZON_MS;
  while (t < end) {
    const l = local(t, s.tz);
    const dayOk = (!s.doms || s.doms.has(l.day)) && (!s.dows || s.dows.has(l.dow)) && s.months.has(l.month) && (!s.years || s.years.has(l.year));
    // On to the next local hour (a whole day's hours are skipped one by one: zones' days are not all 24 hours).
    if (!dayOk || !s.hours.has(l.hour)) { t += (60 - l.minute) * 60_000; continue; }
    if (s.minutes.has(l.minute)) return t;
    t += 60_000;
  }
  return undefined;
}

/**
 * When (real ms) a scheduled rule next ticks: its virtual clock starts at `origin` (real ms, where virtual and real
 * time agree) and runs 60 / metricsPeriod times as fast; `lastTick` is the virtual time of its last tick, if any.
 * Also returns that tick's virtual time (what the rule records once it has ticked).
 */
export function nextTick(s: Schedule, origin: number, lastTick: number | null, metricsPeriod: number): { at: number; virtual: number } | undefined {
  const virtual = nextFire(s, lastTick ?? origin, origin);
  if (virtual === undefined) return undefined;
  return { at: origin + (virtual - origin) * (metricsPeriod / 60), virtual };
}
