/**
 * The local certificate authority behind RequestCertificate: one RSA-2048 CA
 * per data dir, made on first use and kept in berth_meta (which resets and
 * snapshot loads keep, so certificates stay trusted across them). Trust it by
 * its PEM, which GetCertificate returns as the CertificateChain of every
 * certificate Berth issues (`curl --cacert`, Node's `ca:` option).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Db } from '../../state/db.js';
import { getOrCreateMeta } from '../../state/meta.js';
import { buildCertificate, generateKey, type KeySpec } from './x509.js';

const META_KEY = 'acm.local-ca';
const CA_YEARS = 10;
/** ACM's public certificates are valid for 395 days (13 months). */
export const ISSUED_VALIDITY_DAYS = 395;

export interface LocalCa {
  certificate: string;
  privateKey: string;
  /** The CA's subject, as issued certificates name their issuer. */
  name: [string, string][];
}

export function localCa(db: Db, now: number): LocalCa {
  const stored = getOrCreateMeta(db, META_KEY, () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const name: [string, string][] = [['O', 'Berth'], ['CN', `Berth Local CA ${randomBytes(4).toString('hex')}`]];
    const notBefore = new Date(now - 3600_000);
    const notAfter = new Date(now + CA_YEARS * 365 * 86400_000);
    const certificate = buildCertificate({
      subject: name, issuer: name, publicKey, signingKey: privateKey, issuerPublicKey: publicKey, notBefore, notAfter, ca: true,
    });
    return JSON.stringify({ certificate, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), name });
  });
  return JSON.parse(stored) as LocalCa;
}

/** The CA's certificate (PEM): what a client trusts to reach Berth's HTTPS listeners (`curl --cacert`). */
export function localCaCertificate(db: Db, now: number): string {
  return localCa(db, now).certificate;
}

export interface Issued {
  certificate: string;
  privateKey: string;
  chain: string;
}

/** A certificate for the names, with a fresh key of the requested algorithm, signed by the local CA. */
export function issueCertificate(db: Db, opts: { domainName: string; names: string[]; keyAlgorithm: KeySpec; notBefore: Date; notAfter: Date }): Issued {
  const ca = localCa(db, opts.notBefore.getTime());
  const caKey = createPrivateKey(ca.privateKey);
  const { privateKey, publicKey } = generateKey(opts.keyAlgorithm);
  const certificate = buildCertificate({
    subject: [['CN', opts.domainName]], issuer: ca.name, publicKey, signingKey: caKey, issuerPublicKey: createPublicKey(caKey),
    notBefore: opts.notBefore, notAfter: opts.notAfter, dnsNames: opts.names,
  });
  return { certificate, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, chain: ca.certificate };
}
