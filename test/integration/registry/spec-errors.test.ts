/**
 * Bad input to the registry gets the OCI distribution spec's error codes and
 * status codes, and leaves nothing stored: wrong digests, unknown blobs and
 * uploads, invalid and traversal repository names, out-of-order chunks,
 * malformed, oversized and dangling manifests.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../../helpers/use-berth.js';
import { ACCOUNT, REGION, Registry, createRepo, errorCode, makeImage, rawRequest, registryWithRepo, sha256 } from './client.js';

const NAME = `${ACCOUNT}/${REGION}/spec/errors`;

describe('registry errors follow the distribution spec', () => {
  const berth = useBerth();
  let reg: Registry;

  before(async () => {
    reg = await registryWithRepo(berth.endpoint, 'spec/errors');
  });

  it('a monolithic upload whose bytes do not match its digest is DIGEST_INVALID and the blob stays unknown', async () => {
    const bytes = Buffer.from('some layer bytes');
    const claimed = sha256('other bytes');
    const res = await reg.putBlob(NAME, bytes, claimed);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
    assert.equal((await reg.fetch(`/v2/${NAME}/blobs/${claimed}`, { method: 'HEAD' })).status, 404);
    assert.equal((await reg.fetch(`/v2/${NAME}/blobs/${sha256(bytes)}`, { method: 'HEAD' })).status, 404);
  });

  it('a chunked upload finished with the wrong digest is DIGEST_INVALID and the upload is gone', async () => {
    const start = await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    await reg.fetch(location, { method: 'PATCH', body: 'abc', headers: { 'content-range': '0-2', 'content-length': '3' } });
    const res = await reg.fetch(`${location}?digest=${sha256('abd')}`, { method: 'PUT' });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
    assert.equal((await reg.fetch(location)).status, 404);
  });

  it('a malformed digest is DIGEST_INVALID', async () => {
    const res = await reg.fetch(`/v2/${NAME}/blobs/sha256:nothex`);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
  });

  it('an unknown blob is 404 BLOB_UNKNOWN with the digest as detail', async () => {
    const digest = sha256('never pushed');
    const res = await reg.fetch(`/v2/${NAME}/blobs/${digest}`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { errors: { code: string; detail: { digest: string } }[] };
    assert.equal(body.errors[0].code, 'BLOB_UNKNOWN');
    assert.equal(body.errors[0].detail.digest, digest);
  });

  it('an unknown upload id is 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const res = await reg.fetch(`/v2/${NAME}/blobs/uploads/00000000-0000-0000-0000-000000000000`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an upload cannot be continued through another repository', async () => {
    await createRepo(berth.endpoint, { repositoryName: 'spec/other' });
    const start = await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    const id = start.headers.get('docker-upload-uuid')!;
    const res = await reg.fetch(`/v2/${ACCOUNT}/${REGION}/spec/other/blobs/uploads/${id}`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'BLOB_UPLOAD_UNKNOWN');
  });

  for (const [what, path] of [
    ['upper-case letters', `/v2/${ACCOUNT}/${REGION}/Spec/Errors/tags/list`],
    ['a dot-dot traversal', `/v2/${ACCOUNT}/${REGION}/../../../etc/tags/list`],
    ['an encoded traversal', `/v2/${ACCOUNT}/${REGION}/%2e%2e/%2e%2e/etc/tags/list`],
    ['a double slash', `/v2/${ACCOUNT}/${REGION}/spec//errors/tags/list`],
    ['a one-character name', `/v2/${ACCOUNT}/${REGION}/x/tags/list`],
    ['a trailing separator', `/v2/${ACCOUNT}/${REGION}/spec-/tags/list`],
  ]) {
    it(`a repository name with ${what} is 400 NAME_INVALID`, async () => {
      const res = await rawRequest(berth.endpoint, 'GET', path, { authorization: reg.auth! });
      assert.equal(res.status, 400, res.body);
      assert.equal(JSON.parse(res.body).errors[0].code, 'NAME_INVALID');
    });
  }

  it('a name without the account and region prefix is NAME_UNKNOWN explaining the URI scheme', async () => {
    const res = await reg.fetch('/v2/spec/errors/tags/list');
    assert.equal(res.status, 404);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0].code, 'NAME_UNKNOWN');
    assert.match(body.errors[0].message, /<account>\/<region>\/<repository-name>/);
  });

  it('a repository that does not exist is NAME_UNKNOWN in ECR wording', async () => {
    const res = await reg.fetch(`/v2/${ACCOUNT}/${REGION}/spec/missing/manifests/latest`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.equal(body.errors[0].code, 'NAME_UNKNOWN');
    assert.equal(body.errors[0].message, `The repository with name 'spec/missing' does not exist in the registry with id '${ACCOUNT}'`);
  });

  it('a chunk that does not start where the upload ends is 416 with the current Range', async () => {
    const start = await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location')!;
    const first = await reg.fetch(location, { method: 'PATCH', body: 'aaaa', headers: { 'content-range': '0-3' } });
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('range'), '0-3');
    const skipped = await reg.fetch(location, { method: 'PATCH', body: 'cccc', headers: { 'content-range': '8-11' } });
    assert.equal(skipped.status, 416);
    assert.equal(await errorCode(skipped), 'RANGE_INVALID');
    assert.equal(skipped.headers.get('range'), '0-3');
    const replayed = await reg.fetch(location, { method: 'PATCH', body: 'aaaa', headers: { 'content-range': '0-3' } });
    assert.equal(replayed.status, 416);
    // The upload is intact: the right next chunk and the right digest complete it.
    const next = await reg.fetch(location, { method: 'PATCH', body: 'bbbb', headers: { 'content-range': '4-7' } });
    assert.equal(next.status, 202);
    const done = await reg.fetch(`${location}?digest=${sha256('aaaabbbb')}`, { method: 'PUT' });
    assert.equal(done.status, 201);
  });

  it('malformed manifest JSON is MANIFEST_INVALID and no tag is created', async () => {
    const res = await reg.putManifest(NAME, 'broken', '{"schemaVersion": 2, "layers": [', 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'MANIFEST_INVALID');
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/broken`)).status, 404);
  });

  it('a manifest with schemaVersion 1 or a descriptor without a digest is MANIFEST_INVALID', async () => {
    const v1 = await reg.putManifest(NAME, 'v1', JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }));
    assert.equal(await errorCode(v1), 'MANIFEST_INVALID');
    const noDigest = await reg.putManifest(NAME, 'nodigest', JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2 }, layers: [],
    }));
    assert.equal(await errorCode(noDigest), 'MANIFEST_INVALID');
  });

  it('a manifest whose Content-Type contradicts its mediaType is MANIFEST_INVALID', async () => {
    const image = makeImage();
    const res = await reg.putManifest(NAME, 'mixed', image.manifest, 'application/vnd.oci.image.index.v1+json');
    assert.equal(await errorCode(res), 'MANIFEST_INVALID');
  });

  it('a manifest referencing a blob the repository lacks is MANIFEST_BLOB_UNKNOWN and is not stored', async () => {
    const image = makeImage();
    await reg.putBlob(NAME, image.config);
    const res = await reg.putManifest(NAME, 'dangling', image.manifest, image.mediaType);
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: { code: string; detail: { digest: string } }[] };
    assert.equal(body.errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(body.errors[0].detail.digest, sha256(image.layers[0]));
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`)).status, 404);
  });

  it('an index listing a manifest the repository lacks is MANIFEST_BLOB_UNKNOWN', async () => {
    const image = makeImage();
    const index = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: image.mediaType, digest: image.digest, size: image.manifest.length }],
    });
    const res = await reg.putManifest(NAME, 'index', index, 'application/vnd.oci.image.index.v1+json');
    assert.equal(await errorCode(res), 'MANIFEST_BLOB_UNKNOWN');
  });

  it('a manifest pushed by a digest that is not its own is DIGEST_INVALID', async () => {
    const image = makeImage();
    for (const blob of [image.config, ...image.layers]) await reg.putBlob(NAME, blob);
    const res = await reg.putManifest(NAME, sha256('something else'), image.manifest, image.mediaType);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
  });

  it('a manifest larger than 4 MiB is refused with 413 before it is stored', async () => {
    const huge = JSON.stringify({ schemaVersion: 2, annotations: { pad: 'x'.repeat(4 * 1024 * 1024) } });
    const res = await reg.putManifest(NAME, 'huge', huge, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), 'MANIFEST_INVALID');
  });

  it('an invalid tag is TAG_INVALID', async () => {
    const image = makeImage();
    const res = await reg.putManifest(NAME, '-leading-dash', image.manifest, image.mediaType);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'TAG_INVALID');
  });

  it('an unknown tag is 404 MANIFEST_UNKNOWN, as ECR words it', async () => {
    const res = await reg.fetch(`/v2/${NAME}/manifests/nope`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as { errors: { code: string; message: string }[] };
    assert.deepEqual([body.errors[0].code, body.errors[0].message], ['MANIFEST_UNKNOWN', 'Requested image not found']);
  });

  it('a method an endpoint does not have is 405 UNSUPPORTED', async () => {
    const res = await reg.fetch(`/v2/${NAME}/tags/list`, { method: 'DELETE' });
    assert.equal(res.status, 405);
    assert.equal(await errorCode(res), 'UNSUPPORTED');
  });
});
