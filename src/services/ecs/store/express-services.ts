/**
 * ECS Express Mode's table: one row per Express service, keyed by its ECS service's ARN, holding the Express
 * service as DescribeExpressGatewayService answers it (tags aside: they are the service's) and the resources
 * Express made for it, so that Update and Delete act on exactly those.
 */
import type { ECSExpressGatewayService, ECSManagedResources, ServiceRevision } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';

/** What Express made (or adopted) for one service; `owned*` says what its deletion removes. */
export interface ExpressResources {
  vpcId: string;
  subnets: string[];
  endpoint: string;
  /** The cluster's shared load balancer in this VPC: it goes when the last Express service using it does. */
  loadBalancerArn: string;
  listenerArn: string;
  loadBalancerSecurityGroupId: string;
  ruleArn: string;
  /**
   * The shared load balancer's HTTPS:443 listener, the service's Host-header rule on it and the ACM certificate
   * (from Berth's local CA) it serves for the service's host names. Absent for a service made before Berth had them.
   */
  httpsListenerArn?: string;
  httpsRuleArn?: string;
  certificateArn?: string;
  targetGroupArn: string;
  /** The security groups the service's tasks use (the request's, or the one Express made). */
  serviceSecurityGroupIds: string[];
  /** Security groups Express created for the service's tasks (none when the request named its own). */
  taskSecurityGroupIds: string[];
  logGroupName?: string;
  ownsLogGroup: boolean;
  scalableTargetArn?: string;
  policyArn?: string;
  policyName?: string;
  alarmArns: string[];
  createdAt: number;
  /** Set by DeleteExpressGatewayService when it deleted the shared load balancer (its group goes at teardown). */
  loadBalancerDeleted?: boolean;
}

export interface ExpressDoc {
  service: ECSExpressGatewayService;
  resources: ExpressResources;
}

export interface ExpressRow extends ExpressDoc {
  account: string;
  region: string;
  serviceArn: string;
  cluster: string;
  status: string;
}

type Raw = { account: string; region: string; service_arn: string; cluster: string; vpc_id: string; status: string; doc: string };

const toRow = (r: Raw): ExpressRow => {
  const doc = JSON.parse(r.doc) as ExpressDoc;
  return { ...doc, account: r.account, region: r.region, serviceArn: r.service_arn, cluster: r.cluster, status: r.status };
};

export function loadExpress({ sql, account, region }: Scope, serviceArn: string): ExpressRow | undefined {
  const r = sql.get('SELECT * FROM ecs_express_services WHERE service_arn = ? AND account = ? AND region = ?').get(serviceArn, account, region) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

export function saveExpress({ sql, account, region }: Scope, cluster: string, doc: ExpressDoc): void {
  sql.get(`INSERT INTO ecs_express_services (account, region, service_arn, cluster, vpc_id, status, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (service_arn) DO UPDATE SET status = excluded.status, doc = excluded.doc, vpc_id = excluded.vpc_id`)
    .run(account, region, doc.service.serviceArn, cluster, doc.resources.vpcId, doc.service.status!.statusCode, JSON.stringify(doc));
}

/**
 * ACTIVE Express services of a cluster and VPC: those sharing its load balancer (one being deleted has already left
 * it, and may have deleted it as its last user).
 */
export function expressSharing({ sql, account, region }: Scope, cluster: string, vpcId: string): ExpressRow[] {
  return (sql.get("SELECT * FROM ecs_express_services WHERE account = ? AND region = ? AND cluster = ? AND vpc_id = ? AND status = 'ACTIVE'")
    .all(account, region, cluster, vpcId) as Raw[]).map(toRow);
}

/** Every Express service not yet INACTIVE, by account, region, cluster and ARN, at most `limit` (the console's list). */
export function everyExpress(sql: Statements, limit: number): ExpressRow[] {
  return (sql.get("SELECT * FROM ecs_express_services WHERE status != 'INACTIVE' ORDER BY account, region, cluster, service_arn LIMIT ?").all(limit) as Raw[]).map(toRow);
}

/** ARNs of Express services being deleted (DRAINING): the express-teardown controller's resync. */
export function drainingExpressArns(sql: Statements): string[] {
  return sql.get("SELECT service_arn FROM ecs_express_services WHERE status = 'DRAINING'").pluck().all() as string[];
}

/** Express services of a cluster being deleted: a task of theirs stopping may let their teardown finish. */
export function drainingExpressInCluster(sql: Statements, account: string, region: string, cluster: string): string[] {
  return sql.get("SELECT service_arn FROM ecs_express_services WHERE status = 'DRAINING' AND account = ? AND region = ? AND cluster = ?")
    .pluck().all(account, region, cluster) as string[];
}

/** Any stored Express row by ARN, whatever its scope (the controller's key is the ARN). */
export function expressByArn(sql: Statements, serviceArn: string): ExpressRow | undefined {
  const r = sql.get('SELECT * FROM ecs_express_services WHERE service_arn = ?').get(serviceArn) as Raw | undefined;
  return r ? toRow(r) : undefined;
}

/** Records the resources Express manages on the service revision it deployed (DescribeServiceRevisions). */
export function setRevisionResources(sql: Statements, revisionArn: string, resources: ECSManagedResources): void {
  const doc = sql.get('SELECT doc FROM ecs_service_revisions WHERE arn = ?').pluck().get(revisionArn) as string | undefined;
  if (doc === undefined) return;
  const revision = JSON.parse(doc) as ServiceRevision;
  revision.ecsManagedResources = resources;
  sql.get('UPDATE ecs_service_revisions SET doc = ? WHERE arn = ?').run(JSON.stringify(revision), revisionArn);
}
