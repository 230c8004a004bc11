/**
 * S3 through both AWS CLIs on this machine (awscli v2 from Debian, awscli v1
 * with a current botocore, which sends flexible checksums): `aws s3` (mb, cp
 * up and down — multipart above 8 MiB — ls, presign, rm, rb) and `aws s3api`,
 * with digests checked and errors as the CLIs print them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBerth } from '../../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

const MIB = 1024 * 1024;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('S3 through the AWS CLIs', () => {
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
  });
  const berth = useBerth();
  let dir: string;
  let big: Buffer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-s3-cli-'));
    writeFileSync(join(dir, 'small.txt'), 'hello from the cli\n');
    // Above the CLIs' 8 MiB multipart threshold: uploaded in parts, downloaded in ranges.
    big = randomBytes(12 * MIB + 321);
    writeFileSync(join(dir, 'big.bin'), big);
    writeFileSync(join(dir, 'app.env'), 'A=1\n');
  });

  for (const cli of Object.keys(CLIS) as CliName[]) {
    describe(CLIS[cli].name, { skip: !cliAvailable(cli) && 'not installed' }, () => {
      const bucket = `cli-${cli}`;
      const run = async (args: string[], expectCode = 0) => {
        const r = await aws(cli, berth.endpoint, args);
        assert.equal(r.code, expectCode, `aws ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
        return r;
      };

      it('s3 mb, cp (small and multipart), ls and cp back round-trip the bytes', async () => {
        await run(['s3', 'mb', `s3://${bucket}`]);
        await run(['s3', 'cp', join(dir, 'small.txt'), `s3://${bucket}/docs/small.txt`]);
        await run(['s3', 'cp', join(dir, 'big.bin'), `s3://${bucket}/big.bin`]);
        const root = await run(['s3', 'ls', `s3://${bucket}`]);
        assert.match(root.stdout, /PRE docs\//);
        assert.match(root.stdout, new RegExp(`\\s${big.length} big\\.bin`));
        const docs = await run(['s3', 'ls', `s3://${bucket}/docs/`]);
        assert.match(docs.stdout, /\s19 small\.txt/);
        assert.match((await run(['s3', 'ls'])).stdout, new RegExp(` ${bucket}\\n`));
        const back = join(dir, `big-${cli}.bin`);
        await run(['s3', 'cp', `s3://${bucket}/big.bin`, back]);
        assert.equal(sha256(readFileSync(back)), sha256(big));
      });

      it('s3api head-object, get-object and put-object speak the object\'s metadata', async () => {
        await run(['s3api', 'put-object', '--bucket', bucket, '--key', 'meta.env', '--body', join(dir, 'app.env'),
          '--content-type', 'text/plain', '--metadata', 'team=platform']);
        const head = await run(['s3api', 'head-object', '--bucket', bucket, '--key', 'meta.env']);
        assert.equal(head.json.ContentLength, 4);
        assert.equal(head.json.ContentType, 'text/plain');
        assert.deepEqual(head.json.Metadata, { team: 'platform' });
        assert.equal(head.json.ETag, `"${createHash('md5').update('A=1\n').digest('hex')}"`);
        const out = join(dir, `meta-${cli}.env`);
        const got = await run(['s3api', 'get-object', '--bucket', bucket, '--key', 'meta.env', '--range', 'bytes=0-1', out]);
        assert.equal(got.json.ContentRange, 'bytes 0-1/4');
        assert.equal(readFileSync(out, 'utf8'), 'A=');
        const listed = await run(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'docs/']);
        assert.deepEqual(listed.json.Contents.map((c: { Key: string }) => c.Key), ['docs/small.txt']);
      });

      it('a URL from s3 presign (SigV4 from v2, SigV2 from v1) fetches the object with no other credentials', async () => {
        const url = (await run(['s3', 'presign', `s3://${bucket}/meta.env`])).stdout.trim();
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), 'A=1\n');
      });

      it('s3api bucket configurations: tagging, encryption, public access block, policy; cp --no-sign-request under a public policy', async () => {
        await run(['s3api', 'put-bucket-tagging', '--bucket', bucket, '--tagging', 'TagSet=[{Key=team,Value=platform}]']);
        assert.deepEqual((await run(['s3api', 'get-bucket-tagging', '--bucket', bucket])).json.TagSet, [{ Key: 'team', Value: 'platform' }]);
        const enc = await run(['s3api', 'get-bucket-encryption', '--bucket', bucket]);
        assert.equal(enc.json.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
        const noPolicy = await run(['s3api', 'get-bucket-policy', '--bucket', bucket], cli === 'v2' ? 254 : 255);
        assert.match(noPolicy.stderr, /NoSuchBucketPolicy/);
        const policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/docs/*` }],
        });
        const blocked = await run(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', policy], cli === 'v2' ? 254 : 255);
        assert.match(blocked.stderr, /AccessDenied/);
        await run(['s3api', 'put-public-access-block', '--bucket', bucket, '--public-access-block-configuration',
          'BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false']);
        await run(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', policy]);
        assert.deepEqual(JSON.parse((await run(['s3api', 'get-bucket-policy', '--bucket', bucket])).json.Policy), JSON.parse(policy));
        const out = join(dir, `anon-${cli}.txt`);
        await run(['s3', 'cp', '--no-sign-request', `s3://${bucket}/docs/small.txt`, out]);
        assert.equal(readFileSync(out, 'utf8'), 'hello from the cli\n');
        const denied = await run(['s3', 'cp', '--no-sign-request', `s3://${bucket}/big.bin`, join(dir, 'denied')], 1);
        assert.match(denied.stderr, /403|Forbidden|AccessDenied/);
        await run(['s3api', 'delete-bucket-policy', '--bucket', bucket]);
      });

      it('errors come out with S3\'s codes: NoSuchKey, NoSuchBucket, BucketNotEmpty', async () => {
        const missing = await run(['s3api', 'get-object', '--bucket', bucket, '--key', 'nope', join(dir, 'nope')], cli === 'v2' ? 254 : 255);
        assert.match(missing.stderr, /NoSuchKey.*The specified key does not exist/);
        const noBucket = await run(['s3', 'ls', 's3://no-such-bucket-here'], cli === 'v2' ? 254 : 255);
        assert.match(noBucket.stderr, /NoSuchBucket/);
        const notEmpty = await run(['s3', 'rb', `s3://${bucket}`], 1);
        assert.match(notEmpty.stderr, /BucketNotEmpty/);
      });

      it('s3 cp between keys, rm --recursive and rb clean up', async () => {
        await run(['s3', 'cp', `s3://${bucket}/docs/small.txt`, `s3://${bucket}/copy.txt`]);
        assert.match((await run(['s3', 'ls', `s3://${bucket}/copy.txt`])).stdout, /\s19 copy\.txt/);
        await run(['s3', 'rm', '--recursive', `s3://${bucket}`]);
        await run(['s3', 'rb', `s3://${bucket}`]);
        assert.doesNotMatch((await run(['s3', 'ls'])).stdout, new RegExp(` ${bucket}\\n`));
      });
    });
  }
});
