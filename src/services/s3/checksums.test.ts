import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checksumDigest, checksumOf, multipartEtag } from './checksums.js';

const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');

describe('S3 checksums', () => {
  it('match the catalogue check values of "123456789"', () => {
    const data = Buffer.from('123456789');
    assert.equal(hex(checksumOf('CRC32', data)), 'cbf43926');
    assert.equal(hex(checksumOf('CRC32C', data)), 'e3069283');
    assert.equal(hex(checksumOf('CRC64NVME', data)), 'ae8b14860a799888');
    assert.equal(hex(checksumOf('SHA1', data)), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  });

  it('are the same computed in pieces as in one go', () => {
    const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) % 251));
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'] as const) {
      const d = checksumDigest(alg);
      for (let i = 0; i < data.length; i += 777) d.update(data.subarray(i, i + 777));
      assert.equal(d.digest(), checksumOf(alg, data), alg);
    }
  });

  it('a multipart ETag is the MD5 of the parts\' MD5s with the part count', () => {
    // Two parts whose MD5s are those of "a" and "b".
    assert.equal(multipartEtag(['"0cc175b9c0f1b6a831c399e269772661"', '"92eb5ffee6ae2fec3ad71c777531578f"']), '"96e024ba2074fe77e8e965ba43a704be-2"');
  });
});
