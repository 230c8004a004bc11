import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPolicyDocument } from './policy-document.js';
import { paginate } from './inputs.js';

const message = (text: string, kind: 'identity' | 'trust') => {
  try {
    checkPolicyDocument(text, kind);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('IAM policy documents', () => {
  it('accepts a one-statement object, a Version-less document and conditions', () => {
    assert.equal(message(JSON.stringify({ Statement: { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' } }), 'identity'), undefined);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:role/x'] }, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': 'e' } } }] };
    assert.equal(message(JSON.stringify(trust), 'trust'), undefined);
  });

  it('policy variables need Version 2012-10-17', () => {
    const doc = { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' }] };
    assert.equal(message(JSON.stringify(doc), 'identity'), 'Policy document must be version 2012-10-17 or greater.');
  });

  it('rejects unknown elements, both Action and NotAction, duplicate Sids and malformed AWS principals', () => {
    assert.equal(message(JSON.stringify({ Statement: [], Extra: 1 }), 'identity'), 'Syntax errors in policy.');
    assert.equal(message(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'a:b', NotAction: 'a:c', Resource: '*' }] }), 'identity'), 'Syntax errors in policy.');
    const dup = { Statement: [{ Sid: 'a', Effect: 'Allow', Action: 'a:b', Resource: '*' }, { Sid: 'a', Effect: 'Allow', Action: 'a:c', Resource: '*' }] };
    assert.equal(message(JSON.stringify(dup), 'identity'), 'Statement IDs (SID) in a single policy must be unique.');
    const principal = { Statement: [{ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'sts:AssumeRole' }] };
    assert.equal(message(JSON.stringify(principal), 'trust'), 'Invalid principal in policy: "AWS":"bob"');
  });
});

describe('IAM Marker pagination', () => {
  it('pages in key order and resumes after the last key even when items were removed', () => {
    const names = ['d', 'a', 'c', 'b', 'e'];
    const first = paginate(names, (n) => n, undefined, 2);
    assert.deepEqual(first.items, ['a', 'b']);
    assert.equal(first.IsTruncated, true);
    const next = paginate(names.filter((n) => n !== 'b'), (n) => n, first.Marker, 2);
    assert.deepEqual(next.items, ['c', 'd']);
    const last = paginate(names, (n) => n, next.Marker, 2);
    assert.deepEqual(last.items, ['e']);
    assert.equal(last.IsTruncated, false);
    assert.equal(last.Marker, undefined);
  });
});
