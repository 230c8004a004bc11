/**
 * Issue 23, first slice: with `--enforce-iam` Berth verifies SigV4 signatures
 * against the secrets it holds (root keys sign with `test`, IAM users' and STS
 * sessions' keys with the secrets Berth issued) and refuses in each client's
 * protocol; IAM users' access keys work and GetCallerIdentity names them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import {
  AssumeRoleCommand, GetCallerIdentityCommand, STSClient,
} from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, PutUserPolicyCommand,
  GetAccessKeyLastUsedCommand, GetUserCommand, IAMClient, ListAccessKeysCommand, ListUsersCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { ACCOUNT_TRUST } from './fixtures.js';

const WRONG = { accessKeyId: 'test', secretAccessKey: 'not-the-secret' };
const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const bytes = (d: SourceData) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));

/** The hash SignatureV4 asks for, from node:crypto. */
class Sha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: SourceData) {
    this.h.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('SigV4 verification with --enforce-iam', () => {
  let app: App;
  let clock: ManualClock;
  const clients: { destroy(): void }[] = [];
  const client = <T extends { destroy(): void }>(C: new (c: any) => T, creds?: Creds, extra: Record<string, unknown> = {}): T => {
    const c = new C({ ...clientConfig(app.endpoint, 'us-east-1', creds as never), ...extra });
    clients.push(c);
    return c;
  };

  before(async () => {
    clock = new ManualClock(Date.now());
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake', enforceIam: true }), { clock, log: createLogger('error') });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await app.stop();
  });

  it('the test credentials are the account root and are verified', async () => {
    const me = await client(STSClient).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, 'arn:aws:iam::000000000000:root');
    const other = await client(STSClient, { accessKeyId: '111111111111', secretAccessKey: 'test' }).send(new GetCallerIdentityCommand({}));
    assert.equal(other.Arn, 'arn:aws:iam::111111111111:root');
  });

  it('a wrong secret key gets SignatureDoesNotMatch (query) and InvalidSignatureException (JSON) from the SDK v3', async () => {
    const err = await client(STSClient, WRONG).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(err.name, 'SignatureDoesNotMatch');
    assert.equal(err.message, MISMATCH);
    assert.equal(err.$metadata.httpStatusCode, 403);
    const ecs = await client(ECSClient, WRONG).send(new ListClustersCommand({})).catch((e) => e);
    assert.equal(ecs.name, 'InvalidSignatureException');
    assert.equal(ecs.$metadata.httpStatusCode, 403);
  });

  it('a key Berth never issued gets InvalidClientTokenId', async () => {
    const err = await client(STSClient, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(err.name, 'InvalidClientTokenId');
    assert.equal(err.message, 'The security token included in the request is invalid.');
    assert.equal(err.$metadata.httpStatusCode, 403);
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`${CLIS[cli].name}: a wrong secret gets SignatureDoesNotMatch, the right one works`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} not installed` }, async () => {
      const bad = await aws(cli, app.endpoint, ['sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'wrong' });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation( \(reached max retries: \d+\))?: The request signature we calculated/);
      const ecs = await aws(cli, app.endpoint, ['ecs', 'list-clusters'], { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'wrong' });
      assert.match(ecs.stderr, /InvalidSignatureException/);
      const good = await aws(cli, app.endpoint, ['ecs', 'list-clusters']);
      assert.equal(good.code, 0, good.stderr);
      assert.deepEqual(good.json.clusterArns, []);
    });
  }

  it('a created user\'s access key works, GetCallerIdentity and GetUser name the user, and its last use is recorded', async () => {
    const iam = client(IAMClient);
    const { User } = await iam.send(new CreateUserCommand({ UserName: 'ci-bot', Path: '/ci/' }));
    assert.equal(User!.Arn, 'arn:aws:iam::000000000000:user/ci/ci-bot');
    assert.match(User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ci-bot' }));
    assert.match(AccessKey!.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(AccessKey!.SecretAccessKey!.length, 40);
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    // Policies are evaluated too: the user may read itself and its keys (a self-service policy).
    await iam.send(new PutUserPolicyCommand({
      UserName: 'ci-bot', PolicyName: 'self',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: 'arn:aws:iam::*:user/ci/${aws:username}' }] }),
    }));

    const me = await client(STSClient, creds).send(new GetCallerIdentityCommand({}));
    assert.deepEqual({ Arn: me.Arn, UserId: me.UserId, Account: me.Account }, { Arn: User!.Arn, UserId: User!.UserId, Account: '000000000000' });
    const asUser = client(IAMClient, creds);
    assert.equal((await asUser.send(new GetUserCommand({}))).User!.UserName, 'ci-bot');
    const wrong = await client(STSClient, { ...creds, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(wrong.name, 'SignatureDoesNotMatch');

    // Its use is recorded at most once a minute (IAM's own report lags): here its first, GetCallerIdentity through STS.
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: creds.accessKeyId }));
    assert.equal(used.UserName, 'ci-bot');
    assert.equal(used.AccessKeyLastUsed!.ServiceName, 'sts');
    assert.equal(used.AccessKeyLastUsed!.Region, 'us-east-1');
    assert.ok(used.AccessKeyLastUsed!.LastUsedDate instanceof Date);

    const listed = await asUser.send(new ListAccessKeysCommand({}));
    assert.deepEqual(listed.AccessKeyMetadata!.map((k) => [k.UserName, k.AccessKeyId, k.Status]), [['ci-bot', creds.accessKeyId, 'Active']]);
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName), ['ci-bot']);

    await iam.send(new UpdateAccessKeyCommand({ UserName: 'ci-bot', AccessKeyId: creds.accessKeyId, Status: 'Inactive' }));
    const inactive = await client(STSClient, creds).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(inactive.name, 'InvalidClientTokenId');

    const conflict = await iam.send(new DeleteUserCommand({ UserName: 'ci-bot' })).catch((e) => e);
    assert.equal(conflict.name, 'DeleteConflictException');
    assert.equal(conflict.message, 'Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'ci-bot', AccessKeyId: creds.accessKeyId }));
    const withPolicy = await iam.send(new DeleteUserCommand({ UserName: 'ci-bot' })).catch((e) => e);
    assert.equal(withPolicy.message, 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'ci-bot', PolicyName: 'self' }));
    await iam.send(new DeleteUserCommand({ UserName: 'ci-bot' }));
    const gone = await iam.send(new GetUserCommand({ UserName: 'ci-bot' })).catch((e) => e);
    assert.equal(gone.name, 'NoSuchEntityException');
  });

  it('an assumed role\'s session signs with its secret and token; a wrong token is InvalidClientTokenId', async () => {
    await client(IAMClient).send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: ACCOUNT_TRUST }));
    const { Credentials } = await client(STSClient).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/deployer', RoleSessionName: 'ci' }));
    const creds = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const me = await client(STSClient, creds).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, 'arn:aws:sts::000000000000:assumed-role/deployer/ci');
    const badToken = await client(STSClient, { ...creds, sessionToken: 'bogus' }).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(badToken.name, 'InvalidClientTokenId');
    const badSecret = await client(STSClient, { ...creds, secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(badSecret.name, 'SignatureDoesNotMatch');
  });

  describe('S3', () => {
    const pathStyle = { forcePathStyle: true };
    before(async () => {
      await client(S3Client, undefined, pathStyle).send(new CreateBucketCommand({ Bucket: 'signed' }));
    });

    it('signed PUT and GET work; a wrong secret is S3\'s SignatureDoesNotMatch, an unknown key InvalidAccessKeyId', async () => {
      const s3 = client(S3Client, undefined, pathStyle);
      await s3.send(new PutObjectCommand({ Bucket: 'signed', Key: 'a b/c.txt', Body: 'hello' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'signed', Key: 'a b/c.txt' }));
      assert.equal(await got.Body!.transformToString(), 'hello');
      const wrong = await client(S3Client, WRONG, pathStyle).send(new GetObjectCommand({ Bucket: 'signed', Key: 'a b/c.txt' })).catch((e) => e);
      assert.equal(wrong.name, 'SignatureDoesNotMatch');
      assert.equal(wrong.$metadata.httpStatusCode, 403);
      const unknown = await client(S3Client, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' }, pathStyle)
        .send(new GetObjectCommand({ Bucket: 'signed', Key: 'a b/c.txt' })).catch((e) => e);
      assert.equal(unknown.name, 'InvalidAccessKeyId');
      assert.equal(unknown.$metadata.httpStatusCode, 403);
    });

    const signer = (secret: string) => new SignatureV4({
      credentials: { accessKeyId: 'test', secretAccessKey: secret }, region: 'us-east-1', service: 's3', sha256: Sha256,
      uriEscapePath: false, applyChecksum: false,
    });
    const url = new URL('http://x');
    const request = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) => {
      url.href = app.endpoint;
      return { method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query: {}, headers: { host: url.host, ...headers }, body } as HttpRequest;
    };

    it('a presigned GET (UNSIGNED-PAYLOAD) works; a tampered one is SignatureDoesNotMatch, an expired one AccessDenied', async () => {
      await client(S3Client, undefined, pathStyle).send(new PutObjectCommand({ Bucket: 'signed', Key: 'presigned.txt', Body: 'shared' }));
      const presign = async (secret: string, expiresIn = 60) => {
        // As @aws-sdk/s3-request-presigner does: the payload is UNSIGNED-PAYLOAD, and that header stays out of the URL.
        const unsigned = new Set(['x-amz-content-sha256']);
        const signed = await signer(secret).presign(request('GET', '/signed/presigned.txt', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }), {
          expiresIn, signingDate: new Date(clock.now()), unsignableHeaders: unsigned, unhoistableHeaders: unsigned,
        });
        return `${app.endpoint}${signed.path}?${new URLSearchParams(signed.query as Record<string, string>)}`;
      };
      const ok = await fetch(await presign('test'));
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'shared');
      const bad = await fetch(await presign('wrong'));
      assert.equal(bad.status, 403);
      assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      const short = await presign('test', 1);
      clock.advance(2000);
      const expired = await fetch(short);
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    });

    it('a chunk-signed upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) is verified: its seed and each chunk signature', async () => {
      const data = Buffer.from('chunked body '.repeat(100));
      const put = async (secret: string, sent = data) => {
        const headers = {
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(data.length),
        };
        const req = request('PUT', '/signed/chunked.txt', headers);
        const now = new Date(clock.now());
        const signed = (await signer(secret).sign(req, { signingDate: now })) as HttpRequest;
        const seed = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization)![1];
        const amzDate = signed.headers['x-amz-date'];
        const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
        const key = [amzDate.slice(0, 8), 'us-east-1', 's3', 'aws4_request'].reduce<Buffer | string>((k, d) => createHmac('sha256', k).update(d).digest(), `AWS4${secret}`);
        const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
        let prev = seed;
        const frames: Buffer[] = [];
        for (const chunk of [data, Buffer.alloc(0)]) {
          const sig = createHmac('sha256', key).update(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, prev, hex(''), hex(chunk)].join('\n')).digest('hex');
          // `sent` replaces the signed bytes (same length): a body changed after signing.
          frames.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${sig}\r\n`), chunk.length ? sent : chunk, Buffer.from('\r\n'));
          prev = sig;
        }
        const body = Buffer.concat(frames);
        return fetch(`${app.endpoint}/signed/chunked.txt`, { method: 'PUT', headers: { ...signed.headers, 'content-length': String(body.length) }, body });
      };
      const ok = await put('test');
      assert.equal(ok.status, 200, await ok.text());
      const got = await client(S3Client, undefined, pathStyle).send(new GetObjectCommand({ Bucket: 'signed', Key: 'chunked.txt' }));
      assert.equal(await got.Body!.transformToString(), data.toString());
      const bad = await put('wrong');
      assert.equal(bad.status, 403);
      assert.match(await bad.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      const changed = await put('test', Buffer.from(data.toString().toUpperCase()));
      assert.equal(changed.status, 403);
      assert.match(await changed.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      const still = await client(S3Client, undefined, pathStyle).send(new GetObjectCommand({ Bucket: 'signed', Key: 'chunked.txt' }));
      assert.equal(await still.Body!.transformToString(), data.toString(), 'the refused upload replaced nothing');
    });
  });

  // Last: these move Berth's clock past the session and then out of the signing window.
  it('an expired session token gets ExpiredToken, and a request dated 16 minutes ago is refused as expired', async () => {
    const { Credentials } = await client(STSClient).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/deployer', RoleSessionName: 'short', DurationSeconds: 900 }));
    const session = client(STSClient, { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
    clock.advance(901_000);
    const err = await session.send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(err.name, 'ExpiredToken');
    assert.equal(err.message, 'The security token included in the request is expired');
    assert.equal(err.$metadata.httpStatusCode, 403);

    clock.advance(60_000);
    // A fresh client (the SDK corrects its clock from a skew error's Date header and retries).
    const stale = await client(STSClient, undefined, { maxAttempts: 1 }).send(new GetCallerIdentityCommand({})).catch((e) => e);
    assert.equal(stale.name, 'SignatureDoesNotMatch');
    assert.match(stale.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });
});
