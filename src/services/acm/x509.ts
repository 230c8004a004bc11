/**
 * X.509 for ACM, with node:crypto only: writing a minimal v3 certificate
 * (subject, SANs, key usage, basic constraints, key identifiers) signed with
 * an RSA or EC key, and reading what ACM reports about a certificate.
 *
 * Why not shell out to openssl: providers are synchronous (one SQLite
 * transaction per call), a child process per RequestCertificate would block
 * the event loop far longer than signing does, and Berth should not need a
 * system binary for this. Node's own OpenSSL checks every certificate written
 * here when it parses it (X509Certificate) and when TLS uses it.
 */
import {
  createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject,
} from 'node:crypto';
import {
  bitString, boolean, children, explicit, implicitPrimitive, nullValue, octetString, oid, printableString, readNode, readOid,
  sequence, set, TAG, time, unsignedInteger, utf8String, type Node,
} from './der.js';

/** Name attributes Berth writes, by short name. */
const NAME_OIDS: Record<string, string> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3' };

const EXT = {
  subjectKeyIdentifier: '2.5.29.14', keyUsage: '2.5.29.15', subjectAltName: '2.5.29.17', basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35', extKeyUsage: '2.5.29.37',
};

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** ACM's ExtendedKeyUsageName by OID. */
const EKU_NAMES: Record<string, string> = {
  [SERVER_AUTH]: 'TLS_WEB_SERVER_AUTHENTICATION', [CLIENT_AUTH]: 'TLS_WEB_CLIENT_AUTHENTICATION',
  '1.3.6.1.5.5.7.3.3': 'CODE_SIGNING', '1.3.6.1.5.5.7.3.4': 'EMAIL_PROTECTION', '1.3.6.1.5.5.7.3.8': 'TIME_STAMPING',
  '1.3.6.1.5.5.7.3.9': 'OCSP_SIGNING', '1.3.6.1.5.5.7.3.5': 'IPSEC_END_SYSTEM', '1.3.6.1.5.5.7.3.6': 'IPSEC_TUNNEL',
  '1.3.6.1.5.5.7.3.7': 'IPSEC_USER', '2.5.29.37.0': 'ANY',
};

/** ACM's KeyUsageName by bit (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS = [
  'DIGITAL_SIGNATURE', 'NON_REPUDIATION', 'KEY_ENCIPHERMENT', 'DATA_ENCIPHERMENT', 'KEY_AGREEMENT',
  'CERTIFICATE_SIGNING', 'CRL_SIGNING', 'ENCIPHER_ONLY', 'DECIPHER_ONLY',
];

/** ACM's SignatureAlgorithm wording by OID. */
const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA1WITHRSA', '1.2.840.113549.1.1.11': 'SHA256WITHRSA', '1.2.840.113549.1.1.12': 'SHA384WITHRSA',
  '1.2.840.113549.1.1.13': 'SHA512WITHRSA', '1.2.840.113549.1.1.10': 'RSASSA-PSS', '1.2.840.10045.4.3.2': 'SHA256WITHECDSA',
  '1.2.840.10045.4.3.3': 'SHA384WITHECDSA', '1.2.840.10045.4.3.4': 'SHA512WITHECDSA',
};

const CURVES: Record<string, string> = { prime256v1: 'EC_prime256v1', secp384r1: 'EC_secp384r1', secp521r1: 'EC_secp521r1' };
const RSA_SIZES = [1024, 2048, 3072, 4096];

export type KeySpec = 'RSA_2048' | 'EC_prime256v1' | 'EC_secp384r1';

export function generateKey(spec: KeySpec): { privateKey: KeyObject; publicKey: KeyObject } {
  if (spec === 'RSA_2048') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ec', { namedCurve: spec === 'EC_prime256v1' ? 'prime256v1' : 'secp384r1' });
}

/** ACM's KeyAlgorithm for a key, or undefined when ACM does not support it. */
export function keyAlgorithmOf(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return RSA_SIZES.includes(details.modulusLength ?? 0) ? `RSA_${details.modulusLength}` : undefined;
  if (key.asymmetricKeyType === 'ec') return CURVES[details.namedCurve ?? ''];
  return undefined;
}

export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** The PEM blocks of one kind in a text, in order. */
export function pemBlocks(text: string, label = 'CERTIFICATE'): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => `${m[0]}\n`);
}

// ---- writing ------------------------------------------------------------------

function name(attrs: [string, string][]): Buffer {
  return sequence(...attrs.map(([k, v]) => set(sequence(oid(NAME_OIDS[k]), k === 'C' ? printableString(v) : utf8String(v)))));
}

function signatureAlgorithm(key: KeyObject): { der: Buffer; hash: string } {
  if (key.asymmetricKeyType === 'rsa') return { der: sequence(oid('1.2.840.113549.1.1.11'), nullValue()), hash: 'sha256' };
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return { der: sequence(oid('1.2.840.10045.4.3.3')), hash: 'sha384' };
  if (curve === 'secp521r1') return { der: sequence(oid('1.2.840.10045.4.3.4')), hash: 'sha512' };
  return { der: sequence(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const bits = children(readNode(spki))[1].content.subarray(1);
  return createHash('sha1').update(bits).digest();
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

/** A KEY USAGE bit string: bits numbered from the most significant, trailing zero bits dropped (DER). */
function keyUsageBits(bits: number[]): Buffer {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] |= 0x80 >> (b % 8);
  const unused = 7 - (last % 8);
  return Buffer.concat([Buffer.from([TAG.BIT_STRING, bytes.length + 1, unused]), bytes]);
}

export interface CertificateSpec {
  subject: [string, string][];
  issuer: [string, string][];
  publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  signingKey: KeyObject;
  /** The issuer's public key, for the authority key identifier. */
  issuerPublicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  dnsNames?: string[];
  /** IP address SANs (IPv4 or IPv6): what a client connecting to an address checks (EKS: a cluster's API on 127.0.0.1). */
  ipAddresses?: string[];
  ca?: boolean;
}

/** An IP address as a GeneralName's iPAddress octets (4 or 16). */
function ipOctets(ip: string): Buffer {
  if (!ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** Writes and signs a certificate; returns its PEM. */
export function buildCertificate(spec: CertificateSpec): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const alg = signatureAlgorithm(spec.signingKey);
  const rsa = spec.publicKey.asymmetricKeyType === 'rsa';
  const usage = spec.ca ? [0, 5, 6] : rsa ? [0, 2] : [0];
  const extensions = [
    extension(EXT.basicConstraints, true, spec.ca ? sequence(boolean(true)) : sequence()),
    extension(EXT.keyUsage, true, keyUsageBits(usage)),
    ...(spec.ca ? [] : [extension(EXT.extKeyUsage, false, sequence(oid(SERVER_AUTH), oid(CLIENT_AUTH)))]),
    ...(spec.dnsNames?.length || spec.ipAddresses?.length
      ? [extension(EXT.subjectAltName, false, sequence(
        ...(spec.dnsNames ?? []).map((d) => implicitPrimitive(2, Buffer.from(d, 'ascii'))),
        ...(spec.ipAddresses ?? []).map((ip) => implicitPrimitive(7, ipOctets(ip))),
      ))]
      : []),
    extension(EXT.subjectKeyIdentifier, false, octetString(keyIdentifier(spec.publicKey))),
    extension(EXT.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyIdentifier(spec.issuerPublicKey)))),
  ];
  const tbs = sequence(
    explicit(0, unsignedInteger(2)),
    unsignedInteger(serial),
    alg.der,
    name(spec.issuer),
    sequence(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign(alg.hash, tbs, spec.signingKey);
  return toPem(sequence(tbs, alg.der, bitString(signature)));
}

// ---- reading ------------------------------------------------------------------

export interface CertificateFacts {
  domainName: string | undefined;
  subjectAlternativeNames: string[];
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: string | undefined;
  signatureAlgorithm: string;
  keyUsages: string[];
  extendedKeyUsages: { Name: string; OID: string }[];
}

function readTime(n: Node): Date {
  const s = n.content.toString('ascii');
  const full = n.tag === TAG.UTC_TIME ? `${Number(s.slice(0, 2)) >= 50 ? '19' : '20'}${s}` : s;
  return new Date(Date.UTC(Number(full.slice(0, 4)), Number(full.slice(4, 6)) - 1, Number(full.slice(6, 8)),
    Number(full.slice(8, 10)), Number(full.slice(10, 12)), Number(full.slice(12, 14))));
}

/** One attribute of a distinguished name as Node prints it ("C=US\nO=Acme\nCN=x"). */
function attribute(dn: string, key: string): string | undefined {
  for (const line of dn.split('\n')) if (line.startsWith(`${key}=`)) return line.slice(key.length + 1);
  return undefined;
}

/** What ACM reports about a certificate (DescribeCertificate's X.509 fields). */
export function inspect(x509: X509Certificate): CertificateFacts {
  const [tbs, sigAlg] = children(readNode(x509.raw));
  const fields = children(tbs);
  const f = fields[0].tag === 0xa0 ? fields.slice(1) : fields;
  const [notBefore, notAfter] = children(f[3]).map(readTime);
  const keyUsages: string[] = [];
  const extensions = f.find((n) => n.tag === 0xa3);
  for (const ext of extensions ? children(children(extensions)[0]) : []) {
    const parts = children(ext);
    if (readOid(parts[0].content) !== EXT.keyUsage) continue;
    const bits = readNode(parts[parts.length - 1].content).content;
    for (let i = 0; i < KEY_USAGE_BITS.length; i++) {
      if ((bits[1 + Math.floor(i / 8)] ?? 0) & (0x80 >> (i % 8))) keyUsages.push(KEY_USAGE_BITS[i]);
    }
  }
  const sans = (x509.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const cn = attribute(x509.subject, 'CN');
  const domainName = cn ?? sans[0];
  const serialHex = x509.serialNumber.toLowerCase();
  return {
    domainName,
    subjectAlternativeNames: sans.length ? sans : domainName ? [domainName] : [],
    subject: x509.subject.split('\n').join(','),
    // ACM names the issuer by its organization (e.g. "Amazon"), else its common name.
    issuer: attribute(x509.issuer, 'O') ?? attribute(x509.issuer, 'CN') ?? x509.issuer.split('\n').join(','),
    serial: (serialHex.length % 2 ? `0${serialHex}` : serialHex).replace(/(..)(?=.)/g, '$1:'),
    notBefore,
    notAfter,
    keyAlgorithm: keyAlgorithmOf(x509.publicKey),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[readOid(children(sigAlg)[0].content)] ?? 'UNKNOWN',
    keyUsages,
    extendedKeyUsages: (x509.keyUsage ?? []).map((o) => ({ Name: EKU_NAMES[o] ?? 'CUSTOM', OID: o })),
  };
}
