import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter } from './filter-pattern.js';
import { datapointOf } from './metric-store.js';

const point = (pattern: string, t: object, message: string) => {
  const m = compileFilter(pattern)(message);
  return m && datapointOf({ metricName: 'M', metricNamespace: 'N', metricValue: '1', ...t }, m, 1000);
};

describe('metric filter transformations', () => {
  it('a literal value is emitted for every match, with the unit (None by default)', () => {
    assert.deepEqual(point('ERROR', {}, 'ERROR x'), { namespace: 'N', metricName: 'M', dimensions: [], timestamp: 1000, value: 1, unit: 'None' });
    assert.equal(point('ERROR', { unit: 'Count', metricValue: '2.5' }, 'ERROR x')?.value, 2.5);
  });

  it('$.field values come from the JSON event, $name values from a space-delimited field; a non-number emits nothing', () => {
    assert.equal(point('{ $.ms = * }', { metricValue: '$.ms' }, '{"ms":42}')?.value, 42);
    assert.equal(point('{ $.level = "E" }', { metricValue: '$.ms' }, '{"level":"E","ms":"7"}')?.value, 7, 'a field outside the pattern is read too');
    assert.equal(point('[ip, status, size]', { metricValue: '$size' }, '1.2.3.4 200 512')?.value, 512);
    assert.equal(point('[ip, status, size]', { metricValue: '$3' }, '1.2.3.4 200 512')?.value, 512);
    assert.equal(point('[ip, status, size]', { metricValue: '$size' }, '1.2.3.4 200 -'), undefined);
  });

  it('dimensions take extracted values, sorted by name; an event without one emits nothing', () => {
    const t = { dimensions: { Status: '$status', Host: '$ip' } };
    assert.deepEqual(point('[ip, status, size]', t, '1.2.3.4 200 512')?.dimensions, [{ name: 'Host', value: '1.2.3.4' }, { name: 'Status', value: '200' }]);
    assert.equal(point('{ $.a = * }', { dimensions: { B: '$.b' } }, '{"a":1}'), undefined);
  });
});
