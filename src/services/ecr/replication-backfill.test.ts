/**
 * Replication backfill states, driven directly (through the API the
 * controller finishes a small backfill before the next request arrives, so
 * PREPARING, IN_PROGRESS and a stop half-way are not observable there).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AwsError } from '../../protocol/errors.js';
import { putManifest } from './store/images.js';
import { linkBlob, recordBlob } from './store/blobs.js';
import { listManifests } from './store/manifests.js';
import { getRepo } from './store/repositories.js';
import { advanceBackfill } from './store/replication-backfill.js';
import type { RequestContext } from '../provider.js';
import { providerContext } from '../../../test/helpers/provider-context.js';
import {
  describeReplicationBackfillResults, putReplicationConfiguration, startReplicationBackfill, stopReplicationBackfill,
} from './replication.js';
import { createRepository } from './repositories.js';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const context = providerContext;

/** Stores `n` tagged images in the repository, as a push would. */
function push(ctx: RequestContext, name: string, n: number) {
  const repo = getRepo(ctx.sql, { account: ctx.account, region: ctx.region, name })!;
  for (let i = 0; i < n; i++) {
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', i }));
    for (const b of [config]) {
      recordBlob(ctx.sql, sha256(b), b.length, 0);
      linkBlob(ctx.sql, repo, sha256(b), 0);
    }
    const body = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [],
    }));
    putManifest(ctx.sql, 0, repo, { body, contentType: 'application/vnd.oci.image.manifest.v1+json', tag: `t${i}` });
  }
}

const code = (name: string) => (err: AwsError) => {
  assert.equal(err.code, name);
  return true;
};

describe('replication backfill states', () => {
  it('PREPARING, then IN_PROGRESS a batch at a time; a stop cancels what has not run', () => {
    const ctx = context();
    createRepository(ctx, { repositoryName: 'app' });
    // Creating the repository is its own notice (for the console's open pages); what follows is the backfill's.
    assert.deepEqual(ctx.published.splice(0), ['ecr.repository arn:aws:ecr:us-east-1:000000000000:repository/app']);
    push(ctx, 'app', 30);
    putReplicationConfiguration(ctx, { replicationConfiguration: { rules: [{ destinations: [{ region: 'us-west-2', registryId: ctx.account }] }] } });
    const destination = { region: 'us-west-2', registryId: ctx.account };

    const started = startReplicationBackfill(ctx, { destination });
    const id = started.replicationBackfillId!;
    assert.equal(started.status, 'PREPARING');
    assert.deepEqual(ctx.published, [`ecr.replication backfill:${id}`]);
    const preparing = describeReplicationBackfillResults(ctx, { replicationBackfillId: id });
    assert.equal(preparing.status, 'PREPARING');
    assert.equal(preparing.progress, undefined);
    assert.equal(preparing.results, undefined);
    // One backfill per destination Region at a time.
    assert.throws(() => startReplicationBackfill(ctx, { destination }), code('ReplicationBackfillInProgressException'));

    const pass = advanceBackfill(ctx.sql, ctx.clock.now(), id);
    assert.equal(pass.more, true);
    assert.equal(pass.copied.length, 25);
    const running = describeReplicationBackfillResults(ctx, { replicationBackfillId: id });
    assert.equal(running.status, 'IN_PROGRESS');
    assert.deepEqual(running.progress, { totalReplicationCount: 30, completedReplicationCount: 25, failedReplicationCount: 0, failureCodes: [] });
    assert.equal(running.results, undefined);

    const stopped = stopReplicationBackfill(ctx, { replicationBackfillId: id });
    assert.equal(stopped.status, 'STOPPED');
    assert.equal(advanceBackfill(ctx.sql, ctx.clock.now(), id).copied.length, 0);
    const out = describeReplicationBackfillResults(ctx, { replicationBackfillId: id });
    assert.equal(out.status, 'STOPPED');
    assert.ok(out.endedAt);
    assert.equal(out.progress!.completedReplicationCount, 25);
    assert.equal(out.results!.length, 25);
    const west = getRepo(ctx.sql, { account: ctx.account, region: 'us-west-2', name: 'app' })!;
    assert.equal(listManifests(ctx.sql, west, 0, 1000).length, 25);
    assert.throws(() => stopReplicationBackfill(ctx, { replicationBackfillId: id }), code('ReplicationBackfillInvalidStatusException'));

    // Stopped while PREPARING: no progress at all.
    const next = startReplicationBackfill(ctx, { destination }).replicationBackfillId!;
    stopReplicationBackfill(ctx, { replicationBackfillId: next });
    const early = describeReplicationBackfillResults(ctx, { replicationBackfillId: next });
    assert.equal(early.status, 'STOPPED');
    assert.equal(early.progress, undefined);
    assert.deepEqual(early.results, []);

    // A third one finishes the rest.
    const last = startReplicationBackfill(ctx, { destination }).replicationBackfillId!;
    while (advanceBackfill(ctx.sql, ctx.clock.now(), last).more);
    assert.equal(describeReplicationBackfillResults(ctx, { replicationBackfillId: last }).status, 'COMPLETE');
    assert.equal(listManifests(ctx.sql, west, 0, 1000).length, 30);
  });
});
