import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { contextKeysOf, mergeKeys } from './context-keys.js';

describe('the context keys a decision depends on', () => {
  it('statements without conditions or variables read none: their decisions are memoized on action and resource alone', () => {
    assert.deepEqual(contextKeysOf([{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }]), { keys: [], volatile: false, readsResourceTags: false });
  });

  it('condition keys (lower-cased) and policy variables are read; escapes are not keys; resource tags are noticed', () => {
    const keys = contextKeysOf([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}/${*}', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      { Effect: 'Deny', Action: 'ecr:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'ecr:ResourceTag/team': ['a'] } } },
    ]);
    assert.deepEqual(keys, { keys: ['aws:sourceip', 'aws:username', 'ecr:resourcetag/team'], volatile: false, readsResourceTags: true });
  });

  it('a statement reading the clock makes the decision volatile (never memoized)', () => {
    const keys = contextKeysOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }]);
    assert.equal(keys.volatile, true);
    assert.deepEqual(mergeKeys(contextKeysOf([]), keys), keys);
  });
});
