/**
 * ACM state (migration 20): a row per certificate with its PEMs (certificate,
 * private key, chain) and what ACM reports about it (`doc`, CertificateMeta).
 * Status is not stored: it follows from the clock (a requested certificate is
 * PENDING_VALIDATION until `issue_at`, any certificate is EXPIRED after its
 * NotAfter), so no controller is needed to move it.
 *
 * Besides the API, the ELBv2 provider (is a certificate usable by a listener?)
 * and the load balancer data plane (the PEMs to serve) read from here.
 */
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { certificateChanged } from '../elastic-load-balancing-v2/index.js';
import { dropAllTags } from '../../state/tags.js';

export type { Scope };

export type CertificateType = 'IMPORTED' | 'AMAZON_ISSUED';

export interface DomainValidationMeta {
  domainName: string;
  validationDomain: string;
  /** DNS validation: the CNAME ACM asks for. */
  record?: { Name: string; Value: string };
  /** EMAIL validation: where ACM would write. */
  emails?: string[];
}

/** What ACM reports about a certificate; times are epoch ms. */
export interface CertificateMeta {
  domainName: string;
  subjectAlternativeNames: string[];
  subject: string;
  issuer: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  keyAlgorithm: string;
  signatureAlgorithm: string;
  keyUsages: string[];
  extendedKeyUsages: { Name: string; OID: string }[];
  importedAt?: number;
  validationMethod?: 'DNS' | 'EMAIL';
  validations?: DomainValidationMeta[];
  transparencyLogging?: string;
}

export interface StoredCertificate {
  arn: string;
  type: CertificateType;
  meta: CertificateMeta;
  certificate: string;
  privateKey: string;
  chain: string | null;
  /** When a requested certificate's validation completes (epoch ms); null for imported ones. */
  issueAt: number | null;
  createdAt: number;
  /** Bumped by every reimport (the data plane reloads TLS contexts on change). */
  version: number;
  seq: number;
}

export type Status = 'PENDING_VALIDATION' | 'ISSUED' | 'EXPIRED';

export function statusOf(c: Pick<StoredCertificate, 'issueAt' | 'meta'>, now: number): Status {
  if (c.issueAt !== null && now < c.issueAt) return 'PENDING_VALIDATION';
  return now > c.meta.notAfter ? 'EXPIRED' : 'ISSUED';
}

interface Row {
  arn: string;
  type: CertificateType;
  doc: string;
  certificate: string;
  private_key: string;
  chain: string | null;
  issue_at: number | null;
  created_at: number;
  version: number;
  seq: number;
}

const COLUMNS = 'arn, type, doc, certificate, private_key, chain, issue_at, created_at, version, seq';

const toStored = (r: Row): StoredCertificate => ({
  arn: r.arn, type: r.type, meta: JSON.parse(r.doc) as CertificateMeta, certificate: r.certificate, privateKey: r.private_key,
  chain: r.chain, issueAt: r.issue_at, createdAt: r.created_at, version: r.version, seq: r.seq,
});

export interface NewCertificate {
  arn: string;
  type: CertificateType;
  meta: CertificateMeta;
  certificate: string;
  privateKey: string;
  chain: string | null;
  issueAt: number | null;
  createdAt: number;
  idempotencyToken?: string;
  requestHash?: string;
}

export function insertCertificate(s: Scope, c: NewCertificate): void {
  s.sql
    .get(`INSERT INTO acm_certificates (arn, account, region, type, doc, certificate, private_key, chain, issue_at, idempotency_token, request_hash, created_at, version, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM acm_certificates))`)
    .run(c.arn, s.account, s.region, c.type, JSON.stringify(c.meta), c.certificate, c.privateKey, c.chain, c.issueAt,
      c.idempotencyToken ?? null, c.requestHash ?? null, c.createdAt);
}

/** Replaces an imported certificate's material in place (ImportCertificate with CertificateArn). */
export function reimport(s: Scope, arn: string, c: Pick<NewCertificate, 'meta' | 'certificate' | 'privateKey' | 'chain'>): void {
  s.sql
    .get('UPDATE acm_certificates SET doc = ?, certificate = ?, private_key = ?, chain = ?, version = version + 1 WHERE arn = ?')
    .run(JSON.stringify(c.meta), c.certificate, c.privateKey, c.chain, arn);
  certificateChanged(s.sql, arn);
}

export function certificateByArn(s: Scope, arn: string): StoredCertificate | undefined {
  const r = s.sql.get(`SELECT ${COLUMNS} FROM acm_certificates WHERE arn = ? AND account = ? AND region = ?`).get(arn, s.account, s.region) as Row | undefined;
  return r && toStored(r);
}

export function listCertificateRows(s: Scope): StoredCertificate[] {
  return (s.sql.get(`SELECT ${COLUMNS} FROM acm_certificates WHERE account = ? AND region = ? ORDER BY seq`).all(s.account, s.region) as Row[]).map(toStored);
}

/** A certificate requested with this idempotency token and the same request since `since`. */
export function certificateByToken(s: Scope, token: string, requestHash: string, since: number): string | undefined {
  return s.sql
    .get('SELECT arn FROM acm_certificates WHERE account = ? AND region = ? AND idempotency_token = ? AND request_hash = ? AND created_at >= ?')
    .pluck()
    .get(s.account, s.region, token, requestHash, since) as string | undefined;
}

export function deleteCertificateRow(s: Scope, arn: string): void {
  s.sql.get('DELETE FROM acm_certificates WHERE arn = ?').run(arn);
  dropAllTags(s, arn);
}

// ---- for Elastic Load Balancing ---------------------------------------------------

/** A certificate a listener may serve: this account and region's, issued, not expired. */
export function usableCertificate(s: Scope, arn: string, now: number): StoredCertificate | undefined {
  const c = certificateByArn(s, arn);
  return c && statusOf(c, now) === 'ISSUED' ? c : undefined;
}

export interface CertificateMaterial {
  arn: string;
  certificate: string;
  privateKey: string;
  chain: string | null;
  /** DomainName and SANs, lower case: what SNI matches against. */
  names: string[];
  version: number;
}

/** The PEMs the data plane serves for a certificate (any account: listeners were checked when configured). */
export function certificateMaterial(sql: Statements, arn: string): CertificateMaterial | undefined {
  const r = sql.get(`SELECT ${COLUMNS} FROM acm_certificates WHERE arn = ?`).get(arn) as Row | undefined;
  if (!r) return undefined;
  const c = toStored(r);
  const names = [...new Set([c.meta.domainName, ...c.meta.subjectAlternativeNames].map((n) => n.toLowerCase()))];
  return { arn, certificate: c.certificate, privateKey: c.privateKey, chain: c.chain, names, version: c.version };
}
