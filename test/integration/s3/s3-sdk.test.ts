/**
 * S3 through @aws-sdk/client-s3 (path style, as with any local endpoint):
 * buckets, objects (streamed aws-chunked bodies with trailing checksums,
 * ranges, conditions, metadata), listing, copy, batch delete, multipart
 * uploads, errors with S3's codes and statuses, and S3 in reset and snapshots.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand, GetBucketInventoryConfigurationCommand, GetObjectCommand,
  HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand,
  PutObjectCommand, S3Client, UploadPartCommand, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { useBerth } from '../../helpers/use-berth.js';

const MIB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Rejects with an S3 error of this code and HTTP status. */
const s3Error = (code: string, status: number) => (e: S3ServiceException) => {
  assert.equal(e.name, code, e.message);
  assert.equal(e.$metadata.httpStatusCode, status);
  return true;
};

describe('S3 through the AWS SDK for JavaScript v3', () => {
  const pathStyle = { forcePathStyle: true };
  const berth = useBerth({
    clients: {
      s3: [S3Client, pathStyle],
      other: [S3Client, { ...pathStyle, credentials: { accessKeyId: '111111111111', secretAccessKey: 'test' } }],
      euWest: [S3Client, { ...pathStyle, region: 'eu-west-1' }],
    },
  });
  before(async () => {
    await berth.s3.send(new CreateBucketCommand({ Bucket: 'objects' }));
  });

  describe('buckets', () => {
    it('CreateBucket, HeadBucket, ListBuckets and GetBucketLocation report the bucket and its region', async () => {
      const created = await berth.s3.send(new CreateBucketCommand({ Bucket: 'alpha-1' }));
      assert.equal(created.Location, '/alpha-1');
      const head = await berth.s3.send(new HeadBucketCommand({ Bucket: 'alpha-1' }));
      assert.equal(head.BucketRegion, 'us-east-1');
      const { Buckets, Owner } = await berth.s3.send(new ListBucketsCommand({}));
      assert.ok(Buckets?.some((b) => b.Name === 'alpha-1' && b.CreationDate instanceof Date));
      assert.match(Owner?.ID ?? '', /^[0-9a-f]{64}$/);
      assert.equal((await berth.s3.send(new GetBucketLocationCommand({ Bucket: 'alpha-1' }))).LocationConstraint, undefined);
    });

    it('a bucket outside us-east-1 takes the LocationConstraint of its region and reports it', async () => {
      // (The SDK fills in the client's region when the request names no constraint.)
      await assert.rejects(
        berth.euWest.send(new CreateBucketCommand({ Bucket: 'west-1', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
        s3Error('IllegalLocationConstraintException', 400),
      );
      await berth.euWest.send(new CreateBucketCommand({ Bucket: 'west-1' }));
      assert.equal((await berth.s3.send(new GetBucketLocationCommand({ Bucket: 'west-1' }))).LocationConstraint, 'eu-west-1');
      assert.equal((await berth.s3.send(new HeadBucketCommand({ Bucket: 'west-1' }))).BucketRegion, 'eu-west-1');
    });

    it('re-creating an owned bucket is BucketAlreadyOwnedByYou (409) except in us-east-1, where it is a 200', async () => {
      await assert.rejects(
        berth.euWest.send(new CreateBucketCommand({ Bucket: 'west-1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
        s3Error('BucketAlreadyOwnedByYou', 409),
      );
      await berth.s3.send(new CreateBucketCommand({ Bucket: 'alpha-1' }));
    });

    it('bucket names are global: another account gets BucketAlreadyExists, and AccessDenied on use', async () => {
      await assert.rejects(berth.other.send(new CreateBucketCommand({ Bucket: 'alpha-1' })), s3Error('BucketAlreadyExists', 409));
      await assert.rejects(berth.other.send(new ListObjectsV2Command({ Bucket: 'alpha-1' })), s3Error('AccessDenied', 403));
      assert.ok(!((await berth.other.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name === 'alpha-1'));
    });

    it('invalid names are InvalidBucketName; missing buckets are NoSuchBucket (NotFound for HEAD)', async () => {
      for (const name of ['ab', 'Upper-Case', 'under_score', '192.168.1.1', 'double..dot', '-leading']) {
        await assert.rejects(berth.s3.send(new CreateBucketCommand({ Bucket: name })), s3Error('InvalidBucketName', 400), name);
      }
      await assert.rejects(berth.s3.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })), (e: S3ServiceException & { BucketName?: string }) => {
        s3Error('NoSuchBucket', 404)(e);
        assert.equal(e.message, 'The specified bucket does not exist');
        return true;
      });
      await assert.rejects(berth.s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })), s3Error('NotFound', 404));
    });

    it('DeleteBucket refuses a bucket with objects (BucketNotEmpty, 409) and deletes an empty one', async () => {
      await berth.s3.send(new CreateBucketCommand({ Bucket: 'to-delete' }));
      await berth.s3.send(new PutObjectCommand({ Bucket: 'to-delete', Key: 'x', Body: 'x' }));
      await assert.rejects(berth.s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' })), s3Error('BucketNotEmpty', 409));
      await berth.s3.send(new DeleteObjectCommand({ Bucket: 'to-delete', Key: 'x' }));
      await berth.s3.send(new DeleteBucketCommand({ Bucket: 'to-delete' }));
      await assert.rejects(berth.s3.send(new HeadBucketCommand({ Bucket: 'to-delete' })), s3Error('NotFound', 404));
    });

    it('an operation Berth does not implement is a 501 InternalFailure naming it', async () => {
      await assert.rejects(berth.s3.send(new GetBucketInventoryConfigurationCommand({ Bucket: 'objects', Id: 'x' })), (e: S3ServiceException) => {
        assert.equal(e.$metadata.httpStatusCode, 501);
        assert.equal(e.name, 'InternalFailure');
        assert.match(e.message, /GetBucketInventoryConfiguration/);
        return true;
      });
    });
  });

  describe('objects', () => {
    it('PutObject then GetObject and HeadObject return the body, ETag (MD5), type and user metadata', async () => {
      const put = await berth.s3.send(new PutObjectCommand({
        Bucket: 'objects', Key: 'docs/hello.txt', Body: 'hello, world', ContentType: 'text/plain', CacheControl: 'max-age=60',
        Metadata: { owner: 'team-a', 'build-id': '42' },
      }));
      assert.equal(put.ETag, `"${createHash('md5').update('hello, world').digest('hex')}"`);
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'docs/hello.txt' }));
      assert.equal(await got.Body!.transformToString(), 'hello, world');
      assert.equal(got.ContentType, 'text/plain');
      assert.equal(got.CacheControl, 'max-age=60');
      assert.equal(got.ETag, put.ETag);
      assert.deepEqual(got.Metadata, { owner: 'team-a', 'build-id': '42' });
      const head = await berth.s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'docs/hello.txt' }));
      assert.equal(head.ContentLength, 12);
      assert.ok(head.LastModified instanceof Date);
      assert.equal(head.ETag, put.ETag);
    });

    it('a streamed body (aws-chunked with a trailing CRC32) is stored without its framing, and its checksum comes back', async () => {
      const body = randomBytes(3 * MIB + 17);
      const put = await berth.s3.send(new PutObjectCommand({
        Bucket: 'objects', Key: 'streamed.bin', Body: Readable.from([body.subarray(0, MIB), body.subarray(MIB)]), ContentLength: body.length,
      }));
      assert.ok(put.ChecksumCRC32, 'the SDK sent a CRC32 and S3 echoes it');
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'streamed.bin', ChecksumMode: 'ENABLED' }));
      assert.equal(got.ChecksumCRC32, put.ChecksumCRC32);
      assert.equal(got.ContentLength, body.length);
      assert.equal(sha256(await got.Body!.transformToByteArray()), sha256(body));
    });

    it('an 8 MiB object round-trips byte for byte', async () => {
      const body = randomBytes(8 * MIB);
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'big/8mib.bin', Body: body }));
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'big/8mib.bin' }));
      assert.equal(sha256(await got.Body!.transformToByteArray()), sha256(body));
    });

    it('a checksum or Content-MD5 that does not match the body is BadDigest, and nothing is stored', async () => {
      await assert.rejects(
        berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'bad-crc', Body: 'payload', ChecksumCRC32: 'AAAAAA==' })),
        s3Error('BadDigest', 400),
      );
      await assert.rejects(
        berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'bad-md5', Body: 'payload', ContentMD5: createHash('md5').update('other').digest('base64') })),
        s3Error('BadDigest', 400),
      );
      await assert.rejects(berth.s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'bad-crc' })), s3Error('NotFound', 404));
    });

    it('keys keep spaces, unicode, "+", "%", "//" and a trailing slash', async () => {
      for (const key of ['with space.txt', 'ünïcødé/ключ.txt', 'a+b=c&d.txt', '100%.txt', 'double//slash', 'folder/']) {
        await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: key, Body: key }));
        const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: key }));
        assert.equal(await got.Body!.transformToString(), key);
      }
    });

    it('Range reads answer 206 with Content-Range; an unsatisfiable range is InvalidRange (416)', async () => {
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'digits', Body: '0123456789' }));
      const mid = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=2-5' }));
      assert.equal(mid.$metadata.httpStatusCode, 206);
      assert.equal(mid.ContentRange, 'bytes 2-5/10');
      assert.equal(await mid.Body!.transformToString(), '2345');
      const tail = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=-3' }));
      assert.equal(await tail.Body!.transformToString(), '789');
      const open = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=8-' }));
      assert.equal(await open.Body!.transformToString(), '89');
      await assert.rejects(berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'digits', Range: 'bytes=10-20' })), s3Error('InvalidRange', 416));
    });

    it('If-None-Match with the ETag is 304 NotModified; If-Match with another is PreconditionFailed (412)', async () => {
      const { ETag } = await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v1' }));
      await assert.rejects(berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfNoneMatch: ETag })), (e: S3ServiceException) => {
        assert.equal(e.$metadata.httpStatusCode, 304);
        return true;
      });
      await assert.rejects(berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: '"0000"' })), s3Error('PreconditionFailed', 412));
      const ok = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'cond', IfMatch: ETag, IfNoneMatch: '"other"' }));
      assert.equal(await ok.Body!.transformToString(), 'v1');
      // Conditional writes: create-only.
      await assert.rejects(berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'cond', Body: 'v2', IfNoneMatch: '*' })), s3Error('PreconditionFailed', 412));
    });

    it('a missing key is NoSuchKey (404), NotFound for HEAD; DeleteObject of a missing key succeeds', async () => {
      await assert.rejects(berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'nope' })), (e: S3ServiceException & { Key?: string }) => {
        s3Error('NoSuchKey', 404)(e);
        assert.equal(e.message, 'The specified key does not exist.');
        return true;
      });
      await assert.rejects(berth.s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'nope' })), s3Error('NotFound', 404));
      const del = await berth.s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'nope' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
    });

    it('an overwrite while a GetObject streams does not change what that GetObject sends', async () => {
      const first = randomBytes(6 * MIB);
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'swap.bin', Body: first }));
      const reading = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'swap.bin' }));
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'swap.bin', Body: 'replaced' }));
      await berth.s3.send(new DeleteObjectCommand({ Bucket: 'objects', Key: 'swap.bin' }));
      assert.equal(sha256(await reading.Body!.transformToByteArray()), sha256(first));
    });

    it('CopyObject copies body and metadata, or replaces the metadata; copying onto itself unchanged is InvalidRequest', async () => {
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'src.json', Body: '{"a":1}', ContentType: 'application/json', Metadata: { k: 'v' } }));
      const copied = await berth.s3.send(new CopyObjectCommand({ Bucket: 'alpha-1', Key: 'copies/dst.json', CopySource: 'objects/src.json' }));
      assert.ok(copied.CopyObjectResult?.ETag);
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'alpha-1', Key: 'copies/dst.json' }));
      assert.equal(await got.Body!.transformToString(), '{"a":1}');
      assert.equal(got.ContentType, 'application/json');
      assert.deepEqual(got.Metadata, { k: 'v' });
      await berth.s3.send(new CopyObjectCommand({
        Bucket: 'objects', Key: 'src.json', CopySource: 'objects/src.json', MetadataDirective: 'REPLACE', ContentType: 'text/plain', Metadata: { k: 'w' },
      }));
      const replaced = await berth.s3.send(new HeadObjectCommand({ Bucket: 'objects', Key: 'src.json' }));
      assert.equal(replaced.ContentType, 'text/plain');
      assert.deepEqual(replaced.Metadata, { k: 'w' });
      await assert.rejects(berth.s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'src.json', CopySource: 'objects/src.json' })), s3Error('InvalidRequest', 400));
      await assert.rejects(berth.s3.send(new CopyObjectCommand({ Bucket: 'objects', Key: 'x', CopySource: 'objects/missing' })), s3Error('NoSuchKey', 404));
    });

    it('DeleteObjects deletes many keys and reports them (or only errors when Quiet)', async () => {
      for (const k of ['batch/1', 'batch/2', 'batch/3']) await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: k, Body: k }));
      const out = await berth.s3.send(new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Objects: [{ Key: 'batch/1' }, { Key: 'batch/2' }, { Key: 'batch/none' }] } }));
      assert.deepEqual(out.Deleted?.map((d) => d.Key).sort(), ['batch/1', 'batch/2', 'batch/none']);
      const quiet = await berth.s3.send(new DeleteObjectsCommand({ Bucket: 'objects', Delete: { Objects: [{ Key: 'batch/3' }], Quiet: true } }));
      assert.equal(quiet.Deleted, undefined);
      const left = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'objects', Prefix: 'batch/' }));
      assert.equal(left.KeyCount, 0);
    });
  });

  describe('listing', () => {
    before(async () => {
      await berth.s3.send(new CreateBucketCommand({ Bucket: 'listing' }));
      const keys = ['top.txt', ...Array.from({ length: 12 }, (_, i) => `logs/2026/${String(i).padStart(2, '0')}.log`), 'logs/index', 'media/a.png', 'media/b.png'];
      await Promise.all(keys.map((Key) => berth.s3.send(new PutObjectCommand({ Bucket: 'listing', Key, Body: Key }))));
    });

    it('ListObjectsV2 pages with max-keys and continuation tokens through every key in order', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', MaxKeys: 4, ContinuationToken: token }));
        assert.equal(page.KeyCount, page.Contents?.length ?? 0);
        seen.push(...(page.Contents ?? []).map((c) => c.Key!));
        token = page.NextContinuationToken;
        assert.equal(page.IsTruncated, token !== undefined);
        pages++;
      } while (token);
      assert.equal(pages, 4);
      assert.equal(seen.length, 16);
      assert.deepEqual(seen, [...seen].sort());
    });

    it('a delimiter rolls keys up into CommonPrefixes, also across pages', async () => {
      const root = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/' }));
      assert.deepEqual(root.Contents?.map((c) => c.Key), ['top.txt']);
      assert.deepEqual(root.CommonPrefixes?.map((p) => p.Prefix), ['logs/', 'media/']);
      const logs = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'logs/', Delimiter: '/' }));
      assert.deepEqual(logs.Contents?.map((c) => c.Key), ['logs/index']);
      assert.deepEqual(logs.CommonPrefixes?.map((p) => p.Prefix), ['logs/2026/']);
      const first = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/', MaxKeys: 1 }));
      assert.deepEqual(first.CommonPrefixes?.map((p) => p.Prefix), ['logs/']);
      const second = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', Delimiter: '/', MaxKeys: 1, ContinuationToken: first.NextContinuationToken }));
      assert.deepEqual(second.CommonPrefixes?.map((p) => p.Prefix), ['media/']);
    });

    it('StartAfter, encoding-type=url and ListObjects (v1) with markers', async () => {
      const after = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', StartAfter: 'media/a.png' }));
      assert.deepEqual(after.Contents?.map((c) => c.Key), ['media/b.png', 'top.txt']);
      await berth.s3.send(new PutObjectCommand({ Bucket: 'listing', Key: 'odd name+1.txt', Body: 'x' }));
      const encoded = await berth.s3.send(new ListObjectsV2Command({ Bucket: 'listing', Prefix: 'odd', EncodingType: 'url' }));
      assert.deepEqual(encoded.Contents?.map((c) => c.Key), ['odd%20name%2B1.txt']);
      const v1 = await berth.s3.send(new ListObjectsCommand({ Bucket: 'listing', Prefix: 'logs/2026/', MaxKeys: 5 }));
      assert.equal(v1.Contents?.length, 5);
      assert.equal(v1.IsTruncated, true);
      const v1next = await berth.s3.send(new ListObjectsCommand({ Bucket: 'listing', Prefix: 'logs/2026/', Marker: v1.Contents![4].Key }));
      assert.equal(v1next.Contents?.[0].Key, 'logs/2026/05.log');
    });
  });

  describe('multipart uploads', () => {
    it('parts uploaded out of order complete into one object with a multipart ETag', async () => {
      const part1 = randomBytes(5 * MIB);
      const part2 = randomBytes(MIB + 3);
      const { UploadId } = await berth.s3.send(new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'mpu.bin', ContentType: 'application/x-test' }));
      const p2 = await berth.s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'mpu.bin', UploadId, PartNumber: 2, Body: part2 }));
      const p1 = await berth.s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'mpu.bin', UploadId, PartNumber: 1, Body: part1 }));
      const listed = await berth.s3.send(new ListPartsCommand({ Bucket: 'objects', Key: 'mpu.bin', UploadId }));
      assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 5 * MIB], [2, MIB + 3]]);
      const done = await berth.s3.send(new CompleteMultipartUploadCommand({
        Bucket: 'objects', Key: 'mpu.bin', UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumCRC32: p1.ChecksumCRC32 }, { PartNumber: 2, ETag: p2.ETag, ChecksumCRC32: p2.ChecksumCRC32 }] },
      }));
      assert.match(done.ETag ?? '', /^"[0-9a-f]{32}-2"$/);
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'objects', Key: 'mpu.bin' }));
      assert.equal(got.ContentType, 'application/x-test');
      assert.equal(sha256(await got.Body!.transformToByteArray()), sha256(Buffer.concat([part1, part2])));
      await assert.rejects(berth.s3.send(new ListPartsCommand({ Bucket: 'objects', Key: 'mpu.bin', UploadId })), s3Error('NoSuchUpload', 404));
    });

    it('a part under 5 MiB that is not the last is EntityTooSmall; an aborted upload is gone', async () => {
      const { UploadId } = await berth.s3.send(new CreateMultipartUploadCommand({ Bucket: 'objects', Key: 'small-parts' }));
      const a = await berth.s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'small-parts', UploadId, PartNumber: 1, Body: 'a' }));
      const b = await berth.s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'small-parts', UploadId, PartNumber: 2, Body: 'b' }));
      await assert.rejects(berth.s3.send(new CompleteMultipartUploadCommand({
        Bucket: 'objects', Key: 'small-parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] },
      })), s3Error('EntityTooSmall', 400));
      await berth.s3.send(new AbortMultipartUploadCommand({ Bucket: 'objects', Key: 'small-parts', UploadId }));
      await assert.rejects(berth.s3.send(new UploadPartCommand({ Bucket: 'objects', Key: 'small-parts', UploadId, PartNumber: 3, Body: 'c' })), s3Error('NoSuchUpload', 404));
    });
  });

  describe('the wire', () => {
    /** A raw request signed (in scope only: Berth does not check signatures) for S3. */
    const raw = (method: string, path: string, headers: Record<string, string> = {}) => new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const url = new URL(berth.endpoint);
      const req = http.request({
        host: url.hostname, port: url.port, method, path,
        headers: {
          authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00',
          'x-amz-date': '20260101T000000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers,
        },
      }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject).end();
    });

    it('errors are <Error><Code/><Message/>…<RequestId/></Error> with x-amz-request-id', async () => {
      const res = await raw('GET', '/objects/missing-key');
      assert.equal(res.status, 404);
      assert.match(res.body, /^<\?xml[^>]*><Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist\.<\/Message><Key>missing-key<\/Key><RequestId>[^<]+<\/RequestId><\/Error>$/);
      assert.ok(res.headers['x-amz-request-id']);
    });

    it('virtual-hosted-style requests (bucket.s3.localhost) reach the same bucket', async () => {
      await berth.s3.send(new PutObjectCommand({ Bucket: 'objects', Key: 'vhost.txt', Body: 'by host' }));
      const res = await raw('GET', '/vhost.txt', { host: 'objects.s3.localhost:4566' });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'by host');
    });

    it('a presigned-style URL (the credential scope in the query) is routed to S3', async () => {
      const q = new URLSearchParams({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': 'test/20260101/us-east-1/s3/aws4_request', 'X-Amz-Signature': '00' });
      const res = await fetch(`${berth.endpoint}/objects/vhost.txt?${q}`);
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'by host');
    });
  });

  describe('reset and snapshots', () => {
    it('a snapshot carries buckets and object bodies; a reset of berth.s3 empties it; loading brings them back', async () => {
      const body = randomBytes(2 * MIB);
      await berth.s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await berth.s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'data.bin', Body: body, Metadata: { v: '1' } }));
      const saved = await fetch(`${berth.endpoint}/_berth/state`);
      assert.equal(saved.status, 200);
      const archive = Buffer.from(await saved.arrayBuffer());
      const reset = await fetch(`${berth.endpoint}/_berth/reset?service=s3`, { method: 'POST' });
      assert.deepEqual(((await reset.json()) as { reset: string[] }).reset, ['s3']);
      await assert.rejects(berth.s3.send(new HeadBucketCommand({ Bucket: 'kept' })), s3Error('NotFound', 404));
      const loaded = await fetch(`${berth.endpoint}/_berth/state`, { method: 'POST', body: archive });
      assert.equal(loaded.status, 200, await loaded.clone().text());
      const got = await berth.s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'data.bin' }));
      assert.deepEqual(got.Metadata, { v: '1' });
      assert.equal(sha256(await got.Body!.transformToByteArray()), sha256(body));
    });
  });
});
