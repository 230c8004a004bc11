import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { children, oid, readNode, readOid, time, unsignedInteger } from './der.js';
import { buildCertificate, inspect, pemBlocks } from './x509.js';

describe('DER and X.509 for ACM', () => {
  it('INTEGERs stay positive and OIDs round-trip', () => {
    assert.deepEqual(unsignedInteger(Buffer.from([0x80])), Buffer.from([0x02, 0x02, 0x00, 0x80]));
    assert.deepEqual(unsignedInteger(2), Buffer.from([0x02, 0x01, 0x02]));
    assert.equal(readOid(readNode(oid('1.2.840.113549.1.1.11')).content), '1.2.840.113549.1.1.11');
  });

  it('times are UTCTime through 2049 and GeneralizedTime from 2050 (RFC 5280)', () => {
    assert.equal(time(new Date('2049-12-31T23:59:59Z')).toString('latin1', 2), '491231235959Z');
    assert.equal(time(new Date('2050-01-01T00:00:00Z')).toString('latin1', 2), '20500101000000Z');
  });

  it('a self-signed EC certificate with SANs parses in OpenSSL and reads back as ACM reports it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const name: [string, string][] = [['C', 'DE'], ['O', 'Acme'], ['CN', 'acme.test']];
    const pem = buildCertificate({
      subject: name, issuer: name, publicKey, signingKey: privateKey, issuerPublicKey: publicKey,
      notBefore: new Date('2030-01-01T00:00:00Z'), notAfter: new Date('2060-01-01T00:00:00Z'), dnsNames: ['acme.test', '*.acme.test'],
    });
    assert.equal(pemBlocks(`junk\n${pem}\n${pem}`).length, 2);
    const x509 = new X509Certificate(pem);
    assert.ok(x509.verify(publicKey));
    assert.equal(x509.checkHost('www.acme.test'), '*.acme.test');
    assert.equal(children(readNode(x509.raw)).length, 3);
    const facts = inspect(x509);
    assert.deepEqual(facts.subjectAlternativeNames, ['acme.test', '*.acme.test']);
    assert.equal(facts.domainName, 'acme.test');
    assert.equal(facts.subject, 'C=DE,O=Acme,CN=acme.test');
    assert.equal(facts.issuer, 'Acme');
    assert.equal(facts.keyAlgorithm, 'EC_secp384r1');
    assert.equal(facts.signatureAlgorithm, 'SHA384WITHECDSA');
    assert.deepEqual(facts.keyUsages, ['DIGITAL_SIGNATURE']);
    assert.equal(facts.notBefore.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(facts.notAfter.toISOString(), '2060-01-01T00:00:00.000Z');
    assert.match(facts.serial, /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
  });

  it('a CA certificate says so and signs with its key usage bits', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const name: [string, string][] = [['CN', 'Root']];
    const pem = buildCertificate({
      subject: name, issuer: name, publicKey, signingKey: privateKey, issuerPublicKey: publicKey,
      notBefore: new Date(), notAfter: new Date(Date.now() + 86400_000), ca: true,
    });
    const x509 = new X509Certificate(pem);
    assert.ok(x509.ca);
    assert.deepEqual(inspect(x509).keyUsages, ['DIGITAL_SIGNATURE', 'CERTIFICATE_SIGNING', 'CRL_SIGNING']);
    assert.equal(inspect(x509).signatureAlgorithm, 'SHA256WITHRSA');
  });
});
