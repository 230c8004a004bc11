import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { principalIdentity } from './auth.js';
import { fieldMatcher, labelMatcher } from './selectors.js';

describe('selectors and principals', () => {
  const pod = { metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web', tier: 'front' } }, status: { phase: 'Running' } };

  it('label selectors: equality, inequality, set membership, existence', () => {
    assert.ok(labelMatcher('app=web')(pod));
    assert.ok(labelMatcher('app==web,tier!=back')(pod));
    assert.ok(labelMatcher('tier in (front, back)')(pod));
    assert.ok(!labelMatcher('tier notin (front)')(pod));
    assert.ok(labelMatcher('app,!missing')(pod));
    assert.ok(!labelMatcher('app=db')(pod));
    assert.throws(() => labelMatcher('a b c')(pod), /unable to parse requirement/);
  });

  it('field selectors on any field path', () => {
    assert.ok(fieldMatcher('metadata.name=web-1,status.phase=Running')(pod));
    assert.ok(!fieldMatcher('metadata.namespace!=default')(pod));
  });

  it('a session is its role; a role ARN with a path is the role by name', () => {
    assert.equal(principalIdentity('arn:aws:sts::000000000000:assumed-role/admin/me'), 'arn:aws:iam::000000000000:role/admin');
    assert.equal(principalIdentity('arn:aws:iam::000000000000:role/team/admin'), 'arn:aws:iam::000000000000:role/admin');
    assert.equal(principalIdentity('arn:aws:iam::000000000000:root'), 'arn:aws:iam::000000000000:root');
  });
});
