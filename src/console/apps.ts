/**
 * The console's view of App Runner and ECS Express Mode services, read through their doors: App Runner's store.ts (the
 * service documents DescribeService and ListOperations read) and ECS's index.ts and store (Express rows as
 * DescribeExpressGatewayService answers them, and the ECS service each runs on, whose deployments are Express's
 * operations). Every App Runner service runs on an Express service, and every Express service is an ECS service: both
 * link to the existing ECS service page.
 */
import { everyExpress, type ExpressRow } from '../services/ecs/index.js';
import { loadService as loadEcsService } from '../services/ecs/store/index.js';
import { appRunnerArnForExpress, everyServiceRow, listOperationRows, loadOperation, serviceByArn, serviceNamed, type OperationDoc, type ServiceDoc } from '../services/apprunner/store.js';
import { parseArn } from '../shared/arns.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import { deploymentView } from './api.js';
import type { AppOperationView, AppRunnerServiceSummary, AppRunnerServiceView, AppsView, EcsServiceRef, ExpressServiceSummary } from './views.js';

const MAX_SERVICES = 500;
const MAX_OPERATIONS = 50;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** arn:aws:ecs:<region>:<account>:service/<cluster>/<name> → its cluster and name. */
function ecsRef(arn: string | undefined): EcsServiceRef | null {
  const p = arn ? parseArn(arn) : undefined;
  const [kind, cluster, name] = p?.resource.split('/') ?? [];
  return kind === 'service' && cluster && name ? { cluster, name } : null;
}

/** A host served on Berth's main port by its Host header, as a browser on this machine opens it. */
const onBerthPort = (host: string, endpoint: string) => `http://${host}:${new URL(endpoint).port || '80'}/`;

function operationView(o: OperationDoc): AppOperationView {
  return { id: o.Id, type: o.Type, status: o.Status, startedAt: iso(o.StartedAt)!, endedAt: iso(o.EndedAt), updatedAt: iso(o.UpdatedAt)! };
}

function appRunnerSummary(sql: Statements, endpoint: string, s: ServiceDoc): AppRunnerServiceSummary {
  const image = s.SourceConfiguration.ImageRepository?.ImageIdentifier as string | undefined;
  const code = s.SourceConfiguration.CodeRepository as { RepositoryUrl?: string; SourceCodeVersion?: { Value?: string } } | undefined;
  const pending = s.berth.pending ? loadOperation(sql, s.berth.pending.operationId) : undefined;
  return {
    name: s.ServiceName,
    arn: s.ServiceArn,
    id: s.ServiceId,
    status: s.Status,
    serviceUrl: s.ServiceUrl,
    url: onBerthPort(s.ServiceUrl, endpoint),
    source: code ? { kind: 'code', repository: code.RepositoryUrl ?? '', branch: code.SourceCodeVersion?.Value ?? null } : { kind: 'image', image: image ?? '' },
    operation: pending ? operationView(pending) : null,
    ecsService: ecsRef(s.berth.expressArn),
    createdAt: iso(s.CreatedAt)!,
    updatedAt: iso(s.UpdatedAt)!,
  };
}

function expressSummary(sql: Statements, endpoint: string, row: ExpressRow): ExpressServiceSummary {
  const ecs = loadEcsService(sql, row.serviceArn)?.service;
  const config = row.service.activeConfigurations?.[0];
  const host = config?.ingressPaths?.[0]?.endpoint ?? null;
  const appRunnerArn = appRunnerArnForExpress(sql, row.serviceArn);
  const appRunner = appRunnerArn ? serviceByArn(sql, appRunnerArn) : undefined;
  return {
    name: row.service.serviceName ?? ecsRef(row.serviceArn)?.name ?? '',
    arn: row.serviceArn,
    cluster: row.cluster,
    status: row.status,
    endpoint: host,
    url: host ? onBerthPort(host, endpoint) : null,
    image: config?.primaryContainer?.image ?? null,
    currentDeployment: row.service.currentDeployment ?? null,
    deployments: (ecs?.deployments ?? []).map(deploymentView),
    appRunner: appRunner && appRunner.Status !== 'DELETED' ? { name: appRunner.ServiceName } : null,
    createdAt: row.service.createdAt ? new Date(row.service.createdAt).toISOString() : null,
  };
}

export function appsView(sql: Statements, endpoint: string): AppsView {
  const scopes = new Map<string, AppsView['scopes'][number]>();
  const scopeOf = (account: string, region: string) => {
    const k = `${account}/${region}`;
    let s = scopes.get(k);
    if (!s) scopes.set(k, (s = { account, region, appRunner: [], express: [] }));
    return s;
  };
  for (const s of everyServiceRow(sql, MAX_SERVICES)) scopeOf(s.account, s.region).appRunner.push(appRunnerSummary(sql, endpoint, s));
  for (const e of everyExpress(sql, MAX_SERVICES)) scopeOf(e.account, e.region).express.push(expressSummary(sql, endpoint, e));
  return { scopes: [...scopes.values()].sort((a, b) => `${a.account}/${a.region}`.localeCompare(`${b.account}/${b.region}`)) };
}

export function appRunnerServiceView(scope: Scope, endpoint: string, name: string): AppRunnerServiceView | undefined {
  const s = serviceNamed(scope, name);
  if (!s) return undefined;
  const image = s.SourceConfiguration.ImageRepository?.ImageConfiguration as { Port?: string } | undefined;
  const code = s.SourceConfiguration.CodeRepository?.CodeConfiguration?.CodeConfigurationValues as { Port?: string } | undefined;
  return {
    account: scope.account,
    region: scope.region,
    service: appRunnerSummary(scope.sql, endpoint, s),
    cpu: s.InstanceConfiguration.Cpu ?? null,
    memory: s.InstanceConfiguration.Memory ?? null,
    port: image?.Port ?? code?.Port ?? s.berth.code?.plan?.port?.toString() ?? null,
    autoDeployments: !!s.SourceConfiguration.AutoDeploymentsEnabled,
    failure: s.berth.failure ?? null,
    deployedDigest: s.berth.deployedDigest ?? null,
    operations: listOperationRows(scope.sql, s.ServiceArn, Number.MAX_SAFE_INTEGER, MAX_OPERATIONS).map((r) => operationView(r.doc)),
  };
}
