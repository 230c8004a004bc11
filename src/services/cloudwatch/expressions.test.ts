import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, ExpressionError, parseExpression, referencedIds, type EvalContext, type Series, type Value } from './expressions.js';

const grid = [0, 60, 120, 180];
const s = (label: string, pts: [number, number][]): Series => ({ label, points: new Map(pts), period: 60 });
const m1 = s('cpu', [[0, 10], [60, 20], [120, 30]]);
const m2 = s('mem', [[0, 1], [60, 2], [180, 4]]);
const ctx: EvalContext = {
  grid, period: 60,
  resolve: (id) => ({ m1, m2 } as Record<string, Series>)[id],
  metricStats: () => [m1, m2],
  search: (q, stat, period) => [s(`${q}|${stat}|${period}`, [[0, 7]])],
};
const run = (e: string): Value => evaluate(parseExpression(e), ctx);
const pts = (v: Value) => [...(v as Series).points];

describe('metric math expressions', () => {
  it('arithmetic between series keeps shared timestamps; with scalars, every point; precedence as usual', () => {
    assert.deepEqual(pts(run('m1 + m2')), [[0, 11], [60, 22]]);
    assert.deepEqual(pts(run('m1 * 2 + 1')), [[0, 21], [60, 41], [120, 61]]);
    assert.deepEqual(pts(run('-(m1 - 10) / 10')), [[0, -0], [60, -1], [120, -2]]);
    assert.equal(run('2 ^ 3 ^ 2'), 512);
    assert.equal(run('1 + 2 * 3'), 7);
    assert.equal(run('(1 + 2) * 3'), 9);
  });

  it('SUM, AVG, MIN, MAX of an array are series per timestamp; of one series, a scalar', () => {
    assert.deepEqual(pts(run('SUM(METRICS())')), [[0, 11], [60, 22], [120, 30], [180, 4]]);
    assert.deepEqual(pts(run('AVG([m1, m2])'.replace('[m1, m2]', 'METRICS()'))), [[0, 5.5], [60, 11], [120, 30], [180, 4]]);
    assert.equal(run('MAX(m1)'), 30);
    assert.equal(run('MIN(m2)'), 1);
    assert.equal(run('AVG(m1)'), 20);
    assert.deepEqual((run('METRICS("me")') as Series[]).map((x) => x.label), ['mem']);
  });

  it('FILL with a value, REPEAT and LINEAR covers the whole grid', () => {
    assert.deepEqual(pts(run('FILL(m1, 0)')), [[0, 10], [60, 20], [120, 30], [180, 0]]);
    assert.deepEqual(pts(run('FILL(m2, REPEAT)')), [[0, 1], [60, 2], [120, 2], [180, 4]]);
    assert.deepEqual(pts(run('FILL(m2, LINEAR)')), [[0, 1], [60, 2], [120, 3], [180, 4]]);
  });

  it('IF, comparisons and logic', () => {
    assert.deepEqual(pts(run('IF(m1 > 15, 1, 0)')), [[0, 0], [60, 1], [120, 1]]);
    assert.deepEqual(pts(run('IF(m1 >= 20 AND m1 < 30, m1)')), [[60, 20]]);
    assert.deepEqual(pts(run('IF(m1 == 10 || NOT m1 != 30, m2, -1)')), [[0, 1], [60, -1]]);
  });

  it('DIFF, RATE, RUNNING_SUM, PERIOD, ABS and SEARCH through the caller', () => {
    assert.deepEqual(pts(run('DIFF(m1)')), [[60, 10], [120, 10]]);
    assert.deepEqual(pts(run('RATE(m1)')), [[60, 10 / 60], [120, 10 / 60]]);
    assert.deepEqual(pts(run('RUNNING_SUM(m1)')), [[0, 10], [60, 30], [120, 60]]);
    assert.deepEqual(pts(run('PERIOD(m1)')), [[0, 60], [60, 60], [120, 60]]);
    assert.deepEqual(pts(run('ABS(0 - m1)')), [[0, 10], [60, 20], [120, 30]]);
    assert.equal((run(`SEARCH('{App,Host} MetricName="Latency"', 'Average', 300)`) as Series[])[0].label, '{App,Host} MetricName="Latency"|Average|300');
  });

  it('names what it refers to, and rejects what it cannot read', () => {
    assert.deepEqual(referencedIds(parseExpression('IF(m1 > 2, m2, e3)')), ['m1', 'm2', 'e3']);
    for (const bad of ['m1 +', '(m1', 'm1 $ 2', 'NOPE(m1)', 'm9', 'FILL(m1)', '"x"', 'm1 m2']) {
      assert.throws(() => run(bad), ExpressionError, bad);
    }
  });
});
