import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildCertificate } from '../services/acm/x509.js';
import { TlsContexts } from './tls.js';

function material(arn: string, names: string[]) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name: [string, string][] = [['CN', names[0]]];
  const certificate = buildCertificate({
    subject: name, issuer: name, publicKey, signingKey: privateKey, issuerPublicKey: publicKey,
    notBefore: new Date(), notAfter: new Date(Date.now() + 86400_000), dnsNames: names,
  });
  return { arn, certificate, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, chain: null, names, version: 1 };
}

describe('listener TLS contexts', () => {
  const certs = [material('default', ['shop.test']), material('wild', ['*.api.test']), material('exact', ['v1.api.test'])];
  const contexts = new TlsContexts({ policy: 'ELBSecurityPolicy-2016-08', certificates: certs, key: 'k' }, () => assert.fail('no errors'));

  const served = (name: string | undefined) => contexts.optionsAt(contexts.select(name)).cert;

  it('an exact name wins over a wildcard that also covers it', () => {
    assert.equal(served('v1.api.test'), certs[2].certificate);
    assert.equal(served('v2.api.test'), certs[1].certificate);
    assert.equal(served('V1.API.TEST'), certs[2].certificate);
    assert.equal(served('shop.test'), certs[0].certificate);
  });

  it('a wildcard covers one label only; no match or no SNI means the default certificate', () => {
    assert.equal(served('x.api.test'), certs[1].certificate);
    for (const name of ['a.b.api.test', 'api.test', undefined]) assert.equal(served(name), certs[0].certificate, String(name));
  });

  it('the server options carry the default certificate and the policy\'s protocols', () => {
    assert.equal(contexts.options.cert, certs[0].certificate);
    assert.equal(contexts.options.minVersion, 'TLSv1');
    assert.match(String(contexts.options.ciphers), /^ECDHE-ECDSA-AES128-GCM-SHA256:/);
  });
});
