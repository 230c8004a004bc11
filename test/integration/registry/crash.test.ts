/**
 * A push cut off at any byte leaves no partial blob: a client that drops
 * mid-chunk leaves the upload at its last acknowledged byte; Berth killed
 * with SIGKILL in the middle of a large upload restarts with no partial blob
 * and no upload debris, keeps what was acknowledged, and takes the re-push.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { REPO_ROOT, spawnBerth, type SpawnedBerth } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { ACCOUNT, REGION, Registry, errorCode, makeImage, registryWithRepo, sha256 } from './client.js';

const MIB = 1024 * 1024;
const NAME = `${ACCOUNT}/${REGION}/crash/app`;

/** `total` bytes made of one random MiB repeated, as a stream, with its digest. */
function bigBlob(totalMiB: number, delayMs = 0) {
  const unit = randomBytes(MIB);
  const hash = createHash('sha256');
  for (let i = 0; i < totalMiB; i++) hash.update(unit);
  const stream = () => Readable.from((async function* () {
    for (let i = 0; i < totalMiB; i++) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      yield unit;
    }
  })());
  return { digest: `sha256:${hash.digest('hex')}`, size: totalMiB * MIB, stream };
}

/** Streams a PATCH body; resolves with the response status, or 0 if the connection died. */
function streamPatch(endpoint: string, location: string, auth: string, body: Readable): { done: Promise<number>; req: http.ClientRequest } {
  const url = new URL(location, endpoint);
  const req = http.request(url, { method: 'PATCH', headers: { authorization: auth, 'content-type': 'application/octet-stream' } });
  const done = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', () => resolve(0));
  });
  body.pipe(req);
  return { done, req };
}

async function startUpload(reg: Registry, name = NAME): Promise<string> {
  const res = await reg.fetch(`/v2/${name}/blobs/uploads/`, { method: 'POST' });
  assert.equal(res.status, 202);
  return res.headers.get('location')!;
}

describe('an upload cut off by the client', () => {
  const berth = useBerth();
  let reg: Registry;

  before(async () => {
    reg = await registryWithRepo(berth.endpoint, 'crash/app');
  });

  it('a chunk that breaks off midway leaves the upload at its last acknowledged byte, and the push completes after', async () => {
    const location = await startUpload(reg);
    const first = Buffer.alloc(1000, 7);
    assert.equal((await reg.fetch(location, { method: 'PATCH', body: first })).status, 202);

    const blob = bigBlob(8, 5);
    const { req, done } = streamPatch(berth.endpoint, location, reg.auth!, blob.stream());
    setTimeout(() => req.destroy(), 20);
    assert.equal(await done, 0);

    // Wait for Berth to notice the broken chunk, then continue from byte 1000.
    let status: Response;
    for (let i = 0; ; i++) {
      status = await reg.fetch(location);
      const next = await reg.fetch(location, { method: 'PATCH', body: Buffer.alloc(24, 8), headers: { 'content-range': '1000-1023' } });
      if (next.status === 202) break;
      assert.ok(i < 100, `upload stayed busy: ${next.status}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status.headers.get('range'), '0-999');
    const whole = Buffer.concat([first, Buffer.alloc(24, 8)]);
    const put = await reg.fetch(`${location}?digest=${sha256(whole)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    const got = Buffer.from(await (await reg.fetch(`/v2/${NAME}/blobs/${sha256(whole)}`)).arrayBuffer());
    assert.ok(got.equals(whole));
  });
});

describe('Berth killed in the middle of a large push', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-crash-'));
  let berth: SpawnedBerth | undefined;

  before(() => {
    // spawnBerth runs the built CLI.
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: REPO_ROOT, stdio: 'ignore' });
    } catch { /* type errors elsewhere still emit dist/ */ }
  });
  after(async () => {
    await berth?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts with no partial blob or upload left, keeps acknowledged pushes, and takes the re-push', { timeout: 120_000 }, async () => {
    berth = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    let reg = await registryWithRepo(berth.endpoint, 'crash/app');
    const small = makeImage();
    assert.equal((await reg.pushImage(NAME, small, 'before-crash')).status, 201);

    const blob = bigBlob(256, 2);
    const location = await startUpload(reg);
    const uploads = join(dir, 'registry', 'uploads');
    streamPatch(berth.endpoint, location, reg.auth!, blob.stream());
    // Kill once a good part of the layer is on disk.
    for (let i = 0; ; i++) {
      const files = readdirSync(uploads);
      if (files.length && statSync(join(uploads, files[0])).size > 32 * MIB) break;
      assert.ok(i < 2000, 'upload never grew');
      await new Promise((r) => setTimeout(r, 10));
    }
    await berth.kill9();

    berth = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    reg = new Registry(berth.endpoint, reg.auth);
    assert.deepEqual(readdirSync(uploads), [], 'upload files are purged at start-up');
    const hex = blob.digest.slice('sha256:'.length);
    assert.equal(existsSync(join(dir, 'registry', 'blobs', 'sha256', hex.slice(0, 2), hex)), false);
    // The blob store holds exactly the blobs acknowledged before the crash.
    const stored = readdirSync(join(dir, 'registry', 'blobs', 'sha256'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile()).map((e) => `sha256:${e.name}`).sort();
    assert.deepEqual(stored, [small.config, ...small.layers].map(sha256).sort());
    assert.equal((await reg.fetch(`/v2/${NAME}/blobs/${blob.digest}`, { method: 'HEAD' })).status, 404);
    const stale = await reg.fetch(location);
    assert.equal(await errorCode(stale), 'BLOB_UPLOAD_UNKNOWN');
    // The token and the image acknowledged before the crash are still good.
    assert.equal((await reg.fetch(`/v2/${NAME}/manifests/before-crash`)).headers.get('docker-content-digest'), small.digest);

    const again = await startUpload(reg);
    const retry = streamPatch(berth.endpoint, again, reg.auth!, blob.stream());
    assert.equal(await retry.done, 202);
    const put = await reg.fetch(`${again}?digest=${blob.digest}`, { method: 'PUT' });
    assert.equal(put.status, 201, await put.text());

    const res = await reg.fetch(`/v2/${NAME}/blobs/${blob.digest}`);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
    }
    assert.equal(size, blob.size);
    assert.equal(`sha256:${hash.digest('hex')}`, blob.digest);
  });
});
