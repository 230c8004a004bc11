import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.js';
import { nextTick, parseRuleSchedule } from './schedule.js';

const at = (iso: string) => Date.parse(iso);

describe('scheduled rules', () => {
  it('PutRule refuses what the shared parser refuses, in its own words; at() is not a rule schedule', () => {
    for (const bad of ['rate(1 minutes)', 'cron(0 12 * * * *)', 'cron(61 12 * * ? *)', 'at(2026-01-01T00:00:00)', 'every 5 minutes']) {
      assert.throws(() => parseRuleSchedule(bad), (e: unknown) => e instanceof AwsError && e.code === 'ValidationException' && e.message === 'Parameter ScheduleExpression is not valid.', bad);
    }
    assert.throws(() => parseRuleSchedule('cron(0 12 L * ? *)'), /Parameter ScheduleExpression is not valid\. Berth does not support L, W or # yet/);
  });

  it('a compressed clock: rate(1 minute) ticks every metric period; cron in virtual time from the origin', () => {
    const origin = at('2026-12-07T10:00:00Z');
    const rate = parseRuleSchedule('rate(1 minute)');
    const first = nextTick(rate, origin, null, 2)!;
    assert.equal(first.at - origin, 2000);
    assert.equal(nextTick(rate, origin, first.virtual, 2)!.at - origin, 4000);
    // Every 5 virtual minutes from 10:00: the first at 10:05 virtual, 10 real seconds after the origin.
    const cron = nextTick(parseRuleSchedule('cron(0/5 * * * ? *)'), origin, null, 2)!;
    assert.equal(cron.virtual, at('2026-12-07T10:05:00Z'));
    assert.equal(cron.at - origin, 10_000);
  });
});
