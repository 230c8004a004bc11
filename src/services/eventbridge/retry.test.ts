import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../protocol/errors.js';
import { afterFailure, HOP_REFUSED, ruleErrorCode } from './retry.js';

const refusal = new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
const noRoom = new AwsError('ECSFailure', 'No Container Instances were found in your cluster.', { status: 503, sender: false });

describe('after a failed invocation (retry.ts)', () => {
  it('a refusal is never retried and names no exhausted condition', () => {
    assert.deepEqual(afterFailure(refusal, 1, 0, 0, undefined), { giveUp: undefined });
  });

  it('other failures back off 1 s, 2 s, 4 s … up to 60 s, within MaximumRetryAttempts', () => {
    assert.deepEqual(afterFailure(noRoom, 1, 0, 0, { MaximumRetryAttempts: 2 }), { retryAt: 1000 });
    assert.deepEqual(afterFailure(noRoom, 2, 0, 1000, { MaximumRetryAttempts: 2 }), { retryAt: 3000 });
    assert.deepEqual(afterFailure(noRoom, 3, 0, 3000, { MaximumRetryAttempts: 2 }), { giveUp: 'MaximumRetryAttempts' });
    assert.deepEqual(afterFailure(noRoom, 10, 0, 0, undefined), { retryAt: 60_000 });
    assert.deepEqual(afterFailure(noRoom, 1, 0, 0, { MaximumRetryAttempts: 0 }), { giveUp: 'MaximumRetryAttempts' });
  });

  it('… and within MaximumEventAgeInSeconds, counted from the first attempt', () => {
    assert.deepEqual(afterFailure(noRoom, 3, 0, 58_000, { MaximumEventAgeInSeconds: 60 }), { giveUp: 'MaximumEventAgeInSeconds' });
    assert.deepEqual(afterFailure(noRoom, 1, 0, 86_399_500, undefined), { giveUp: 'MaximumEventAgeInSeconds' });
  });

  it("EventBridge's dead-letter ERROR_CODE", () => {
    assert.equal(ruleErrorCode(refusal), 'NO_RESOURCE');
    assert.equal(ruleErrorCode(new AwsError('ClusterNotFoundException', 'Cluster not found.')), 'NO_RESOURCE');
    assert.equal(ruleErrorCode(new AwsError('InvalidParameterException', 'x')), 'INVALID_PARAMETER');
    assert.equal(ruleErrorCode(noRoom), 'ERROR_FROM_TARGET');
    assert.equal(ruleErrorCode(new AwsError(HOP_REFUSED, 'x')), 'THIRD_ACCOUNT_HOP_DETECTED');
    assert.equal(ruleErrorCode(new Error('boom')), 'INTERNAL_ERROR');
  });
});
