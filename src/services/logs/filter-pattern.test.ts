import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterPattern } from './filter-pattern.js';

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
});
