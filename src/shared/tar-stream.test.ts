import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { readTar, TarWriter } from './tar-stream.js';

async function archive(entries: [string, Buffer | null][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c) => chunks.push(c));
  const tar = new TarWriter(out);
  for (const [name, data] of entries) {
    if (data) await tar.file(name, data.length, Readable.from([data.subarray(0, 7), data.subarray(7)]));
    else await tar.dir(name);
  }
  await tar.end();
  return Buffer.concat(chunks);
}

async function entries(buf: Buffer) {
  const seen: [string, string, string][] = [];
  await readTar(Readable.from([buf.subarray(0, 700), buf.subarray(700)]), async (h, body) => {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(c);
    seen.push([h.name, h.type, Buffer.concat(parts).toString()]);
  });
  return seen;
}

describe('streaming tar', () => {
  it('round-trips files and directories, including long names and sizes across blocks', async () => {
    const long = `volumes/${'d'.repeat(90)}/${'f'.repeat(90)}.txt`;
    const big = Buffer.alloc(5000, 'x');
    const buf = await archive([['a.json', Buffer.from('{"a":1}')], ['dir', null], [long, Buffer.from('long name')], ['big', big]]);
    assert.deepEqual(await entries(buf), [
      ['a.json', 'file', '{"a":1}'],
      ['dir/', 'dir', ''],
      [long, 'file', 'long name'],
      ['big', 'file', big.toString()],
    ]);
  });

  it('a truncated archive is an error, and so is a buffer that is not tar', async () => {
    const buf = await archive([['a', Buffer.alloc(2000, 'y')]]);
    await assert.rejects(entries(buf.subarray(0, 1000)), /truncated/);
    await assert.rejects(entries(Buffer.alloc(1024, 'z')), /checksum/);
  });
});
