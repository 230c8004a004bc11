/**
 * Registry garbage collection: what goes and, above all, what must stay
 * (blobs of live images, of pushes in progress, of other repositories).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { resolveConfig } from '../config/index.js';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { openDb, Statements } from '../state/db.js';
import { collectGarbage, GC_GRACE_MS } from './gc.js';
import { deleteImage, deleteRepo, insertRepo, putManifest, repoBlobSize, type RepoRow } from '../services/ecr/store/index.js';
import { createRegistry, type Registry } from './index.js';

const digestOf = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('registry garbage collection', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-gc-'));
  const clock = new ManualClock(Date.now());
  const db = openDb(':memory:');
  const sql = new Statements(db);
  let reg: Registry;
  let repoA: RepoRow;
  let repoB: RepoRow;
  const settings = { imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: false }, encryptionConfiguration: { encryptionType: 'AES256' } };

  const blobFile = (digest: string) => join(dataDir, 'registry', 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7));

  async function upload(repo: RepoRow, bytes: Buffer): Promise<string> {
    const s = await reg.blobs.startUpload(repo);
    await reg.blobs.append(s, Readable.from([bytes]));
    await reg.blobs.finish(s, digestOf(bytes));
    return digestOf(bytes);
  }

  /** Pushes config + one layer + manifest; returns the digests. */
  async function pushImage(repo: RepoRow, tag: string, layer: Buffer) {
    const config = Buffer.from(JSON.stringify({ tag, rootfs: { type: 'layers', diff_ids: [] } }));
    await upload(repo, config);
    await upload(repo, layer);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: digestOf(layer), size: layer.length }],
    }));
    const { digest } = db.transaction(() => putManifest(sql, clock.now(), repo, { body: manifest, tag }))();
    return { manifest: digest, config: digestOf(config), layer: digestOf(layer) };
  }

  before(async () => {
    const config = resolveConfig({ port: 0, ephemeral: true, logLevel: 'silent' });
    reg = await createRegistry({ config, db, sql, clock, log: createLogger('silent'), dataDir, endpoint: () => 'http://127.0.0.1:1' });
    repoA = insertRepo(sql, { account: '000000000000', region: 'us-east-1', name: 'gc/a' }, 'arn:a', clock.now(), settings);
    repoB = insertRepo(sql, { account: '000000000000', region: 'us-east-1', name: 'gc/b' }, 'arn:b', clock.now(), settings);
  });
  after(() => {
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the blobs of live images and of pushes whose manifest has not arrived yet', async () => {
    const live = await pushImage(repoA, 'live', Buffer.from('live layer'));
    const pending = await upload(repoA, Buffer.from('layer of a push in progress'));
    clock.advance(GC_GRACE_MS / 2);
    const r = await collectGarbage(reg);
    assert.equal(r.deletedBlobs, 0);
    for (const d of [live.config, live.layer, pending]) assert.ok(existsSync(blobFile(d)), d);
  });

  it('collects the blobs of a deleted image once the grace period is over, and only those', async () => {
    const keep = await pushImage(repoA, 'keep', Buffer.from('kept layer'));
    const gone = await pushImage(repoA, 'gone', Buffer.from('deleted layer'));
    db.transaction(() => deleteImage(sql, repoA, gone.manifest))();
    assert.equal((await collectGarbage(reg)).deletedBlobs, 0, 'within the grace period');
    clock.advance(GC_GRACE_MS + 1000);
    const r = await collectGarbage(reg);
    assert.ok(r.deletedBlobs >= 2);
    assert.equal(existsSync(blobFile(gone.layer)), false);
    assert.equal(existsSync(blobFile(gone.config)), false);
    assert.ok(existsSync(blobFile(keep.layer)));
    assert.equal(repoBlobSize(sql, repoA, gone.layer), undefined);
  });

  it('keeps a blob another repository still uses when one repository is deleted', async () => {
    const shared = Buffer.from('shared base layer');
    const a = await pushImage(repoA, 'shared', shared);
    const b = await pushImage(repoB, 'shared', shared);
    assert.equal(a.layer, b.layer);
    db.transaction(() => deleteRepo(sql, repoA))();
    clock.advance(GC_GRACE_MS + 1000);
    await collectGarbage(reg);
    assert.ok(existsSync(blobFile(b.layer)));
    assert.equal(existsSync(blobFile(a.config)), true, 'same config bytes in both: kept by b');
  });

  it('removes blob files that have no record (a stop between commit and record)', async () => {
    const stray = Buffer.from('file without a row');
    const file = blobFile(digestOf(stray));
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, stray);
    const r = await collectGarbage(reg);
    assert.equal(r.orphanFiles, 1);
    assert.equal(existsSync(file), false);
  });
});
