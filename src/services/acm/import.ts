/**
 * ImportCertificate: a PEM certificate with its private key and optional
 * chain, checked as ACM checks them (one certificate, a supported key
 * algorithm, a key that matches, valid now, a chain that signs it), then
 * stored under a new ARN or, with CertificateArn, in place of an imported
 * certificate (a reimport: load balancers serving it pick the new one up).
 * https://docs.aws.amazon.com/acm/latest/userguide/import-certificate-prerequisites.html
 */
import { createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import type { ImportCertificateRequest, ImportCertificateResponse } from '@aws-sdk/client-acm';
import { arn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { requireCertificate } from './certificates.js';
import { validation } from './errors.js';
import { insertCertificate, reimport, type CertificateMeta } from './store.js';
import { applyTags, checkTags } from './tags.js';
import { inspect, pemBlocks } from './x509.js';

/** The model's length limits for the three blobs. */
const LIMITS = { certificate: 32768, privateKey: 5120, certificateChain: 2097152 };

function blobText(value: Uint8Array | undefined, field: keyof typeof LIMITS, required: boolean): string | undefined {
  if (value === undefined) return undefined;
  if ((required && value.length < 1) || value.length > LIMITS[field]) {
    throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and ${LIMITS[field]}`);
  }
  return Buffer.from(value).toString('utf8');
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw validation('Unable to parse certificate. Please ensure the certificate is in PEM format.');
  }
}

function parsePrivateKey(pem: string): KeyObject {
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) {
    // ACM takes unencrypted PEM keys only (PKCS#8 or the traditional RSA/EC forms).
    throw validation('The private key is not supported. Only unencrypted PEM-encoded private keys are supported.');
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw validation('Unable to parse the private key. Please ensure the private key is in PEM format.');
  }
}

/** Each certificate must be signed by the next; the first by the chain's first. */
function checkChain(leaf: X509Certificate, chainPem: string): void {
  const blocks = pemBlocks(chainPem);
  if (!blocks.length) throw validation('Unable to parse the certificate chain. Please ensure the chain is in PEM format.');
  const chain = blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw validation('Unable to parse the certificate chain. Please ensure the chain is in PEM format.');
    }
  });
  const links = [leaf, ...chain];
  for (let i = 0; i + 1 < links.length; i++) {
    if (!links[i].checkIssued(links[i + 1]) || !links[i].verify(links[i + 1].publicKey)) {
      throw validation('Could not validate the certificate with the certificate chain.');
    }
  }
}

export function importCertificate(ctx: RequestContext, input: ImportCertificateRequest): ImportCertificateResponse {
  const certText = blobText(input.Certificate, 'certificate', true)!;
  const keyText = blobText(input.PrivateKey, 'privateKey', true)!;
  const chainText = blobText(input.CertificateChain, 'certificateChain', false);
  const existing = input.CertificateArn ? requireCertificate(ctx, input.CertificateArn) : undefined;
  if (existing && existing.type !== 'IMPORTED') throw validation(`Certificate ${existing.arn} was not imported, so it cannot be reimported.`);
  if (existing && input.Tags?.length) throw validation('Tags cannot be applied when reimporting a certificate.');
  checkTags(input.Tags);

  const blocks = pemBlocks(certText);
  if (blocks.length > 1) throw validation('The certificate field contains more than one certificate. You can specify only one certificate in this field.');
  const x509 = parseCertificate(blocks[0] ?? certText);
  const key = parsePrivateKey(keyText);
  const facts = inspect(x509);
  if (!facts.keyAlgorithm) throw validation('The certificate public key algorithm or key size is not supported.');
  if (!x509.checkPrivateKey(key)) throw validation('The private key does not match the public key in the certificate.');
  const now = ctx.clock.now();
  if (facts.notBefore.getTime() > now || facts.notAfter.getTime() < now) throw validation('The certificate is not valid at this time (see its NotBefore and NotAfter).');
  if (!facts.domainName) throw validation('The certificate has no domain name: neither a subject common name nor a DNS subject alternative name.');
  if (chainText !== undefined) checkChain(x509, chainText);

  const meta: CertificateMeta = {
    domainName: facts.domainName,
    subjectAlternativeNames: facts.subjectAlternativeNames,
    subject: facts.subject,
    issuer: facts.issuer,
    serial: facts.serial,
    notBefore: facts.notBefore.getTime(),
    notAfter: facts.notAfter.getTime(),
    keyAlgorithm: facts.keyAlgorithm,
    signatureAlgorithm: facts.signatureAlgorithm,
    keyUsages: facts.keyUsages,
    extendedKeyUsages: facts.extendedKeyUsages,
    importedAt: now,
  };
  const material = { meta, certificate: x509.toString(), privateKey: keyText.trim() + '\n', chain: chainText ? pemBlocks(chainText).join('') : null };
  if (existing) {
    reimport(ctx, existing.arn, material);
    return { CertificateArn: existing.arn };
  }
  const certificateArn = arn('acm', ctx.region, ctx.account, `certificate/${randomUUID()}`);
  insertCertificate(ctx, { arn: certificateArn, type: 'IMPORTED', ...material, issueAt: null, createdAt: now });
  applyTags(ctx, certificateArn, input.Tags);
  return { CertificateArn: certificateArn };
}
