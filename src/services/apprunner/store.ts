/**
 * App Runner's tables, its front door for the controller and the data plane: services (each pointing at the ECS
 * Express service that runs it, and at the host its URL answers on), their operations, and auto scaling
 * configurations with their revisions. Timestamps are epoch milliseconds in the documents.
 */
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

/** An image in Berth's ECR, as App Runner's ImageIdentifier names it. */
export interface ImageRef {
  account: string;
  region: string;
  repository: string;
  /** The tag the identifier names (absent when it names a digest). */
  tag?: string;
  digest?: string;
}

export interface ServiceDoc {
  ServiceName: string;
  ServiceId: string;
  ServiceArn: string;
  ServiceUrl: string;
  CreatedAt: number;
  UpdatedAt: number;
  DeletedAt?: number;
  Status: string;
  /** The request's configuration as App Runner echoes it (SourceConfiguration, InstanceConfiguration, …). */
  SourceConfiguration: Record<string, any>;
  InstanceConfiguration: Record<string, any>;
  HealthCheckConfiguration: Record<string, any>;
  NetworkConfiguration: Record<string, any>;
  ObservabilityConfiguration?: Record<string, any>;
  EncryptionConfiguration?: Record<string, any>;
  AutoScalingConfigurationArn: string;
  berth: {
    /** The image deployed from (an image source's identifier; a code source's latest build, once built). */
    image?: ImageRef;
    /** A code source: the repository on the host and what its deployed build was. */
    code?: CodeState;
    /** The Express (ECS) service that runs it, and its target group (what the data plane counts). */
    expressArn?: string;
    cluster?: string;
    targetGroupArn?: string;
    ruleArn?: string;
    /** The service's own HTTP listener on the shared load balancer (a port of its own). */
    ownListenerArn?: string;
    /** The digest the serving version runs (App Runner deploys an image version, not a moving tag). */
    deployedDigest?: string;
    /** The operation in progress: it ends when ECS's deployment `deploymentId` completes or fails. */
    pending?: {
      operationId: string; deploymentId?: string; digest?: string;
      /** A code source's build to make first (the builder controller); `commit` once known. */
      build?: { commit?: string };
      /** The commit the deployment's image was built from. */
      commit?: string;
    };
    /** Instances App Runner wants now (concurrency scaling), and when it last changed them. */
    instances?: number;
    scaledAt?: number;
    /** A digest whose deployment failed: auto deployments do not try it again (a new push, or StartDeployment, does). */
    failedDigest?: string;
    /** Hosts served besides the URL (custom domains, VPC ingress domains) by their first host: custom-domains.ts. */
    servedHosts?: Record<string, import('./custom-domains.js').ServedHost>;
    /** Why creation failed (CREATE_FAILED). */
    failure?: string;
  };
}

/** A code source's state: where its repository is, and which commits were deployed or failed. */
export interface CodeState {
  /** The repository's folder on the host. */
  path: string;
  /** The plan of the version serving (its port, environment and secrets run the container). */
  plan?: import('./code-source.js').BuildPlan;
  deployedCommit?: string;
  /** A commit whose build or deployment failed: auto deployments do not try it again. */
  failedCommit?: string;
}

export interface OperationDoc {
  Id: string;
  Type: string;
  Status: string;
  TargetArn: string;
  StartedAt: number;
  EndedAt?: number;
  UpdatedAt: number;
}

export interface AscDoc {
  AutoScalingConfigurationArn: string;
  AutoScalingConfigurationName: string;
  AutoScalingConfigurationRevision: number;
  Latest: boolean;
  Status: 'ACTIVE' | 'INACTIVE';
  MaxConcurrency: number;
  MinSize: number;
  MaxSize: number;
  CreatedAt: number;
  DeletedAt?: number;
  IsDefault: boolean;
}

type Row = { doc: string; seq: number };
const nextSeq = (sql: Statements, table: string) => (sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 FROM ${table}`).pluck().get() as number);

// ---- services

export function saveService({ sql, account, region }: Scope, doc: ServiceDoc): void {
  sql.get(`INSERT INTO apprunner_services (account, region, arn, name, status, express_arn, host, asc_arn, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (arn) DO UPDATE SET status = excluded.status, express_arn = excluded.express_arn, asc_arn = excluded.asc_arn, doc = excluded.doc`)
    .run(account, region, doc.ServiceArn, doc.ServiceName, doc.Status, doc.berth.expressArn ?? null, hostOf(doc.ServiceUrl), doc.AutoScalingConfigurationArn,
      JSON.stringify(doc), nextSeq(sql, 'apprunner_services'));
}

const hostOf = (url: string) => url.toLowerCase();

export function loadService({ sql, account, region }: Scope, arn: string): ServiceDoc | undefined {
  const doc = sql.get('SELECT doc FROM apprunner_services WHERE arn = ? AND account = ? AND region = ?').pluck().get(arn, account, region) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** Any stored service by ARN, whatever its scope (the controller's key). */
export function serviceByArn(sql: Statements, arn: string): ServiceDoc | undefined {
  const doc = sql.get('SELECT doc FROM apprunner_services WHERE arn = ?').pluck().get(arn) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** A live (not DELETED) service of this name. */
export function serviceNamed({ sql, account, region }: Scope, name: string): ServiceDoc | undefined {
  const doc = sql.get("SELECT doc FROM apprunner_services WHERE account = ? AND region = ? AND name = ? AND status != 'DELETED'").pluck().get(account, region, name) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** Services in list order after `afterSeq` (DELETED ones too: App Runner lists them for a while; Berth until removed). */
export function listServiceRows({ sql, account, region }: Scope, afterSeq: number, limit: number): { doc: ServiceDoc; seq: number }[] {
  return (sql.get("SELECT doc, seq FROM apprunner_services WHERE account = ? AND region = ? AND seq > ? AND status != 'DELETED' ORDER BY seq LIMIT ?")
    .all(account, region, afterSeq, limit) as Row[]).map((r) => ({ doc: JSON.parse(r.doc), seq: r.seq }));
}

/** Every service not DELETED, by account, region and list order, at most `limit` (the console's list). */
export function everyServiceRow(sql: Statements, limit: number): (ServiceDoc & { account: string; region: string })[] {
  return (sql.get("SELECT account, region, doc FROM apprunner_services WHERE status != 'DELETED' ORDER BY account, region, seq LIMIT ?")
    .all(limit) as { account: string; region: string; doc: string }[]).map((r) => ({ ...(JSON.parse(r.doc) as ServiceDoc), account: r.account, region: r.region }));
}

/** The App Runner service an ECS (Express) service runs. */
export function appRunnerArnForExpress(sql: Statements, expressArn: string): string | undefined {
  return sql.get('SELECT arn FROM apprunner_services WHERE express_arn = ?').pluck().get(expressArn) as string | undefined;
}

/** Live services of a scope (a push to ECR there may deploy one of them). */
export function liveServiceArns(sql: Statements, account: string, region: string): string[] {
  return sql.get("SELECT arn FROM apprunner_services WHERE account = ? AND region = ? AND status NOT IN ('DELETED', 'CREATE_FAILED')").pluck().all(account, region) as string[];
}

/** Services running (their concurrency is sampled) or with an operation in progress: the controller's resync. */
export function unfinishedServiceArns(sql: Statements): string[] {
  return sql.get("SELECT arn FROM apprunner_services WHERE status IN ('RUNNING', 'OPERATION_IN_PROGRESS')").pluck().all() as string[];
}

/** Code services with a build to make, or watching their branch for commits (auto deployments). */
export function codeServiceArns(sql: Statements): string[] {
  return sql.get(`SELECT arn FROM apprunner_services WHERE status IN ('RUNNING', 'OPERATION_IN_PROGRESS')
    AND json_extract(doc, '$.berth.code') IS NOT NULL`).pluck().all() as string[];
}

/** Live services using an auto scaling configuration revision. */
export function servicesUsing(sql: Statements, ascArn: string, afterSeq = 0, limit = 1000): { arn: string; seq: number }[] {
  return sql.get("SELECT arn, seq FROM apprunner_services WHERE asc_arn = ? AND status NOT IN ('DELETED') AND seq > ? ORDER BY seq LIMIT ?")
    .all(ascArn, afterSeq, limit) as { arn: string; seq: number }[];
}

/** What the data plane needs of the service a URL host names (lower case, no port). */
export interface ServingView {
  serviceArn: string;
  status: string;
  paused: boolean;
  targetGroupArn?: string;
  maxConcurrency: number;
  maxSize: number;
}

export function servingView(sql: Statements, host: string): ServingView | undefined {
  const r = sql.get('SELECT s.doc AS doc, a.doc AS asc FROM apprunner_services s LEFT JOIN apprunner_auto_scaling_configurations a ON a.arn = s.asc_arn WHERE s.host = ?')
    .get(host) as { doc: string; asc: string | null } | undefined;
  if (!r) return undefined;
  const s = JSON.parse(r.doc) as ServiceDoc;
  const asc = r.asc ? (JSON.parse(r.asc) as AscDoc) : undefined;
  return {
    serviceArn: s.ServiceArn, status: s.Status, paused: s.Status === 'PAUSED' || (s.Status === 'OPERATION_IN_PROGRESS' && s.berth.instances === 0),
    targetGroupArn: s.berth.targetGroupArn, maxConcurrency: asc?.MaxConcurrency ?? 100, maxSize: asc?.MaxSize ?? 25,
  };
}

// ---- operations

export function saveOperation(sql: Statements, op: OperationDoc): void {
  sql.get(`INSERT INTO apprunner_operations (id, service_arn, type, status, doc, seq) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc`)
    .run(op.Id, op.TargetArn, op.Type, op.Status, JSON.stringify(op), nextSeq(sql, 'apprunner_operations'));
}

export function loadOperation(sql: Statements, id: string): OperationDoc | undefined {
  const doc = sql.get('SELECT doc FROM apprunner_operations WHERE id = ?').pluck().get(id) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** A service's operations, newest first, from `beforeSeq` down. */
export function listOperationRows(sql: Statements, serviceArn: string, beforeSeq: number, limit: number): { doc: OperationDoc; seq: number }[] {
  return (sql.get('SELECT doc, seq FROM apprunner_operations WHERE service_arn = ? AND seq < ? ORDER BY seq DESC LIMIT ?')
    .all(serviceArn, beforeSeq, limit) as Row[]).map((r) => ({ doc: JSON.parse(r.doc), seq: r.seq }));
}

// ---- auto scaling configurations

export function saveAsc({ sql, account, region }: Scope, doc: AscDoc): void {
  sql.get(`INSERT INTO apprunner_auto_scaling_configurations (account, region, arn, name, revision, status, is_default, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (arn) DO UPDATE SET status = excluded.status, is_default = excluded.is_default, doc = excluded.doc`)
    .run(account, region, doc.AutoScalingConfigurationArn, doc.AutoScalingConfigurationName, doc.AutoScalingConfigurationRevision, doc.Status,
      doc.IsDefault ? 1 : 0, JSON.stringify(doc), nextSeq(sql, 'apprunner_auto_scaling_configurations'));
}

export function loadAsc({ sql, account, region }: Scope, arn: string): AscDoc | undefined {
  const doc = sql.get('SELECT doc FROM apprunner_auto_scaling_configurations WHERE arn = ? AND account = ? AND region = ?').pluck().get(arn, account, region) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** Every revision of a name, oldest first. */
export function ascRevisions({ sql, account, region }: Scope, name: string): AscDoc[] {
  return (sql.get('SELECT doc FROM apprunner_auto_scaling_configurations WHERE account = ? AND region = ? AND name = ? ORDER BY revision')
    .pluck().all(account, region, name) as string[]).map((d) => JSON.parse(d));
}

export function listAscRows({ sql, account, region }: Scope, afterSeq: number, limit: number): { doc: AscDoc; seq: number }[] {
  return (sql.get('SELECT doc, seq FROM apprunner_auto_scaling_configurations WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(account, region, afterSeq, limit) as Row[]).map((r) => ({ doc: JSON.parse(r.doc), seq: r.seq }));
}

/** The revision the account's services get when they name none. */
export function defaultAsc({ sql, account, region }: Scope): AscDoc | undefined {
  const doc = sql.get("SELECT doc FROM apprunner_auto_scaling_configurations WHERE account = ? AND region = ? AND is_default = 1 AND status = 'ACTIVE'").pluck().get(account, region) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function anyAsc({ sql, account, region }: Scope): boolean {
  return sql.get('SELECT 1 FROM apprunner_auto_scaling_configurations WHERE account = ? AND region = ? LIMIT 1').pluck().get(account, region) !== undefined;
}
