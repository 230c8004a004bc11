import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, parseQuery, runQuery, type InsightsRecord } from './insights-query.js';

const T0 = Date.UTC(2026, 0, 2, 3, 0, 0);
const rec = (dt: number, message: string, logStream = 'web/1'): InsightsRecord => ({
  timestamp: T0 + dt, message, logStream, log: '000000000000:/app', ingestionTime: T0 + dt, ptr: `p${dt}`,
});
const RECORDS = [
  rec(0, '{"level":"INFO","ms":20,"path":"/a","user":{"id":"u1"}}'),
  rec(60_000, '{"level":"ERROR","ms":250,"path":"/api/x","user":{"id":"u2"}}'),
  rec(120_000, 'GET /health 200 user=bob action=login', 'worker/1'),
  rec(400_000, '{"level":"ERROR","ms":90,"path":"/api/y","user":{"id":"u1"}}'),
  rec(410_000, '{"level":"WARN","ms":400,"path":"/b"}'),
];
const run = (q: string, max?: number) => runQuery(parseQuery(q), RECORDS, max);
const table = (q: string) => run(q).rows.map((r) => Object.fromEntries(r.map((c) => [c.field, c.value])));

describe('Logs Insights queries', () => {
  it('without fields returns @timestamp and @message (and @ptr), newest first', () => {
    const out = run('filter level = "ERROR"');
    assert.equal(out.recordsMatched, 2);
    assert.deepEqual(out.rows[0], [
      { field: '@timestamp', value: formatTimestamp(T0 + 400_000) }, { field: '@message', value: RECORDS[3].message }, { field: '@ptr', value: 'p400000' },
    ]);
    assert.equal(formatTimestamp(T0 + 400_000), '2026-01-02 03:06:40.000');
  });

  it('fields chooses and renames columns; JSON fields are discovered and flattened with dots', () => {
    assert.deepEqual(table('fields @logStream, user.id as uid, ms | filter ms > 100 | sort ms desc'), [
      { '@logStream': 'web/1', ms: '400', '@ptr': 'p410000' }, { '@logStream': 'web/1', uid: 'u2', ms: '250', '@ptr': 'p60000' },
    ]);
  });

  it('filter: numeric comparisons, like with strings and regexes, =~, in, and/or/not and functions', () => {
    const count = (f: string) => run(`filter ${f}`).recordsMatched;
    assert.equal(count('ms >= 90 and ms < 300'), 2);
    assert.equal(count('path like "/api/"'), 2);
    assert.equal(count('@message like "health"'), 1);
    assert.equal(count('@message like /HEALTH/i'), 1);
    assert.equal(count('path =~ /^\\/api\\/[xy]$/'), 2);
    assert.equal(count('level in ["WARN", "INFO"]'), 2);
    assert.equal(count('level not in ["WARN", "INFO"]'), 3);
    assert.equal(count('not ispresent(level) or (level = "WARN" and ms > 300)'), 2);
    assert.equal(count('@logStream != "web/1"'), 1);
    assert.equal(count('strlen(path) = 2 and @message not like /ERROR/'), 2);
  });

  it('stats aggregates by fields and by bin(5m), named by alias or by their text', () => {
    assert.deepEqual(table('filter ispresent(level) | stats count(*) as n, avg(ms), max(ms) by level | sort n desc, level'), [
      { level: 'ERROR', n: '2', 'avg(ms)': '170', 'max(ms)': '250' },
      { level: 'INFO', n: '1', 'avg(ms)': '20', 'max(ms)': '20' },
      { level: 'WARN', n: '1', 'avg(ms)': '400', 'max(ms)': '400' },
    ]);
    assert.deepEqual(table('stats count() as n, sum(ms) as total by bin(5m)'), [
      { 'bin(5m)': '2026-01-02 03:00:00.000', n: '3', total: '270' },
      { 'bin(5m)': '2026-01-02 03:05:00.000', n: '2', total: '490' },
    ]);
    assert.deepEqual(table('stats count_distinct(user.id) as users'), [{ users: '2' }]);
  });

  it('parse extracts fields with a glob or a regex with named groups; a non-matching event keeps going without them', () => {
    assert.deepEqual(table('parse @message "user=* action=*" as user, action | filter ispresent(user) | fields user, action'),
      [{ user: 'bob', action: 'login', '@ptr': 'p120000' }]);
    assert.deepEqual(table('parse @message /GET (?<path>\\S+) (?<status>\\d+)/ | filter status = 200 | display path, status'),
      [{ path: '/health', status: '200', '@ptr': 'p120000' }]);
  });

  it('sort and limit; dedup keeps the first row of each value; StartQuery’s limit caps the rows', () => {
    assert.deepEqual(table('fields ms | sort ms asc | limit 2').map((r) => r.ms), ['20', '90']);
    assert.deepEqual(table('fields level | filter ispresent(level) | sort @timestamp asc | dedup level').map((r) => r.level), ['INFO', 'ERROR', 'WARN']);
    assert.equal(run('fields @message', 3).rows.length, 3);
  });

  it('a query it cannot read is MalformedQueryException with the location', () => {
    assert.throws(() => parseQuery('fields a | bogus x'), (e: Error & { code?: string; fields?: any }) => {
      assert.equal(e.code, 'MalformedQueryException');
      assert.deepEqual(e.fields.queryCompileError.location, { startCharOffset: 11, endCharOffset: 16 });
      return true;
    });
    assert.throws(() => parseQuery('filter a = "x'), /unterminated string/);
    assert.throws(() => parseQuery('stats foo(x)'), /aggregate/);
    assert.throws(() => parseQuery('limit 0'), /limit/);
    assert.throws(() => parseQuery('parse @message "a=* b=*" as a'), /2 \*/);
  });
});
