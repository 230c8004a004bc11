/**
 * RequestCertificate: Berth issues the certificate at once from its local CA
 * (local-ca.ts) with a fresh key, and reports it as ACM does a validation in
 * progress: PENDING_VALIDATION, with the CNAME (DNS) or the addresses (EMAIL)
 * validation would use, for VALIDATION_DELAY_MS; then ISSUED, with the
 * certificate's NotBefore/NotAfter/Serial and validation SUCCESS. No DNS
 * record or e-mail is needed: this machine cannot prove ownership anyway.
 * https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import type { RequestCertificateRequest, RequestCertificateResponse } from '@aws-sdk/client-acm';
import { arn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { constraint, invalidDomainValidationOptions, limitExceeded, validation } from './errors.js';
import { ISSUED_VALIDITY_DAYS, issueCertificate } from './local-ca.js';
import { certificateByToken, insertCertificate, type CertificateMeta, type DomainValidationMeta } from './store.js';
import { applyTags, checkTags } from './tags.js';
import { inspect, type KeySpec } from './x509.js';

/** How long a requested certificate stays PENDING_VALIDATION (ACM's DNS validation takes seconds to minutes). */
export const VALIDATION_DELAY_MS = 2000;
/** ACM remembers an idempotency token for one hour. */
const TOKEN_TTL_MS = 3600_000;
/** ACM's quota on domain names per certificate (the adjustable maximum). */
const MAX_NAMES = 100;
const KEY_ALGORITHMS: KeySpec[] = ['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'];

/** The model's DomainNameString pattern. */
const DOMAIN = /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/;
const DOMAIN_TEXT = 'Member must satisfy regular expression pattern: ^(\\*\\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$';

function checkDomain(name: string, path: string): void {
  if (name.length < 1 || name.length > 253) throw constraint(name, path, 'Member must have length between 1 and 253');
  if (!DOMAIN.test(name)) throw constraint(name, path, DOMAIN_TEXT);
}

const baseDomain = (name: string) => name.replace(/^\*\./, '');

/** ACM's validation CNAME for a domain is the same for every certificate of the account (so revalidation is instant). */
function validationRecord(account: string, domain: string): { Name: string; Value: string } {
  const h = (what: string) => createHash('sha256').update(`${what}|${account}|${domain}`).digest('hex').slice(0, 32);
  return { Name: `_${h('name')}.${domain}.`, Value: `_${h('value')}.${h('zone').slice(0, 10)}.acm-validations.aws.` };
}

/** The addresses ACM e-mails for a domain: the five common administrative ones. */
const validationEmails = (domain: string) => ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@${domain}`);

export interface RequestOptions {
  /**
   * Issued at once, with no validation period: for a service that requests a certificate for a name it owns itself
   * (ECS Express Mode's service URL, as AWS's own `on.aws` names need no customer validation).
   */
  validated?: boolean;
}

export function requestCertificate(ctx: RequestContext, input: RequestCertificateRequest, opts: RequestOptions = {}): RequestCertificateResponse {
  const domainName = input.DomainName!;
  checkDomain(domainName, 'domainName');
  (input.SubjectAlternativeNames ?? []).forEach((n, i) => checkDomain(n, `subjectAlternativeNames.${i + 1}.member`));
  const names = [...new Set([domainName, ...(input.SubjectAlternativeNames ?? [])])];
  if (names.length > MAX_NAMES) throw limitExceeded(`Cannot request a certificate with more than ${MAX_NAMES} domain names.`);
  const method = input.ValidationMethod ?? 'EMAIL';
  if (method !== 'DNS' && method !== 'EMAIL') throw validation(`Validation method ${String(method)} is not supported for this certificate; use DNS or EMAIL.`);
  const keyAlgorithm = (input.KeyAlgorithm ?? 'RSA_2048') as KeySpec;
  if (!KEY_ALGORITHMS.includes(keyAlgorithm)) throw validation(`Key algorithm ${keyAlgorithm} is not supported for certificates ACM issues; use ${KEY_ALGORITHMS.join(', ')}.`);
  if (input.CertificateAuthorityArn) throw validation('Private certificates (CertificateAuthorityArn) are not supported by Berth yet (see services/acm/README.md).');
  for (const o of input.DomainValidationOptions ?? []) {
    if (!names.includes(o.DomainName!)) throw invalidDomainValidationOptions(`The domain ${o.DomainName} is not one of the certificate's domain names.`);
    if (baseDomain(o.DomainName!) !== o.ValidationDomain && !baseDomain(o.DomainName!).endsWith(`.${o.ValidationDomain}`)) {
      throw invalidDomainValidationOptions(`The validation domain ${o.ValidationDomain} is not a superdomain of ${o.DomainName}.`);
    }
  }
  checkTags(input.Tags);

  const now = ctx.clock.now();
  const requestHash = createHash('sha256').update(JSON.stringify([names, method, keyAlgorithm])).digest('hex');
  if (input.IdempotencyToken) {
    const previous = certificateByToken(ctx, input.IdempotencyToken, requestHash, now - TOKEN_TTL_MS);
    if (previous) return { CertificateArn: previous };
  }

  const notBefore = new Date(Math.floor(now / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + ISSUED_VALIDITY_DAYS * 86400_000);
  const issued = issueCertificate(ctx.db, { domainName, names, keyAlgorithm, notBefore, notAfter });
  const facts = inspect(new X509Certificate(issued.certificate));
  const validations: DomainValidationMeta[] = names.map((name) => {
    const chosen = input.DomainValidationOptions?.find((o) => o.DomainName === name)?.ValidationDomain;
    const validationDomain = chosen ?? baseDomain(name);
    return method === 'DNS'
      ? { domainName: name, validationDomain: name, record: validationRecord(ctx.account, baseDomain(name)) }
      : { domainName: name, validationDomain, emails: validationEmails(validationDomain) };
  });
  const meta: CertificateMeta = {
    domainName,
    subjectAlternativeNames: names,
    subject: facts.subject,
    issuer: facts.issuer,
    serial: facts.serial,
    notBefore: notBefore.getTime(),
    notAfter: notAfter.getTime(),
    keyAlgorithm,
    signatureAlgorithm: facts.signatureAlgorithm,
    keyUsages: facts.keyUsages,
    extendedKeyUsages: facts.extendedKeyUsages,
    validationMethod: method,
    validations,
    transparencyLogging: input.Options?.CertificateTransparencyLoggingPreference ?? 'ENABLED',
  };
  const certificateArn = arn('acm', ctx.region, ctx.account, `certificate/${randomUUID()}`);
  insertCertificate(ctx, {
    arn: certificateArn, type: 'AMAZON_ISSUED', meta, certificate: issued.certificate, privateKey: issued.privateKey, chain: issued.chain,
    issueAt: opts.validated ? now : now + VALIDATION_DELAY_MS, createdAt: now, idempotencyToken: input.IdempotencyToken, requestHash,
  });
  applyTags(ctx, certificateArn, input.Tags);
  return { CertificateArn: certificateArn };
}
