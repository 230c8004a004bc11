/**
 * The lifecycle preview's states, driven directly (through the API the
 * controller completes a preview before the response is even sent, so
 * IN_PROGRESS is not observable there).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../protocol/errors.js';
import { providerContext } from '../../../test/helpers/provider-context.js';
import { getLifecyclePolicyPreview, startLifecyclePolicyPreview } from './lifecycle.js';
import { completePreview } from './store/lifecycle.js';
import { createRepository } from './repositories.js';

const context = providerContext;

const TEXT = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });

describe('lifecycle policy preview states', () => {
  it('IN_PROGRESS until the controller completes it; a second start meanwhile is LifecyclePolicyPreviewInProgressException', () => {
    const ctx = context();
    createRepository(ctx, { repositoryName: 'app' });
    // Creating the repository is its own notice (for the console's open pages); what follows is the preview's.
    assert.deepEqual(ctx.published.splice(0), ['ecr.repository arn:aws:ecr:us-east-1:000000000000:repository/app']);
    const started = startLifecyclePolicyPreview(ctx, { repositoryName: 'app', lifecyclePolicyText: TEXT });
    assert.equal(started.status, 'IN_PROGRESS');
    assert.deepEqual(ctx.published, ['ecr.lifecycle-preview 000000000000|us-east-1|app']);

    const pending = getLifecyclePolicyPreview(ctx, { repositoryName: 'app' });
    assert.equal(pending.status, 'IN_PROGRESS');
    assert.equal(pending.previewResults, undefined);
    assert.throws(() => startLifecyclePolicyPreview(ctx, { repositoryName: 'app', lifecyclePolicyText: TEXT }), (err: AwsError) => {
      assert.equal(err.code, 'LifecyclePolicyPreviewInProgressException');
      assert.equal(err.message, 'Previous lifecycle policy preview request has not completed. Please try again later.');
      return true;
    });

    completePreview(ctx.sql, { account: ctx.account, region: ctx.region, name: 'app' }, ctx.clock.now());
    const done = getLifecyclePolicyPreview(ctx, { repositoryName: 'app' });
    assert.equal(done.status, 'COMPLETE');
    assert.deepEqual(done.previewResults, []);
    assert.deepEqual(done.summary, { expiringImageTotalCount: 0 });
    assert.equal(startLifecyclePolicyPreview(ctx, { repositoryName: 'app', lifecyclePolicyText: TEXT }).status, 'IN_PROGRESS');
  });
});
