/**
 * ECS service rows, their deployments (the `deployments[]` of the Service and
 * the ServiceDeployment/ServiceRevision documents of the newer APIs) and
 * service events (rows of ecs_service_events, appended, not in the document). Shared by the ECS provider (desired state) and the
 * service-scheduler controller, so most functions take a plain Statements handle.
 */
import type { Deployment, Service, ServiceDeployment, ServiceEvent, ServiceRevision } from '@aws-sdk/client-ecs';
import { randomInt, randomUUID } from 'node:crypto';
import { arn, parseArn, resourceId } from '../../../shared/arns.js';
import type { Statements } from '../../../state/db.js';
import type { Scope } from '../../../state/scope.js';
import { appendEcsEvent } from './tasks.js';

export interface ServiceRow {
  account: string;
  region: string;
  cluster: string;
  name: string;
  arn: string;
  status: string;
  doc: string;
}

/** ECS keeps the newest 100 events on a service. */
const MAX_EVENTS = 100;

export const iso = (ms: number) => new Date(ms).toISOString() as unknown as Date;

/** ECS deployment ids: "ecs-svc/" and 19 digits. */
export function newDeploymentId(): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < 19) digits += String(randomInt(0, 10));
  return `ecs-svc/${digits}`;
}

export function loadService(sql: Statements, serviceArn: string): (ServiceRow & { service: Service }) | undefined {
  const row = sql.get('SELECT account, region, cluster, name, arn, status, doc FROM ecs_services WHERE arn = ?').get(serviceArn) as ServiceRow | undefined;
  return row ? { ...row, service: JSON.parse(row.doc) as Service } : undefined;
}

/**
 * What a scheduler pass over a service reads from ECS's state, as stored text (not parsed): the service's document
 * and its tasks' — for a digest that tells whether anything changed since a pass left it steady.
 */
export function serviceDocs(sql: Statements, serviceArn: string): string[] | undefined {
  const row = sql.get('SELECT account, region, cluster, name, doc FROM ecs_services WHERE arn = ?').get(serviceArn) as ServiceRow | undefined;
  if (!row) return undefined;
  const tasks = sql.get('SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND cluster = ? AND service_name = ? ORDER BY seq')
    .pluck().all(row.account, row.region, row.cluster, row.name) as string[];
  return [row.doc, ...tasks];
}

export function findService({ sql, account, region }: Scope, cluster: string, name: string) {
  const row = sql
    .get('SELECT account, region, cluster, name, arn, status, doc FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND name = ?')
    .get(account, region, cluster, name) as ServiceRow | undefined;
  return row ? { ...row, service: JSON.parse(row.doc) as Service } : undefined;
}

/** The service's document as stored: its events are rows of their own (addEvent). */
export function serviceDoc(service: Service): string {
  const { events: _events, ...rest } = service;
  return JSON.stringify(rest);
}

export function saveService(sql: Statements, service: Service) {
  const stored = sql.get('SELECT doc FROM ecs_services WHERE arn = ?').pluck().get(service.serviceArn) as string | undefined;
  sql
    .get('UPDATE ecs_services SET status = ?, launch_type = ?, doc = ? WHERE arn = ?')
    .run(service.status, service.launchType ?? null, serviceDoc(service), service.serviceArn);
  if (stored) deploymentStateChanges(sql, JSON.parse(stored) as Service, service);
}

/** Saves the service only if its document differs from `stored` (as loaded): a pass that changed nothing writes nothing. */
export function saveServiceIfChanged(sql: Statements, service: Service, stored: string): boolean {
  const doc = serviceDoc(service);
  if (doc === stored) return false;
  sql.get('UPDATE ecs_services SET status = ?, launch_type = ?, doc = ? WHERE arn = ?').run(service.status, service.launchType ?? null, doc, service.serviceArn);
  deploymentStateChanges(sql, JSON.parse(stored) as Service, service);
  return true;
}

const ROLLOUT_EVENTS: Record<string, [eventType: string, eventName: string]> = {
  IN_PROGRESS: ['INFO', 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
  COMPLETED: ['INFO', 'SERVICE_DEPLOYMENT_COMPLETED'],
  FAILED: ['ERROR', 'SERVICE_DEPLOYMENT_FAILED'],
};

/** "ECS Deployment State Change" events for each deployment whose rolloutState moved (or that is new). */
function deploymentStateChanges(sql: Statements, before: Service, after: Service) {
  const p = parseArn(after.serviceArn ?? '');
  if (!p) return;
  for (const d of after.deployments ?? []) {
    const was = before.deployments?.find((x) => x.id === d.id)?.rolloutState;
    const ev = d.rolloutState && d.rolloutState !== was ? ROLLOUT_EVENTS[d.rolloutState] : undefined;
    if (!ev) continue;
    appendEcsEvent(sql, {
      account: p.account, region: p.region, detailType: 'ECS Deployment State Change', resources: [after.serviceArn!],
      detail: { eventType: ev[0], eventName: ev[1], deploymentId: d.id, updatedAt: new Date().toISOString(), reason: d.rolloutStateReason }, at: Date.now(),
    });
  }
}

/** Service events ECS also sends to EventBridge as "ECS Service Action" (the others stay on the service only). */
const SERVICE_ACTIONS: [RegExp, eventType: string, eventName: string][] = [
  [/has reached a steady state\.$/, 'INFO', 'SERVICE_STEADY_STATE'],
  [/was unable to place a task/, 'WARN', 'SERVICE_TASK_PLACEMENT_FAILURE'],
];

function serviceAction(sql: Statements, service: Pick<Service, 'serviceArn' | 'clusterArn'>, message: string, now: number) {
  const action = SERVICE_ACTIONS.find(([re]) => re.test(message));
  const p = parseArn(service.serviceArn ?? '');
  if (!action || !p) return;
  const clusterArn = service.clusterArn ?? arn('ecs', p.region, p.account, `cluster/${p.resource.split('/')[1] ?? 'default'}`);
  appendEcsEvent(sql, {
    account: p.account, region: p.region, detailType: 'ECS Service Action', resources: [service.serviceArn!],
    detail: { eventType: action[1], eventName: action[2], clusterArn, createdAt: new Date(now).toISOString() }, at: now,
  });
}

export function insertService({ sql, account, region }: Scope, cluster: string, service: Service, namespace?: string) {
  sql
    .get(`INSERT INTO ecs_services (account, region, cluster, name, arn, status, launch_type, scheduling_strategy, namespace, doc, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_services))`)
    .run(account, region, cluster, service.serviceName, service.serviceArn, service.status, service.launchType ?? null,
      service.schedulingStrategy ?? 'REPLICA', namespace ?? null, serviceDoc(service));
  deploymentStateChanges(sql, {}, service);
}

/** Services the scheduler looks after: not yet INACTIVE. */
export function liveServiceArns(sql: Statements): string[] {
  return sql.get("SELECT arn FROM ecs_services WHERE status != 'INACTIVE'").pluck().all() as string[];
}

/** How many services are live (not INACTIVE). */
export function liveServiceCount(sql: Statements): number {
  return sql.get("SELECT COUNT(*) FROM ecs_services WHERE status != 'INACTIVE'").pluck().get() as number;
}

/** A cluster's live services (by the ecs_services_live index). */
export function liveServiceArnsOfCluster(sql: Statements, account: string, region: string, cluster: string): string[] {
  return sql
    .get("SELECT arn FROM ecs_services WHERE account = ? AND region = ? AND cluster = ? AND status != 'INACTIVE'")
    .pluck()
    .all(account, region, cluster) as string[];
}

/**
 * A page of the live services in creation order, after the service with sequence number `afterSeq`: the
 * scheduler's safety sweep reads the table this way, a bounded page at a time (by the ecs_services_seq index).
 */
export function liveServicePage(sql: Statements, afterSeq: number, limit: number): { arn: string; seq: number }[] {
  return sql
    .get("SELECT arn, seq FROM ecs_services INDEXED BY ecs_services_seq WHERE seq > ? AND status != 'INACTIVE' ORDER BY seq LIMIT ?")
    .all(afterSeq, limit) as { arn: string; seq: number }[];
}

/**
 * The live services a restarted scheduler passes over: all but those its last pass left steady with nothing to do
 * (ACTIVE, marked steady, running what they want with nothing pending, one completed deployment), read by SQLite
 * from the documents. A change that a crash kept from its pass (UpdateService's new count or deployment) shows
 * in these fields, so such a service is passed.
 */
export function unsettledServiceArns(sql: Statements): string[] {
  return sql
    .get(`SELECT arn FROM ecs_services WHERE status != 'INACTIVE' AND NOT (
      status = 'ACTIVE' AND json_extract(doc, '$.berth.steady') = 1
      AND json_extract(doc, '$.runningCount') = json_extract(doc, '$.desiredCount') AND json_extract(doc, '$.pendingCount') = 0
      AND json_array_length(doc, '$.deployments') = 1 AND json_extract(doc, '$.deployments[0].rolloutState') = 'COMPLETED')`)
    .pluck()
    .all() as string[];
}

/**
 * The live services of an account and region whose load balancers name this target group. Its documents are read
 * (no column holds a service's target groups): it runs when a target's health verdict changes, not per pass.
 */
export function liveServicesInTargetGroup(sql: Statements, account: string, region: string, targetGroupArn: string): string[] {
  return sql
    .get("SELECT arn FROM ecs_services WHERE account = ? AND region = ? AND status != 'INACTIVE' AND instr(doc, ?) > 0")
    .pluck()
    .all(account, region, JSON.stringify(targetGroupArn)) as string[];
}

/**
 * Appends a service event (its own row: the service's document is not rewritten for it) and drops those past the
 * newest 100.
 */
export function addEvent(sql: Statements, service: Service, message: string, now: number) {
  sql
    .get('INSERT INTO ecs_service_events (service_arn, id, created_at, message) VALUES (?, ?, ?, ?)')
    .run(service.serviceArn, randomUUID(), iso(now), `(service ${service.serviceName}) ${message}`);
  serviceAction(sql, service, message, now);
  sql
    .get(`DELETE FROM ecs_service_events WHERE service_arn = ? AND seq <= (
            SELECT seq FROM ecs_service_events WHERE service_arn = ? ORDER BY seq DESC LIMIT 1 OFFSET ${MAX_EVENTS})`)
    .run(service.serviceArn, service.serviceArn);
}

/** A service's events as ECS lists them: newest first, at most 100. */
export function serviceEvents(sql: Statements, serviceArn: string): ServiceEvent[] {
  return sql
    .get(`SELECT id, created_at AS createdAt, message FROM ecs_service_events WHERE service_arn = ? ORDER BY seq DESC LIMIT ${MAX_EVENTS}`)
    .all(serviceArn) as ServiceEvent[];
}

/** The newest events of every service, newest first (the console's events page; the table's key is its order). */
export function recentServiceEvents(sql: Statements, limit: number): (ServiceEvent & { serviceArn: string })[] {
  return sql
    .get('SELECT service_arn AS serviceArn, id, created_at AS createdAt, message FROM ecs_service_events ORDER BY seq DESC LIMIT ?')
    .all(limit) as (ServiceEvent & { serviceArn: string })[];
}

/**
 * A new desired count without a new deployment (UpdateService's desiredCount, Application Auto Scaling):
 * the PRIMARY deployment follows it; the scheduler, watching the service's change, starts or stops tasks.
 */
export function setDesiredCount(service: Service, desiredCount: number, now: number) {
  service.desiredCount = desiredCount;
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary) {
    primary.desiredCount = desiredCount;
    primary.updatedAt = iso(now);
  }
}

/** The ARN of a service's deployment or revision: `service-deployment/<cluster>/<service>/<id>`. */
function deploymentArn(kind: 'service-deployment' | 'service-revision', service: Service, deploymentId: string): string {
  const { region, account } = parseArn(service.serviceArn!)!;
  const cluster = resourceId(service.clusterArn!);
  return arn('ecs', region, account, `${kind}/${cluster}/${service.serviceName}/${deploymentId.replace('ecs-svc/', '')}`);
}

export const serviceDeploymentArn = (service: Service, deploymentId: string) => deploymentArn('service-deployment', service, deploymentId);

export const serviceRevisionArn = (service: Service, deploymentId: string) => deploymentArn('service-revision', service, deploymentId);

/**
 * Starts a new PRIMARY deployment from the service's current configuration:
 * the previous PRIMARY becomes ACTIVE, and the deployment and revision
 * documents of the service-deployment APIs are recorded.
 */
export function startDeployment(sql: Statements, service: Service, now: number, reason?: string): Deployment {
  const id = newDeploymentId();
  const previous = service.deployments ?? [];
  for (const d of previous) {
    if (d.status === 'PRIMARY') {
      d.status = 'ACTIVE';
      d.updatedAt = iso(now);
      if (d.rolloutState === 'IN_PROGRESS') {
        d.rolloutState = 'FAILED';
        d.rolloutStateReason = 'ECS deployment interrupted by a newer deployment.';
      }
    }
  }
  const deployment: Deployment = {
    id,
    status: 'PRIMARY',
    taskDefinition: service.taskDefinition,
    desiredCount: service.desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: iso(now),
    updatedAt: iso(now),
    ...(service.capacityProviderStrategy?.length ? { capacityProviderStrategy: service.capacityProviderStrategy } : { launchType: service.launchType }),
    ...(service.platformVersion ? { platformVersion: service.platformVersion, platformFamily: service.platformFamily } : {}),
    ...(service.networkConfiguration ? { networkConfiguration: service.networkConfiguration } : {}),
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: reason ?? 'ECS deployment ecs-svc in progress.'.replace('ecs-svc', id),
  };
  service.deployments = [deployment, ...previous];
  const revisionArn = serviceRevisionArn(service, id);
  const revision: ServiceRevision = {
    serviceRevisionArn: revisionArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: service.taskDefinition,
    ...(service.capacityProviderStrategy?.length ? { capacityProviderStrategy: service.capacityProviderStrategy } : { launchType: service.launchType }),
    platformVersion: service.platformVersion,
    platformFamily: service.platformFamily,
    loadBalancers: service.loadBalancers ?? [],
    serviceRegistries: service.serviceRegistries ?? [],
    networkConfiguration: service.networkConfiguration,
    createdAt: iso(now),
  };
  sql.get('INSERT INTO ecs_service_revisions (arn, service_arn, doc) VALUES (?, ?, ?)').run(revisionArn, service.serviceArn, JSON.stringify(revision));
  const sources = previous
    .filter((d) => d.status === 'ACTIVE' && (d.runningCount ?? 0) + (d.pendingCount ?? 0) > 0)
    .map((d) => ({ arn: serviceRevisionArn(service, d.id!), requestedTaskCount: d.desiredCount, runningTaskCount: d.runningCount, pendingTaskCount: d.pendingCount }));
  const sd: ServiceDeployment = {
    serviceDeploymentArn: serviceDeploymentArn(service, id),
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    createdAt: iso(now),
    startedAt: iso(now),
    updatedAt: iso(now),
    sourceServiceRevisions: sources,
    targetServiceRevision: { arn: revisionArn, requestedTaskCount: service.desiredCount, runningTaskCount: 0, pendingTaskCount: 0 },
    status: 'IN_PROGRESS',
    deploymentConfiguration: service.deploymentConfiguration,
    ...(service.deploymentConfiguration?.deploymentCircuitBreaker
      ? { deploymentCircuitBreaker: { status: service.deploymentConfiguration.deploymentCircuitBreaker.enable ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: failureThreshold(service.desiredCount ?? 0) } }
      : {}),
  };
  // Older deployments still in progress are superseded.
  for (const row of sql.get("SELECT arn, doc FROM ecs_service_deployments WHERE service_arn = ? AND status IN ('PENDING', 'IN_PROGRESS')").all(service.serviceArn) as { arn: string; doc: string }[]) {
    const old = JSON.parse(row.doc) as ServiceDeployment;
    old.status = 'STOPPED';
    old.statusReason = 'Superseded by a newer service deployment.';
    old.stoppedAt = iso(now);
    old.updatedAt = iso(now);
    saveServiceDeployment(sql, old);
  }
  sql
    .get('INSERT INTO ecs_service_deployments (arn, service_arn, deployment_id, status, created_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
    .run(sd.serviceDeploymentArn, service.serviceArn, id, sd.status, now, JSON.stringify(sd));
  return deployment;
}

export function loadServiceDeployment(sql: Statements, sdArn: string): ServiceDeployment | undefined {
  const row = sql.get('SELECT doc FROM ecs_service_deployments WHERE arn = ?').get(sdArn) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as ServiceDeployment) : undefined;
}

export function saveServiceDeployment(sql: Statements, sd: ServiceDeployment) {
  sql.get('UPDATE ecs_service_deployments SET status = ?, doc = ? WHERE arn = ?').run(sd.status, JSON.stringify(sd), sd.serviceDeploymentArn);
}

/** A service's deployments, newest first. */
export function serviceDeploymentsOf(sql: Statements, serviceArn: string): ServiceDeployment[] {
  return (sql.get('SELECT doc FROM ecs_service_deployments WHERE service_arn = ? ORDER BY created_at DESC, arn').pluck().all(serviceArn) as string[])
    .map((doc) => JSON.parse(doc) as ServiceDeployment);
}

export function loadServiceRevision(sql: Statements, revisionArn: string): ServiceRevision | undefined {
  const doc = sql.get('SELECT doc FROM ecs_service_revisions WHERE arn = ?').pluck().get(revisionArn) as string | undefined;
  return doc === undefined ? undefined : (JSON.parse(doc) as ServiceRevision);
}

export interface ServiceListQuery {
  cluster: string;
  afterSeq: number;
  launchType?: string;
  schedulingStrategy?: string;
  /** ECS (Express services) or CUSTOMER (every other service). */
  resourceManagementType?: string;
  limit: number;
}

/** A page of a cluster's services that are not INACTIVE, in creation order. */
export function listServiceRows({ sql, account, region }: Scope, q: ServiceListQuery): { arn: string; seq: number }[] {
  const where = ['account = ?', 'region = ?', 'cluster = ?', "status != 'INACTIVE'", 'seq > ?'];
  const args: unknown[] = [account, region, q.cluster, q.afterSeq];
  if (q.launchType) where.push('launch_type = ?') && args.push(q.launchType);
  if (q.schedulingStrategy) where.push('scheduling_strategy = ?') && args.push(q.schedulingStrategy);
  // Read from the document: a cluster's page is scanned by its index on (cluster, status, seq) either way.
  if (q.resourceManagementType) where.push("coalesce(json_extract(doc, '$.resourceManagementType'), 'CUSTOMER') = ?") && args.push(q.resourceManagementType);
  return sql
    .get(`SELECT arn, seq FROM ecs_services WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`)
    .all(...args, q.limit) as { arn: string; seq: number }[];
}

/** A page of the services (not INACTIVE) in a Service Connect namespace, in creation order. */
export function listServiceRowsByNamespace({ sql, account, region }: Scope, namespace: string | undefined, afterSeq: number, limit: number): { arn: string; seq: number }[] {
  return sql
    .get("SELECT arn, seq FROM ecs_services WHERE account = ? AND region = ? AND namespace = ? AND status != 'INACTIVE' AND seq > ? ORDER BY seq LIMIT ?")
    .all(account, region, namespace, afterSeq, limit) as { arn: string; seq: number }[];
}

/**
 * The circuit breaker's failure threshold: half the desired count, at least 3
 * and at most 200 (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
 */
export function failureThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}
