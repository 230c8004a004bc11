import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, compileFilterPattern, splitFields } from './filter-pattern.js';

const matches = (pattern: string, message: string) => compileFilterPattern(pattern)(message);

describe('CloudWatch Logs filter patterns', () => {
  it('an empty pattern or "" matches everything', () => {
    assert.ok(matches('', 'x'));
    assert.ok(matches('""', 'x'));
  });

  it('terms are all required, case-sensitive substrings; quotes keep a phrase together', () => {
    assert.ok(matches('ERROR db', '[ERROR] db down'));
    assert.ok(!matches('ERROR db', '[ERROR] cache down'));
    assert.ok(!matches('error', 'ERROR'));
    assert.ok(matches('"db down"', 'the db down now'));
    assert.ok(!matches('"db down"', 'down db'));
    assert.ok(matches('"say \\"hi\\""', 'they say "hi"'));
  });

  it('?terms need one of them, -terms none of them', () => {
    assert.ok(matches('?a ?b', 'xbx'));
    assert.ok(!matches('?a ?b', 'xyz'));
    assert.ok(matches('ERROR -retry', 'ERROR fatal'));
    assert.ok(!matches('ERROR -retry', 'ERROR will retry'));
    assert.ok(matches('-DEBUG', 'INFO x'));
  });

  it('%regex% is a regular expression without capture groups', () => {
    assert.ok(matches('%^[hc]at%', 'cat nap'));
    assert.ok(!matches('%^[hc]at%', 'a cat'));
    assert.throws(() => compileFilterPattern('%(a|b)%'), /\(\) operator/);
  });

  it('JSON patterns compare selected fields with wildcards, numbers, booleans and existence', () => {
    const doc = JSON.stringify({ level: 'ERROR', ms: 250, ok: false, user: { id: 7, tags: ['a', 'b'] }, n: null });
    assert.ok(matches('{ $.level = "ERROR" }', doc));
    assert.ok(matches('{ $.level = ERR* }', doc));
    assert.ok(matches('{ $.level != "INFO" && $.ms >= 250 }', doc));
    assert.ok(matches('{ ($.ms < 100) || ($.user.id = 7) }', doc));
    assert.ok(matches('{ $.user.tags[1] = "b" }', doc));
    assert.ok(matches('{ $.ok IS FALSE && $.n IS NULL && $.missing NOT EXISTS && $.user EXISTS }', doc));
    assert.ok(!matches('{ $.ms > 300 }', doc));
    assert.ok(!matches('{ $.level = "ERROR" }', 'not json'));
    assert.throws(() => compileFilterPattern('{ $.level < "x" }'), /numeric/);
    assert.throws(() => compileFilterPattern('{ level = 1 }'), /selector/);
  });

  it('JSON patterns extract the fields they select (TestMetricFilter extractedValues)', () => {
    const m = compileFilter('{ $.level = "ERROR" && $.ms > 100 && $.user.tags[0] EXISTS }')('{"level":"ERROR","ms":250,"user":{"tags":["a"]}}');
    assert.deepEqual(m?.values, { '$.level': 'ERROR', '$.ms': '250', '$.user.tags[0]': 'a' });
  });

  it('space-delimited messages split at spaces, keeping "quoted" and [bracketed] fields whole', () => {
    assert.deepEqual(splitFields('127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534'),
      ['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /a HTTP/1.0', '404', '1534']);
  });

  it('space-delimited patterns need the field count (or ...), test conditions and extract named and numbered fields', () => {
    const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 1534';
    const all = compileFilter('[ip, id, user, ts, request, status = 4*, size > 1000]');
    assert.deepEqual(all(line)?.values, {
      $1: '127.0.0.1', $ip: '127.0.0.1', $2: '-', $id: '-', $3: 'frank', $user: 'frank', $4: '10/Oct/2000:13:25:15 -0700',
      $ts: '10/Oct/2000:13:25:15 -0700', $5: 'GET /a HTTP/1.0', $request: 'GET /a HTTP/1.0', $6: '404', $status: '404', $7: '1534', $size: '1534',
    });
    assert.equal(compileFilter('[ip, user, status]')(line), undefined, 'seven fields do not fit three');
    assert.equal(compileFilter('[ip, ..., status = 5* || status = 200, size]')(line), undefined);
    assert.equal(compileFilter('[ip, ..., status = 5* || status = 404, size]')(line)?.values.$size, '1534');
    assert.ok(matches('[..., status != 200, size >= 1534 && size < 2000]', line));
    assert.ok(!matches('[..., size < 100]', line));
    assert.ok(matches('[ip = "127.0.0.1", ...]', line));
    assert.ok(matches('[ip = %^127\\.%, ...]', line));
    assert.throws(() => compileFilter('[a, ..., b, ...]'), /only one \.\.\./);
    assert.throws(() => compileFilter('[a, b < x]'), /numeric/);
    assert.throws(() => compileFilter('[a, b = 1'), /must end with \]/);
  });

  it('terms and regular expressions extract nothing', () => {
    assert.deepEqual(compileFilter('ERROR')('ERROR x')?.values, {});
    assert.equal(compileFilter('ERROR')('INFO x'), undefined);
  });
});
