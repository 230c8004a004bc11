import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextFireTime, parseScheduleExpression, ScheduleExpressionError } from './schedule-expression.js';

const ms = (iso: string) => Date.parse(iso);
const refused = (expr: string, kind: ScheduleExpressionError['kind'], opts = {}) =>
  assert.throws(() => parseScheduleExpression(expr, opts), (e: unknown) => e instanceof ScheduleExpressionError && e.kind === kind, expr);

describe('schedule expressions (shared/schedule-expression.ts)', () => {
  it('at(): a wall-clock time read in the time zone; only where the service takes it', () => {
    const at = parseScheduleExpression('at(2026-12-07T09:30:00)', { at: true });
    assert.equal(nextFireTime(at, ms('2026-12-07T09:00:00Z')), ms('2026-12-07T09:30:00Z'));
    assert.equal(nextFireTime(at, ms('2026-12-07T09:30:00Z')), undefined);
    assert.equal(nextFireTime(parseScheduleExpression('at(2026-07-01T09:30:00)', { at: true }), 0, { timeZone: 'Europe/Paris' }), ms('2026-07-01T07:30:00Z'));
    refused('at(2026-12-07T09:30:00)', 'syntax');
    refused('at(2026-02-30T09:30:00)', 'at', { at: true });
  });

  it('rate(): singular for 1, plural otherwise; counted in whole intervals from the origin', () => {
    const r = parseScheduleExpression('rate(5 minutes)');
    const origin = ms('2026-12-07T00:00:00Z');
    assert.equal(nextFireTime(r, origin, { origin }), origin + 300_000);
    assert.equal(nextFireTime(r, origin + 300_000, { origin }), origin + 600_000);
    assert.equal(nextFireTime(r, origin + 299_999, { origin }), origin + 300_000);
    for (const bad of ['rate(1 minutes)', 'rate(2 minute)', 'rate(0 hours)']) refused(bad, 'rate');
    refused('rate(5 seconds)', 'syntax');
    refused('every 5 minutes', 'syntax');
  });

  it('cron(): six fields, names, ranges, steps, lists; one day field must be ?', () => {
    const after = ms('2026-12-07T10:17:00Z'); // a Monday
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 12 * * ? *)'), after), ms('2026-12-07T12:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(0/15 * * * ? *)'), after), ms('2026-12-07T10:30:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 18 ? * MON-FRI *)'), ms('2026-12-11T19:00:00Z')), ms('2026-12-14T18:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 8 1 * ? *)'), after), ms('2027-01-01T08:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(5,35 9 ? JAN,DEC TUE *)'), after), ms('2026-12-08T09:05:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 0 1 1 ? 2025)'), after), undefined);
    refused('cron(0 12 * * * *)', 'cron');
    refused('cron(61 12 * * ? *)', 'cron');
    refused('cron(0 12 * FOO ? *)', 'cron');
    refused('cron(0/0 12 * * ? *)', 'cron');
    refused('cron(0 12 L * ? *)', 'unsupported');
    refused('cron(0 12 ? * 2#1 *)', 'unsupported');
    // Names holding L or W (JUL, WED) are names, not L/W; both day fields '?' is refused as AWS does.
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 9 ? JUL WED *)'), after), ms('2027-07-07T09:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('cron(0 9 ? * TUE-WED *)'), after), ms('2026-12-08T09:00:00Z'));
    refused('cron(0 12 ? * ? *)', 'cron');
    refused('cron(0 12 LW * ? *)', 'unsupported');
  });

  it('cron() in a time zone, across a DST change: weekdays at 08:15 New York time', () => {
    const c = parseScheduleExpression('cron(15 8 ? * MON-FRI *)');
    const ny = { timeZone: 'America/New_York' };
    // Friday 2026-03-06 13:15Z is 08:15 EST; the next is Monday 2026-03-09 08:15 EDT = 12:15Z.
    assert.equal(nextFireTime(c, ms('2026-03-06T12:00:00Z'), ny), ms('2026-03-06T13:15:00Z'));
    assert.equal(nextFireTime(c, ms('2026-03-06T13:15:00Z'), ny), ms('2026-03-09T12:15:00Z'));
  });

  it('unix cron (EC2 Auto Scaling Recurrence): five fields, Sunday 0 or 7, either day field when both are restricted', () => {
    const after = ms('2026-12-07T10:17:00Z'); // a Monday
    assert.equal(nextFireTime(parseScheduleExpression('0 9 * * *', { unixCron: true }), after), ms('2026-12-08T09:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('30 18 * * 1-5', { unixCron: true }), after), ms('2026-12-07T18:30:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('0 0 * * 0', { unixCron: true }), after), ms('2026-12-13T00:00:00Z'));
    assert.equal(nextFireTime(parseScheduleExpression('0 0 * * 7', { unixCron: true }), after), ms('2026-12-13T00:00:00Z'));
    // The 15th or any Friday, whichever comes first.
    assert.equal(nextFireTime(parseScheduleExpression('0 0 15 * FRI', { unixCron: true }), after), ms('2026-12-11T00:00:00Z'));
    refused('0 9 * *', 'cron', { unixCron: true });
    refused('0 9 * * 8', 'cron', { unixCron: true });
    assert.equal(nextFireTime(parseScheduleExpression('0 9 * JUL WED', { unixCron: true }), after), ms('2027-07-07T09:00:00Z'));
    refused('0 9 L * *', 'unsupported', { unixCron: true });
  });
});
