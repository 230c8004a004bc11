import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.js';
import { nextFire, nextTick, parseSchedule } from './schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('schedule expressions', () => {
  it('rate(): singular for 1, plural otherwise; first tick one interval after the origin', () => {
    const s = parseSchedule('rate(5 minutes)');
    assert.equal(nextFire(s, at('2026-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z')), at('2026-01-01T00:05:00Z'));
    assert.equal(nextFire(s, at('2026-01-01T00:05:00Z'), at('2026-01-01T00:00:00Z')), at('2026-01-01T00:10:00Z'));
    for (const bad of ['rate(1 minutes)', 'rate(2 minute)', 'rate(0 hours)', 'rate(5 seconds)', 'every 5 minutes']) {
      assert.throws(() => parseSchedule(bad), (e: unknown) => e instanceof AwsError && e.code === 'ValidationException', bad);
    }
  });

  it('cron(): minutes, hours, day of month or week, month, year, in UTC', () => {
    const after = at('2026-12-07T10:17:00Z'); // a Monday
    assert.equal(nextFire(parseSchedule('cron(0 12 * * ? *)'), after, 0), at('2026-12-07T12:00:00Z'));
    assert.equal(nextFire(parseSchedule('cron(0/15 * * * ? *)'), after, 0), at('2026-12-07T10:30:00Z'));
    assert.equal(nextFire(parseSchedule('cron(0 18 ? * MON-FRI *)'), at('2026-12-11T19:00:00Z'), 0), at('2026-12-14T18:00:00Z'));
    assert.equal(nextFire(parseSchedule('cron(0 8 1 * ? *)'), after, 0), at('2027-01-01T08:00:00Z'));
    assert.equal(nextFire(parseSchedule('cron(0 0 1 1 ? 2025)'), after, 0), undefined);
    assert.throws(() => parseSchedule('cron(0 12 * * * *)'), /ScheduleExpression is not valid/);
    assert.throws(() => parseSchedule('cron(61 12 * * ? *)'), /ScheduleExpression is not valid/);
  });

  it('a compressed clock: rate(1 minute) ticks every metric period; cron in virtual time from the origin', () => {
    const origin = at('2026-12-07T10:00:00Z');
    const rate = parseSchedule('rate(1 minute)');
    const first = nextTick(rate, origin, null, 2)!;
    assert.equal(first.at - origin, 2000);
    assert.equal(nextTick(rate, origin, first.virtual, 2)!.at - origin, 4000);
    // Every 5 virtual minutes from 10:00: the first at 10:05 virtual, 10 real seconds after the origin.
    const cron = nextTick(parseSchedule('cron(0/5 * * * ? *)'), origin, null, 2)!;
    assert.equal(cron.virtual, at('2026-12-07T10:05:00Z'));
    assert.equal(cron.at - origin, 10_000);
  });
});
