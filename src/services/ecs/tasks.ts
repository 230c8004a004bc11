/**
 * ECS task API: RunTask, StopTask, DescribeTasks, ListTasks, Get/UpdateTaskProtection.
 * These record desired state only; the task-lifecycle controller starts and
 * stops containers and moves lastStatus along.
 */
import type {
  CapacityProviderStrategyItem,
  Cluster,
  PlacementConstraint,
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ListTasksRequest,
  ListTasksResponse,
  ProtectedTask,
  RunTaskRequest,
  RunTaskResponse,
  StartTaskRequest,
  StartTaskResponse,
  StopTaskRequest,
  StopTaskResponse,
  Task,
  TaskDefinition,
  UpdateTaskProtectionRequest,
  UpdateTaskProtectionResponse,
} from '@aws-sdk/client-ecs';
import { arn, ecsArn, parseArn, resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { getTags, putTags } from '../../state/tags.js';
import { clusterNameOf, requireActiveCluster } from './clusters.js';
import { clientException, invalidParameter, resourceNotFound } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { buildTask, refuseExecuteCommand, validateOverrides } from './task-factory.js';
import { validateAwsvpc } from './awsvpc.js';
import { asksTaskGroups, containerInstanceArnFor, placementCandidates } from './container-instances.js';
import { place } from './placement.js';
import { definitionDemand, type RecordedTask } from './task-demand.js';
import { PROVISIONING_LIMIT_MESSAGE, provisioningRoom } from './provisioning-cap.js';
import { BUILTIN_PROVIDERS, checkStrategyForCluster, providerScalesManaged } from './capacity-provider-refs.js';
import { groupSplit, splitByStrategy } from './capacity-strategy.js';
import { findTaskDefinition } from './task-definitions.js';
import { registerTaggable } from './tags.js';
import { idempotentRunTask, insertTask, listTaskRows, loadTaskByArn, recordRunTask, saveTask } from './store/index.js';

registerTaggable('task', {
  exists: (ctx, taskArn) => {
    const row = loadTaskByArn(ctx.sql, taskArn);
    return !!row && row.account === ctx.account && row.region === ctx.region;
  },
  notFound: () => resourceNotFound('The specified resource could not be found.'),
});

/** The task definition a RunTask names; INACTIVE revisions cannot start new tasks. */
function resolveDefinition(ctx: RequestContext, ref: string): TaskDefinition {
  const def = findTaskDefinition(ctx, ref);
  if (!def || def.status === 'DELETE_IN_PROGRESS') throw clientException('Unable to describe task definition.');
  if (def.status !== 'ACTIVE') throw clientException(`TaskDefinition is inactive`);
  return def;
}

/**
 * The launch type and, per task, the capacity provider: the call's strategy, else (no launch type either) the
 * cluster's default strategy, split among its providers by base and weight as ECS does; else the launch type (EC2 by
 * default). A strategy's providers are all Fargate or all Auto Scaling group ones (checkStrategyForCluster).
 */
function chooseLaunch(input: RunTaskRequest, cluster: Cluster, count: number): { launchType: 'FARGATE' | 'EC2' | 'EXTERNAL'; providers: (string | undefined)[] } {
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  const strategy: CapacityProviderStrategyItem[] = input.capacityProviderStrategy?.length ? input.capacityProviderStrategy : input.launchType ? [] : cluster.defaultCapacityProviderStrategy ?? [];
  if (strategy.length) {
    checkStrategyForCluster(cluster, strategy);
    const providers = splitByStrategy(strategy, count).map(resourceId);
    return { launchType: BUILTIN_PROVIDERS.includes(providers[0]) ? 'FARGATE' : 'EC2', providers };
  }
  return { launchType: (input.launchType ?? 'EC2') as 'FARGATE' | 'EC2' | 'EXTERNAL', providers: Array.from({ length: count }, () => undefined) };
}

export function runTask(ctx: RequestContext, input: RunTaskRequest): RunTaskResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw invalidParameter('count must be between 1 and 10.');
  refuseExecuteCommand(input.enableExecuteCommand);
  validateNewTags(input.tags);
  if (input.clientToken) {
    const arns = idempotentRunTask(ctx, input.clientToken, ctx.clock.now());
    if (arns) {
      return { tasks: arns.map((a) => describeTask(ctx, a, [])).filter((t): t is Task => !!t), failures: [] };
    }
  }
  const def = resolveDefinition(ctx, input.taskDefinition!);
  validateOverrides(def, input.overrides);
  const { launchType, providers } = chooseLaunch(input, cluster, count);
  const awsvpc = def.networkMode === 'awsvpc';
  if (awsvpc && !input.networkConfiguration?.awsvpcConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  if (!awsvpc && input.networkConfiguration) {
    throw invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
  }
  validateAwsvpc(ctx, input.networkConfiguration);
  if (launchType === 'FARGATE' && !(def.compatibilities ?? []).includes('FARGATE')) {
    throw invalidParameter('Task definition does not support launch_type FARGATE.');
  }
  if (launchType !== 'FARGATE' && !(def.compatibilities ?? []).includes(launchType)) {
    throw invalidParameter(`Task definition does not support launch_type ${launchType}.`);
  }
  // EC2 and EXTERNAL tasks are placed on the cluster's container instances (a provider's tasks on its own). What no
  // instance takes fails, unless its provider scales managed: then it waits in PROVISIONING for the instances managed
  // scaling launches, as ECS does (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html).
  const placements: (string | undefined)[] = Array.from({ length: count }, () => undefined);
  const waiting = new Set<number>();
  const failures: Failure[] = [];
  const constraints = [...(def.placementConstraints ?? []).map((c) => ({ type: c.type, expression: c.expression })), ...(input.placementConstraints ?? [])];
  if (launchType !== 'FARGATE') {
    for (const [provider, indexes] of groupSplit(providers.map((p) => p ?? ''))) {
      const placed = placeTasks(ctx, cluster.clusterName!, def, input, indexes.length, launchType, constraints, provider || undefined);
      placed.placements.forEach((instanceArn, k) => { placements[indexes[k]] = instanceArn; });
      const unplaced = indexes.slice(placed.placements.length);
      if (!unplaced.length) continue;
      if (provider && providerScalesManaged(ctx, provider)) for (const i of unplaced) waiting.add(i);
      else failures.push(...placed.failures);
    }
    // The cluster's PROVISIONING tasks are capped: a call that would pass the cap starts none.
    if (waiting.size && waiting.size > provisioningRoom(ctx, cluster.clusterName!)) throw clientException(PROVISIONING_LIMIT_MESSAGE);
  }
  const now = ctx.clock.now();
  const tasks: Task[] = [];
  for (let i = 0; i < count; i++) {
    const containerInstanceArn = placements[i];
    if (launchType !== 'FARGATE' && !containerInstanceArn && !waiting.has(i)) continue;
    const task = buildTask(ctx, {
      clusterArn: cluster.clusterArn!, clusterName: cluster.clusterName!, def, launchType, capacityProviderName: providers[i],
      overrides: input.overrides, networkConfiguration: input.networkConfiguration, group: input.group,
      startedBy: input.startedBy, platformVersion: input.platformVersion, enableExecuteCommand: input.enableExecuteCommand,
      containerInstanceArn,
    }, now);
    recordHostPorts(task, def);
    if (waiting.has(i)) (task as RecordedTask).berthAwaitingCapacity = { since: now, constraints, strategies: input.placementStrategy ?? [] };
    const tags = [...(input.tags ?? [])];
    if (input.propagateTags === 'TASK_DEFINITION') {
      for (const t of getTags(ctx, def.taskDefinitionArn!)) if (!tags.some((x) => x.key === t.key)) tags.push(t);
    }
    if (input.enableECSManagedTags) {
      tags.push({ key: 'aws:ecs:clusterName', value: cluster.clusterName });
    }
    insertTask(ctx.sql, ctx, cluster.clusterName!, task, {});
    if (tags.length) putTags(ctx, task.taskArn!, tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
    ctx.changed('ecs.task', task.taskArn!);
    tasks.push({ ...task, tags: [] });
  }
  if (input.clientToken) {
    recordRunTask(ctx, input.clientToken, tasks.map((t) => t.taskArn!), now);
  }
  return { tasks, failures };
}

/** The host ports a task binds, kept on it so instances' remaining PORTS stay exact. */
function recordHostPorts(task: Task, def: TaskDefinition) {
  const d = definitionDemand(def);
  if (d.tcpPorts.length || d.udpPorts.length) (task as Task & { berthHostPorts?: object }).berthHostPorts = { tcp: d.tcpPorts, udp: d.udpPorts };
}

function placeTasks(
  ctx: RequestContext, clusterName: string, def: TaskDefinition, input: RunTaskRequest, count: number, launchType: string,
  constraints: { type?: string; expression?: string }[], capacityProvider: string | undefined,
): { placements: string[]; failures: Failure[] } {
  const group = input.group ?? `family:${def.family}`;
  const candidates = placementCandidates(ctx, clusterName, { group, all: asksTaskGroups(constraints) }, launchType, capacityProvider);
  if (!candidates.length) return { placements: [], failures: [{ arn: arn('ecs', ctx.region, ctx.account, `cluster/${clusterName}`), reason: 'No Container Instances were found in your cluster.' }] };
  return place(candidates, {
    demand: definitionDemand(def, input.overrides),
    requiredAttributes: (def.requiresAttributes ?? []).map((a) => a.name!).filter(Boolean),
    constraints: constraints as PlacementConstraint[],
    strategies: input.placementStrategy ?? [],
    count,
    group,
  });
}

export function startTask(ctx: RequestContext, input: StartTaskRequest): StartTaskResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const refs = input.containerInstances ?? [];
  if (!refs.length || refs.length > 10) throw invalidParameter('containerInstances must contain between 1 and 10 container instances.');
  refuseExecuteCommand(input.enableExecuteCommand);
  validateNewTags(input.tags);
  const def = resolveDefinition(ctx, input.taskDefinition!);
  validateOverrides(def, input.overrides);
  if (def.networkMode === 'awsvpc' && !input.networkConfiguration?.awsvpcConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  validateAwsvpc(ctx, input.networkConfiguration);
  const now = ctx.clock.now();
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  const demand = definitionDemand(def, input.overrides);
  const group = input.group ?? `family:${def.family}`;
  for (const ref of refs) {
    const instanceArn = containerInstanceArnFor(ctx, cluster.clusterName!, ref);
    const candidate = instanceArn ? placementCandidates(ctx, cluster.clusterName!, { group, all: false }).find((c) => c.arn === instanceArn) : undefined;
    if (!instanceArn || !candidate) {
      failures.push({ arn: ref, reason: 'MISSING' });
      continue;
    }
    // StartTask skips placement strategies but not the instance's resources.
    const placed = place([candidate], { demand, requiredAttributes: [], constraints: [], strategies: [], count: 1, group });
    if (!placed.placements.length) {
      failures.push(...placed.failures);
      continue;
    }
    const task = buildTask(ctx, {
      clusterArn: cluster.clusterArn!, clusterName: cluster.clusterName!, def,
      launchType: candidate.attributes.has('ecs.capability.external') ? 'EXTERNAL' : 'EC2',
      overrides: input.overrides, networkConfiguration: input.networkConfiguration, group: input.group,
      startedBy: input.startedBy, enableExecuteCommand: input.enableExecuteCommand, containerInstanceArn: instanceArn,
    }, now);
    recordHostPorts(task, def);
    insertTask(ctx.sql, ctx, cluster.clusterName!, task, {});
    if (input.tags?.length) putTags(ctx, task.taskArn!, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
    ctx.changed('ecs.task', task.taskArn!);
    tasks.push({ ...task, tags: [] });
  }
  return { tasks, failures };
}

/** A task reference (ARN or id) in the named cluster → ARN, or undefined if it is another account/region's. */
function taskArnOf(ctx: RequestContext, clusterName: string, ref: string): string | undefined {
  if (ref.startsWith('arn:')) {
    const a = parseArn(ref);
    if (!a || a.service !== 'ecs' || a.account !== ctx.account || a.region !== ctx.region) return undefined;
    return ref;
  }
  return arn('ecs', ctx.region, ctx.account, `task/${clusterName}/${ref}`);
}

function describeTask(ctx: RequestContext, taskArn: string, include: string[]): Task | undefined {
  const row = loadTaskByArn(ctx.sql, taskArn);
  if (!row || row.account !== ctx.account || row.region !== ctx.region) return undefined;
  return { ...row.task, tags: include.includes('TAGS') ? toEcsTags(getTags(ctx, taskArn)) : [] };
}

export function describeTasks(ctx: RequestContext, input: DescribeTasksRequest): DescribeTasksResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const refs = input.tasks ?? [];
  if (!refs.length) throw invalidParameter('Tasks cannot be empty.');
  if (refs.length > 100) throw invalidParameter('Tasks cannot have more than 100 elements.');
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const taskArn = taskArnOf(ctx, cluster.clusterName!, ref);
    const task = taskArn ? describeTask(ctx, taskArn, input.include ?? []) : undefined;
    if (task && task.clusterArn === cluster.clusterArn) tasks.push(task);
    else failures.push({ arn: taskArn ?? ref, reason: 'MISSING' });
  }
  return { tasks, failures };
}

export function stopTask(ctx: RequestContext, input: StopTaskRequest): StopTaskResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const taskArn = taskArnOf(ctx, cluster.clusterName!, input.task!);
  const row = taskArn ? loadTaskByArn(ctx.sql, taskArn) : undefined;
  if (!row || row.account !== ctx.account || row.region !== ctx.region || row.task.clusterArn !== cluster.clusterArn) {
    throw invalidParameter('The referenced task was not found.');
  }
  const task = row.task;
  if (task.desiredStatus !== 'STOPPED') {
    task.desiredStatus = 'STOPPED';
    task.stopCode = 'UserInitiated';
    task.stoppedReason = input.reason || 'Task stopped by user';
    task.version = (task.version ?? 0) + 1;
    saveTask(ctx.sql, task);
    ctx.changed('ecs.task', task.taskArn!);
  }
  return { task: { ...task, tags: [] } };
}

export function listTasks(ctx: RequestContext, input: ListTasksRequest): ListTasksResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken);
  if (input.serviceName && input.family) throw invalidParameter('Specify either serviceName or family, not both.');
  const desired = input.desiredStatus ?? 'RUNNING';
  const rows = listTaskRows(ctx, {
    cluster: clusterNameOf(ctx, cluster.clusterArn)!, afterSeq: after, desiredStatus: desired, family: input.family,
    startedBy: input.startedBy, serviceName: input.serviceName, launchType: input.launchType,
    containerInstance: input.containerInstance, limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return { taskArns: page.map((r) => r.arn), nextToken: rows.length > limit ? encodeNextToken(page[page.length - 1].seq) : undefined };
}

const DEFAULT_PROTECTION_MINUTES = 2 * 60;
const MAX_PROTECTION_MINUTES = 48 * 60;

/** A task's protection as of `now` (the request's clock, which set its expiry): an expired one reads as none. */
function protectionOf(task: Task & { protection?: ProtectedTask }, now: number): ProtectedTask {
  const p = task.protection;
  const active = p?.protectionEnabled && p.expirationDate && Date.parse(String(p.expirationDate)) > now;
  return { taskArn: task.taskArn, protectionEnabled: !!active, ...(active ? { expirationDate: p!.expirationDate } : {}) };
}

function protectableTasks(ctx: RequestContext, clusterName: string, refs: string[]) {
  const found: (Task & { protection?: ProtectedTask })[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const taskArn = taskArnOf(ctx, clusterName, ref);
    const row = taskArn ? loadTaskByArn(ctx.sql, taskArn) : undefined;
    if (!row || row.account !== ctx.account || row.region !== ctx.region) failures.push({ arn: taskArn ?? ref, reason: 'TASK_NOT_VALID', detail: 'The task was not found.' });
    // Scale-in protection only applies to tasks that belong to a service.
    else if (!row.task.group?.startsWith('service:')) failures.push({ arn: taskArn, reason: 'TASK_NOT_VALID', detail: 'The task is not part of a service.' });
    else found.push(row.task);
  }
  return { found, failures };
}

export function updateTaskProtection(ctx: RequestContext, input: UpdateTaskProtectionRequest): UpdateTaskProtectionResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const minutes = input.expiresInMinutes ?? DEFAULT_PROTECTION_MINUTES;
  if (minutes < 1 || minutes > MAX_PROTECTION_MINUTES) throw invalidParameter(`expiresInMinutes must be between 1 and ${MAX_PROTECTION_MINUTES}.`);
  const { found, failures } = protectableTasks(ctx, cluster.clusterName!, input.tasks ?? []);
  const protectedTasks = found.map((task) => {
    task.protection = input.protectionEnabled
      ? { taskArn: task.taskArn, protectionEnabled: true, expirationDate: new Date(ctx.clock.now() + minutes * 60_000) }
      : { taskArn: task.taskArn, protectionEnabled: false };
    saveTask(ctx.sql, task);
    // The service's scheduler re-plans: a task that lost its protection may now be the one to stop.
    ctx.changed('ecs.service', ecsArn.service(ctx.region, ctx.account, cluster.clusterName!, task.group!.slice('service:'.length)));
    return protectionOf(JSON.parse(JSON.stringify(task)), ctx.clock.now());
  });
  return { protectedTasks, failures };
}

export function getTaskProtection(ctx: RequestContext, input: GetTaskProtectionRequest): GetTaskProtectionResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const { found, failures } = protectableTasks(ctx, cluster.clusterName!, input.tasks ?? []);
  return { protectedTasks: found.map((t) => protectionOf(t, ctx.clock.now())), failures };
}

