/**
 * sha512 through the registry, as the OCI distribution spec's conformance suite pushes it: blobs by single POST,
 * POST+PUT and chunks (with and without the `digest-algorithm` hint), cross-repository mounts, manifests by digest
 * (tagged with the spec's `tag` query parameters), referrers of a sha512 subject, Docker-Content-Digest in the
 * client's algorithm, the ECR API finding a sha512 image, a snapshot round trip; sha256 pushed by tag is unchanged.
 * An algorithm Berth does not store is DIGEST_INVALID to push and 404 to look up.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchGetImageCommand, DescribeImagesCommand, ECRClient, PutAccountSettingCommand } from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';
import { ACCOUNT, MEDIA, REGION, Registry, createRepo, errorCode, registryAuth, sha256 } from './client.js';

const sha512 = (b: Buffer | string) => `sha512:${createHash('sha512').update(b).digest('hex')}`;
const repoName = (short: string) => `${ACCOUNT}/${REGION}/${short}`;

/** An OCI image whose config, layer and manifest are all addressed by sha512. */
function sha512Image(opts: { subject?: { mediaType: string; digest: string; size: number }; artifactType?: string } = {}) {
  const layer = Buffer.from(`sha512 layer ${Math.random()}`);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha512(layer)] } }));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
    config: { mediaType: MEDIA.ociConfig, digest: sha512(config), size: config.length },
    layers: [{ mediaType: MEDIA.ociLayer, digest: sha512(layer), size: layer.length }],
    ...(opts.subject ? { subject: opts.subject } : {}),
  });
  return { config, layer, manifest, digest: sha512(manifest), size: Buffer.byteLength(manifest) };
}

describe('sha512 digests in the registry', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });
  let reg: Registry;
  const NAME = repoName('sha512/main');

  before(async () => {
    await createRepo(berth.endpoint, { repositoryName: 'sha512/main' });
    reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
  });

  /** Pushes the image's blobs by single POST and its manifest by digest, with tags as `tag` query parameters. */
  async function push(name: string, image: ReturnType<typeof sha512Image>, tags: string[] = []) {
    for (const blob of [image.config, image.layer]) assert.equal((await reg.putBlob(name, blob, sha512(blob))).status, 201);
    const query = tags.length ? `?${tags.map((t) => `tag=${t}`).join('&')}` : '';
    return reg.putManifest(name, `${image.digest}${query}`, image.manifest, MEDIA.ociManifest);
  }

  it('a single-POST upload by sha512 digest is stored and served under that digest', async () => {
    const bytes = Buffer.from('single post sha512');
    const digest = sha512(bytes);
    const res = await reg.putBlob(NAME, bytes, digest);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), digest);
    assert.equal(res.headers.get('location'), `/v2/${NAME}/blobs/${digest}`);
    const head = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const get = await reg.fetch(`/v2/${NAME}/blobs/${digest}`);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(bytes));
    // Content-addressed beside sha256/ in the data dir.
    const hex = digest.slice('sha512:'.length);
    assert.ok(existsSync(join(berth.app.dataDir, 'registry', 'blobs', 'sha512', hex.slice(0, 2), hex)));
  });

  it('POST then PUT ?digest=sha512 verifies the bytes (hashed after they streamed in as sha256) and a wrong one is DIGEST_INVALID', async () => {
    const bytes = Buffer.from('post then put sha512');
    const start = await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location')!;
    const bad = await reg.fetch(`${location}?digest=${sha512('other')}`, { method: 'PUT', body: bytes });
    assert.equal(bad.status, 400);
    assert.equal(await errorCode(bad), 'DIGEST_INVALID');

    const again = (await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' })).headers.get('location')!;
    const res = await reg.fetch(`${again}?digest=${sha512(bytes)}`, { method: 'PUT', body: bytes });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), sha512(bytes));
    assert.equal((await reg.fetch(`/v2/${NAME}/blobs/${sha512(bytes)}`, { method: 'HEAD' })).status, 200);
  });

  for (const hint of [true, false]) {
    it(`chunked PATCH+PUT upload by sha512 ${hint ? 'with' : 'without'} the digest-algorithm hint`, async () => {
      const bytes = Buffer.from(`chunked sha512 ${hint} ${'x'.repeat(100)}`);
      const start = await reg.fetch(`/v2/${NAME}/blobs/uploads/${hint ? '?digest-algorithm=sha512' : ''}`, { method: 'POST' });
      assert.equal(start.status, 202);
      let location = start.headers.get('location')!;
      const half = 40;
      for (const [from, to] of [[0, half], [half, bytes.length]]) {
        const res = await reg.fetch(location, {
          method: 'PATCH', body: bytes.subarray(from, to),
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${from}-${to - 1}`, 'content-length': String(to - from) },
        });
        assert.equal(res.status, 202);
        location = res.headers.get('location')!;
      }
      const res = await reg.fetch(`${location}?digest=${sha512(bytes)}`, { method: 'PUT' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('docker-content-digest'), sha512(bytes));
      const get = await reg.fetch(`/v2/${NAME}/blobs/${sha512(bytes)}`);
      assert.ok(Buffer.from(await get.arrayBuffer()).equals(bytes));
    });
  }

  it('a chunked upload hinted sha512 still verifies a sha256 digest at the end', async () => {
    const bytes = Buffer.from('hinted sha512, finished sha256');
    const location = (await reg.fetch(`/v2/${NAME}/blobs/uploads/?digest-algorithm=sha512`, { method: 'POST' })).headers.get('location')!;
    const res = await reg.fetch(`${location}?digest=${sha256(bytes)}`, { method: 'PUT', body: bytes });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), sha256(bytes));
  });

  it('a sha512 blob mounts from another repository of the registry', async () => {
    await createRepo(berth.endpoint, { repositoryName: 'sha512/mount-target' });
    const target = repoName('sha512/mount-target');
    const bytes = Buffer.from('mounted sha512 blob');
    assert.equal((await reg.putBlob(NAME, bytes, sha512(bytes))).status, 201);
    await berth.ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'ENABLED' }));
    try {
      const res = await reg.fetch(`/v2/${target}/blobs/uploads/?mount=${sha512(bytes)}&from=${NAME}`, { method: 'POST' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('docker-content-digest'), sha512(bytes));
      assert.equal((await reg.fetch(`/v2/${target}/blobs/${sha512(bytes)}`, { method: 'HEAD' })).status, 200);
      // Not mountable (not in the source): an ordinary upload, hashing in the mount's algorithm.
      const other = Buffer.from('not in the source');
      const fallback = await reg.fetch(`/v2/${target}/blobs/uploads/?mount=${sha512(other)}&from=${NAME}`, { method: 'POST' });
      assert.equal(fallback.status, 202);
      const put = await reg.fetch(`${fallback.headers.get('location')}?digest=${sha512(other)}`, { method: 'PUT', body: other });
      assert.equal(put.status, 201);
    } finally {
      await berth.ecr.send(new PutAccountSettingCommand({ name: 'BLOB_MOUNTING', value: 'DISABLED' }));
    }
  });

  it('a manifest pushed by sha512 digest with tag parameters is pulled by digest and by tag with its sha512 Docker-Content-Digest', async () => {
    const image = sha512Image();
    const res = await push(NAME, image, ['v512', 'also']);
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(res.headers.get('docker-content-digest'), image.digest);
    assert.equal(res.headers.get('location'), `/v2/${NAME}/manifests/${image.digest}`);
    for (const reference of [image.digest, 'v512', 'also']) {
      const get = await reg.fetch(`/v2/${NAME}/manifests/${reference}`, { headers: { accept: MEDIA.ociManifest } });
      assert.equal(get.status, 200, reference);
      assert.equal(get.headers.get('docker-content-digest'), image.digest);
      assert.equal(await get.text(), image.manifest);
      const head = await reg.fetch(`/v2/${NAME}/manifests/${reference}`, { method: 'HEAD', headers: { accept: MEDIA.ociManifest } });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('docker-content-digest'), image.digest);
    }
    const tags = (await (await reg.fetch(`/v2/${NAME}/tags/list`)).json()) as { tags: string[] };
    assert.ok(tags.tags.includes('v512') && tags.tags.includes('also'));
  });

  it('tag parameters are all applied or none: an invalid one refuses the push and stores nothing', async () => {
    const image = sha512Image();
    const res = await push(NAME, image, ['fine', 'not:valid']);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'TAG_INVALID');
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`, { method: 'HEAD', headers: { accept: MEDIA.ociManifest } })).status, 404);
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/fine`, { method: 'HEAD', headers: { accept: MEDIA.ociManifest } })).status, 404);
  });

  it('a manifest pushed by tag is addressed by sha256, the canonical algorithm, even when it references sha512 blobs', async () => {
    const image = sha512Image();
    for (const blob of [image.config, image.layer]) assert.equal((await reg.putBlob(NAME, blob, sha512(blob))).status, 201);
    const res = await reg.putManifest(NAME, 'by-tag', image.manifest, MEDIA.ociManifest);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('docker-content-digest'), sha256(image.manifest));
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${sha256(image.manifest)}`, { method: 'HEAD', headers: { accept: MEDIA.ociManifest } })).status, 200);
    // The same bytes under their sha512 digest are another manifest, not yet pushed.
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`, { method: 'HEAD', headers: { accept: MEDIA.ociManifest } })).status, 404);
  });

  it('a manifest whose bytes do not match its sha512 digest is DIGEST_INVALID', async () => {
    const image = sha512Image();
    for (const blob of [image.config, image.layer]) await reg.putBlob(NAME, blob, sha512(blob));
    const res = await reg.putManifest(NAME, sha512('something else'), image.manifest, MEDIA.ociManifest);
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
  });

  it('the referrers of a sha512 subject list the sha512 artifacts that name it', async () => {
    const subject = sha512Image();
    assert.equal((await push(NAME, subject)).status, 201);
    const artifact = sha512Image({
      subject: { mediaType: MEDIA.ociManifest, digest: subject.digest, size: subject.size },
      artifactType: 'application/vnd.example.sig',
    });
    const res = await push(NAME, artifact);
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('oci-subject'), subject.digest);
    const list = await reg.fetch(`/v2/${NAME}/referrers/${subject.digest}`);
    assert.equal(list.status, 200);
    const index = (await list.json()) as { manifests: { digest: string; artifactType?: string }[] };
    assert.deepEqual(index.manifests.map((m) => [m.digest, m.artifactType]), [[artifact.digest, 'application/vnd.example.sig']]);
    const none = (await (await reg.fetch(`/v2/${NAME}/referrers/${sha512('no such subject')}`)).json()) as { manifests: unknown[] };
    assert.deepEqual(none.manifests, []);
  });

  it('the ECR API finds a sha512 image by its digest (the model puts no pattern on imageDigest)', async () => {
    await createRepo(berth.endpoint, { repositoryName: 'sha512/ecr' });
    const image = sha512Image();
    assert.equal((await push(repoName('sha512/ecr'), image, ['ecr-tag'])).status, 201);
    const described = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'sha512/ecr' }));
    assert.deepEqual(described.imageDetails!.map((d) => [d.imageDigest, d.imageTags]), [[image.digest, ['ecr-tag']]]);
    const got = await berth.ecr.send(new BatchGetImageCommand({ repositoryName: 'sha512/ecr', imageIds: [{ imageDigest: image.digest }] }));
    assert.equal(got.failures?.length ?? 0, 0);
    assert.equal(got.images![0].imageManifest, image.manifest);
    assert.equal(got.images![0].imageId!.imageTag, undefined);
  });

  it('deleting a sha512 manifest and blob by digest answers 202, then 404', async () => {
    const image = sha512Image();
    assert.equal((await push(NAME, image, ['to-delete'])).status, 201);
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
    const gone = await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`, { headers: { accept: MEDIA.ociManifest } });
    assert.equal(gone.status, 404);
    assert.equal(await errorCode(gone), 'MANIFEST_UNKNOWN');
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/to-delete`, { headers: { accept: MEDIA.ociManifest } })).status, 404);
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/${image.digest}`, { method: 'DELETE' })).status, 404);
    assert.equal((await reg.fetch(`/v2/${NAME}/blobs/${sha512(image.layer)}`, { method: 'DELETE' })).status, 202);
    const blobGone = await reg.fetch(`/v2/${NAME}/blobs/${sha512(image.layer)}`);
    assert.equal(blobGone.status, 404);
    assert.equal(await errorCode(blobGone), 'BLOB_UNKNOWN');
  });

  it('sha512 content that is not there is 404 on GET, HEAD and DELETE, not DIGEST_INVALID', async () => {
    const digest = sha512('never pushed');
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      const blob = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method });
      assert.equal(blob.status, 404, `${method} blob`);
      const manifest = await reg.fetch(`/v2/${NAME}/manifests/${digest}`, { method });
      assert.equal(manifest.status, 404, `${method} manifest`);
      if (method !== 'HEAD') {
        assert.equal(await errorCode(blob), 'BLOB_UNKNOWN');
        assert.equal(await errorCode(manifest), 'MANIFEST_UNKNOWN');
      }
    }
  });

  describe('an algorithm Berth does not store', () => {
    const other = `sha384:${createHash('sha384').update('x').digest('hex')}`;
    const blake3 = `blake3:${'a'.repeat(64)}`;

    it('is 404 BLOB_UNKNOWN / MANIFEST_UNKNOWN on GET, HEAD and DELETE', async () => {
      for (const digest of [other, blake3]) {
        for (const method of ['GET', 'HEAD', 'DELETE']) {
          const blob = await reg.fetch(`/v2/${NAME}/blobs/${digest}`, { method });
          assert.equal(blob.status, 404, `${method} blob ${digest}`);
          const manifest = await reg.fetch(`/v2/${NAME}/manifests/${digest}`, { method });
          assert.equal(manifest.status, 404, `${method} manifest ${digest}`);
          if (method !== 'HEAD') {
            assert.equal(await errorCode(blob), 'BLOB_UNKNOWN');
            assert.equal(await errorCode(manifest), 'MANIFEST_UNKNOWN');
          }
        }
      }
    });

    it('is refused with 400 DIGEST_INVALID on every push path', async () => {
      const bytes = Buffer.from('x');
      const single = await reg.putBlob(NAME, bytes, other);
      assert.equal(single.status, 400);
      assert.equal(await errorCode(single), 'DIGEST_INVALID');
      const hinted = await reg.fetch(`/v2/${NAME}/blobs/uploads/?digest-algorithm=sha384`, { method: 'POST' });
      assert.equal(hinted.status, 400);
      assert.equal(await errorCode(hinted), 'DIGEST_INVALID');
      const location = (await reg.fetch(`/v2/${NAME}/blobs/uploads/`, { method: 'POST' })).headers.get('location')!;
      const put = await reg.fetch(`${location}?digest=${other}`, { method: 'PUT', body: bytes });
      assert.equal(put.status, 400);
      assert.equal(await errorCode(put), 'DIGEST_INVALID');
      const mount = await reg.fetch(`/v2/${NAME}/blobs/uploads/?mount=${other}&from=${NAME}`, { method: 'POST' });
      assert.equal(mount.status, 400);
      assert.equal(await errorCode(mount), 'DIGEST_INVALID');
      const manifest = await reg.putManifest(NAME, other, '{}', MEDIA.ociManifest);
      assert.equal(manifest.status, 400);
      assert.equal(await errorCode(manifest), 'DIGEST_INVALID');
    });

    it('has no referrers', async () => {
      const res = await reg.fetch(`/v2/${NAME}/referrers/${other}`);
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { manifests: unknown[] }).manifests, []);
    });
  });

  it('a snapshot keeps sha512 blobs and manifests, and loading it serves them again', async () => {
    await createRepo(berth.endpoint, { repositoryName: 'sha512/snapshot' });
    const name = repoName('sha512/snapshot');
    const image = sha512Image();
    assert.equal((await push(name, image, ['snap'])).status, 201);
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    await berth.app.state.save(out);
    // Delete the image and its blobs, then load the snapshot back.
    assert.equal((await reg.fetch(`/v2/${name}/manifests/${image.digest}`, { method: 'DELETE' })).status, 202);
    const input = new PassThrough();
    input.end(Buffer.concat(chunks));
    await berth.app.state.load(input);
    const get = await reg.fetch(`/v2/${name}/manifests/snap`, { headers: { accept: MEDIA.ociManifest } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('docker-content-digest'), image.digest);
    const layer = await reg.fetch(`/v2/${name}/blobs/${sha512(image.layer)}`);
    assert.equal(layer.status, 200);
    assert.ok(Buffer.from(await layer.arrayBuffer()).equals(image.layer));
  });
});
