/**
 * ECR replication backfills and image archival through @aws-sdk/client-ecr
 * and the registry API: images pushed before the replication configuration
 * existed are copied to a configured destination by a backfill (listed,
 * described with progress and per image-and-tag results, statuses per
 * destination); the errors of Start/Stop/Describe; UpdateImageStorageClass
 * archives an image (hidden from ListImages/DescribeImages unless asked for,
 * described ARCHIVED with lastArchivedAt, not pullable by BatchGetImage or the
 * registry, not scannable) and restores it (pullable again, lastActivatedAt),
 * and a re-push restores it too.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DescribeImageReplicationStatusCommand, DescribeImagesCommand,
  DescribeReplicationBackfillResultsCommand, ECRClient, ListImagesCommand, ListReplicationBackfillsCommand,
  PutReplicationConfigurationCommand, StartImageScanCommand, StartReplicationBackfillCommand,
  StopReplicationBackfillCommand, UpdateImageStorageClassCommand, type DescribeReplicationBackfillResultsResponse,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { MEDIA, Registry, makeImage, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';

describe('ECR replication backfill', () => {
  const berth = useBerth({ clients: { east: ECRClient, west: [ECRClient, { region: 'us-west-2' }] } });
  let reg: Registry;
  const wire = (name: string, region = 'us-east-1') => `${ACCOUNT}/${region}/${name}`;

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  /** Polls DescribeReplicationBackfillResults until the backfill reaches a terminal status. */
  async function ended(replicationBackfillId: string): Promise<DescribeReplicationBackfillResultsResponse> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const out = await berth.east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId }));
      if (!['PREPARING', 'IN_PROGRESS', 'STOPPING'].includes(out.status!)) return out;
      if (Date.now() > deadline) throw new Error(`backfill did not end: ${out.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('copies images pushed before the configuration to the destination, one result per image and tag', async () => {
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'old/app' }));
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'other/app' }));
    const tagged = makeImage();
    const untagged = makeImage();
    const unselected = makeImage();
    assert.equal((await reg.pushImage(wire('old/app'), tagged, 'v1')).status, 201);
    assert.equal((await reg.putManifest(wire('old/app'), 'v2', tagged.manifest, tagged.mediaType)).status, 201);
    assert.equal((await reg.pushImage(wire('old/app'), untagged, untagged.digest)).status, 201);
    assert.equal((await reg.pushImage(wire('other/app'), unselected, 'v1')).status, 201);

    await berth.east.send(new PutReplicationConfigurationCommand({
      replicationConfiguration: { rules: [{ destinations: [{ region: 'us-west-2', registryId: ACCOUNT }], repositoryFilters: [{ filter: 'old', filterType: 'PREFIX_MATCH' }] }] },
    }));
    // Replication alone never copies what was already there.
    await rejects(berth.west.send(new DescribeImagesCommand({ repositoryName: 'old/app' })), 'RepositoryNotFoundException');

    const started = await berth.east.send(new StartReplicationBackfillCommand({ destination: { region: 'us-west-2', registryId: ACCOUNT } }));
    assert.equal(started.status, 'PREPARING');
    assert.equal(started.registryId, ACCOUNT);
    assert.deepEqual(started.destination, { region: 'us-west-2', registryId: ACCOUNT });
    assert.ok(started.startedAt instanceof Date);

    const out = await ended(started.replicationBackfillId!);
    assert.equal(out.status, 'COMPLETE');
    assert.ok(out.endedAt instanceof Date);
    assert.deepEqual(out.progress, { totalReplicationCount: 3, completedReplicationCount: 3, failedReplicationCount: 0, failureCodes: [] });
    assert.deepEqual(
      out.results!.map((r) => [r.repositoryName, r.imageId!.imageDigest, r.imageId!.imageTag, r.status]),
      [['old/app', tagged.digest, 'v1', 'COMPLETE'], ['old/app', tagged.digest, 'v2', 'COMPLETE'], ['old/app', untagged.digest, undefined, 'COMPLETE']],
    );
    const failedOnly = await berth.east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: started.replicationBackfillId, resultStatusFilter: 'FAILED' }));
    assert.deepEqual(failedOnly.results, []);
    const page = await berth.east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: started.replicationBackfillId, maxResults: 2 }));
    assert.equal(page.results!.length, 2);
    const rest = await berth.east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: started.replicationBackfillId, nextToken: page.nextToken }));
    assert.equal(rest.results!.length, 1);

    // The destination region lists the older images, with their tags, and serves them.
    const { imageDetails } = await berth.west.send(new DescribeImagesCommand({ repositoryName: 'old/app' }));
    assert.deepEqual(
      imageDetails!.map((d) => [d.imageDigest, (d.imageTags ?? []).sort()]).sort(),
      [[tagged.digest, ['v1', 'v2']], [untagged.digest, []]].sort(),
    );
    const pulled = await reg.fetch(`/v2/${wire('old/app', 'us-west-2')}/manifests/v2`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(pulled.status, 200);
    assert.equal(await pulled.text(), tagged.manifest);
    await rejects(berth.west.send(new DescribeImagesCommand({ repositoryName: 'other/app' })), 'RepositoryNotFoundException');
    const status = await berth.east.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'old/app', imageId: { imageTag: 'v1' } }));
    assert.deepEqual(status.replicationStatuses!.map((s) => [s.region, s.registryId, s.status]), [['us-west-2', ACCOUNT, 'COMPLETE']]);

    const listed = await berth.east.send(new ListReplicationBackfillsCommand({}));
    assert.equal(listed.registryId, ACCOUNT);
    const summary = listed.backfills!.find((b) => b.replicationBackfillId === started.replicationBackfillId)!;
    assert.equal(summary.status, 'COMPLETE');
    assert.deepEqual(summary.destination, { region: 'us-west-2', registryId: ACCOUNT });
    assert.equal(summary.progress!.totalReplicationCount, 3);

    // Stopping a finished backfill is refused.
    await rejects(berth.east.send(new StopReplicationBackfillCommand({ replicationBackfillId: started.replicationBackfillId })), 'ReplicationBackfillInvalidStatusException');

    // A second backfill finds the copies already there: COMPLETE again, nothing duplicated.
    const again = await berth.east.send(new StartReplicationBackfillCommand({ destination: { region: 'us-west-2', registryId: ACCOUNT } }));
    assert.equal((await ended(again.replicationBackfillId!)).status, 'COMPLETE');
    assert.equal((await berth.west.send(new ListImagesCommand({ repositoryName: 'old/app' }))).imageIds!.length, 3);
    assert.equal((await berth.east.send(new ListReplicationBackfillsCommand({ maxResults: 1 }))).backfills!.length, 1);
  });

  it('refuses a destination outside the configuration, unknown ids and bad input', async () => {
    await rejects(berth.east.send(new StartReplicationBackfillCommand({ destination: { region: 'eu-west-1', registryId: ACCOUNT } })), 'InvalidParameterException', /not configured/);
    await rejects(berth.east.send(new StartReplicationBackfillCommand({ destination: { region: 'mars', registryId: ACCOUNT } })), 'InvalidParameterException');
    await rejects(berth.east.send(new StartReplicationBackfillCommand({ registryId: '111111111111', destination: { region: 'us-west-2', registryId: ACCOUNT } })), 'AccessDeniedException');
    const unknown = '00000000-0000-4000-8000-000000000000';
    await rejects(berth.east.send(new StopReplicationBackfillCommand({ replicationBackfillId: unknown })), 'ReplicationBackfillNotFoundException');
    await rejects(berth.east.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: unknown })), 'ReplicationBackfillNotFoundException');
    await rejects(berth.east.send(new ListReplicationBackfillsCommand({ maxResults: 51 })), 'InvalidParameterException');
    // Another region's backfills are not this one's.
    const [first] = (await berth.east.send(new ListReplicationBackfillsCommand({}))).backfills!;
    await rejects(berth.west.send(new DescribeReplicationBackfillResultsCommand({ replicationBackfillId: first.replicationBackfillId })), 'ReplicationBackfillNotFoundException');
  });
});

describe('ECR UpdateImageStorageClass', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;
  const wire = (name: string) => `${ACCOUNT}/us-east-1/${name}`;

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'arch/app' }));
  });

  it('archives an image: described ARCHIVED, hidden by default, not pullable; restoring makes it pullable again', async () => {
    const image = makeImage();
    const keep = makeImage();
    await reg.pushImage(wire('arch/app'), image, 'old');
    await reg.pushImage(wire('arch/app'), keep, 'new');

    const archived = await berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'old' }, targetStorageClass: 'ARCHIVE' }));
    assert.deepEqual(
      { registryId: archived.registryId, repositoryName: archived.repositoryName, imageId: archived.imageId, imageStatus: archived.imageStatus },
      { registryId: ACCOUNT, repositoryName: 'arch/app', imageId: { imageDigest: image.digest, imageTag: 'old' }, imageStatus: 'ARCHIVED' },
    );

    // Listed and described only when asked for (the default is ACTIVE images).
    const active = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app' }));
    assert.deepEqual(active.imageDetails!.map((d) => d.imageDigest), [keep.digest]);
    assert.equal(active.imageDetails![0].imageStatus, 'ACTIVE');
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app', filter: { imageStatus: 'ARCHIVED' } }));
    assert.equal(imageDetails!.length, 1);
    assert.equal(imageDetails![0].imageDigest, image.digest);
    assert.equal(imageDetails![0].imageStatus, 'ARCHIVED');
    assert.deepEqual(imageDetails![0].imageTags, ['old']);
    assert.ok(imageDetails![0].lastArchivedAt instanceof Date);
    const byId = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app', imageIds: [{ imageTag: 'old' }] }));
    assert.equal(byId.imageDetails![0].imageStatus, 'ARCHIVED');
    assert.deepEqual((await berth.ecr.send(new ListImagesCommand({ repositoryName: 'arch/app' }))).imageIds, [{ imageDigest: keep.digest, imageTag: 'new' }]);
    assert.equal((await berth.ecr.send(new ListImagesCommand({ repositoryName: 'arch/app', filter: { imageStatus: 'ANY' } }))).imageIds!.length, 2);

    // Not pullable: BatchGetImage fails the image, the registry answers 404.
    const got = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'arch/app', imageIds: [{ imageTag: 'old' }, { imageTag: 'new' }] }));
    assert.deepEqual(got.images!.map((i) => i.imageId!.imageTag), ['new']);
    assert.equal(got.failures![0].failureCode, 'ImageNotFound');
    assert.match(got.failures![0].failureReason!, /archived/);
    for (const ref of ['old', image.digest]) {
      const res = await reg.fetch(`/v2/${wire('arch/app')}/manifests/${ref}`, { headers: { accept: MEDIA.dockerManifest } });
      assert.equal(res.status, 404);
    }
    await rejects(berth.ecr.send(new StartImageScanCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'old' } })), 'ImageArchivedException');

    // Invalid transitions.
    await rejects(berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'old' }, targetStorageClass: 'ARCHIVE' })), 'ImageStorageClassUpdateNotSupportedException', /already archived/);
    await rejects(berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'new' }, targetStorageClass: 'STANDARD' })), 'ImageStorageClassUpdateNotSupportedException', /not archived/);

    // Restore: ACTIVE again at once, pullable, lastActivatedAt set.
    const restored = await berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageDigest: image.digest }, targetStorageClass: 'STANDARD' }));
    assert.equal(restored.imageStatus, 'ACTIVE');
    const after = (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app', imageIds: [{ imageDigest: image.digest }] }))).imageDetails![0];
    assert.equal(after.imageStatus, 'ACTIVE');
    assert.ok(after.lastArchivedAt instanceof Date);
    assert.ok(after.lastActivatedAt instanceof Date);
    const pulled = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'arch/app', imageIds: [{ imageTag: 'old' }] }));
    assert.equal(pulled.images![0].imageManifest, image.manifest);
    const res = await reg.fetch(`/v2/${wire('arch/app')}/manifests/old`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(res.status, 200);
  });

  it('a re-push of an archived image restores it', async () => {
    const image = makeImage();
    await reg.pushImage(wire('arch/app'), image, 'repush');
    await berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'repush' }, targetStorageClass: 'ARCHIVE' }));
    assert.equal((await reg.putManifest(wire('arch/app'), 'repush', image.manifest, image.mediaType)).status, 201);
    const d = (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app', imageIds: [{ imageTag: 'repush' }] }))).imageDetails![0];
    assert.equal(d.imageStatus, 'ACTIVE');
    assert.ok(d.lastActivatedAt instanceof Date);
  });

  it('errors: unknown image, bad storage class, bad filter', async () => {
    await rejects(berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'nope' }, targetStorageClass: 'ARCHIVE' })), 'ImageNotFoundException');
    await rejects(berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/none', imageId: { imageTag: 'x' }, targetStorageClass: 'ARCHIVE' })), 'RepositoryNotFoundException');
    await rejects(berth.ecr.send(new UpdateImageStorageClassCommand({ repositoryName: 'arch/app', imageId: { imageTag: 'new' }, targetStorageClass: 'GLACIER' as 'ARCHIVE' })), 'InvalidParameterException');
    await rejects(berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'arch/app', filter: { imageStatus: 'FROZEN' as 'ANY' } })), 'InvalidParameterException');
  });
});
