/**
 * The storage-driver contract (driver.ts), run against the filesystem driver.
 * A new driver passes by calling `driverContract` with its own factory.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type StorageDriver } from './driver.js';
import { FilesystemDriver } from './filesystem.js';

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAll(driver: StorageDriver, digest: string, range?: { start: number; end: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await driver.read(digest, range)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function append(driver: StorageDriver, id: string, offset: number, bytes: Buffer) {
  await pipeline(Readable.from([bytes]), driver.uploadWriter(id, offset));
}

async function listAll(driver: StorageDriver): Promise<string[]> {
  const out: string[] = [];
  for await (const d of driver.list()) out.push(d);
  return out;
}

export function driverContract(name: string, make: () => { driver: StorageDriver; cleanup(): void }) {
  describe(`storage driver contract: ${name}`, () => {
    let current: { driver: StorageDriver; cleanup(): void } | undefined;
    const driver = () => (current ??= make()).driver;
    afterEach(() => {
      current?.cleanup();
      current = undefined;
    });

    it('an upload is invisible until committed, then readable whole and by range', async () => {
      const d = driver();
      const bytes = Buffer.from('hello, registry');
      const digest = digestOf(bytes);
      await d.createUpload('u1');
      await append(d, 'u1', 0, bytes.subarray(0, 5));
      await append(d, 'u1', 5, bytes.subarray(5));
      assert.equal(await d.uploadSize('u1'), bytes.length);
      assert.equal(await d.stat(digest), undefined);
      assert.deepEqual(await listAll(d), []);
      await d.commitUpload('u1', digest);
      assert.equal(await d.stat(digest), bytes.length);
      assert.ok((await readAll(d, digest)).equals(bytes));
      assert.equal((await readAll(d, digest, { start: 7, end: 14 })).toString(), 'registry');
      assert.deepEqual(await listAll(d), [digest]);
      assert.equal(await d.uploadSize('u1'), undefined);
    });

    it('truncating an upload undoes a failed append', async () => {
      const d = driver();
      await d.createUpload('u2');
      await append(d, 'u2', 0, Buffer.from('good'));
      await append(d, 'u2', 4, Buffer.from('partial-garbage'));
      await d.truncateUpload('u2', 4);
      await append(d, 'u2', 4, Buffer.from('more'));
      const digest = digestOf(Buffer.from('goodmore'));
      await d.commitUpload('u2', digest);
      assert.equal((await readAll(d, digest)).toString(), 'goodmore');
    });

    it('committing a digest that exists keeps the blob and drops the upload', async () => {
      const d = driver();
      const bytes = Buffer.from('same');
      const digest = digestOf(bytes);
      for (const id of ['a', 'b']) {
        await d.createUpload(id);
        await append(d, id, 0, bytes);
        await d.commitUpload(id, digest);
      }
      assert.equal(await d.uploadSize('b'), undefined);
      assert.equal((await readAll(d, digest)).toString(), 'same');
    });

    it('reading a missing blob is BlobNotFoundError; deleting one is not an error', async () => {
      const d = driver();
      const digest = digestOf(Buffer.from('absent'));
      await assert.rejects(d.read(digest), BlobNotFoundError);
      await d.delete(digest);
    });

    it('purgeUploads forgets every upload and leaves committed blobs', async () => {
      const d = driver();
      const bytes = Buffer.from('kept');
      await d.createUpload('keep');
      await append(d, 'keep', 0, bytes);
      await d.commitUpload('keep', digestOf(bytes));
      await d.createUpload('left-behind');
      await append(d, 'left-behind', 0, Buffer.from('half a layer'));
      await d.purgeUploads();
      assert.equal(await d.uploadSize('left-behind'), undefined);
      assert.equal(await d.stat(digestOf(bytes)), bytes.length);
    });

    it('the synchronous upload path (ECR layer parts) writes the same blobs', async () => {
      const d = driver();
      if (!d.sync) return;
      const bytes = Buffer.from('part one, part two');
      d.sync.createUpload('s1');
      d.sync.appendUpload('s1', 0, bytes.subarray(0, 9));
      d.sync.appendUpload('s1', 9, bytes.subarray(9));
      d.sync.commitUpload('s1', digestOf(bytes));
      assert.ok((await readAll(d, digestOf(bytes))).equals(bytes));
    });

    it('sha256 and sha512 blobs live side by side; an upload reads back whole before it is committed', async () => {
      const d = driver();
      const bytes = Buffer.from('one content, two digests');
      const sha512 = `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
      for (const [id, digest] of [['a', digestOf(bytes)], ['b', sha512]]) {
        await d.createUpload(id);
        await append(d, id, 0, bytes);
        const read: Buffer[] = [];
        for await (const c of await d.readUpload(id)) read.push(c as Buffer);
        assert.ok(Buffer.concat(read).equals(bytes));
        await d.commitUpload(id, digest);
      }
      assert.equal(await d.stat(sha512), bytes.length);
      assert.ok((await readAll(d, sha512)).equals(bytes));
      assert.deepEqual((await listAll(d)).sort(), [digestOf(bytes), sha512].sort());
      await d.delete(sha512);
      assert.deepEqual(await listAll(d), [digestOf(bytes)]);
    });

    it('ids and digests that could escape the root are refused', async () => {
      const d = driver();
      await assert.rejects(d.createUpload('../escape'));
      await assert.rejects(d.stat('sha256:../../etc/passwd'));
      await assert.rejects(d.stat('sha512:../../etc/passwd'));
      await assert.rejects(d.stat('md5:d41d8cd98f00b204e9800998ecf8427e'));
    });
  });
}

driverContract('filesystem', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-fs-driver-'));
  return {
    driver: new FilesystemDriver(root),
    cleanup() {
      // Nothing but blobs may be left in a tidy driver: uploads are committed or purged.
      assert.deepEqual(readdirSync(join(root, 'uploads')), []);
      rmSync(root, { recursive: true, force: true });
    },
  };
});
