import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { tarHeader } from '../../../shared/tar-stream.js';
import { isWanted, readImageFiles, UnsupportedLayerError } from './layers.js';

/** A ustar archive; `flag` overrides an entry's typeflag (PAX 'x', symlink '2', …). */
function tarball(entries: { name: string; data?: string; flag?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = tarHeader(e.name, data.length, e.name.endsWith('/') ? 'dir' : 'file', undefined, 0);
    if (e.flag) {
      h.write(e.flag, 156);
      h.write('        ', 148);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    }
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const pax = (records: Record<string, string>) => Object.entries(records).map(([k, v]) => {
  const body = ` ${k}=${v}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}).join('');

async function files(layers: Buffer[]) {
  const out = await readImageFiles(layers.length, async (i) => Readable.from([layers[i]]));
  return Object.fromEntries([...out].map(([k, v]) => [k, v.toString()]));
}

describe('reading wanted files from image layers', () => {
  it('knows which files the inventory needs', () => {
    for (const p of ['var/lib/dpkg/status', 'var/lib/dpkg/status.d/base', 'lib/apk/db/installed', 'etc/os-release', 'app/package-lock.json', 'package-lock.json']) {
      assert.ok(isWanted(p), p);
    }
    for (const p of ['var/lib/dpkg/status.d/base.md5sums', 'app/node_modules/x/package-lock.json', 'etc/passwd', 'app/package.json']) {
      assert.ok(!isWanted(p), p);
    }
  });

  it('reads gzip and plain tar layers, later layers replacing earlier files', async () => {
    const l1 = gzipSync(tarball([{ name: 'etc/' }, { name: 'etc/os-release', data: 'ID=debian' }, { name: 'bin/sh', data: 'x' }]));
    const l2 = tarball([{ name: './etc/os-release', data: 'ID=alpine' }, { name: 'lib/apk/db/installed', data: 'P:a\nV:1\n' }]);
    assert.deepEqual(await files([l1, l2]), { 'etc/os-release': 'ID=alpine', 'lib/apk/db/installed': 'P:a\nV:1\n' });
  });

  it('honours whiteouts and opaque directories of upper layers', async () => {
    const l1 = gzipSync(tarball([
      { name: 'app/legacy/package-lock.json', data: 'old' },
      { name: 'app/package-lock.json', data: 'kept' },
      { name: 'srv/package-lock.json', data: 'srv' },
      { name: 'var/lib/dpkg/status', data: 'dpkg' },
    ]));
    const l2 = gzipSync(tarball([
      { name: 'app/.wh.legacy', data: '' },
      { name: 'srv/.wh..wh..opq', data: '' },
      { name: 'srv/package-lock.json', data: 'srv again' },
      { name: 'var/lib/dpkg/status', data: 'link', flag: '2' },
    ]));
    assert.deepEqual(await files([l1, l2]), { 'app/package-lock.json': 'kept', 'srv/package-lock.json': 'srv again' });
  });

  it('takes long names from PAX headers', async () => {
    const long = `${'deep/'.repeat(30)}package-lock.json`;
    const layer = tarball([{ name: 'PaxHeaders/x', data: pax({ path: long }), flag: 'x' }, { name: 'truncated-name', data: '{}' }]);
    assert.deepEqual(await files([layer]), { [long]: '{}' });
  });

  it('refuses zstd layers with a clear reason', async () => {
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    await assert.rejects(files([zstd]), UnsupportedLayerError);
  });
});
