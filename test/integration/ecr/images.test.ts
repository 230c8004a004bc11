/**
 * ECR images through @aws-sdk/client-ecr: what DescribeImages reports for a
 * pushed image, ListImages filters and pagination, BatchGetImage and the
 * PutImage retag recipe, tag immutability, and BatchDeleteImage semantics.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchDeleteImageCommand, BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient,
  ListImageReferrersCommand, ListImagesCommand, PutImageCommand, paginateListImages,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';
import { MEDIA, Registry, makeImage, makeIndex, registryAuth, sha256 } from '../registry/client.js';

const ACCOUNT = '000000000000';

describe('ECR images', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;
  const wire = (name: string) => `${ACCOUNT}/us-east-1/${name}`;

  before(async () => {
    for (const repositoryName of ['img/app', 'img/list', 'img/del', 'img/multi']) await berth.ecr.send(new CreateRepositoryCommand({ repositoryName }));
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'img/frozen', imageTagMutability: 'IMMUTABLE' }));
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  it('DescribeImages reports digest, tags, size as the sum of layers, media types and push time', async () => {
    const image = makeImage({ layers: [Buffer.alloc(1000, 1), Buffer.alloc(2345, 2)] });
    const before = Date.now();
    assert.equal((await reg.pushImage(wire('img/app'), image, 'v1')).status, 201);
    const { imageDetails } = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'v1' }] }));
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
    const describe = async () => (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageDigest: image.digest }] }))).imageDetails![0];
    assert.equal((await describe()).lastRecordedPullTime, undefined);
    await reg.fetch(`/v2/${wire('img/app')}/manifests/pulled`);
    assert.ok((await describe()).lastRecordedPullTime instanceof Date);
  });

  it('DescribeImages of a missing tag is ImageNotFoundException naming it', async () => {
    await rejects(berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'ghost' }] })), 'ImageNotFoundException',
      /The image with imageId \{imageDigest:'null', imageTag:'ghost'\} does not exist within the repository with name 'img\/app'/);
    await rejects(berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/nope' })), 'RepositoryNotFoundException');
  });

  it('ListImages lists one id per tag and untagged images by digest, filtered by tagStatus and paginated', async () => {
    const tagged = makeImage();
    const untagged = makeImage();
    await reg.pushImage(wire('img/list'), tagged, 'a');
    await reg.putManifest(wire('img/list'), 'b', tagged.manifest, tagged.mediaType);
    await reg.pushImage(wire('img/list'), untagged, untagged.digest);
    const all = await berth.ecr.send(new ListImagesCommand({ repositoryName: 'img/list' }));
    assert.deepEqual(all.imageIds, [{ imageDigest: tagged.digest, imageTag: 'a' }, { imageDigest: tagged.digest, imageTag: 'b' }, { imageDigest: untagged.digest }]);
    const onlyUntagged = await berth.ecr.send(new ListImagesCommand({ repositoryName: 'img/list', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(onlyUntagged.imageIds, [{ imageDigest: untagged.digest }]);
    const onlyTagged = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/list', filter: { tagStatus: 'TAGGED' } }));
    assert.deepEqual(onlyTagged.imageDetails!.map((d) => d.imageTags), [['a', 'b']]);
    const pages: number[] = [];
    for await (const page of paginateListImages({ client: berth.ecr, pageSize: 2 }, { repositoryName: 'img/list' })) pages.push(page.imageIds!.length);
    assert.deepEqual(pages, [2, 1]);
  });

  it('BatchGetImage returns the manifest and reports missing or mismatched ids as failures', async () => {
    const image = makeImage();
    await reg.pushImage(wire('img/app'), image, 'get');
    const out = await berth.ecr.send(new BatchGetImageCommand({
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
    const { images } = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'release' }] }));
    const put = await berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: images![0].imageManifest, imageTag: 'prod' }));
    assert.deepEqual(put.image!.imageId, { imageDigest: image.digest, imageTag: 'prod' });
    const res = await reg.fetch(`/v2/${wire('img/app')}/manifests/prod`);
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: images![0].imageManifest, imageTag: 'prod' })), 'ImageAlreadyExistsException');
  });

  it('PutImage checks layers, digests and JSON', async () => {
    const image = makeImage();
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: image.manifest, imageTag: 'x' })), 'LayersNotFoundException',
      /Layers with digests/);
    await reg.pushImage(wire('img/app'), image, image.digest);
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: image.manifest, imageTag: 'x', imageDigest: sha256('x') })), 'ImageDigestDoesNotMatchException');
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: '{not json', imageTag: 'x' })), 'InvalidParameterException');
    const index = makeIndex([{ image: makeImage({ oci: true }), arch: 'amd64' }]);
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/app', imageManifest: index.body, imageTag: 'idx' })), 'ReferencedImagesNotFoundException');
  });

  it('an immutable repository refuses to move a tag, through PutImage and through a push', async () => {
    const first = makeImage();
    const second = makeImage();
    assert.equal((await reg.pushImage(wire('img/frozen'), first, '1.0')).status, 201);
    await reg.pushImage(wire('img/frozen'), second, second.digest);
    await rejects(berth.ecr.send(new PutImageCommand({ repositoryName: 'img/frozen', imageManifest: second.manifest, imageTag: '1.0' })),
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
    const byTag = await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageTag: 't1' }] }));
    assert.deepEqual(byTag.imageIds, [{ imageDigest: image.digest, imageTag: 't1' }]);
    assert.deepEqual((await berth.ecr.send(new ListImagesCommand({ repositoryName: 'img/del' }))).imageIds, [{ imageDigest: image.digest, imageTag: 't2' }]);
    await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageTag: 't2' }] }));
    assert.deepEqual((await berth.ecr.send(new ListImagesCommand({ repositoryName: 'img/del' }))).imageIds, []);

    const other = makeImage();
    await reg.pushImage(wire('img/del'), other, 'x');
    await reg.putManifest(wire('img/del'), 'y', other.manifest, other.mediaType);
    const byDigest = await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/del', imageIds: [{ imageDigest: other.digest }, { imageTag: 'gone' }] }));
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
    const [d] = (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'img/multi', imageIds: [{ imageTag: 'v1' }] }))).imageDetails!;
    assert.equal(d.imageManifestMediaType, MEDIA.ociIndex);
    assert.equal(d.imageSizeInBytes, 5000);
    const out = await berth.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'img/multi', imageIds: [{ imageDigest: small.digest }] }));
    assert.equal(out.failures![0].failureCode, 'ImageReferencedByManifestList');
  });

  it('BatchGetImage with acceptedMediaTypes translates Docker schema 2 and OCI by tag, never by digest, and fails what has no translation', async () => {
    const docker = makeImage();
    await reg.pushImage(wire('img/app'), docker, 'media');
    const asOci = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'media' }], acceptedMediaTypes: [MEDIA.ociManifest] }));
    const img = asOci.images![0];
    assert.equal(img.imageManifestMediaType, MEDIA.ociManifest);
    assert.deepEqual(img.imageId, { imageDigest: docker.digest, imageTag: 'media' });
    const doc = JSON.parse(img.imageManifest!);
    const stored = JSON.parse(docker.manifest);
    assert.equal(doc.mediaType, MEDIA.ociManifest);
    assert.deepEqual(doc.config, { ...stored.config, mediaType: MEDIA.ociConfig });
    assert.deepEqual(doc.layers, stored.layers.map((l: object) => ({ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })));
    // Accepted as stored: untouched. By digest: the stored manifest whatever was asked (ECR translates only by tag).
    const same = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'media' }], acceptedMediaTypes: [MEDIA.dockerManifest, MEDIA.ociManifest] }));
    assert.equal(same.images![0].imageManifest, docker.manifest);
    const byDigest = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageDigest: docker.digest }], acceptedMediaTypes: [MEDIA.ociManifest] }));
    assert.equal(byDigest.images![0].imageManifest, docker.manifest);

    const oci = makeImage({ oci: true });
    await reg.pushImage(wire('img/app'), oci, 'media-oci');
    const asDocker = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'media-oci' }], acceptedMediaTypes: [MEDIA.dockerManifest] }));
    assert.equal(asDocker.images![0].imageManifestMediaType, MEDIA.dockerManifest);
    assert.equal(JSON.parse(asDocker.images![0].imageManifest!).config.mediaType, MEDIA.dockerConfig);
    // Schema 1 is never produced; an index has no single-image translation.
    const v1 = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/app', imageIds: [{ imageTag: 'media' }], acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v1+json'] }));
    assert.deepEqual([v1.images, v1.failures![0].failureCode, v1.failures![0].imageId], [[], 'ImageNotFound', { imageTag: 'media' }]);
    const index = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'img/multi', imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: [MEDIA.ociManifest] }));
    assert.equal(index.failures![0].failureCode, 'ImageNotFound');

    // The registry translates the same way for a pull by tag whose Accept rules the stored type out.
    const pulled = await reg.fetch(`/v2/${wire('img/app')}/manifests/media`, { headers: { accept: MEDIA.ociManifest } });
    assert.equal(pulled.status, 200);
    assert.equal(pulled.headers.get('content-type'), MEDIA.ociManifest);
    const body = await pulled.text();
    assert.equal(pulled.headers.get('docker-content-digest'), sha256(body));
    assert.equal(body, img.imageManifest);
    assert.equal((await reg.fetch(`/v2/${wire('img/app')}/manifests/${docker.digest}`, { headers: { accept: MEDIA.ociManifest } })).status, 404);
  });

  it('ListImageReferrers lists the artifacts whose subject is the image, filtered by artifact type and status, paginated', async () => {
    const subject = makeImage({ oci: true });
    await reg.pushImage(wire('img/app'), subject, 'signed');
    const ref = { mediaType: subject.mediaType, digest: subject.digest, size: Buffer.byteLength(subject.manifest) };
    const sbom = makeImage({ subject: ref, artifactType: 'application/spdx+json' });
    const sig = makeImage({ subject: ref, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' });
    for (const a of [sbom, sig]) assert.equal((await reg.pushImage(wire('img/app'), a, a.digest)).status, 201);

    const all = await berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: subject.digest } }));
    assert.deepEqual(all.referrers, [sbom, sig].map((a) => ({
      digest: a.digest, mediaType: MEDIA.ociManifest, artifactType: JSON.parse(a.manifest).artifactType, size: Buffer.byteLength(a.manifest), artifactStatus: 'ACTIVE',
    })));
    const sboms = await berth.ecr.send(new ListImageReferrersCommand({
      repositoryName: 'img/app', subjectId: { imageDigest: subject.digest }, filter: { artifactTypes: ['application/spdx+json'] },
    }));
    assert.deepEqual(sboms.referrers!.map((r) => r.digest), [sbom.digest]);
    const archived = await berth.ecr.send(new ListImageReferrersCommand({
      repositoryName: 'img/app', subjectId: { imageDigest: subject.digest }, filter: { artifactStatus: 'ARCHIVED' },
    }));
    assert.deepEqual(archived.referrers, []);
    const page = await berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: subject.digest }, maxResults: 1 }));
    assert.deepEqual(page.referrers!.map((r) => r.digest), [sbom.digest]);
    const next = await berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: subject.digest }, maxResults: 1, nextToken: page.nextToken }));
    assert.deepEqual(next.referrers!.map((r) => r.digest), [sig.digest]);
    const none = await berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: sha256('nothing refers to me') } }));
    assert.deepEqual(none.referrers, []);
    await rejects(berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: 'sha256:nope' } })), 'InvalidParameterException');
    await rejects(berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/app', subjectId: { imageDigest: subject.digest }, maxResults: 51 })), 'InvalidParameterException');
    await rejects(berth.ecr.send(new ListImageReferrersCommand({ repositoryName: 'img/none', subjectId: { imageDigest: subject.digest } })), 'RepositoryNotFoundException');
  });
});
