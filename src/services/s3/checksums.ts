/**
 * Object checksums: the MD5 behind every ETag, and the flexible checksums
 * clients send (x-amz-checksum-*, in a header or an aws-chunked trailer) and
 * read back with x-amz-checksum-mode: CRC32, CRC32C, CRC64NVME, SHA1, SHA256.
 * Values are base64 of the big-endian digest, as S3 writes them.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The input/output member carrying an algorithm's value (ChecksumCRC32, …). */
export const checksumMember = (alg: ChecksumAlgorithm) => `Checksum${alg}` as const;
/** Its header (x-amz-checksum-crc32, …). */
export const checksumHeader = (alg: ChecksumAlgorithm) => `x-amz-checksum-${alg.toLowerCase()}`;

export function asAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  const v = value?.toUpperCase();
  return CHECKSUM_ALGORITHMS.find((a) => a === v);
}

function table32(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32_TABLE = table32(0xedb88320);
const CRC32C_TABLE = table32(0x82f63b78);

function crc32Update(table: Uint32Array, crc: number, data: Uint8Array): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), as two 32-bit halves: BigInt per byte is too slow.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
  const POLY_LO = 0xac4bc9b5;
  const POLY_HI = 0x9a6c9329;
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    CRC64_LO[n] = lo;
    CRC64_HI[n] = hi;
  }
}

interface Digest {
  update(data: Uint8Array): void;
  /** base64 of the big-endian value. */
  digest(): string;
}

class Crc32Digest implements Digest {
  private crc = 0;
  constructor(private readonly table: Uint32Array | null) {}
  update(data: Uint8Array) {
    // zlib's CRC32 is native (Node ≥ 20.15); the table is the fallback and CRC32C's way.
    this.crc = this.table === null && typeof zlib.crc32 === 'function' ? zlib.crc32(data, this.crc) : crc32Update(this.table ?? CRC32_TABLE, this.crc, data);
  }
  digest() {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(this.crc >>> 0);
    return b.toString('base64');
  }
}

class Crc64NvmeDigest implements Digest {
  private lo = 0xffffffff;
  private hi = 0xffffffff;
  update(data: Uint8Array) {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ CRC64_HI[idx]) >>> 0;
    }
    this.lo = lo;
    this.hi = hi;
  }
  digest() {
    const b = Buffer.alloc(8);
    b.writeUInt32BE(~this.hi >>> 0, 0);
    b.writeUInt32BE(~this.lo >>> 0, 4);
    return b.toString('base64');
  }
}

class HashDigest implements Digest {
  private readonly hash: Hash;
  constructor(alg: string) {
    this.hash = createHash(alg);
  }
  update(data: Uint8Array) {
    this.hash.update(data);
  }
  digest() {
    return this.hash.digest('base64');
  }
}

export function checksumDigest(alg: ChecksumAlgorithm): Digest {
  switch (alg) {
    case 'CRC32': return new Crc32Digest(null);
    case 'CRC32C': return new Crc32Digest(CRC32C_TABLE);
    case 'CRC64NVME': return new Crc64NvmeDigest();
    case 'SHA1': return new HashDigest('sha1');
    case 'SHA256': return new HashDigest('sha256');
  }
}

/** A checksum of bytes in memory. */
export function checksumOf(alg: ChecksumAlgorithm, data: Uint8Array): string {
  const d = checksumDigest(alg);
  d.update(data);
  return d.digest();
}

/** The ETag of a multipart object: MD5 of the parts' binary MD5s, then "-<part count>". */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash('md5');
  for (const e of partEtags) md5.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  return `"${md5.digest('hex')}-${partEtags.length}"`;
}

/** The composite checksum of a multipart object: the checksum of the parts' binary checksums, then "-<count>". */
export function compositeChecksum(alg: ChecksumAlgorithm, partChecksums: string[]): string {
  const d = checksumDigest(alg);
  for (const c of partChecksums) d.update(Buffer.from(c, 'base64'));
  return `${d.digest()}-${partChecksums.length}`;
}
