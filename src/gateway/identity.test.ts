import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config/index.js';
import { credentialScope } from '../protocol/sigv4.js';
import { identify } from './identity.js';

describe('identity from the SigV4 scope', () => {
  const config = resolveConfig({ accessKeys: { AKIAEXAMPLE: '222222222222' } });
  const auth = (key: string, region: string, service: string) =>
    `AWS4-HMAC-SHA256 Credential=${key}/20261127/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

  it('reads access key, region and service from the Authorization header', () => {
    assert.deepEqual(credentialScope(auth('test', 'eu-west-1', 'ecs')), { accessKeyId: 'test', region: 'eu-west-1', service: 'ecs' });
  });

  it('reads the scope of a presigned query string', () => {
    const q = new URLSearchParams({ 'X-Amz-Credential': 'test/20261127/us-west-2/sts/aws4_request' });
    assert.deepEqual(credentialScope(undefined, q), { accessKeyId: 'test', region: 'us-west-2', service: 'sts' });
  });

  it('maps an unknown key to the default account, a 12-digit key to itself, a configured key to its account', () => {
    assert.equal(identify(config, credentialScope(auth('test', 'us-east-1', 'ecs'))).account, '000000000000');
    assert.equal(identify(config, credentialScope(auth('123456789012', 'us-east-1', 'ecs'))).account, '123456789012');
    assert.equal(identify(config, credentialScope(auth('AKIAEXAMPLE', 'us-east-1', 'ecs'))).account, '222222222222');
  });

  it('falls back to the default region when the scope has none', () => {
    const id = identify(config, undefined);
    assert.equal(id.region, 'us-east-1');
    assert.equal(id.principalArn, 'arn:aws:iam::000000000000:root');
  });
});
