/**
 * App Runner's named side resources in one table (apprunner_resources): connections, observability configurations,
 * VPC connectors and VPC ingress connections, each a document under its ARN with its kind, name, revision (0 for
 * kinds without revisions) and status; and custom domains (apprunner_custom_domains) per service, by the host each
 * serves. Timestamps are epoch milliseconds in the documents.
 */
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

export type ResourceKind = 'connection' | 'observabilityconfiguration' | 'vpcconnector' | 'vpcingressconnection';

export interface ResourceRow<T> {
  arn: string;
  name: string;
  revision: number;
  status: string;
  doc: T;
  seq: number;
}

const nextSeq = (sql: Statements, table: string) => (sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 FROM ${table}`).pluck().get() as number);
type Raw = { arn: string; name: string; revision: number; status: string; doc: string; seq: number };
const parse = <T>(r: Raw): ResourceRow<T> => ({ ...r, doc: JSON.parse(r.doc) as T });

export function saveResource({ sql, account, region }: Scope, kind: ResourceKind, r: { arn: string; name: string; revision?: number; status: string; doc: object }): void {
  sql.get(`INSERT INTO apprunner_resources (account, region, arn, kind, name, revision, status, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (arn) DO UPDATE SET status = excluded.status, doc = excluded.doc`)
    .run(account, region, r.arn, kind, r.name, r.revision ?? 0, r.status, JSON.stringify(r.doc), nextSeq(sql, 'apprunner_resources'));
}

export function loadResource<T>({ sql, account, region }: Scope, kind: ResourceKind, arn: string): ResourceRow<T> | undefined {
  const r = sql.get('SELECT arn, name, revision, status, doc, seq FROM apprunner_resources WHERE arn = ? AND kind = ? AND account = ? AND region = ?')
    .get(arn, kind, account, region) as Raw | undefined;
  return r ? parse<T>(r) : undefined;
}

/** Every revision of a name (oldest first), or the one resource of that name for kinds without revisions. */
export function resourcesNamed<T>({ sql, account, region }: Scope, kind: ResourceKind, name: string): ResourceRow<T>[] {
  return (sql.get('SELECT arn, name, revision, status, doc, seq FROM apprunner_resources WHERE account = ? AND region = ? AND kind = ? AND name = ? ORDER BY revision, seq')
    .all(account, region, kind, name) as Raw[]).map((r) => parse<T>(r));
}

/** A kind's resources in list order after `afterSeq`. */
export function listResources<T>({ sql, account, region }: Scope, kind: ResourceKind, afterSeq: number, limit: number): ResourceRow<T>[] {
  return (sql.get('SELECT arn, name, revision, status, doc, seq FROM apprunner_resources WHERE account = ? AND region = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(account, region, kind, afterSeq, limit) as Raw[]).map((r) => parse<T>(r));
}

export function deleteResourceRow(sql: Statements, arn: string): void {
  sql.get('DELETE FROM apprunner_resources WHERE arn = ?').run(arn);
}

/** Live services whose document names `arn` at `path` (json_extract), e.g. their VPC connector. */
export function servicesReferencing(sql: Statements, path: string, arn: string): string[] {
  return sql.get(`SELECT arn FROM apprunner_services WHERE status != 'DELETED' AND json_extract(doc, ?) = ?`).pluck().all(path, arn) as string[];
}

// ---- custom domains

export interface DomainRow<T> {
  serviceArn: string;
  domain: string;
  doc: T;
  seq: number;
}

export function saveDomain(sql: Statements, serviceArn: string, domain: string, doc: object): void {
  sql.get(`INSERT INTO apprunner_custom_domains (service_arn, domain, host, doc, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (service_arn, domain) DO UPDATE SET doc = excluded.doc`)
    .run(serviceArn, domain, domain.toLowerCase(), JSON.stringify(doc), nextSeq(sql, 'apprunner_custom_domains'));
}

export function serviceDomains<T>(sql: Statements, serviceArn: string, afterSeq = 0, limit = 1000): DomainRow<T>[] {
  return (sql.get('SELECT service_arn AS serviceArn, domain, doc, seq FROM apprunner_custom_domains WHERE service_arn = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(serviceArn, afterSeq, limit) as { serviceArn: string; domain: string; doc: string; seq: number }[]).map((r) => ({ ...r, doc: JSON.parse(r.doc) as T }));
}

/** The service a custom domain (lower case) is associated with, in any scope. */
export function domainOwner(sql: Statements, host: string): string | undefined {
  return sql.get('SELECT service_arn FROM apprunner_custom_domains WHERE host = ?').pluck().get(host) as string | undefined;
}

export function deleteDomain(sql: Statements, serviceArn: string, domain: string): void {
  sql.get('DELETE FROM apprunner_custom_domains WHERE service_arn = ? AND domain = ?').run(serviceArn, domain);
}
