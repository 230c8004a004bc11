import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextFire, parseSchedule } from './schedule.js';

const ms = (iso: string) => Date.parse(iso);

describe('scheduled-action expressions', () => {
  it('at() is a wall-clock time in the Timezone', () => {
    assert.deepEqual(parseSchedule('at(2026-12-07T09:30:00)'), { kind: 'at', at: ms('2026-12-07T09:30:00Z') });
    assert.deepEqual(parseSchedule('at(2026-07-01T09:30:00)', 'Europe/Paris'), { kind: 'at', at: ms('2026-07-01T07:30:00Z') });
    const at = parseSchedule('at(2026-12-07T09:30:00)');
    assert.equal(nextFire(at, ms('2026-12-07T09:00:00Z'), 0), ms('2026-12-07T09:30:00Z'));
    assert.equal(nextFire(at, ms('2026-12-07T09:30:00Z'), 0), undefined);
  });

  it('rate() counts from its origin', () => {
    const r = parseSchedule('rate(5 minutes)');
    const origin = ms('2026-12-07T00:00:00Z');
    assert.equal(nextFire(r, origin, origin), origin + 300_000);
    assert.equal(nextFire(r, origin + 300_000, origin), origin + 600_000);
    assert.throws(() => parseSchedule('rate(1 minutes)'), /Invalid rate expression/);
    assert.throws(() => parseSchedule('rate(5 minute)'), /Invalid rate expression/);
  });

  it('cron() with a Timezone: weekdays at 08:15 New York time, across the DST change', () => {
    const c = parseSchedule('cron(15 8 ? * MON-FRI *)', 'America/New_York');
    // Friday 2026-03-06 13:15Z is 08:15 EST; the next is Monday 2026-03-09 08:15 EDT = 12:15Z.
    assert.equal(nextFire(c, ms('2026-03-06T12:00:00Z'), 0), ms('2026-03-06T13:15:00Z'));
    assert.equal(nextFire(c, ms('2026-03-06T13:15:00Z'), 0), ms('2026-03-09T12:15:00Z'));
    const every = parseSchedule('cron(0/20 * * * ? *)');
    assert.equal(nextFire(every, ms('2026-12-07T10:05:00Z'), 0), ms('2026-12-07T10:20:00Z'));
    assert.equal(nextFire(parseSchedule('cron(0 0 1 JAN ? 2027)'), ms('2026-12-07T00:00:00Z'), 0), ms('2027-01-01T00:00:00Z'));
  });

  it('invalid expressions and time zones are ValidationExceptions', () => {
    assert.throws(() => parseSchedule('cron(0 0 1 * MON *)'), /One of day-of-month and day-of-week must be '\?'/);
    assert.throws(() => parseSchedule('cron(61 * * * ? *)'), /out of range/);
    assert.throws(() => parseSchedule('at(2026-12-07T09:30:00)', 'Mars/Olympus'), /Invalid Timezone/);
    assert.throws(() => parseSchedule('daily'), /Invalid schedule expression/);
  });
});
