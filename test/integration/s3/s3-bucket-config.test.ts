/**
 * S3 bucket configurations through @aws-sdk/client-s3: policy, public access
 * block, ownership and ACL, versioning, tagging, lifecycle, CORS, default
 * encryption, website, accelerate, request payment, logging, notifications,
 * replication and object lock — S3's defaults for a new bucket, what was put
 * read back, S3's errors for what was never set — and unsigned requests,
 * path-style and virtual-hosted, served only where a public policy allows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  CreateBucketCommand, DeleteBucketCorsCommand, DeleteBucketEncryptionCommand, DeleteBucketPolicyCommand, DeleteBucketTaggingCommand,
  DeletePublicAccessBlockCommand, GetBucketAccelerateConfigurationCommand, GetBucketAclCommand, GetBucketCorsCommand,
  GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLoggingCommand, GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand, GetBucketPolicyCommand, GetBucketPolicyStatusCommand, GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand, GetBucketTaggingCommand, GetBucketVersioningCommand, GetBucketWebsiteCommand,
  GetObjectLockConfigurationCommand, GetPublicAccessBlockCommand, PutBucketAclCommand, PutBucketCorsCommand, PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand, PutBucketOwnershipControlsCommand, PutBucketPolicyCommand, PutBucketReplicationCommand,
  PutBucketTaggingCommand, PutBucketVersioningCommand, PutBucketWebsiteCommand, PutObjectCommand, PutPublicAccessBlockCommand,
  S3Client, type S3ServiceException,
} from '@aws-sdk/client-s3';
import { useBerth } from '../../helpers/use-berth.js';

const s3Error = (code: string, status: number, message?: RegExp) => (e: S3ServiceException) => {
  assert.equal(e.name, code, e.message);
  assert.equal(e.$metadata.httpStatusCode, status);
  if (message) assert.match(e.message, message);
  return true;
};

const publicRead = (bucket: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/public/*` }],
});

/** An unsigned request, with the Host header a virtual-hosted client sends. */
function unsigned(port: number, method: string, path: string, host?: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: host ? { host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('S3 bucket configurations', () => {
  const berth = useBerth({ clients: { s3: [S3Client, { forcePathStyle: true }] } });
  let n = 0;
  const newBucket = async () => {
    const Bucket = `config-${++n}`;
    await berth.s3.send(new CreateBucketCommand({ Bucket }));
    return Bucket;
  };

  it('a new bucket has S3\'s defaults: SSE-S3, every public access block on, ACLs disabled, owner-only ACL', async () => {
    const Bucket = await newBucket();
    const enc = await berth.s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.deepEqual(enc.ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }]);
    const pab = await berth.s3.send(new GetPublicAccessBlockCommand({ Bucket }));
    assert.deepEqual(pab.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const own = await berth.s3.send(new GetBucketOwnershipControlsCommand({ Bucket }));
    assert.equal(own.OwnershipControls?.Rules?.[0].ObjectOwnership, 'BucketOwnerEnforced');
    const acl = await berth.s3.send(new GetBucketAclCommand({ Bucket }));
    assert.equal(acl.Grants?.length, 1);
    assert.equal(acl.Grants?.[0].Permission, 'FULL_CONTROL');
    assert.equal(acl.Grants?.[0].Grantee?.ID, acl.Owner?.ID);
    assert.equal((await berth.s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, undefined);
    assert.equal((await berth.s3.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer, 'BucketOwner');
    assert.equal((await berth.s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))).Status, undefined);
    assert.equal((await berth.s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled, undefined);
    const notes = await berth.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket }));
    assert.equal(notes.TopicConfigurations, undefined);
  });

  it('what was never put is S3\'s 404 for it', async () => {
    const Bucket = await newBucket();
    const cases: [Promise<unknown>, string][] = [
      [berth.s3.send(new GetBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy'],
      [berth.s3.send(new GetBucketPolicyStatusCommand({ Bucket })), 'NoSuchBucketPolicy'],
      [berth.s3.send(new GetBucketTaggingCommand({ Bucket })), 'NoSuchTagSet'],
      [berth.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), 'NoSuchLifecycleConfiguration'],
      [berth.s3.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration'],
      [berth.s3.send(new GetBucketWebsiteCommand({ Bucket })), 'NoSuchWebsiteConfiguration'],
      [berth.s3.send(new GetBucketReplicationCommand({ Bucket })), 'ReplicationConfigurationNotFoundError'],
      [berth.s3.send(new GetObjectLockConfigurationCommand({ Bucket })), 'ObjectLockConfigurationNotFoundError'],
    ];
    for (const [call, code] of cases) await assert.rejects(call, s3Error(code, 404));
    await assert.rejects(berth.s3.send(new GetBucketTaggingCommand({ Bucket: 'nobody-has-this' })), s3Error('NoSuchBucket', 404));
  });

  it('tagging, versioning, lifecycle, CORS, encryption and website read back as put, and deletes restore the default', async () => {
    const Bucket = await newBucket();
    await berth.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'berth' }, { Key: 'env', Value: '' }] } }));
    assert.deepEqual((await berth.s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: 'team', Value: 'berth' }, { Key: 'env', Value: '' }]);
    await berth.s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    await assert.rejects(berth.s3.send(new GetBucketTaggingCommand({ Bucket })), s3Error('NoSuchTagSet', 404));

    await berth.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await berth.s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
    await berth.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await berth.s3.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Suspended');

    const rule = { ID: 'expire-logs', Status: 'Enabled' as const, Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } };
    const put = await berth.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [rule] } }));
    assert.equal(put.TransitionDefaultMinimumObjectSize, 'all_storage_classes_128K');
    const lc = await berth.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
    assert.deepEqual(lc.Rules, [rule]);

    const cors = { AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://example.com'], AllowedHeaders: ['*'], MaxAgeSeconds: 300 };
    await berth.s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [cors] } }));
    assert.deepEqual((await berth.s3.send(new GetBucketCorsCommand({ Bucket }))).CORSRules, [cors]);
    await berth.s3.send(new DeleteBucketCorsCommand({ Bucket }));
    await assert.rejects(berth.s3.send(new GetBucketCorsCommand({ Bucket })), s3Error('NoSuchCORSConfiguration', 404));

    const kms = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: 'alias/data' }, BucketKeyEnabled: true };
    await berth.s3.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [kms] } }));
    assert.deepEqual((await berth.s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration?.Rules, [kms]);
    await berth.s3.send(new DeleteBucketEncryptionCommand({ Bucket }));
    const back = await berth.s3.send(new GetBucketEncryptionCommand({ Bucket }));
    assert.equal(back.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');

    await berth.s3.send(new PutBucketWebsiteCommand({ Bucket, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'err.html' } } }));
    const site = await berth.s3.send(new GetBucketWebsiteCommand({ Bucket }));
    assert.equal(site.IndexDocument?.Suffix, 'index.html');
    assert.equal(site.ErrorDocument?.Key, 'err.html');
  });

  it('bad configurations get S3\'s errors', async () => {
    const Bucket = await newBucket();
    await assert.rejects(
      berth.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })),
      s3Error('InvalidTag', 400, /same key/),
    );
    await assert.rejects(
      berth.s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'aws:cloudformation:stack', Value: 'x' }] } })),
      s3Error('InvalidTag', 400, /System tags/),
    );
    await assert.rejects(
      berth.s3.send(new PutBucketLifecycleConfigurationCommand({
        Bucket, LifecycleConfiguration: { Rules: [{ ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }, { ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 2 } }] },
      })),
      s3Error('InvalidArgument', 400, /Rule ID must be unique/),
    );
    await assert.rejects(
      berth.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [{ ID: 'none', Status: 'Enabled', Filter: {} }] } })),
      s3Error('InvalidRequest', 400, /At least one action/),
    );
    await assert.rejects(
      berth.s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }] } })),
      s3Error('InvalidRequest', 400, /Unsupported method is PATCH/),
    );
    await assert.rejects(berth.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: 'not json' })), s3Error('MalformedPolicy', 400, /valid JSON/));
    const otherBucket = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::someone-else/*' }] });
    await assert.rejects(berth.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: otherBucket })), s3Error('MalformedPolicy', 400, /invalid resource/));
    await assert.rejects(berth.s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })), s3Error('AccessControlListNotSupported', 400));
    await berth.s3.send(new PutBucketAclCommand({ Bucket, ACL: 'private' }));
    await assert.rejects(
      berth.s3.send(new PutBucketReplicationCommand({
        Bucket, ReplicationConfiguration: { Role: 'arn:aws:iam::000000000000:role/r', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::x' } }] },
      })),
      s3Error('InvalidRequest', 400, /Versioning must be 'Enabled'/),
    );
  });

  it('a public policy is refused while BlockPublicPolicy is on, as on a new AWS bucket', async () => {
    const Bucket = await newBucket();
    await assert.rejects(berth.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicRead(Bucket) })), s3Error('AccessDenied', 403, /BlockPublicPolicy/));
    await berth.s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await assert.rejects(berth.s3.send(new GetPublicAccessBlockCommand({ Bucket })), s3Error('NoSuchPublicAccessBlockConfiguration', 404));
    await berth.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicRead(Bucket) }));
    assert.equal((await berth.s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy, publicRead(Bucket));
    assert.equal((await berth.s3.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic, true);
  });

  it('unsigned requests, path-style and virtual-hosted, are served only where a public policy allows them', async () => {
    const Bucket = await newBucket();
    await berth.s3.send(new PutObjectCommand({ Bucket, Key: 'public/hello.txt', Body: 'hello, anyone' }));
    await berth.s3.send(new PutObjectCommand({ Bucket, Key: 'private/secret.txt', Body: 'owner only' }));
    const denied = await unsigned(berth.port, 'GET', `/${Bucket}/public/hello.txt`);
    assert.equal(denied.status, 403);
    assert.match(denied.body, /<Code>AccessDenied<\/Code>/);

    await berth.s3.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await berth.s3.send(new PutBucketPolicyCommand({ Bucket, Policy: publicRead(Bucket) }));
    const pathStyle = await unsigned(berth.port, 'GET', `/${Bucket}/public/hello.txt`);
    assert.equal(pathStyle.status, 200);
    assert.equal(pathStyle.body, 'hello, anyone');
    const vhost = await unsigned(berth.port, 'GET', '/public/hello.txt', `${Bucket}.s3.localhost:${berth.port}`);
    assert.equal(vhost.status, 200);
    assert.equal(vhost.body, 'hello, anyone');
    // Only what the policy names: not the other prefix, not listing, not writing.
    for (const [method, path] of [['GET', `/${Bucket}/private/secret.txt`], ['GET', `/${Bucket}?list-type=2`], ['PUT', `/${Bucket}/public/new.txt`]]) {
      const r = await unsigned(berth.port, method, path, undefined, method === 'PUT' ? 'x' : undefined);
      assert.equal(r.status, 403, `${method} ${path}: ${r.body}`);
    }
    // RestrictPublicBuckets turns the public policy off for anonymous callers again.
    await berth.s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    assert.equal((await unsigned(berth.port, 'GET', `/${Bucket}/public/hello.txt`)).status, 403);
    await berth.s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    await assert.rejects(berth.s3.send(new GetBucketPolicyCommand({ Bucket })), s3Error('NoSuchBucketPolicy', 404));
  });

  it('ownership controls can be changed, after which ACLs other than private are kept', async () => {
    const Bucket = await newBucket();
    await berth.s3.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
    assert.equal((await berth.s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0].ObjectOwnership, 'BucketOwnerPreferred');
    await berth.s3.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' }));
  });
});
