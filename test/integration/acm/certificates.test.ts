/** ACM through the v3 SDK: importing, requesting, describing, listing, getting, tagging and deleting certificates. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import {
  ACMClient, AddTagsToCertificateCommand, DeleteCertificateCommand, DescribeCertificateCommand, GetCertificateCommand,
  ImportCertificateCommand, ListCertificatesCommand, type ListCertificatesCommandInput, ListTagsForCertificateCommand, RemoveTagsFromCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { buildCertificate } from '../../../src/services/acm/x509.js';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { eventually } from '../../helpers/elbv2.js';
import { rejectsNamed } from '../../helpers/aws-errors.js';

const DAY = 86400_000;

interface Pair {
  cert: string;
  key: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  name: [string, string][];
}

/** A certificate made here (RSA by default), self-signed unless an issuer is given. */
function makeCertificate(cn: string, opts: { sans?: string[]; ec?: boolean; issuer?: Pair; ca?: boolean; from?: number; to?: number } = {}): Pair {
  const { privateKey, publicKey } = opts.ec
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const name: [string, string][] = [['O', 'Test Org'], ['CN', cn]];
  const cert = buildCertificate({
    subject: name, issuer: opts.issuer?.name ?? name, publicKey, signingKey: opts.issuer?.privateKey ?? privateKey,
    issuerPublicKey: opts.issuer?.publicKey ?? publicKey, notBefore: new Date(opts.from ?? Date.now() - DAY),
    notAfter: new Date(opts.to ?? Date.now() + 30 * DAY), dnsNames: opts.sans, ca: opts.ca,
  });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, privateKey, publicKey, name };
}

const bytes = (s: string) => Buffer.from(s);

const rejectsWith = (p: Promise<unknown>, name: string, message?: string | RegExp) => rejectsNamed(p, name, message, 400);

describe('ACM certificates', () => {
  const berth = useBerth({ runtime: 'fake', clients: { acm: ACMClient } });
  const ca = makeCertificate('Test Root CA', { ca: true });
  const leaf = makeCertificate('shop.example.com', { sans: ['shop.example.com', 'www.shop.example.com'], issuer: ca });
  let importedArn: string;


  const describeCert = async (arn: string) => (await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;

  it('ImportCertificate stores a certificate with its chain and DescribeCertificate reports what the certificate says', async () => {
    const out = await berth.acm.send(new ImportCertificateCommand({
      Certificate: bytes(leaf.cert), PrivateKey: bytes(leaf.key), CertificateChain: bytes(ca.cert), Tags: [{ Key: 'team', Value: 'shop' }],
    }));
    assert.match(out.CertificateArn!, /^arn:aws:acm:us-east-1:000000000000:certificate\/[0-9a-f-]{36}$/);
    importedArn = out.CertificateArn!;
    const x509 = new X509Certificate(leaf.cert);
    const d = await describeCert(importedArn);
    assert.equal(d.Type, 'IMPORTED');
    assert.equal(d.Status, 'ISSUED');
    assert.equal(d.DomainName, 'shop.example.com');
    assert.deepEqual(d.SubjectAlternativeNames, ['shop.example.com', 'www.shop.example.com']);
    assert.equal(d.Subject, 'O=Test Org,CN=shop.example.com');
    assert.equal(d.Issuer, 'Test Org');
    assert.equal(d.KeyAlgorithm, 'RSA_2048');
    assert.equal(d.SignatureAlgorithm, 'SHA256WITHRSA');
    assert.equal(d.Serial!.replace(/:/g, '').toUpperCase().replace(/^0+/, ''), x509.serialNumber.replace(/^0+/, ''));
    assert.equal(d.NotBefore!.getTime(), Date.parse(x509.validFrom));
    assert.equal(d.NotAfter!.getTime(), Date.parse(x509.validTo));
    assert.ok(d.ImportedAt instanceof Date);
    assert.deepEqual(d.InUseBy, []);
    assert.deepEqual(d.KeyUsages!.map((k) => k.Name), ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT']);
    assert.deepEqual(d.ExtendedKeyUsages!.map((k) => k.Name), ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION']);
  });

  it('GetCertificate returns the imported certificate and its chain as PEM', async () => {
    const got = await berth.acm.send(new GetCertificateCommand({ CertificateArn: importedArn }));
    assert.equal(new X509Certificate(got.Certificate!).fingerprint256, new X509Certificate(leaf.cert).fingerprint256);
    assert.equal(new X509Certificate(got.CertificateChain!).fingerprint256, new X509Certificate(ca.cert).fingerprint256);
  });

  it('ImportCertificate refuses a private key that is not the certificate\'s', async () => {
    const other = makeCertificate('other.example.com');
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({ Certificate: bytes(leaf.cert), PrivateKey: bytes(other.key) })),
      'ValidationException', 'The private key does not match the public key in the certificate.');
  });

  it('ImportCertificate refuses text that is not a PEM certificate, two certificates, and an expired certificate', async () => {
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({ Certificate: bytes('not a certificate'), PrivateKey: bytes(leaf.key) })),
      'ValidationException', /Unable to parse certificate/);
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({ Certificate: bytes(leaf.cert + ca.cert), PrivateKey: bytes(leaf.key) })),
      'ValidationException', /more than one certificate/);
    const expired = makeCertificate('old.example.com', { from: Date.now() - 60 * DAY, to: Date.now() - DAY });
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({ Certificate: bytes(expired.cert), PrivateKey: bytes(expired.key) })),
      'ValidationException', /not valid at this time/);
  });

  it('ImportCertificate refuses a chain that did not sign the certificate', async () => {
    const stranger = makeCertificate('Another CA', { ca: true });
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({
      Certificate: bytes(leaf.cert), PrivateKey: bytes(leaf.key), CertificateChain: bytes(stranger.cert),
    })), 'ValidationException', 'Could not validate the certificate with the certificate chain.');
  });

  it('ImportCertificate with CertificateArn reimports in place: same ARN, new certificate', async () => {
    const renewed = makeCertificate('shop.example.com', { sans: ['shop.example.com'], ec: true });
    const out = await berth.acm.send(new ImportCertificateCommand({ CertificateArn: importedArn, Certificate: bytes(renewed.cert), PrivateKey: bytes(renewed.key) }));
    assert.equal(out.CertificateArn, importedArn);
    const d = await describeCert(importedArn);
    assert.equal(d.KeyAlgorithm, 'EC_prime256v1');
    assert.equal(d.SignatureAlgorithm, 'SHA256WITHECDSA');
    assert.deepEqual(d.SubjectAlternativeNames, ['shop.example.com']);
    const got = await berth.acm.send(new GetCertificateCommand({ CertificateArn: importedArn }));
    assert.equal(got.CertificateChain, undefined);
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({
      CertificateArn: importedArn, Certificate: bytes(renewed.cert), PrivateKey: bytes(renewed.key), Tags: [{ Key: 'a', Value: 'b' }],
    })), 'ValidationException', /Tags cannot be applied when reimporting/);
    await rejectsWith(berth.acm.send(new ImportCertificateCommand({
      CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000',
      Certificate: bytes(renewed.cert), PrivateKey: bytes(renewed.key),
    })), 'ResourceNotFoundException');
  });

  let requestedArn: string;
  it('RequestCertificate is PENDING_VALIDATION with the DNS records to create, then ISSUED by the local CA', async () => {
    const out = await berth.acm.send(new RequestCertificateCommand({
      DomainName: 'api.example.com', SubjectAlternativeNames: ['*.api.example.com'], ValidationMethod: 'DNS', Tags: [{ Key: 'env', Value: 'dev' }],
    }));
    requestedArn = out.CertificateArn!;
    const pending = await describeCert(requestedArn);
    assert.equal(pending.Type, 'AMAZON_ISSUED');
    assert.equal(pending.Status, 'PENDING_VALIDATION');
    assert.equal(pending.NotAfter, undefined);
    assert.deepEqual(pending.SubjectAlternativeNames, ['api.example.com', '*.api.example.com']);
    const options = pending.DomainValidationOptions!;
    assert.deepEqual(options.map((o) => [o.DomainName, o.ValidationMethod, o.ValidationStatus]), [
      ['api.example.com', 'DNS', 'PENDING_VALIDATION'], ['*.api.example.com', 'DNS', 'PENDING_VALIDATION'],
    ]);
    assert.equal(options[0].ResourceRecord!.Type, 'CNAME');
    assert.match(options[0].ResourceRecord!.Name!, /^_[0-9a-f]{32}\.api\.example\.com\.$/);
    assert.match(options[0].ResourceRecord!.Value!, /\.acm-validations\.aws\.$/);
    // A wildcard is validated by the same record as its base domain.
    assert.deepEqual(options[1].ResourceRecord, options[0].ResourceRecord);
    await rejectsWith(berth.acm.send(new GetCertificateCommand({ CertificateArn: requestedArn })), 'RequestInProgressException');

    const issued = await eventually(async () => {
      const d = await describeCert(requestedArn);
      return d.Status === 'ISSUED' && d;
    }, 10_000, 200);
    assert.deepEqual(issued.DomainValidationOptions!.map((o) => o.ValidationStatus), ['SUCCESS', 'SUCCESS']);
    assert.equal(issued.KeyAlgorithm, 'RSA_2048');
    assert.equal(issued.Subject, 'CN=api.example.com');
    assert.equal(issued.Issuer, 'Berth');
    assert.ok(issued.IssuedAt! >= issued.CreatedAt!);
    assert.ok(issued.NotAfter!.getTime() - issued.NotBefore!.getTime() >= 395 * DAY);

    const got = await berth.acm.send(new GetCertificateCommand({ CertificateArn: requestedArn }));
    const cert = new X509Certificate(got.Certificate!);
    const chain = new X509Certificate(got.CertificateChain!);
    assert.ok(cert.checkIssued(chain) && cert.verify(chain.publicKey), 'the chain is the CA that signed the certificate');
    assert.equal(cert.checkHost('api.example.com'), 'api.example.com');
    assert.equal(cert.checkHost('v2.api.example.com'), '*.api.example.com');
    assert.ok(chain.ca);
  });

  it('RequestCertificate with EMAIL validation names the addresses ACM would write to', async () => {
    const out = await berth.acm.send(new RequestCertificateCommand({ DomainName: 'mail.example.org', KeyAlgorithm: 'EC_prime256v1' }));
    const d = await describeCert(out.CertificateArn!);
    assert.equal(d.DomainValidationOptions![0].ValidationMethod, 'EMAIL');
    assert.deepEqual(d.DomainValidationOptions![0].ValidationEmails, [
      'admin@mail.example.org', 'administrator@mail.example.org', 'hostmaster@mail.example.org', 'postmaster@mail.example.org', 'webmaster@mail.example.org',
    ]);
    assert.equal(d.DomainValidationOptions![0].ResourceRecord, undefined);
    assert.equal(d.KeyAlgorithm, 'EC_prime256v1');
  });

  it('RequestCertificate with the same idempotency token returns the same certificate', async () => {
    const req = { DomainName: 'idem.example.com', ValidationMethod: 'DNS' as const, IdempotencyToken: 'token1' };
    const a = await berth.acm.send(new RequestCertificateCommand(req));
    const b = await berth.acm.send(new RequestCertificateCommand(req));
    assert.equal(a.CertificateArn, b.CertificateArn);
    const c = await berth.acm.send(new RequestCertificateCommand({ ...req, DomainName: 'idem2.example.com' }));
    assert.notEqual(c.CertificateArn, a.CertificateArn);
  });

  it('RequestCertificate refuses a domain name that is not one and a key algorithm ACM does not issue', async () => {
    await rejectsWith(berth.acm.send(new RequestCertificateCommand({ DomainName: 'not a domain' })), 'ValidationException',
      /Value 'not a domain' at 'domainName' failed to satisfy constraint/);
    await rejectsWith(berth.acm.send(new RequestCertificateCommand({ DomainName: 'x.example.com', KeyAlgorithm: 'RSA_4096' })), 'ValidationException');
  });

  it('ListCertificates filters by status and, as ACM does, lists only RSA certificates unless asked for other key types', async () => {
    const list = async (input: ListCertificatesCommandInput) =>
      (await berth.acm.send(new ListCertificatesCommand(input))).CertificateSummaryList!.map((s) => s.DomainName);
    const issued = (await berth.acm.send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED'] }))).CertificateSummaryList!;
    assert.ok(issued.some((s) => s.DomainName === 'api.example.com'));
    assert.ok(issued.every((s) => s.Status === 'ISSUED'));
    assert.ok(!(await list({ CertificateStatuses: ['PENDING_VALIDATION', 'FAILED'] })).includes('api.example.com'));
    const all = await list({});
    assert.ok(all.includes('idem.example.com') && all.includes('api.example.com'));
    assert.ok(!all.includes('mail.example.org') && !all.includes('shop.example.com'), 'EC certificates are left out by default');
    const ec = await list({ Includes: { keyTypes: ['EC_prime256v1'] } });
    assert.deepEqual(ec.sort(), ['mail.example.org', 'shop.example.com']);
    const summary = (await berth.acm.send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED'] }))).CertificateSummaryList![0];
    assert.equal(summary.CertificateArn, requestedArn);
    assert.equal(summary.Type, 'AMAZON_ISSUED');
    assert.equal(summary.InUse, false);
    assert.deepEqual(summary.SubjectAlternativeNameSummaries, ['api.example.com', '*.api.example.com']);
  });

  it('ListCertificates pages with MaxItems and NextToken', async () => {
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await berth.acm.send(new ListCertificatesCommand({ MaxItems: 1, NextToken, Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] } }));
      assert.ok(page.CertificateSummaryList!.length <= 1);
      seen.push(...page.CertificateSummaryList!.map((s) => s.CertificateArn!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, 5);
  });

  it('tags are added, listed and removed; aws: keys are refused', async () => {
    await berth.acm.send(new AddTagsToCertificateCommand({ CertificateArn: requestedArn, Tags: [{ Key: 'owner', Value: 'ops' }, { Key: 'flag' }] }));
    const tags = async () => (await berth.acm.send(new ListTagsForCertificateCommand({ CertificateArn: requestedArn }))).Tags;
    assert.deepEqual(await tags(), [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ops' }, { Key: 'flag' }]);
    // A tag given with a value is removed only when the value matches.
    await berth.acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn: requestedArn, Tags: [{ Key: 'owner', Value: 'nope' }, { Key: 'flag' }] }));
    assert.deepEqual(await tags(), [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ops' }]);
    await rejectsWith(berth.acm.send(new AddTagsToCertificateCommand({ CertificateArn: requestedArn, Tags: [{ Key: 'aws:x', Value: 'y' }] })), 'InvalidTagException');
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(berth.acm.send(new AddTagsToCertificateCommand({ CertificateArn: requestedArn, Tags: many })), 'TooManyTagsException');
  });

  it('DeleteCertificate removes a certificate; then it is not found', async () => {
    await berth.acm.send(new DeleteCertificateCommand({ CertificateArn: importedArn }));
    await rejectsWith(berth.acm.send(new DescribeCertificateCommand({ CertificateArn: importedArn })), 'ResourceNotFoundException',
      `Could not find certificate ${importedArn} in account 000000000000.`);
    await rejectsWith(berth.acm.send(new DeleteCertificateCommand({ CertificateArn: importedArn })), 'ResourceNotFoundException');
  });

  it('ARNs are checked: a malformed one is a ValidationException, a non-certificate ACM ARN an InvalidArnException', async () => {
    await rejectsWith(berth.acm.send(new DescribeCertificateCommand({ CertificateArn: 'not-an-arn' })), 'ValidationException', /at 'certificateArn'/);
    await rejectsWith(berth.acm.send(new DescribeCertificateCommand({
      CertificateArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x/1',
    })), 'ValidationException');
    await rejectsWith(berth.acm.send(new DescribeCertificateCommand({ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:thing/abc' })), 'InvalidArnException');
  });

  it('certificates belong to their region', async () => {
    const west = new ACMClient(clientConfig(berth.endpoint, 'us-west-2'));
    try {
      await rejectsWith(west.send(new DescribeCertificateCommand({ CertificateArn: requestedArn })), 'ResourceNotFoundException');
      assert.deepEqual((await west.send(new ListCertificatesCommand({}))).CertificateSummaryList, []);
    } finally {
      west.destroy();
    }
  });
});
