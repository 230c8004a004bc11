/**
 * ECR images through @aws-sdk/client-ecr: what DescribeImages reports for a
 * pushed image, ListImages filters and pagination, BatchGetImage and the
 * PutImage retag recipe, tag immutability, and BatchDeleteImage semantics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchDeleteImageCommand, BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient,
  ListImagesCommand, PutImageCommand, paginateListImages,
} from '@aws-sdk/client-ecr';
import { clientConfig, startBerth, type TestBerth } from '../../helpers/berth.js';
import { MEDIA, Registry, makeImage, makeIndex, registryAuth, sha256 } from '../registry/client.js';

const ACCOUNT = '000000000000';

async function rejects(p: Promise<unknown>, name: string, message?: RegExp) {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('ECR images', () => {
  let berth: TestBerth;
  let ecr: ECRClient;
  let reg: Registry;
  const wire = (name: string) => `${ACCOUNT}/us-east-1/${name}`;

  before(async () => {
    berth = await startBerth();
    ecr = new ECRClient(clientConfig(berth.endpoint));
    for (const repositoryName of ['img/app', 'img/list', 'img/del', 'img/multi']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'img/frozen', imageTagMutability: 'IMMUTABLE' }));
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });
  after(() => berth.stop());

  it('DescribeImages reports digest, tags, size as the sum of layers, media types and push time', async () => {
    const image = makeImage({ layers: [Buffer.alloc(1000, 1), Buffer.alloc(2345, 2)] });
    const before = Date.now();
    assert.equal((await reg.pushImage(wire('img/app'), image, 'v1')).status, 201);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'v1' }] }));
    const d = imageDetails![0];
    assert.equal(d.registryId, ACCOUNT);
    assert.equal(d.repositoryName, 'img/app');
    assert.equal(d.imageDigest, image.digest);
    assert.deepEqual(d.imageTags, ['v1']);
    assert.equal(d.imageSizeInBytes, 3345);
    assert.equal(d.imageManifestMediaType, MEDIA.dockerManifest);
    assert.equal(d.artifactMediaType, MEDIA.dockerConfig);
    assert.ok(d.imagePushedAt!.getTime() >= before - 1000 && d.imagePushedAt!.getTime() <= Date.now() + 1000);
    assert.equal(d.lastRecordedPullTime, undefined);
  });

  it('a manifest GET records lastRecordedPullTime; a HEAD does not', async () => {
    const image = makeImage();
    await reg.pushImage(wire('img/app'), image, 'pulled');
    await reg.fetch(`/v2/${wire('img/app')}/manifests/pulled`, { method: 'HEAD' });
    const describe = async () => (await ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageDigest: image.digest }] }))).imageDetails![0];
    assert.equal((await describe()).lastRecordedPullTime, undefined);
    await reg.fetch(`/v2/${wire('img/app')}/manifests/pulled`);
    assert.ok((await describe()).lastRecordedPullTime instanceof Date);
  });

  it('DescribeImages of a missing tag is ImageNotFoundException naming it', async () => {
    await rejects(ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'ghost' }] })), 'ImageNotFoundException',
      /The image with imageId \{imageDigest:'null', imageTag:'ghost'\} does not exist within the repository with name 'img\/app'/);
    await rejects(ecr.send(new DescribeImagesCommand({ repositoryName: 'img/nope' })), 'RepositoryNotFoundException');
  });

  it('ListImages lists one id per tag and untagged images by digest, filtered by tagStatus and paginated', async () => {
    const tagged = makeImage();
    const untagged = makeImage();
    await reg.pushImage(wire('img/list'), tagged, 'a');
    await reg.putManifest(wire('img/list'), 'b', tagged.manifest, tagged.mediaType);
    await reg.pushImage(wire('img/list'), untagged, untagged.digest);
    const all = await ecr.send(new ListImagesCommand({ repositoryName: 'img/list' }));
    assert.deepEqual(all.imageIds, [{ imageDigest: tagged.digest, imageTag: 'a' }, { imageDigest: tagged.digest, imageTag: 'b' }, { imageDigest: untagged.digest }]);
    const onlyUntagged = await ecr.send(new ListImagesCommand({ repositoryName: 'img/list', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(onlyUntagged.imageIds, [{ imageDigest: untagged.digest }]);
    const onlyTagged = await ecr.send(new DescribeImagesCommand({ repositoryName: 'img/list', filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(onlyTagged.imageDetails!.map((d) => d.imageTags), [['a', 'b']]);
    const pages: number[] = [];
    for await (const page of paginateListImages({ client: ecr, pageSize: 2 }, { repositoryName: 'img/list' })) pages.push(page.imageIds!.length);
    assert.deepEqual(pages, [2, 1]);
  });

  it('BatchGetImage returns the manifest and reports missing or mismatched ids as failures', async () => {
    const image = makeImage();
    await reg.pushImage(wire('img/app'), image, 'get');
    const out = await ecr.send(new BatchGetImageCommand({
      repositoryName: 'img/app',
      imageIds: [{ imageTag: 'get' }, { imageTag: 'missing' }, { imageTag: 'get', imageDigest: sha256('other') }],
    }));
    assert.equal(out.images!.length, 1);
    assert.equal(out.images![0].imageManifest, image.manifest);
    assert.equal(out.images![0].imageManifestMediaType, MEDIA.dockerManifest);
    assert.deepEqual(out.images![0].imageId, { imageDigest: image.digest, imageTag: 'get' });
    assert.deepEqual(out.failures!.map((f) => f.failureCode), ['ImageNotFound', 'ImageTagDoesNotMatchDigest']);
  });

  it('PutImage retags an image with its own manifest, and refuses the same manifest and tag twice', async () => {
    const image = makeImage();
    await reg.pushImage(wire('img/app'), image, 'release');
    const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'release' }] }));
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: images![0].imageManifest, imageTag: 'prod' }));
    assert.deepEqual(put.image!.imageId, { imageDigest: image.digest, imageTag: 'prod' });
    const res = await reg.fetch(`/v2/${wire('img/app')}/manifests/prod`);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: images![0].imageManifest, imageTag: 'prod' })), 'ImageAlreadyExistsException');
  });

  it('PutImage checks layers, digests and JSON', async () => {
    const image = makeImage();
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: image.manifest, imageTag: 'x' })), 'LayersNotFoundException',
      /Layers with digests/);
    await reg.pushImage(wire('img/app'), image, image.digest);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: image.manifest, imageTag: 'x', imageDigest: sha256('x') })), 'ImageDigestDoesNotMatchException');
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: '{not json', imageTag: 'x' })), 'InvalidParameterException');
    const index = makeIndex([{ image: makeImage({ oci: true }), arch: 'amd64' }]);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: index.body, imageTag: 'idx' })), 'ReferencedImagesNotFoundException');
  });

  it('an immutable repository refuses to move a tag, through PutImage and through a push', async () => {
    const first = makeImage();
    const second = makeImage();
    assert.equal((await reg.pushImage(wire('img/frozen'), first, '1.0')).status, 201);
    await reg.pushImage(wire('img/frozen'), second, second.digest);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: 'img/frozen', imageManifest: second.manifest, imageTag: '1.0' })),
      'ImageTagAlreadyExistsException', /The image tag '1.0' already exists in the 'img\/frozen' repository and cannot be overwritten because the repository is immutable\./);
    const push = await reg.putManifest(wire('img/frozen'), '1.0', second.manifest, second.mediaType);
    assert.equal(push.status, 400);
    const body = (await push.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0].code, 'TAG_INVALID');
    assert.match(body.errors[0].message, /already exists/);
    // As on ECR, even re-pushing the identical image under the tag is refused.
    assert.equal((await reg.putManifest(wire('img/frozen'), '1.0', first.manifest, first.mediaType)).status, 400);
    // A new tag is fine.
    assert.equal((await reg.putManifest(wire('img/frozen'), '1.1', second.manifest, second.mediaType)).status, 201);
  });

  it('BatchDeleteImage by tag removes the tag, and the image with its last tag; by digest removes all its tags', async () => {
    const image = makeImage();
    await reg.pushImage(wire('img/del'), image, 't1');
    await reg.putManifest(wire('img/del'), 't2', image.manifest, image.mediaType);
    const byTag = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageTag: 't1' }] }));
    assert.deepEqual(byTag.imageIds, [{ imageDigest: image.digest, imageTag: 't1' }]);
    assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName: 'img/del' }))).imageIds, [{ imageDigest: image.digest, imageTag: 't2' }]);
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageTag: 't2' }] }));
    assert.deepEqual((await ecr.send(new ListImagesCommand({ repositoryName: 'img/del' }))).imageIds, []);

    const other = makeImage();
    await reg.pushImage(wire('img/del'), other, 'x');
    await reg.putManifest(wire('img/del'), 'y', other.manifest, other.mediaType);
    const byDigest = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageDigest: other.digest }, { imageTag: 'gone' }] }));
    assert.deepEqual(byDigest.imageIds, [{ imageDigest: other.digest, imageTag: 'x' }, { imageDigest: other.digest, imageTag: 'y' }]);
    assert.deepEqual(byDigest.failures, [{ imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
  });

  it('an index reports the largest image size, and its images cannot be deleted before it', async () => {
    const small = makeImage({ oci: true, layers: [Buffer.alloc(100)] });
    const big = makeImage({ oci: true, arch: 'arm64', layers: [Buffer.alloc(5000)] });
    await reg.pushImage(wire('img/multi'), small, small.digest);
    await reg.pushImage(wire('img/multi'), big, big.digest);
    const index = makeIndex([{ image: small, arch: 'amd64' }, { image: big, arch: 'arm64' }]);
    await reg.putManifest(wire('img/multi'), 'v1', index.body, MEDIA.ociIndex);
    const [d] = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'img/multi', imageIds: [{ imageTag: 'v1' }] }))).imageDetails!;
    assert.equal(d.imageManifestMediaType, MEDIA.ociIndex);
    assert.equal(d.imageSizeInBytes, 5000);
    const out = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/multi', imageIds: [{ imageDigest: small.digest }] }));
    assert.equal(out.failures![0].failureCode, 'ImageReferencedByManifestList');
  });
});
