/**
 * ECR's layer API through @aws-sdk/client-ecr: upload a layer in parts, check
 * availability, download it by pre-signed URL, push an image by PutImage from
 * layers uploaded this way, and the API's errors for bad parts and digests.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchCheckLayerAvailabilityCommand, CompleteLayerUploadCommand, CreateRepositoryCommand, ECRClient,
  GetDownloadUrlForLayerCommand, InitiateLayerUploadCommand, PutImageCommand, UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { useBerth } from '../../helpers/use-berth.js';
import { Registry, makeImage, registryAuth, sha256 } from '../registry/client.js';

const REPO = 'layers/app';

async function rejects(p: Promise<unknown>, name: string) {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    return true;
  });
}

describe('ECR layer API', () => {
  const berth = useBerth({ clients: { ecr: ECRClient } });

  /** Uploads bytes in parts of `part` bytes; returns the CompleteLayerUpload output. */
  async function upload(bytes: Buffer, part = bytes.length, digest = sha256(bytes)) {
    const { uploadId } = await berth.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    for (let at = 0; at < bytes.length; at += part) {
      const chunk = bytes.subarray(at, at + part);
      const out = await berth.ecr.send(new UploadLayerPartCommand({
        repositoryName: REPO, uploadId, partFirstByte: at, partLastByte: at + chunk.length - 1, layerPartBlob: chunk,
      }));
      assert.equal(out.lastByteReceived, at + chunk.length - 1);
    }
    return berth.ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId, layerDigests: [digest] }));
  }

  before(async () => {
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: REPO }));
  });

  it('a layer uploaded in parts is available with its size and downloadable from its pre-signed URL', async () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    const done = await upload(bytes, 3000);
    assert.equal(done.layerDigest, sha256(bytes));
    const check = await berth.ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: REPO, layerDigests: [sha256(bytes), sha256('missing')] }));
    assert.deepEqual(check.layers!.map((l) => [l.layerDigest, l.layerAvailability, l.layerSize]), [[sha256(bytes), 'AVAILABLE', 10_000]]);
    assert.deepEqual(check.failures!.map((f) => f.failureCode), ['MissingLayerDigest']);

    const { downloadUrl } = await berth.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: sha256(bytes) }));
    const res = await fetch(downloadUrl!);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes));
    // Tampered for certain: the signature's first character changed to one it is not (a fixed 'A' already is, 1 run in 64).
    const url = new URL(downloadUrl!);
    const signature = url.searchParams.get('X-Berth-Signature')!;
    url.searchParams.set('X-Berth-Signature', `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
    assert.notEqual(url.searchParams.get('X-Berth-Signature'), signature);
    const tampered = await fetch(url);
    assert.equal(tampered.status, 401);
  });

  it('an image whose layers came through the layer API is pushable with PutImage and pullable by docker clients', async () => {
    const image = makeImage({ layers: [Buffer.from('layer api layer')] });
    for (const blob of [image.config, ...image.layers]) await upload(blob);
    const put = await berth.ecr.send(new PutImageCommand({ repositoryName: REPO, imageManifest: image.manifest, imageTag: 'api' }));
    assert.equal(put.image!.imageId!.imageDigest, image.digest);
    const reg = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    const res = await reg.fetch(`/v2/000000000000/us-east-1/${REPO}/manifests/api`);
    assert.equal(await res.text(), image.manifest);
  });

  it('a part that does not continue the upload is InvalidLayerPartException', async () => {
    const { uploadId } = await berth.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    await rejects(berth.ecr.send(new UploadLayerPartCommand({
      repositoryName: REPO, uploadId, partFirstByte: 5, partLastByte: 9, layerPartBlob: Buffer.alloc(5),
    })), 'InvalidLayerPartException');
    await rejects(berth.ecr.send(new UploadLayerPartCommand({
      repositoryName: REPO, uploadId, partFirstByte: 0, partLastByte: 9, layerPartBlob: Buffer.alloc(5),
    })), 'InvalidLayerPartException');
  });

  it('completing with the wrong digest is InvalidLayerException; an empty upload is EmptyUploadException', async () => {
    await rejects(upload(Buffer.from('abc'), 3, sha256('abd')), 'InvalidLayerException');
    const { uploadId } = await berth.ecr.send(new InitiateLayerUploadCommand({ repositoryName: REPO }));
    await rejects(berth.ecr.send(new CompleteLayerUploadCommand({ repositoryName: REPO, uploadId, layerDigests: [sha256('')] })), 'EmptyUploadException');
  });

  it('completing a layer the repository already has is LayerAlreadyExistsException', async () => {
    const bytes = Buffer.from('twice');
    await upload(bytes);
    await rejects(upload(bytes), 'LayerAlreadyExistsException');
  });

  it('an unknown upload id is UploadNotFoundException and an unknown layer has no download URL', async () => {
    await rejects(berth.ecr.send(new UploadLayerPartCommand({
      repositoryName: REPO, uploadId: 'nope', partFirstByte: 0, partLastByte: 0, layerPartBlob: Buffer.alloc(1),
    })), 'UploadNotFoundException');
    await rejects(berth.ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: REPO, layerDigest: sha256('none') })), 'LayersNotFoundException');
  });
});
