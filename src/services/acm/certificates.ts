/**
 * Reading and deleting certificates: DescribeCertificate, GetCertificate,
 * ListCertificates, DeleteCertificate, and the CertificateDetail view every
 * read shares (status from the clock, InUseBy from the load balancers).
 */
import type {
  CertificateDetail, CertificateStatus, CertificateSummary, DeleteCertificateRequest, DescribeCertificateRequest,
  DescribeCertificateResponse, DomainValidation, ExtendedKeyUsageName, GetCertificateRequest, KeyAlgorithm, KeyUsageName, GetCertificateResponse, ListCertificatesRequest,
  ListCertificatesResponse,
} from '@aws-sdk/client-acm';
import { parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { loadBalancersUsingCertificate } from '../elastic-load-balancing-v2/index.js';
import { constraint, inUse, invalidArgs, invalidArn, notFound, requestInProgress } from './errors.js';
import {
  certificateByArn, deleteCertificateRow, listCertificateRows, statusOf, type Scope, type StoredCertificate,
} from './store.js';

/** The model's pattern for an ARN (checked by ACM's frontend before the service sees it). */
const ARN_PATTERN = /^arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(\/[\w+=,.@-]+)*$/;
const ARN_PATTERN_TEXT = 'Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+(/[\\w+=,.@-]+)*';

/** Checks an ARN's shape (ValidationException, then InvalidArnException) and finds the caller's certificate. */
export function requireCertificate(ctx: Scope, arn: string, path = 'certificateArn'): StoredCertificate {
  if (arn.length < 20 || arn.length > 2048 || !ARN_PATTERN.test(arn)) throw constraint(arn, path, ARN_PATTERN_TEXT);
  const parsed = parseArn(arn);
  if (!parsed || !/^certificate\/[\w-]+$/.test(parsed.resource) || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(parsed.region)) throw invalidArn(arn);
  const c = certificateByArn(ctx, arn);
  if (!c) throw notFound(arn, ctx.account);
  return c;
}

function validationsOf(c: StoredCertificate, issued: boolean): DomainValidation[] | undefined {
  if (c.type !== 'AMAZON_ISSUED') return undefined;
  return (c.meta.validations ?? []).map((v) => ({
    DomainName: v.domainName,
    ValidationDomain: v.validationDomain,
    ValidationStatus: issued ? 'SUCCESS' : 'PENDING_VALIDATION',
    ValidationMethod: c.meta.validationMethod,
    ...(v.record ? { ResourceRecord: { Name: v.record.Name, Type: 'CNAME', Value: v.record.Value } } : {}),
    ...(v.emails ? { ValidationEmails: v.emails } : {}),
  }));
}

export function detailOf(ctx: Scope & { now: number }, c: StoredCertificate): CertificateDetail {
  const status = statusOf(c, ctx.now);
  const issued = status !== 'PENDING_VALIDATION';
  const m = c.meta;
  const inUseBy = loadBalancersUsingCertificate(ctx.sql, c.arn);
  const detail: CertificateDetail = {
    CertificateArn: c.arn,
    DomainName: m.domainName,
    SubjectAlternativeNames: m.subjectAlternativeNames,
    DomainValidationOptions: validationsOf(c, issued),
    CreatedAt: new Date(c.createdAt),
    Status: status,
    KeyAlgorithm: m.keyAlgorithm as KeyAlgorithm,
    SignatureAlgorithm: m.signatureAlgorithm,
    InUseBy: inUseBy,
    Type: c.type,
    KeyUsages: issued ? m.keyUsages.map((Name) => ({ Name: Name as KeyUsageName })) : [],
    ExtendedKeyUsages: issued ? m.extendedKeyUsages.map((e) => ({ Name: e.Name as ExtendedKeyUsageName, OID: e.OID })) : [],
    // Only certificates ACM issued and that are in use are renewed by ACM.
    RenewalEligibility: c.type === 'AMAZON_ISSUED' && inUseBy.length ? 'ELIGIBLE' : 'INELIGIBLE',
    Options: { CertificateTransparencyLoggingPreference: (m.transparencyLogging ?? 'ENABLED') as 'ENABLED', Export: 'DISABLED' },
  };
  if (issued) {
    Object.assign(detail, {
      Serial: m.serial, Subject: m.subject, Issuer: m.issuer, NotBefore: new Date(m.notBefore), NotAfter: new Date(m.notAfter),
    });
    if (c.type === 'IMPORTED') detail.ImportedAt = new Date(m.importedAt ?? c.createdAt);
    else detail.IssuedAt = new Date(c.issueAt ?? c.createdAt);
  }
  return detail;
}

export function describeCertificate(ctx: RequestContext, input: DescribeCertificateRequest): DescribeCertificateResponse {
  const c = requireCertificate(ctx, input.CertificateArn!);
  return { Certificate: detailOf({ ...ctx, now: ctx.clock.now() }, c) };
}

export function getCertificate(ctx: RequestContext, input: GetCertificateRequest): GetCertificateResponse {
  const c = requireCertificate(ctx, input.CertificateArn!);
  if (statusOf(c, ctx.clock.now()) === 'PENDING_VALIDATION') throw requestInProgress(c.arn);
  return { Certificate: c.certificate.trim(), ...(c.chain ? { CertificateChain: c.chain.trim() } : {}) };
}

/** ACM lists only RSA_1024 and RSA_2048 certificates unless Includes.keyTypes asks for others. */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];
const MAX_ITEMS = 1000;

function summaryOf(d: CertificateDetail): CertificateSummary {
  return {
    CertificateArn: d.CertificateArn,
    DomainName: d.DomainName,
    SubjectAlternativeNameSummaries: d.SubjectAlternativeNames,
    HasAdditionalSubjectAlternativeNames: false,
    Status: d.Status,
    Type: d.Type,
    KeyAlgorithm: d.KeyAlgorithm,
    KeyUsages: d.KeyUsages?.map((k) => k.Name!),
    ExtendedKeyUsages: d.ExtendedKeyUsages?.map((e) => e.Name!),
    ExportOption: 'DISABLED',
    InUse: !!d.InUseBy?.length,
    RenewalEligibility: d.RenewalEligibility,
    NotBefore: d.NotBefore,
    NotAfter: d.NotAfter,
    CreatedAt: d.CreatedAt,
    IssuedAt: d.IssuedAt,
    ImportedAt: d.ImportedAt,
  };
}

export function listCertificates(ctx: RequestContext, input: ListCertificatesRequest): ListCertificatesResponse {
  const max = input.MaxItems ?? MAX_ITEMS;
  if (max < 1 || max > MAX_ITEMS) throw constraint(max, 'maxItems', `Member must have value between 1 and ${MAX_ITEMS}`);
  const statuses = new Set<CertificateStatus>(input.CertificateStatuses ?? []);
  const inc = input.Includes ?? {};
  const keyTypes = new Set<string>(inc.keyTypes?.length ? inc.keyTypes : DEFAULT_KEY_TYPES);
  const view = { ...ctx, now: ctx.clock.now() };
  let details = listCertificateRows(ctx)
    .map((c) => ({ seq: c.seq, d: detailOf(view, c) }))
    .filter(({ d }) => (!statuses.size || statuses.has(d.Status!)) && keyTypes.has(d.KeyAlgorithm!))
    .filter(({ d }) => !inc.keyUsage?.length || inc.keyUsage.some((k) => k === 'ANY' || d.KeyUsages?.some((u) => u.Name === k)))
    .filter(({ d }) => !inc.extendedKeyUsage?.length
      || inc.extendedKeyUsage.some((k) => k === 'ANY' || d.ExtendedKeyUsages?.some((u) => u.Name === k)))
    .filter(({ d }) => !inc.exportOption || inc.exportOption === 'DISABLED')
    .filter(({ d }) => !inc.managedBy);
  if (input.SortBy === 'CREATED_AT') {
    const dir = input.SortOrder === 'DESCENDING' ? -1 : 1;
    details = details.sort((a, b) => dir * (a.d.CreatedAt!.getTime() - b.d.CreatedAt!.getTime() || a.seq - b.seq));
  } else if (input.SortOrder) {
    throw constraint(input.SortOrder, 'sortOrder', 'SortOrder can be specified only with SortBy');
  }
  let start = 0;
  if (input.NextToken) {
    const decoded = /^(\d+)$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalidArgs('The value of NextToken is not valid.');
    start = Number(decoded[1]);
  }
  const page = details.slice(start, start + max);
  const next = start + max < details.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return { CertificateSummaryList: page.map(({ d }) => summaryOf(d)), ...(next ? { NextToken: next } : {}) };
}

export function deleteCertificate(ctx: RequestContext, input: DeleteCertificateRequest): Record<string, never> {
  const c = requireCertificate(ctx, input.CertificateArn!);
  if (loadBalancersUsingCertificate(ctx.sql, c.arn).length) throw inUse(c.arn);
  deleteCertificateRow(ctx, c.arn);
  return {};
}
