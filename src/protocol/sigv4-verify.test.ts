/** SigV4 verification against the signatures the SDK's own signer (@smithy/signature-v4) makes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, SourceData } from '@smithy/types';
import { signatureParts, verifySignature, type SignedRequest } from './sigv4-verify.js';

const bytes = (d: SourceData) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));
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

const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);
const signer = (service: string, s3 = false) => new SignatureV4({
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, region: 'eu-west-1', service, sha256: Sha256,
  uriEscapePath: !s3, applyChecksum: false,
});

/** What Berth's listener sees of a signed request: the path and query as they go on the wire. */
function received(signed: HttpRequest, s3: boolean, body = ''): { req: SignedRequest; query: URLSearchParams } {
  const rawQuery = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x ?? '')}`)).join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  return {
    req: { method: signed.method, rawPath: signed.path, rawQuery, headers, s3, bodyHash: () => createHash('sha256').update(body).digest('hex') },
    query: new URLSearchParams(rawQuery),
  };
}

const request = (method: string, path: string, query: Record<string, string> = {}, body?: string): HttpRequest => ({
  method, protocol: 'http:', hostname: '127.0.0.1', port: 4566, path, query, body,
  headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.1' },
});

function check(signed: HttpRequest, s3: boolean, secret: string, body = '') {
  const { req, query } = received(signed, s3, body);
  const parts = signatureParts(req, query);
  assert.ok(parts && !('malformed' in parts));
  return verifySignature(req, parts, secret, NOW);
}

describe('SigV4 verification', () => {
  it('accepts a header-signed JSON request with a body and refuses it with another secret', async () => {
    const body = '{"cluster":"a b"}';
    const signed = await signer('ecs').sign(request('POST', '/', {}, body), { signingDate: new Date(NOW) });
    assert.equal(check(signed, false, 'secret', body), undefined);
    assert.equal(check(signed, false, 'other', body)?.kind, 'mismatch');
    assert.equal(check(signed, false, 'secret', body + ' ')?.kind, 'mismatch');
  });

  it('refuses a body other than the one a signed x-amz-content-sha256 states', async () => {
    const req = request('POST', '/', {}, '{}');
    req.headers['x-amz-content-sha256'] = createHash('sha256').update('{}').digest('hex');
    const signed = await signer('ecs').sign(req, { signingDate: new Date(NOW) });
    assert.equal(check(signed, false, 'secret', '{}'), undefined);
    assert.equal(check(signed, false, 'secret', '{"x":1}')?.kind, 'mismatch');
  });

  it('accepts a REST path with encoded labels (signed encoded twice) and a query with spaces and symbols', async () => {
    // The SDK encodes path labels before signing; the signer encodes the path once more.
    const signed = await signer('eks').sign(request('GET', '/clusters/my%3Acluster%20name/node-groups', { maxResults: '5', nextToken: 'a+b/c= d*' }), { signingDate: new Date(NOW) });
    assert.equal(check(signed, false, 'secret'), undefined);
  });

  it('accepts an S3 request signed over its path as sent, with UNSIGNED-PAYLOAD', async () => {
    const req = request('GET', '/bucket/a%20b/c~d.txt', { 'list-type': '2', prefix: 'x y' });
    req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const signed = await signer('s3', true).sign(req, { signingDate: new Date(NOW) });
    assert.equal(check(signed, true, 'secret'), undefined);
  });

  it('refuses a request dated outside the 15-minute window, either side', async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const signed = await signer('sts').sign(request('POST', '/'), { signingDate: new Date(NOW + offset) });
      assert.equal(check(signed, false, 'secret')?.kind, 'skewed');
    }
    const close = await signer('sts').sign(request('POST', '/'), { signingDate: new Date(NOW - 14 * 60_000) });
    assert.equal(check(close, false, 'secret'), undefined);
  });

  it('accepts a presigned S3 URL until it expires', async () => {
    const req = request('GET', '/bucket/key');
    req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const unsigned = new Set(['x-amz-content-sha256']);
    const signed = await signer('s3', true).presign(req, { expiresIn: 300, signingDate: new Date(NOW - 200_000), unsignableHeaders: unsigned, unhoistableHeaders: unsigned });
    delete signed.headers['x-amz-content-sha256'];
    assert.equal(check(signed, true, 'secret'), undefined);
    const { req: r, query } = received(signed, true);
    const parts = signatureParts(r, query);
    assert.ok(parts && !('malformed' in parts));
    assert.equal(verifySignature(r, parts, 'secret', NOW + 200_000)?.kind, 'presign-expired');
  });
});
