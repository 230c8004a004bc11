/**
 * The console's reads: each view is built from ECS's front door (services/ecs/store), over the same rows the ECS
 * operations and controllers write, so the console can never disagree with DescribeServices or DescribeTasks.
 * Every list is bounded: the console shows the newest, and links to the AWS APIs for the rest.
 */
import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import {
  clusterCounts, clusterTaskStates, findService, findTaskDefinitionByArn, listClusterRows, listServiceRows, loadClusterRow, loadService,
  loadTaskByArn, scopesWithClusters, serviceEvents, serviceTasks, standaloneTasks,
} from '../services/ecs/store/index.js';
import { serviceScalingActivities } from '../services/application-auto-scaling/index.js';
import { minuteSeries } from '../services/cloudwatch/index.js';
import { tailStream } from '../services/logs/index.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import type {
  ClusterSummary, ClusterView, ContainerLogView, ContainerView, DeploymentView, Mark, Overview, ServiceSummary, ServiceView, TaskLogsView,
  TaskSummary, TaskView,
} from './views.js';

const MAX_CLUSTERS = 200;
const MAX_SERVICES = 500;
/** A service's or cluster's tasks shown at most (the page's table is virtualised beyond a screenful). */
const MAX_TASKS = 1000;
const MAX_EVENTS = 20;
/** The charts show the last hour of CloudWatch minutes. */
export const CHART_MINUTES = 60;

export interface OverviewFacts {
  version: string;
  endpoint: string;
  dataDir: string | null;
  startedAt: number;
  engine: Overview['engine'];
}

const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const nameOf = (arn: string) => arn.slice(arn.indexOf('/') + 1);
/** `family:revision` of a task definition ARN. */
const family = (arn: string | undefined) => (arn ? arn.slice(arn.lastIndexOf('/') + 1) : '');

function clusterSummary(scope: Scope, name: string): ClusterSummary | undefined {
  const row = loadClusterRow(scope, name);
  if (!row || row.status !== 'ACTIVE') return undefined;
  return {
    name: row.name,
    arn: row.arn,
    status: row.status,
    activeServices: clusterCounts(scope, name).activeServicesCount,
    tasks: clusterTaskStates(scope, name),
  };
}

export function overview(sql: Statements, facts: OverviewFacts, now: number): Overview {
  return {
    berth: {
      version: facts.version,
      endpoint: facts.endpoint,
      dataDir: facts.dataDir,
      uptimeSeconds: Math.round((now - facts.startedAt) / 1000),
    },
    engine: facts.engine,
    scopes: scopesWithClusters(sql).map(({ account, region }) => {
      const scope = { sql, account, region };
      const clusters = listClusterRows(scope, 0, MAX_CLUSTERS)
        .map((r) => clusterSummary(scope, nameOf(r.arn)))
        .filter((c): c is ClusterSummary => c !== undefined);
      return { account, region, clusters };
    }),
  };
}

function serviceSummary(service: Service): ServiceSummary {
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  return {
    name: service.serviceName ?? '',
    arn: service.serviceArn ?? '',
    status: service.status ?? '',
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    launchType: service.launchType ?? null,
    taskDefinition: family(service.taskDefinition),
    rolloutState: primary?.rolloutState ?? null,
  };
}

export function taskSummary(task: Task): TaskSummary {
  return {
    id: task.taskArn ? task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1) : '',
    arn: task.taskArn ?? '',
    lastStatus: task.lastStatus ?? '',
    desiredStatus: task.desiredStatus ?? '',
    healthStatus: task.healthStatus ?? null,
    taskDefinition: family(task.taskDefinitionArn),
    startedBy: task.startedBy ?? null,
    createdAt: str(task.createdAt),
    startedAt: str(task.startedAt),
    stoppedAt: str(task.stoppedAt),
    stopCode: task.stopCode ?? null,
    stoppedReason: task.stoppedReason ?? null,
    ports: (task.containers ?? []).flatMap((c) => (c.networkBindings ?? []).map((b) => ({
      container: c.name ?? '',
      containerPort: b.containerPort ?? null,
      hostPort: b.hostPort ?? null,
      protocol: b.protocol ?? 'tcp',
      // Berth publishes task ports on the loopback interface (design.md, "Ports"); a stopped task's answer no more.
      url: b.hostPort && (b.protocol ?? 'tcp') === 'tcp' && task.lastStatus !== 'STOPPED' ? `http://127.0.0.1:${b.hostPort}` : null,
    }))),
  };
}

export function deploymentView(d: Deployment): DeploymentView {
  return {
    id: d.id ?? '',
    status: d.status ?? '',
    taskDefinition: family(d.taskDefinition),
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    rolloutState: d.rolloutState ?? null,
    rolloutStateReason: d.rolloutStateReason ?? null,
    createdAt: str(d.createdAt),
    updatedAt: str(d.updatedAt),
  };
}

export function clusterView(scope: Scope, cluster: string): ClusterView | undefined {
  const summary = clusterSummary(scope, cluster);
  if (!summary) return undefined;
  const services = listServiceRows(scope, { cluster, afterSeq: 0, limit: MAX_SERVICES })
    .map((r) => loadService(scope.sql, r.arn)?.service)
    .filter((s) => s !== undefined)
    .map(serviceSummary);
  return {
    account: scope.account,
    region: scope.region,
    cluster: summary,
    services,
    standaloneTasks: standaloneTasks(scope, cluster, MAX_TASKS).map(taskSummary),
  };
}

export function serviceView(scope: Scope, cluster: string, name: string, at: { now: number; metricsPeriod?: number }): ServiceView | undefined {
  const found = findService(scope, cluster, name);
  if (!found || found.status === 'INACTIVE') return undefined;
  const { service } = found;
  return {
    account: scope.account,
    region: scope.region,
    cluster,
    service: serviceSummary(service),
    deployments: (service.deployments ?? []).map(deploymentView),
    events: serviceEvents(scope.sql, found.arn).slice(0, MAX_EVENTS)
      .map((e) => ({ id: e.id ?? '', createdAt: str(e.createdAt) ?? '', message: e.message ?? '' })),
    tasks: serviceTasks(scope, cluster, name, MAX_TASKS).map(taskSummary),
    metrics: serviceMetrics(scope, cluster, name, service, at.now, at.metricsPeriod),
  };
}

/** The service's AWS/ECS CPU and memory utilization (Average per minute) that Berth recorded, over the last hour. */
function serviceMetrics(scope: Scope, cluster: string, service: string, doc: Service, now: number, metricsPeriod?: number): ServiceView['metrics'] {
  const from = now - CHART_MINUTES * (metricsPeriod ?? 60) * 1000;
  const dimensions = [{ Name: 'ClusterName', Value: cluster }, { Name: 'ServiceName', Value: service }];
  const series = (name: string) => minuteSeries(scope.sql, scope, { namespace: 'AWS/ECS', name, dimensions }, from, now + 1, 'Average', metricsPeriod);
  // Deployments still listed and the scaling activities of the window, marked where they happened.
  const marks: Mark[] = [
    ...(doc.deployments ?? []).map((d) => ({ t: d.createdAt ? new Date(d.createdAt).getTime() : NaN, kind: 'deployment' as const, label: `Deployment ${d.id} (${d.taskDefinition?.split('/').pop()})` })),
    ...serviceScalingActivities(scope, cluster, service, from).map((a) => ({ t: a.at, kind: 'scaling' as const, label: a.description })),
  ].filter((m) => m.t >= from && m.t <= now).sort((a, b) => a.t - b.t);
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString(), cpu: series('CPUUtilization'), memory: series('MemoryUtilization'), marks };
}

function findTask(scope: Scope, cluster: string, taskId: string): Task | undefined {
  const row = loadClusterRow(scope, cluster);
  if (!row) return undefined;
  // The task's ARN in the cluster's account and region (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>).
  const prefix = row.arn.slice(0, row.arn.indexOf(':cluster/'));
  const found = loadTaskByArn(scope.sql, `${prefix}:task/${cluster}/${taskId}`);
  if (!found || found.account !== scope.account || found.region !== scope.region) return undefined;
  return found.task;
}

/** At most this many lines per container in a log tail. */
export const MAX_LOG_LINES = 500;

/**
 * A task's log tail: for each container whose log configuration is awslogs, the newest lines of its stream
 * (`<awslogs-stream-prefix>/<container>/<task id>`, as ECS names it) from Berth's CloudWatch Logs, optionally only
 * lines containing `search`. A container with another driver (or none) says where its output is instead.
 */
export function taskLogs(scope: Scope, cluster: string, taskId: string, opts: { search?: string; limit?: number } = {}): TaskLogsView | undefined {
  const task = findTask(scope, cluster, taskId);
  if (!task) return undefined;
  const def = task.taskDefinitionArn ? findTaskDefinitionByArn(scope.sql, task.taskDefinitionArn) : undefined;
  const limit = Math.min(Math.max(1, opts.limit ?? 200), MAX_LOG_LINES);
  const containers = (def?.containerDefinitions ?? []).map((cd): ContainerLogView => {
    const name = cd.name ?? '';
    const log = cd.logConfiguration;
    const group = log?.options?.['awslogs-group'];
    const prefix = log?.options?.['awslogs-stream-prefix'];
    if (log?.logDriver !== 'awslogs' || !group) {
      return { name, group: null, stream: null, lines: [], note: log ? `Its log driver is ${log.logDriver}: its output is not in CloudWatch Logs.` : 'It has no log configuration: its output stays with the container engine (docker logs).' };
    }
    // Without a prefix ECS names the stream by the container's id; Berth ships only prefixed streams (as ECS on Fargate requires one).
    if (!prefix) return { name, group, stream: null, lines: [], note: 'Its awslogs configuration has no awslogs-stream-prefix.' };
    const stream = `${prefix}/${name}/${taskId}`;
    const events = tailStream(scope.sql, scope, group, stream, { limit, contains: opts.search || undefined });
    return {
      name, group, stream,
      lines: (events ?? []).map((e) => ({ at: new Date(e.timestamp).toISOString(), message: e.message })),
      note: events ? null : 'No log stream yet.',
    };
  });
  return { account: scope.account, region: scope.region, cluster, taskId, search: opts.search ?? '', containers };
}

export function taskView(scope: Scope, cluster: string, taskId: string): TaskView | undefined {
  const task = findTask(scope, cluster, taskId);
  if (!task) return undefined;
  const def = task.taskDefinitionArn ? findTaskDefinitionByArn(scope.sql, task.taskDefinitionArn) : undefined;
  const environmentOf = (name: string) => {
    const env = new Map<string, string>();
    for (const e of def?.containerDefinitions?.find((cd) => cd.name === name)?.environment ?? []) if (e.name) env.set(e.name, e.value ?? '');
    for (const e of task.overrides?.containerOverrides?.find((o) => o.name === name)?.environment ?? []) if (e.name) env.set(e.name, e.value ?? '');
    return [...env].map(([k, v]) => ({ name: k, value: v }));
  };
  const secretsOf = (name: string) => (def?.containerDefinitions?.find((cd) => cd.name === name)?.secrets ?? [])
    .map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' }));
  return {
    account: scope.account,
    region: scope.region,
    cluster,
    task: taskSummary(task),
    group: task.group ?? null,
    cpu: task.cpu ?? null,
    memory: task.memory ?? null,
    containers: (task.containers ?? []).map((c): ContainerView => ({
      name: c.name ?? '',
      image: c.image ?? null,
      lastStatus: c.lastStatus ?? null,
      healthStatus: c.healthStatus ?? null,
      exitCode: c.exitCode ?? null,
      reason: c.reason ?? null,
      environment: environmentOf(c.name ?? ''),
      secrets: secretsOf(c.name ?? ''),
    })),
  };
}

