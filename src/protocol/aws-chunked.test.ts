import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { AwsChunkedDecoder, isAwsChunked, storedContentEncoding } from './aws-chunked.js';
import { AwsError } from './errors.js';

/** Feeds the encoded body in pieces of `step` bytes and returns the payload and trailers. */
async function decode(encoded: string | Buffer, step = Infinity): Promise<{ body: string; trailers: Record<string, string> }> {
  const bytes = Buffer.from(encoded);
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += Math.min(step, bytes.length)) pieces.push(bytes.subarray(i, i + step));
  const decoder = new AwsChunkedDecoder();
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(pieces).pipe(decoder).on('data', (c: Buffer) => out.push(c)).on('end', resolve).on('error', reject);
  });
  return { body: Buffer.concat(out).toString(), trailers: decoder.trailers };
}

const UNSIGNED = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
const SIGNED =
  `5;chunk-signature=${'a'.repeat(64)}\r\nhello\r\n` +
  `0;chunk-signature=${'b'.repeat(64)}\r\nx-amz-checksum-crc32c:yZRlqg==\r\nx-amz-trailer-signature:${'c'.repeat(64)}\r\n\r\n`;

describe('aws-chunked decoding', () => {
  it('passes the payload through and collects the trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    assert.deepEqual(await decode(UNSIGNED), { body: 'hello world', trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' } });
  });

  it('decodes signed chunks and ignores their signatures', async () => {
    const { body, trailers } = await decode(SIGNED);
    assert.equal(body, 'hello');
    assert.equal(trailers['x-amz-checksum-crc32c'], 'yZRlqg==');
  });

  it('gives the same result whatever the network splits the body into', async () => {
    for (const step of [1, 2, 3, 7, 13]) assert.deepEqual(await decode(UNSIGNED, step), await decode(UNSIGNED), `step ${step}`);
  });

  it('accepts a body that ends after the trailer without the final empty line', async () => {
    assert.equal((await decode('3\r\nabc\r\n0\r\nx-amz-checksum-sha1:qZk+NkcGgWq6PiVxeFDCbJzQ2J0=\r\n')).body, 'abc');
  });

  it('fails a truncated body with IncompleteBody and broken framing with InvalidRequest', async () => {
    await assert.rejects(decode('5\r\nhel'), (e: AwsError) => e.code === 'IncompleteBody' && e.status === 400);
    await assert.rejects(decode('zz\r\nhello\r\n0\r\n\r\n'), (e: AwsError) => e.code === 'InvalidRequest');
    await assert.rejects(decode('2\r\nhello\r\n0\r\n\r\n'), (e: AwsError) => e.code === 'InvalidRequest');
  });

  it('recognises aws-chunked by Content-Encoding or the streaming content hash, and keeps other encodings', () => {
    assert.equal(isAwsChunked({ 'content-encoding': 'aws-chunked' }), true);
    assert.equal(isAwsChunked({ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), true);
    assert.equal(isAwsChunked({ 'content-encoding': 'gzip', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), false);
    assert.equal(storedContentEncoding('aws-chunked'), undefined);
    assert.equal(storedContentEncoding('aws-chunked,gzip'), 'gzip');
  });
});
