import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nextFireTime } from '../../shared/schedule-expression.js';
import { parseSchedule } from './schedule.js';

const ms = (iso: string) => Date.parse(iso);

describe('scheduled-action expressions (the shared parser, in Application Auto Scaling words)', () => {
  it('at() is a wall-clock time in the Timezone', () => {
    const paris = parseSchedule('at(2026-07-01T09:30:00)', 'Europe/Paris');
    assert.equal(nextFireTime(paris, 0, { timeZone: 'Europe/Paris' }), ms('2026-07-01T07:30:00Z'));
  });

  it('invalid expressions and time zones are ValidationExceptions', () => {
    assert.throws(() => parseSchedule('rate(1 minutes)'), /Invalid rate expression: rate\(1 minutes\)/);
    assert.throws(() => parseSchedule('cron(0 0 1 * MON *)'), /Invalid cron expression: .*One of day-of-month and day-of-week must be '\?'/);
    assert.throws(() => parseSchedule('cron(61 * * * ? *)'), /minutes value 61 is out of range/i);
    assert.throws(() => parseSchedule('cron(0 0 L * ? *)'), /Berth does not support L, W or # yet \(L\)/);
    assert.throws(() => parseSchedule('at(2026-12-07T09:30:00)', 'Mars/Olympus'), /Invalid Timezone/);
    assert.throws(() => parseSchedule('daily'), /Invalid schedule expression: daily/);
  });
});
