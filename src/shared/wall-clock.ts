/**
 * Wall-clock time in an IANA time zone, for schedule expressions that name one (Application Auto Scaling's
 * scheduled actions, EventBridge rules and Scheduler schedules): the local fields of an instant, and the instant
 * a local time names.
 */
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 (Sunday) to 7, as cron's day-of-week field counts. */
  dow: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a time zone. */
export function local(ms: number, tz: string): WallClock {
  if (tz === 'UTC') {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), dow: d.getUTCDay() + 1 };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour, minute: +p.minute, dow: DAYS.indexOf(p.weekday.toUpperCase().slice(0, 3)) + 1 };
}

/** The instant a wall-clock time in `tz` names (the first, across a DST change). */
export function fromLocal(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const l = local(guess, tz);
  return guess - (Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute) - Math.floor(guess / 60_000) * 60_000);
}
