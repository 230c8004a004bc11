import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../state/db.js';
import { evaluateAlarmNow, RECORD_ONLY } from './alarm-evaluation.js';
import { getAlarm, historyOf, saveAlarm, type AlarmRecord } from './alarm-store.js';
import { javaDouble, shortDate } from './alarm-text.js';
import { metricTime } from './metric-time.js';
import { addSamples, dimsKey, rollUp, bucketsOf, upsertMetric } from './metric-store.js';
import { fromValues } from './samples.js';
import { recordOwnMetrics } from './index.js';
import { getMetricStatistics } from './metrics.js';

const S = { account: '000000000000', region: 'us-east-1' };
const T0 = Date.UTC(2026, 6, 12, 10, 0, 0);
const time = metricTime(60);

function setup() {
  const db = openDb(':memory:');
  const sql = new Statements(db);
  const id = upsertMetric(sql, S, 'App', 'Latency', dimsKey([]), T0 / 1000);
  const put = (minute: number, ...values: number[]) => addSamples(sql, id, T0 / 1000 + minute * 60, 60, 'None', fromValues(values));
  const alarm = (doc: Record<string, unknown>, state: AlarmRecord['state']['StateValue'] = 'OK'): void => saveAlarm(sql, {
    ...S, name: 'a', type: 'MetricAlarm', nextEval: null,
    doc: { AlarmName: 'a', Namespace: 'App', MetricName: 'Latency', Statistic: 'Average', Period: 60, Threshold: 40, ComparisonOperator: 'GreaterThanThreshold', ...doc },
    state: { StateValue: state, StateReason: 'x', StateUpdatedTimestamp: 0, StateTransitionedTimestamp: 0 },
  });
  /** Evaluates at the start of minute `m` (so minutes before it are complete). */
  const evalAt = (m: number) => { sql.get('UPDATE cloudwatch_alarms SET next_eval = NULL').run(); evaluateAlarmNow(sql, S, 'a', T0 + m * 60_000, time, RECORD_ONLY); return getAlarm(sql, S, 'a')!.state; };
  return { db, sql, id, put, alarm, evalAt };
}

describe('alarm evaluation', () => {
  it('writes AWS\'s reason text: "1 out of the last 1 datapoints [42.0 (12/07/26 10:00:00)] was greater than…"', () => {
    const t = setup();
    t.put(0, 42);
    t.alarm({ EvaluationPeriods: 1 });
    const s = t.evalAt(1);
    assert.equal(s.StateValue, 'ALARM');
    assert.equal(s.StateReason, 'Threshold Crossed: 1 out of the last 1 datapoints [42.0 (12/07/26 10:00:00)] was greater than the threshold (40.0) (minimum 1 datapoint for OK -> ALARM transition).');
    assert.deepEqual(JSON.parse(s.StateReasonData!), {
      version: '1.0', queryDate: '2026-07-12T10:01:00.000+0000', startDate: '2026-07-12T10:00:00.000+0000', statistic: 'Average', period: 60,
      recentDatapoints: [42], threshold: 40, evaluatedDatapoints: [{ timestamp: '2026-07-12T10:00:00.000+0000', sampleCount: 1, value: 42 }],
    });
    assert.deepEqual(historyOf(t.sql, S, 'a', 0, Infinity).map((h) => h.summary), ['Alarm updated from OK to ALARM']);
  });

  it('DatapointsToAlarm M of N, every comparison operator, and the way back to OK', () => {
    const t = setup();
    t.put(0, 50); t.put(1, 10); t.put(2, 45);
    t.alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    assert.match(t.evalAt(3).StateReason, /^Threshold Crossed: 2 out of the last 3 datapoints \[45\.0 \(12\/07\/26 10:02:00\), 50\.0 \(12\/07\/26 10:00:00\)\] were greater than the threshold \(40\.0\) \(minimum 2 datapoints for OK -> ALARM transition\)\.$/);
    t.put(3, 1);
    const ok = t.evalAt(4);
    assert.equal(ok.StateValue, 'OK');
    assert.equal(ok.StateReason, 'Threshold Crossed: 2 out of the last 3 datapoints [1.0 (12/07/26 10:03:00), 10.0 (12/07/26 10:01:00)] were not greater than the threshold (40.0) (minimum 2 datapoints for ALARM -> OK transition).');
    // 40 against a threshold of 40, by each operator.
    for (const [op, want] of [['GreaterThanOrEqualToThreshold', 'ALARM'], ['LessThanThreshold', 'OK'], ['LessThanOrEqualToThreshold', 'ALARM'], ['GreaterThanThreshold', 'OK']] as const) {
      const u = setup();
      u.put(0, 40);
      u.alarm({ EvaluationPeriods: 1, ComparisonOperator: op }, 'INSUFFICIENT_DATA');
      assert.equal(u.evalAt(1).StateValue, want, op);
    }
  });

  it('TreatMissingData: missing and ignore leave state or go INSUFFICIENT_DATA with AWS\'s text', () => {
    const t = setup();
    t.alarm({ EvaluationPeriods: 2, TreatMissingData: 'missing' }, 'ALARM');
    assert.deepEqual([t.evalAt(5).StateValue, t.evalAt(5).StateReason], ['INSUFFICIENT_DATA', 'Insufficient Data: 2 datapoints were unknown.']);
    const u = setup();
    u.alarm({ EvaluationPeriods: 2, TreatMissingData: 'ignore' }, 'ALARM');
    assert.equal(u.evalAt(5).StateValue, 'ALARM');
  });

  it('reads the evaluation range as AWS\'s tables show it: the newest N real datapoints, else all of them and the rest filled', () => {
    // AWS's two tables (Evaluation Periods 3, range 5; Datapoints to Alarm 3, then 2), oldest first: X breaching, 0 not,
    // - missing; then the state for TreatMissingData missing, ignore, breaching, notBreaching ('keep': no change).
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-evaluating-missing-data
    const rows: [number, string, string[]][] = [
      [3, '0-X-X', ['OK', 'OK', 'OK', 'OK']],
      [3, '0----', ['OK', 'OK', 'OK', 'OK']],
      [3, '-----', ['INSUFFICIENT_DATA', 'keep', 'ALARM', 'OK']],
      [3, '0XX-X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      [3, '--X--', ['ALARM', 'keep', 'ALARM', 'OK']],
      [2, '0-X-X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      [2, '00X0X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      [2, '0-X--', ['OK', 'OK', 'ALARM', 'OK']],
      [2, '----0', ['OK', 'OK', 'ALARM', 'OK']],
      [2, '---X-', ['ALARM', 'keep', 'ALARM', 'OK']],
    ];
    for (const [m, points, want] of rows) {
      ['missing', 'ignore', 'breaching', 'notBreaching'].forEach((treat, i) => {
        const t = setup();
        [...points].forEach((c, minute) => { if (c !== '-') t.put(minute, c === 'X' ? 50 : 10); });
        t.alarm({ EvaluationPeriods: 3, DatapointsToAlarm: m, TreatMissingData: treat }, 'INSUFFICIENT_DATA');
        const expected = want[i] === 'keep' ? 'INSUFFICIENT_DATA' : want[i];
        assert.equal(t.evalAt(5).StateValue, expected, `${m} of 3, ${points}, ${treat}`);
      });
    }
    // A period whose data has not arrived yet is not a gap: the three newest real datapoints decide.
    const t = setup();
    t.put(1, 50); t.put(2, 60); t.put(3, 70);
    t.alarm({ EvaluationPeriods: 3 });
    const s = t.evalAt(5);
    assert.equal(s.StateReason, 'Threshold Crossed: 3 out of the last 3 datapoints [70.0 (12/07/26 10:03:00), 60.0 (12/07/26 10:02:00), 50.0 (12/07/26 10:01:00)] were greater than the threshold (40.0) (minimum 3 datapoints for OK -> ALARM transition).');
    assert.deepEqual(JSON.parse(s.StateReasonData!).recentDatapoints, [50, 60, 70]);
    assert.equal(JSON.parse(s.StateReasonData!).startDate, '2026-07-12T10:01:00.000+0000');
  });

  it('percentile alarms with EvaluateLowSampleCountPercentile=ignore keep their state on few samples', () => {
    const t = setup();
    t.put(0, 99, 1, 2);
    t.alarm({ Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1, EvaluateLowSampleCountPercentile: 'ignore' }, 'OK');
    assert.equal(t.evalAt(1).StateValue, 'OK');
    t.alarm({ Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1, EvaluateLowSampleCountPercentile: 'evaluate' }, 'OK');
    assert.equal(t.evalAt(1).StateValue, 'ALARM');
  });

  it('decides at a boundary when the period that ended is in, else after a settle of a quarter minute', () => {
    const t = setup();
    const at = (seconds: number) => evaluateAlarmNow(t.sql, S, 'a', T0 + seconds * 1000, time, RECORD_ONLY);
    t.alarm({ EvaluationPeriods: 1 });
    assert.equal(at(30), 30_000, 'a new alarm decides at once and looks again at the next boundary');
    assert.equal(getAlarm(t.sql, S, 'a')!.state.StateValue, 'INSUFFICIENT_DATA', 'no minute is over at 0:30');
    t.put(0, 50);
    assert.equal(at(60), 60_000, 'minute 0 is in at 1:00: decided then');
    assert.equal(getAlarm(t.sql, S, 'a')!.state.StateValue, 'ALARM');
    assert.equal(at(120), 2_500, 'minute 1 has no data at 2:00: it waits 2.5 s (a quarter minute, at most 2.5 s)');
    assert.equal(getAlarm(t.sql, S, 'a')!.nextEval, T0 / 1000 + 122.5);
    t.put(1, 10);
    assert.equal(at(122.5), 57_500, 'after the settle it decides with what has come');
    assert.equal(getAlarm(t.sql, S, 'a')!.state.StateValue, 'OK');
    assert.equal(at(180), 2_500);
    assert.equal(at(182.5), 57_500, 'nothing came: it decides without it');
  });
});

describe('retention', () => {
  it('rolls 1-second data into minutes after 3 hours and drops hour data after 455 days, keeping every sample once', () => {
    const t = setup();
    const base = T0 / 1000;
    for (let i = 0; i < 5; i++) addSamples(t.sql, t.id, base + i, 1, 'None', fromValues([i]));
    rollUp(t.sql, base + 3 * 3600 + 10);
    const rows = bucketsOf(t.sql, t.id, base - 10, base + 100);
    assert.deepEqual(rows.map((r) => [r.ts, r.resolution, r.count, r.sum, r.min, r.max]), [[base, 60, 5, 10, 0, 4]]);
    rollUp(t.sql, base + 15 * 86400 + 120);
    assert.deepEqual(bucketsOf(t.sql, t.id, base - 1000, base + 1000).map((r) => r.resolution), [300]);
    rollUp(t.sql, base + 63 * 86400 + 1000);
    assert.deepEqual(bucketsOf(t.sql, t.id, base - 4000, base + 4000).map((r) => r.resolution), [3600]);
    rollUp(t.sql, base + 456 * 86400);
    assert.deepEqual(bucketsOf(t.sql, t.id, base - 4000, base + 4000), []);
  });
});

describe('metrics Berth records itself', () => {
  it('recordOwnMetrics writes AWS/ namespaces that GetMetricStatistics then reads', () => {
    const t = setup();
    recordOwnMetrics(t.sql, [
      { ...S, namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: [{ Name: 'ClusterName', Value: 'c' }], values: [40, 60], unit: 'Percent', timestamp: T0 + 5_000 },
      { ...S, namespace: 'AWS/ECS', name: 'CPUUtilization', dimensions: [{ Name: 'ClusterName', Value: 'c' }], statistics: { SampleCount: 1, Sum: 80, Minimum: 80, Maximum: 80 }, unit: 'Percent', timestamp: T0 + 65_000 },
    ], 60);
    const ctx = { ...S, sql: t.sql, clock: { now: () => T0 + 120_000 } } as unknown as Parameters<typeof getMetricStatistics>[0];
    const out = getMetricStatistics(ctx, {
      Namespace: 'AWS/ECS', MetricName: 'CPUUtilization', Dimensions: [{ Name: 'ClusterName', Value: 'c' }],
      StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), Period: 60, Statistics: ['Average', 'SampleCount'],
    });
    assert.deepEqual(out.Datapoints!.map((d) => [d.Timestamp!.getTime() - T0, d.Average, d.SampleCount, d.Unit]), [[0, 50, 2, 'Percent'], [60_000, 80, 1, 'Percent']]);
  });
});

describe('alarm text', () => {
  it('prints numbers as Java doubles and dates as dd/MM/yy HH:mm:ss', () => {
    assert.deepEqual([42, 0, -3, 0.0666851903306472, 1e7, 1.5e-5, 12345.5].map(javaDouble), ['42.0', '0.0', '-3.0', '0.0666851903306472', '1.0E7', '1.5E-5', '12345.5']);
    assert.equal(shortDate(new Date(T0)), '12/07/26 10:00:00');
  });
});
