/**
 * ECR private image replication through @aws-sdk/client-ecr and the registry
 * API: PutReplicationConfiguration's validation and DescribeRegistry; images
 * pushed (registry PUT or PutImage) in us-east-1 appear with the same digest
 * and tags in us-west-2 and in a second account that granted replication,
 * in repositories created with the source's settings; statuses per
 * destination; a restarted Berth finishes copies still IN_PROGRESS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetImageCommand, CreateRepositoryCommand, DescribeImageReplicationStatusCommand, DescribeImagesCommand,
  DescribeRegistryCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand, PutRegistryPolicyCommand,
  PutReplicationConfigurationCommand, type ImageReplicationStatus, type ReplicationConfiguration,
} from '@aws-sdk/client-ecr';
import { clientConfig, startBerth } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import type { App } from '../../../src/app.js';
import { MEDIA, Registry, makeImage, makeIndex, registryAuth } from '../registry/client.js';

const ACCOUNT = '000000000000';
const OTHER = '111111111111';
const STRANGER = '222222222222';

/** Polls DescribeImageReplicationStatus until no destination is IN_PROGRESS. */
async function settled(ecr: ECRClient, repositoryName: string, imageDigest: string): Promise<ImageReplicationStatus[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName, imageId: { imageDigest } }));
    const statuses = out.replicationStatuses ?? [];
    if (statuses.length && statuses.every((s) => s.status !== 'IN_PROGRESS')) return statuses;
    if (Date.now() > deadline) throw new Error(`replication did not settle: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const grantReplication = (source: string, actions = ['ecr:ReplicateImage', 'ecr:CreateRepository']) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${source}:root` }, Action: actions, Resource: '*' }],
});

describe('ECR replication', () => {
  const berth = useBerth({ clients: { east: ECRClient, west: [ECRClient, { region: 'us-west-2' }], other: [ECRClient, { region: 'us-east-1', credentials: { accessKeyId: OTHER, secretAccessKey: 'x' } }] } });
  let reg: Registry;
  const wire = (name: string, region = 'us-east-1', account = ACCOUNT) => `${account}/${region}/${name}`;

  before(async () => {
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    // The second account lets this one replicate into it and create repositories there.
    await berth.other.send(new PutRegistryPolicyCommand({ policyText: grantReplication(ACCOUNT) }));
    await berth.east.send(new PutReplicationConfigurationCommand({
      replicationConfiguration: {
        rules: [
          { destinations: [{ region: 'us-west-2', registryId: ACCOUNT }, { region: 'us-east-1', registryId: OTHER }], repositoryFilters: [{ filter: 'rep', filterType: 'PREFIX_MATCH' }] },
          { destinations: [{ region: 'us-east-1', registryId: STRANGER }], repositoryFilters: [{ filter: 'denied', filterType: 'PREFIX_MATCH' }] },
        ],
      },
    }));
  });

  it('DescribeRegistry returns the registry id and the configuration as put; a fresh registry has no rules', async () => {
    const out = await berth.east.send(new DescribeRegistryCommand({}));
    assert.equal(out.registryId, ACCOUNT);
    assert.equal(out.replicationConfiguration!.rules!.length, 2);
    assert.deepEqual(out.replicationConfiguration!.rules![0].repositoryFilters, [{ filter: 'rep', filterType: 'PREFIX_MATCH' }]);
    const fresh = await berth.west.send(new DescribeRegistryCommand({}));
    assert.deepEqual(fresh.replicationConfiguration, { rules: [] });
  });

  it('PutReplicationConfiguration refuses the source registry as a destination, too many rules or destinations, and bad filters', async () => {
    const put = (replicationConfiguration: ReplicationConfiguration) => berth.west.send(new PutReplicationConfigurationCommand({ replicationConfiguration }));
    await rejects(put({ rules: [{ destinations: [{ region: 'us-west-2', registryId: ACCOUNT }] }] }), 'InvalidParameterException', /cannot be the same as the source registry/);
    const rule = { destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }] };
    await rejects(put({ rules: Array.from({ length: 11 }, () => rule) }), 'InvalidParameterException', /less than or equal to 10/);
    const many = Array.from({ length: 26 }, (_, i) => ({ region: 'eu-west-1', registryId: String(100000000000 + i) }));
    await rejects(put({ rules: [{ destinations: many.slice(0, 13) }, { destinations: many.slice(13) }] }), 'InvalidParameterException', /25 unique destinations/);
    await rejects(put({ rules: [{ ...rule, repositoryFilters: [{ filter: 'app', filterType: 'WILDCARD' as 'PREFIX_MATCH' }] }] }), 'InvalidParameterException', /PREFIX_MATCH/);
    await rejects(put({ rules: [{ ...rule, repositoryFilters: [{ filter: 'Bad Name', filterType: 'PREFIX_MATCH' }] }] }), 'InvalidParameterException', /filter/);
    await rejects(put({ rules: [{ destinations: [{ region: 'mars', registryId: ACCOUNT }] }] }), 'InvalidParameterException', /region/);
    // Still the empty configuration.
    assert.deepEqual((await berth.west.send(new DescribeRegistryCommand({}))).replicationConfiguration, { rules: [] });
  });

  it('a registry push is copied to us-west-2 and to a second account with the same digest and tag, into repositories with the source settings', async () => {
    await berth.east.send(new CreateRepositoryCommand({
      repositoryName: 'rep/app', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true },
    }));
    const image = makeImage({ layers: [Buffer.alloc(3000, 7), Buffer.from(`replicated ${Math.random()}`)] });
    assert.equal((await reg.pushImage(wire('rep/app'), image, 'v1')).status, 201);
    const statuses = await settled(berth.east, 'rep/app', image.digest);
    assert.deepEqual(
      statuses.map((s) => [s.registryId, s.region, s.status]).sort(),
      [[ACCOUNT, 'us-west-2', 'COMPLETE'], [OTHER, 'us-east-1', 'COMPLETE']],
    );

    for (const client of [berth.west, berth.other]) {
      const { imageDetails } = await client.send(new DescribeImagesCommand({ repositoryName: 'rep/app', imageIds: [{ imageTag: 'v1' }] }));
      assert.equal(imageDetails![0].imageDigest, image.digest);
      assert.equal(imageDetails![0].imageSizeInBytes, 3000 + image.layers[1].length);
      const { repositories } = await client.send(new DescribeRepositoriesCommand({ repositoryNames: ['rep/app'] }));
      assert.equal(repositories![0].imageTagMutability, 'IMMUTABLE');
      assert.deepEqual(repositories![0].imageScanningConfiguration, { scanOnPush: true });
    }
    assert.match((await berth.west.send(new DescribeRepositoriesCommand({ repositoryNames: ['rep/app'] }))).repositories![0].repositoryArn!, /^arn:aws:ecr:us-west-2:000000000000:repository\/rep\/app$/);

    // The copies are pullable through the registry: same manifest bytes, layers shared.
    const manifest = await reg.fetch(`/v2/${wire('rep/app', 'us-west-2')}/manifests/v1`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), image.digest);
    assert.equal(await manifest.text(), image.manifest);
    const otherReg = new Registry(berth.endpoint, await registryAuth(berth.endpoint, OTHER));
    const layer = await otherReg.fetch(`/v2/${wire('rep/app', 'us-east-1', OTHER)}/blobs/${JSON.parse(image.manifest).layers[0].digest}`);
    assert.equal(layer.status, 200);
    assert.deepEqual(Buffer.from(await layer.arrayBuffer()), image.layers[0]);
  });

  it('PutImage (the retag recipe) replicates the new tag', async () => {
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'rep/retag' }));
    const image = makeImage();
    await reg.pushImage(wire('rep/retag'), image, 'build-1');
    await settled(berth.east, 'rep/retag', image.digest);
    const { images } = await berth.east.send(new BatchGetImageCommand({ repositoryName: 'rep/retag', imageIds: [{ imageTag: 'build-1' }] }));
    await berth.east.send(new PutImageCommand({ repositoryName: 'rep/retag', imageTag: 'release', imageManifest: images![0].imageManifest }));
    await settled(berth.east, 'rep/retag', image.digest);
    const { imageDetails } = await berth.west.send(new DescribeImagesCommand({ repositoryName: 'rep/retag', imageIds: [{ imageDigest: image.digest }] }));
    assert.deepEqual(imageDetails![0].imageTags!.sort(), ['build-1', 'release']);
  });

  it('an image index is copied with its child manifests', async () => {
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'rep/multi' }));
    const amd = makeImage({ oci: true, arch: 'amd64' });
    const arm = makeImage({ oci: true, arch: 'arm64' });
    await reg.pushImage(wire('rep/multi'), amd, amd.digest);
    await reg.pushImage(wire('rep/multi'), arm, arm.digest);
    const index = makeIndex([{ image: amd, arch: 'amd64' }, { image: arm, arch: 'arm64' }]);
    assert.equal((await reg.putManifest(wire('rep/multi'), 'latest', index.body, MEDIA.ociIndex)).status, 201);
    await settled(berth.east, 'rep/multi', index.digest);
    const { imageDetails } = await berth.west.send(new DescribeImagesCommand({ repositoryName: 'rep/multi' }));
    assert.deepEqual(imageDetails!.map((d) => d.imageDigest).sort(), [amd.digest, arm.digest, index.digest].sort());
    assert.deepEqual(imageDetails!.find((d) => d.imageDigest === index.digest)!.imageTags, ['latest']);
  });

  it('a destination account whose registry policy does not grant replication reports FAILED', async () => {
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'denied/app' }));
    const image = makeImage();
    await reg.pushImage(wire('denied/app'), image, 'v1');
    const statuses = await settled(berth.east, 'denied/app', image.digest);
    assert.deepEqual(statuses, [{ region: 'us-east-1', registryId: STRANGER, status: 'FAILED', failureCode: 'ACCESS_DENIED' }]);
    const stranger = new ECRClient(clientConfig(berth.endpoint, 'us-east-1', { accessKeyId: STRANGER, secretAccessKey: 'x' }));
    await rejects(stranger.send(new DescribeRepositoriesCommand({ repositoryNames: ['denied/app'] })), 'RepositoryNotFoundException');
  });

  it('a repository no rule selects is not replicated; an unknown image is ImageNotFoundException', async () => {
    await berth.east.send(new CreateRepositoryCommand({ repositoryName: 'local/only' }));
    const image = makeImage();
    await reg.pushImage(wire('local/only'), image, 'v1');
    const out = await berth.east.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'local/only', imageId: { imageTag: 'v1' } }));
    assert.deepEqual(out.replicationStatuses, []);
    assert.equal(out.imageId!.imageDigest, image.digest);
    await rejects(berth.west.send(new DescribeRepositoriesCommand({ repositoryNames: ['local/only'] })), 'RepositoryNotFoundException');
    await rejects(
      berth.east.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'local/only', imageId: { imageTag: 'nope' } })),
      'ImageNotFoundException',
    );
  });
});

describe('ECR replication across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-replication-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a copy still IN_PROGRESS when Berth stops is finished by the next Berth on the same data dir', async () => {
    const first = await startBerth({ ephemeral: false, dataDir: dir });
    const image = makeImage();
    try {
      const ecr = new ECRClient(clientConfig(first.endpoint));
      await ecr.send(new PutReplicationConfigurationCommand({
        replicationConfiguration: { rules: [{ destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }] }] },
      }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'resume/app' }));
      // No controllers: the push is acknowledged and its copy stays queued.
      await first.app.controllers.stop();
      const reg = new Registry(first.endpoint, await registryAuth(first.endpoint));
      assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/resume/app`, image, 'v1')).status, 201);
      const out = await ecr.send(new DescribeImageReplicationStatusCommand({ repositoryName: 'resume/app', imageId: { imageTag: 'v1' } }));
      assert.deepEqual(out.replicationStatuses, [{ region: 'eu-west-1', registryId: ACCOUNT, status: 'IN_PROGRESS' }]);
    } finally {
      await first.stop();
    }
    const second = await startBerth({ ephemeral: false, dataDir: dir });
    try {
      const ecr = new ECRClient(clientConfig(second.endpoint));
      assert.deepEqual(await settled(ecr, 'resume/app', image.digest), [{ region: 'eu-west-1', registryId: ACCOUNT, status: 'COMPLETE' }]);
      const eu = new ECRClient(clientConfig(second.endpoint, 'eu-west-1'));
      const { imageDetails } = await eu.send(new DescribeImagesCommand({ repositoryName: 'resume/app' }));
      assert.equal(imageDetails![0].imageDigest, image.digest);
    } finally {
      await second.stop();
    }
  });
});
