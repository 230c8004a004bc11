/**
 * The OCI distribution API end to end with plain HTTP: chunked and
 * monolithic uploads, upload status and cancel, blob ranges, cross-repository
 * mounts (with ECR's BLOB_MOUNTING setting), manifests by tag and digest with content negotiation, tag and
 * catalog pagination, the referrers API, and deletes.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ECRClient, PutAccountSettingCommand } from '@aws-sdk/client-ecr';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { ACCOUNT, MEDIA, REGION, Registry, createRepo, errorCode, makeImage, makeIndex, rawRequest, registryAuth, sha256 } from './client.js';

const repo = (name: string) => `${ACCOUNT}/${REGION}/${name}`;

describe('the OCI distribution API', () => {
  const berth = useBerth();
  let reg: Registry;

  before(async () => {
    for (const name of ['api/app', 'api/base', 'api/tags', 'api/multi']) await createRepo(berth.endpoint, { repositoryName: name });
    await createRepo(berth.endpoint, { repositoryName: 'api/kms', encryptionConfiguration: { encryptionType: 'KMS' } });
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  it('GET /v2/ answers 200 with the registry API version header for a logged-in client', async () => {
    const res = await reg.fetch('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  });

  it('a chunked upload reports its progress, takes a last chunk with the PUT and serves the blob with ranges', async () => {
    const name = repo('api/app');
    const start = await reg.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location')!;
    assert.match(location, new RegExp(`^/v2/${name}/blobs/uploads/[0-9a-f-]+$`));
    assert.equal(start.headers.get('docker-upload-uuid'), location.split('/').pop());
    assert.equal(start.headers.get('range'), '0-0');

    const chunk1 = Buffer.alloc(300_000, 1);
    const chunk2 = Buffer.alloc(200_000, 2);
    const chunk3 = Buffer.from('tail');
    const p1 = await reg.fetch(location, { method: 'PATCH', body: chunk1, headers: { 'content-range': `0-${chunk1.length - 1}` } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), `0-${chunk1.length - 1}`);
    // A PATCH without Content-Range (docker's streamed chunk) appends too.
    const p2 = await reg.fetch(location, { method: 'PATCH', body: chunk2 });
    assert.equal(p2.headers.get('range'), `0-${chunk1.length + chunk2.length - 1}`);
    const status = await reg.fetch(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), `0-${chunk1.length + chunk2.length - 1}`);

    const all = Buffer.concat([chunk1, chunk2, chunk3]);
    const digest = sha256(all);
    const done = await reg.fetch(`${location}?digest=${digest}`, { method: 'PUT', body: chunk3 });
    assert.equal(done.status, 201);
    assert.equal(done.headers.get('location'), `/v2/${name}/blobs/${digest}`);
    assert.equal(done.headers.get('docker-content-digest'), digest);

    const head = await reg.fetch(`/v2/${name}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(all.length));
    const got = Buffer.from(await (await reg.fetch(`/v2/${name}/blobs/${digest}`)).arrayBuffer());
    assert.ok(got.equals(all));
    const ranged = await reg.fetch(`/v2/${name}/blobs/${digest}`, { headers: { range: 'bytes=299998-300001' } });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.headers.get('content-range'), `bytes 299998-300001/${all.length}`);
    assert.deepEqual([...Buffer.from(await ranged.arrayBuffer())], [1, 1, 2, 2]);
    const unsatisfiable = await reg.fetch(`/v2/${name}/blobs/${digest}`, { headers: { range: `bytes=${all.length}-` } });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${all.length}`);
  });

  it('a cancelled upload is gone', async () => {
    const name = repo('api/app');
    const start = await reg.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    assert.equal((await reg.fetch(location, { method: 'DELETE' })).status, 204);
    const after = await reg.fetch(location);
    assert.equal(after.status, 404);
    assert.equal(await errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a mount is an ordinary upload until BLOB_MOUNTING is ENABLED, then a blob mounts from another repository of the registry', async () => {
    const bytes = Buffer.from('shared base layer');
    const digest = sha256(bytes);
    assert.equal((await reg.putBlob(repo('api/base'), bytes)).status, 201);
    const mountUrl = `/v2/${repo('api/app')}/blobs/uploads/?mount=${digest}&from=${repo('api/base')}`;
    // ECR's default: blob mounting is off, so the client uploads (the spec's fallback).
    const refused = await reg.fetch(mountUrl, { method: 'POST' });
    assert.equal(refused.status, 202);
    assert.ok(refused.headers.get('docker-upload-uuid'));
    assert.equal((await reg.fetch(`/v2/${repo('api/app')}/blobs/${digest}`, { method: 'HEAD' })).status, 404);

    const ecr = new ECRClient(clientConfig(berth.endpoint));
    await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
    try {
      const mounted = await reg.fetch(mountUrl, { method: 'POST' });
      assert.equal(mounted.status, 201);
      assert.equal(mounted.headers.get('docker-content-digest'), digest);
      assert.equal((await reg.fetch(`/v2/${repo('api/app')}/blobs/${digest}`, { method: 'HEAD' })).status, 200);

      const missing = sha256('not anywhere');
      const fallback = await reg.fetch(`/v2/${repo('api/app')}/blobs/uploads/?mount=${missing}&from=${repo('api/base')}`, { method: 'POST' });
      assert.equal(fallback.status, 202);
      assert.ok(fallback.headers.get('docker-upload-uuid'));

      // Only within one registry, between repositories encrypted alike.
      assert.equal((await reg.fetch(`/v2/${repo('api/kms')}/blobs/uploads/?mount=${digest}&from=${repo('api/base')}`, { method: 'POST' })).status, 202);
      const otherRegion = `${ACCOUNT}/eu-west-1/api/base`;
      assert.equal((await reg.fetch(`/v2/${repo('api/tags')}/blobs/uploads/?mount=${digest}&from=${otherRegion}`, { method: 'POST' })).status, 202);
    } finally {
      await ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
    }
  });

  it('a blob pushed to one repository is not readable through another that never received it', async () => {
    const bytes = Buffer.from('private to base');
    await reg.putBlob(repo('api/base'), bytes);
    assert.equal((await reg.fetch(`/v2/${repo('api/tags')}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status, 404);
  });

  it('a manifest is served by tag and by digest with its media type and digest, and HEAD has no body', async () => {
    const name = repo('api/app');
    const image = makeImage();
    const put = await reg.pushImage(name, image, 'v1');
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), image.digest);
    assert.equal(put.headers.get('location'), `/v2/${name}/manifests/${image.digest}`);
    for (const ref of ['v1', image.digest]) {
      const res = await reg.fetch(`/v2/${name}/manifests/${ref}`, { headers: { accept: MEDIA.dockerManifest } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), MEDIA.dockerManifest);
      assert.equal(res.headers.get('docker-content-digest'), image.digest);
      assert.equal(await res.text(), image.manifest);
    }
    const head = await reg.fetch(`/v2/${name}/manifests/v1`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(image.manifest)));
    assert.equal(await head.text(), '');
  });

  it('an index is served as is to clients that accept it and as its linux/amd64 image to clients that do not', async () => {
    const name = repo('api/multi');
    const amd = makeImage({ oci: true, arch: 'amd64' });
    const arm = makeImage({ oci: true, arch: 'arm64' });
    await reg.pushImage(name, arm, arm.digest);
    await reg.pushImage(name, amd, amd.digest);
    const index = makeIndex([{ image: arm, arch: 'arm64' }, { image: amd, arch: 'amd64' }]);
    assert.equal((await reg.putManifest(name, 'latest', index.body, MEDIA.ociIndex)).status, 201);

    const full = await reg.fetch(`/v2/${name}/manifests/latest`, { headers: { accept: `${MEDIA.ociIndex}, ${MEDIA.ociManifest}` } });
    assert.equal(full.headers.get('docker-content-digest'), index.digest);
    const old = await reg.fetch(`/v2/${name}/manifests/latest`, { headers: { accept: MEDIA.ociManifest } });
    assert.equal(old.status, 200);
    assert.equal(old.headers.get('docker-content-digest'), amd.digest);
    const none = await reg.fetch(`/v2/${name}/manifests/latest`, { headers: { accept: MEDIA.dockerManifest } });
    assert.equal(none.status, 404);
  });

  it('tags are listed in lexical order, paginated with n and last and a Link to the next page', async () => {
    const name = repo('api/tags');
    const image = makeImage();
    for (const tag of ['c', 'a', 'e', 'b', 'd']) assert.equal((await reg.pushImage(name, image, tag)).status, 201);
    const all = await reg.fetch(`/v2/${name}/tags/list`);
    assert.deepEqual(await all.json(), { name, tags: ['a', 'b', 'c', 'd', 'e'] });
    const page1 = await reg.fetch(`/v2/${name}/tags/list?n=2`);
    assert.deepEqual(((await page1.json()) as { tags: string[] }).tags, ['a', 'b']);
    assert.equal(page1.headers.get('link'), `</v2/${name}/tags/list?n=2&last=b>; rel="next"`);
    const page2 = await reg.fetch(`/v2/${name}/tags/list?n=2&last=b`);
    assert.deepEqual(((await page2.json()) as { tags: string[] }).tags, ['c', 'd']);
    const page3 = await reg.fetch(`/v2/${name}/tags/list?n=2&last=d`);
    assert.deepEqual(((await page3.json()) as { tags: string[] }).tags, ['e']);
    assert.equal(page3.headers.get('link'), null);
    const empty = await reg.fetch(`/v2/${name}/tags/list?n=0`);
    assert.deepEqual(((await empty.json()) as { tags: string[] }).tags, []);
  });

  it('the catalog lists the account repositories by their wire names, paginated', async () => {
    const all = (await (await reg.fetch('/v2/_catalog')).json()) as { repositories: string[] };
    assert.deepEqual(all.repositories, ['api/app', 'api/base', 'api/kms', 'api/multi', 'api/tags'].map(repo));
    const page = await reg.fetch('/v2/_catalog?n=1');
    assert.deepEqual(((await page.json()) as { repositories: string[] }).repositories, [repo('api/app')]);
    assert.match(page.headers.get('link')!, /last=/);
  });

  it('a manifest with a subject is listed by the referrers API, filterable by artifactType', async () => {
    const name = repo('api/app');
    const subject = makeImage({ oci: true });
    await reg.pushImage(name, subject, 'signed');
    const sbom = makeImage({ subject: { mediaType: subject.mediaType, digest: subject.digest, size: Buffer.byteLength(subject.manifest) }, artifactType: 'application/spdx+json' });
    const put = await reg.pushImage(name, sbom, sbom.digest);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), subject.digest);

    const res = await reg.fetch(`/v2/${name}/referrers/${subject.digest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), MEDIA.ociIndex);
    const index = (await res.json()) as { manifests: { digest: string; artifactType: string }[] };
    assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType]), [[sbom.digest, 'application/spdx+json']]);
    const filtered = await reg.fetch(`/v2/${name}/referrers/${subject.digest}?artifactType=application/other`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await filtered.json()) as { manifests: unknown[] }).manifests, []);
    const none = (await (await reg.fetch(`/v2/${name}/referrers/${sha256('nothing')}`)).json()) as { manifests: unknown[] };
    assert.deepEqual(none.manifests, []);
  });

  it('deleting a tag keeps the image; deleting the digest removes it with its tags', async () => {
    const name = repo('api/app');
    const image = makeImage();
    await reg.pushImage(name, image, 'keep');
    await reg.putManifest(name, 'drop', image.manifest, image.mediaType);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/drop`, { method: 'DELETE' })).status, 202);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/drop`)).status, 404);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/keep`)).status, 200);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/keep`)).status, 404);
  });

  it('an image listed by an index cannot be deleted before the index', async () => {
    const name = repo('api/multi');
    const child = makeImage({ oci: true });
    await reg.pushImage(name, child, child.digest);
    const index = makeIndex([{ image: child, arch: 'amd64' }]);
    await reg.putManifest(name, 'pinned', index.body, MEDIA.ociIndex);
    const res = await reg.fetch(`/v2/${name}/manifests/${child.digest}`, { method: 'DELETE' });
    assert.equal(res.status, 409);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/${index.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/${child.digest}`, { method: 'DELETE' })).status, 202);
  });

  it('a request addressed to an ECR-style host names the repository without the account and region prefix', async () => {
    const image = makeImage();
    await reg.pushImage(repo('api/app'), image, 'by-host');
    const res = await rawRequest(berth.endpoint, 'GET', '/v2/api/app/manifests/by-host', {
      host: `${ACCOUNT}.dkr.ecr.${REGION}.localhost:${berth.port}`, authorization: reg.auth!, accept: MEDIA.dockerManifest,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, image.manifest);
  });

  it('a blob deleted from a repository is no longer served there', async () => {
    const name = repo('api/base');
    const bytes = Buffer.from('to be deleted');
    await reg.putBlob(name, bytes);
    assert.equal((await reg.fetch(`/v2/${name}/blobs/${sha256(bytes)}`, { method: 'DELETE' })).status, 202);
    assert.equal((await reg.fetch(`/v2/${name}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status, 404);
  });
});
