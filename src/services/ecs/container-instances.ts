/**
 * Container instances (the EC2 and EXTERNAL launch types): RegisterContainerInstance,
 * DeregisterContainerInstance, DescribeContainerInstances, ListContainerInstances,
 * UpdateContainerInstancesState, UpdateContainerAgent.
 *
 * A Berth container instance is virtual: a CPU/memory/port budget carved from
 * the local container engine (`berth instances add`), with the attributes an
 * ECS agent reports. Remaining resources are its registered ones less what its
 * tasks take, kept per instance as their lastStatus changes (store/instance-usage.ts).
 */
import type {
  Attribute,
  ContainerInstance,
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  Failure,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  RegisterContainerInstanceRequest,
  RegisterContainerInstanceResponse,
  Resource,
  Task,
  UpdateContainerAgentRequest,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { arn, parseArn, resourceId } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import type { RequestContext } from '../provider.js';
import { getTags, putTags } from '../../state/tags.js';
import { requireActiveCluster } from './clusters.js';
import { parseQuery, type QueryCandidate } from './cluster-query.js';
import { invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { registerTaggable } from './tags.js';
import { writeAttributes } from './attributes.js';
import type { Candidate, HostPorts } from './placement.js';
import {
  ENGINE_ATTRIBUTE, engineHostPorts, findInstanceRow, insertInstance, instanceGroups, instanceGroupTasks, instanceStateChange, intResource,
  listInstanceRows, setResource, withUsage, loadInstances, registeredInstanceArnExists, saveInstance, saveTaskDesired, tasksOnInstance,
} from './store/index.js';

/** The ports an ECS agent reserves on every instance. */
const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];
const AGENT_VERSION = '1.89.2';

/** Capabilities Berth's engine offers, reported as an agent does (placement checks requiresAttributes against them). */
const CAPABILITIES = [
  ...Array.from({ length: 28 }, (_, i) => `com.amazonaws.ecs.capability.docker-remote-api.1.${17 + i}`),
  'com.amazonaws.ecs.capability.logging-driver.json-file', 'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'com.amazonaws.ecs.capability.logging-driver.none', 'com.amazonaws.ecs.capability.privileged-container',
  'com.amazonaws.ecs.capability.task-iam-role', 'com.amazonaws.ecs.capability.task-iam-role-network-host',
  'com.amazonaws.ecs.capability.ecr-auth', 'ecs.capability.task-eni', 'ecs.capability.execution-role-awslogs',
  'ecs.capability.execution-role-ecr-pull', 'ecs.capability.container-health-check', 'ecs.capability.container-ordering',
  'ecs.capability.docker-plugin.local', 'ecs.capability.efsAuth', 'ecs.capability.efs', 'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.environment-variables', 'ecs.capability.private-registry-authentication.secretsmanager',
  'ecs.capability.task-cpu-mem-limit', 'ecs.capability.increased-task-cpu-limit',
];

registerTaggable('container-instance', {
  exists: (ctx, a) => registeredInstanceArnExists(ctx.sql, a),
  notFound: () => new AwsError('ResourceNotFoundException', 'The specified resource could not be found.'),
});

/** The instance as the cluster query language sees it; `taskGroups` are the groups of its tasks. */
function queryCandidate(ci: ContainerInstance, taskGroups: string[]): QueryCandidate {
  const attrs: Record<string, string | undefined> = {};
  for (const a of ci.attributes ?? []) attrs[a.name!] = a.value ?? '';
  return {
    attributes: attrs,
    ec2InstanceType: attrs['ecs.instance-type'],
    ec2InstanceId: ci.ec2InstanceId,
    agentConnected: ci.agentConnected,
    agentVersion: ci.versionInfo?.agentVersion,
    registeredAt: ci.registeredAt ? Date.parse(String(ci.registeredAt)) / 1000 : undefined,
    runningTasksCount: ci.runningTasksCount,
    taskGroups,
  };
}

function resourceValue(resources: Resource[] | undefined, name: string): number | undefined {
  return resources?.find((r) => r.name === name)?.integerValue;
}

export function registerContainerInstance(ctx: RequestContext, input: RegisterContainerInstanceRequest, extra: { capacityProviderName?: string } = {}): RegisterContainerInstanceResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  validateNewTags(input.tags);
  const identity = input.instanceIdentityDocument ? safeJson(input.instanceIdentityDocument) : undefined;
  const cpu = resourceValue(input.totalResources, 'CPU') ?? 2048;
  const memory = resourceValue(input.totalResources, 'MEMORY') ?? 3828;
  if (cpu <= 0 || memory <= 0) throw invalidParameter('CPU and MEMORY resources must be positive.');
  const ports = input.totalResources?.find((r) => r.name === 'PORTS')?.stringSetValue ?? RESERVED_PORTS;
  // An instance on a remote engine is an external (ECS Anywhere) instance: managed-instance id, EXTERNAL launch type,
  // unless it is an EC2 instance (its identity document names one) whose tasks an engine URL sends elsewhere.
  const external = !identity?.instanceId && (input.attributes ?? []).some((a) => a.name === ENGINE_ATTRIBUTE && a.value);
  const ec2InstanceId = (identity?.instanceId as string | undefined) ?? (external ? `mi-${randomHex(9).slice(0, 17)}` : `i-0${randomHex(8)}`);
  const az = (identity?.availabilityZone as string | undefined) ?? `${ctx.region}a`;
  const instanceType = (identity?.instanceType as string | undefined) ?? 't3.medium';
  const given = new Map((input.attributes ?? []).map((a) => [a.name!, a.value]));
  const attributes: Attribute[] = [
    ...CAPABILITIES.map((name) => ({ name })),
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: (identity?.architecture as string | undefined) === 'arm64' ? 'arm64' : 'x86_64' },
    { name: 'ecs.instance-type', value: instanceType },
    { name: 'ecs.availability-zone', value: az },
    ...(external ? [{ name: 'ecs.capability.external' }] : [{ name: 'ecs.ami-id', value: (identity?.imageId as string | undefined) ?? 'ami-0berth000000000000' }]),
  ].filter((a) => !given.has(a.name!));
  for (const [name, value] of given) attributes.push({ name, ...(value !== undefined ? { value } : {}) });
  const now = ctx.clock.now();
  const id = randomHex(16);
  const ci: ContainerInstance = {
    containerInstanceArn: arn('ecs', ctx.region, ctx.account, `container-instance/${cluster.clusterName}/${id}`),
    ec2InstanceId,
    version: 1,
    versionInfo: { agentVersion: input.versionInfo?.agentVersion ?? AGENT_VERSION, agentHash: input.versionInfo?.agentHash ?? 'berth', dockerVersion: input.versionInfo?.dockerVersion ?? 'DockerVersion: 20.10.24' },
    remainingResources: [],
    registeredResources: [intResource('CPU', cpu), intResource('MEMORY', memory), setResource('PORTS', ports), setResource('PORTS_UDP', [])],
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes,
    registeredAt: new Date(now),
    attachments: [],
    tags: [],
    ...(extra.capacityProviderName ? { capacityProviderName: extra.capacityProviderName } : {}),
  };
  insertInstance(ctx, cluster.clusterName!, id, ci);
  if (input.tags?.length) putTags(ctx, ci.containerInstanceArn!, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  const custom = (input.attributes ?? []).filter((a) => !a.name!.startsWith('ecs.') && !a.name!.startsWith('com.amazonaws.ecs.') && a.name !== ENGINE_ATTRIBUTE);
  if (custom.length) writeAttributes(ctx, cluster.clusterName!, ci.containerInstanceArn!, custom);
  instanceStateChange(ctx.sql, ci);
  ctx.changed('ecs.cluster', cluster.clusterArn!);
  return { containerInstance: { ...withUsage(ctx.sql, ci), tags: input.tags ?? [] } };
}

/**
 * Saves an instance's document and sends ECS's "ECS Container Instance State Change" for it (registered, deregistered,
 * its status or its agent's connection changed: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_container_instance_events.html),
 * the detail the instance as DescribeContainerInstances shows it, in AWS's fields.
 */
export function saveInstanceAndTell(sql: Statements, ci: ContainerInstance): void {
  saveInstance(sql, ci);
  instanceStateChange(sql, ci);
}

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameter('instanceIdentityDocument is not valid JSON.');
  }
}

/** An instance reference (id or ARN) in a cluster → its row. */
function findInstance(ctx: RequestContext, clusterName: string, ref: string) {
  let id = ref;
  if (ref.startsWith('arn:')) {
    const a = parseArn(ref);
    if (!a || a.account !== ctx.account || a.region !== ctx.region || !a.resource.startsWith('container-instance/')) return undefined;
    id = resourceId(ref);
  }
  return findInstanceRow(ctx, clusterName, id);
}

export function containerInstanceArnFor(ctx: RequestContext, clusterName: string, ref: string): string | undefined {
  const row = findInstance(ctx, clusterName, ref);
  return row && row.status !== 'INACTIVE' ? row.arn : undefined;
}

export function deregisterContainerInstance(ctx: RequestContext, input: DeregisterContainerInstanceRequest): DeregisterContainerInstanceResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const row = findInstance(ctx, cluster.clusterName!, input.containerInstance!);
  if (!row || row.status === 'INACTIVE') throw invalidParameter('The referenced container instance was not found.');
  const ci = JSON.parse(row.doc) as ContainerInstance;
  const tasks = tasksOnInstance(ctx.sql, row.arn);
  if (tasks.length && !input.force) {
    throw invalidParameter('Found running tasks on the instance. Specify force=true to deregister the container instance.');
  }
  // Forced: its tasks are orphaned on AWS; here they are stopped, since the instance is this machine.
  stopTasksOn(ctx, row.arn, 'ServiceSchedulerInitiated', 'Container instance deregistration forced by user');
  ci.status = 'INACTIVE';
  ci.agentConnected = false;
  saveInstanceAndTell(ctx.sql, ci);
  return { containerInstance: withUsage(ctx.sql, ci) };
}

/** Stops the tasks an instance still runs (its desired status; the task lifecycle stops their containers). */
export function stopTasksOn(ctx: RequestContext, instanceArn: string, stopCode: Task['stopCode'], reason: string): void {
  for (const task of tasksOnInstance(ctx.sql, instanceArn)) {
    if (task.desiredStatus === 'STOPPED') continue;
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    saveTaskDesired(ctx.sql, task);
    ctx.changed('ecs.task', task.taskArn!);
  }
}

export function describeContainerInstances(ctx: RequestContext, input: DescribeContainerInstancesRequest): DescribeContainerInstancesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const refs = input.containerInstances ?? [];
  if (!refs.length) throw invalidParameter('Container instances cannot be empty.');
  if (refs.length > 100) throw invalidParameter('containerInstances can have at most 100 items.');
  const containerInstances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const row = findInstance(ctx, cluster.clusterName!, ref);
    if (!row) {
      failures.push({ arn: ref.startsWith('arn:') ? ref : arn('ecs', ctx.region, ctx.account, `container-instance/${cluster.clusterName}/${ref}`), reason: 'MISSING' });
      continue;
    }
    const ci = withUsage(ctx.sql, JSON.parse(row.doc));
    containerInstances.push({ ...ci, tags: input.include?.includes('TAGS') ? toEcsTags(getTags(ctx, row.arn)) : [] });
  }
  return { containerInstances, failures };
}

export function listContainerInstances(ctx: RequestContext, input: ListContainerInstancesRequest): ListContainerInstancesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken);
  const predicate = input.filter ? parseQuery(input.filter) : undefined;
  const statuses = input.status ? [input.status] : ['ACTIVE', 'DRAINING'];
  const rows = listInstanceRows(ctx, cluster.clusterName!, after)
    .filter((r) => statuses.includes(r.status))
    .filter((r) => !predicate || predicate(queryCandidate(withUsage(ctx.sql, JSON.parse(r.doc)), [...instanceGroups(ctx.sql, r.arn).keys()])));
  const page = rows.slice(0, limit);
  return { containerInstanceArns: page.map((r) => r.arn), nextToken: rows.length > limit ? encodeNextToken(page[page.length - 1].seq) : undefined };
}

export function updateContainerInstancesState(ctx: RequestContext, input: UpdateContainerInstancesStateRequest): UpdateContainerInstancesStateResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  if (input.status !== 'ACTIVE' && input.status !== 'DRAINING') {
    throw invalidParameter('Container instance status can only be updated to ACTIVE or DRAINING.');
  }
  const containerInstances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of input.containerInstances ?? []) {
    const row = findInstance(ctx, cluster.clusterName!, ref);
    if (!row || row.status === 'INACTIVE') {
      failures.push({ arn: ref, reason: 'MISSING' });
      continue;
    }
    const ci = JSON.parse(row.doc) as ContainerInstance;
    ci.status = input.status;
    ci.version = (ci.version ?? 1) + 1;
    saveInstanceAndTell(ctx.sql, ci);
    containerInstances.push(withUsage(ctx.sql, ci));
    // Services move their tasks off a DRAINING instance.
    ctx.changed('ecs.cluster', cluster.clusterArn!);
  }
  return { containerInstances, failures };
}

export function updateContainerAgent(ctx: RequestContext, input: UpdateContainerAgentRequest): never {
  const cluster = requireActiveCluster(ctx, input.cluster);
  if (!findInstance(ctx, cluster.clusterName!, input.containerInstance!)) throw invalidParameter('The referenced container instance was not found.');
  // Berth's "agent" is Berth itself: always the latest.
  throw new AwsError('NoUpdateAvailableException', 'There is no update available for your container agent.');
}

/** The engine a container instance's tasks run on: its berth.engine attribute, '' for the local engine. */
const engineKey = (ci: ContainerInstance) => ci.attributes?.find((a) => a.name === ENGINE_ATTRIBUTE)?.value ?? '';

/** What placement counts of the task groups on each candidate. */
export interface GroupsWanted {
  /** The group of the tasks being placed (distinctInstance, spread). */
  group: string;
  /** Every group on each instance too: a memberOf expression asks about task:group. */
  all: boolean;
}

/** Whether any memberOf constraint's expression asks about the task groups on an instance. */
export const asksTaskGroups = (constraints: { type?: string; expression?: string }[]) =>
  constraints.some((k) => k.type === 'memberOf' && /task:group/i.test(k.expression ?? ''));

/**
 * ACTIVE instances of a cluster as placement candidates, with what their tasks (and their engine's) already take.
 * Each costs a few rows (its usage, its task groups, the host ports taken on its engine), not its tasks' documents.
 */
export function placementCandidates(scope: Scope, cluster: string, groups: GroupsWanted, launchType?: string, capacityProvider?: string): Candidate[] {
  const { sql } = scope;
  // One set of taken host ports per engine, shared by its candidates (placing on one takes the port on all).
  const enginePorts = new Map<string, HostPorts>();
  const portsOfEngine = (key: string) => {
    if (!enginePorts.has(key)) enginePorts.set(key, engineHostPorts(sql, key));
    return enginePorts.get(key)!;
  };
  const isExternal = (ci: ContainerInstance) => !!ci.attributes?.some((a) => a.name === 'ecs.capability.external');
  // EXTERNAL tasks run only on external instances, EC2 tasks only on the others.
  // A disconnected agent (its EC2 instance stopped) takes no tasks, as on ECS.
  // A task of an Auto Scaling group capacity provider goes only to that provider's instances (ECS associates an
  // instance with the provider of the group that launched it when it registers).
  const fits = (ci: ContainerInstance) => ci.agentConnected !== false && (!launchType || (launchType === 'EXTERNAL') === isExternal(ci))
    && (!capacityProvider || ci.capacityProviderName === capacityProvider);
  return loadInstances(scope, cluster, ['ACTIVE']).filter(fits).map((raw) => {
    const ci = withUsage(sql, raw);
    const arn = ci.containerInstanceArn!;
    const rem = new Map((ci.remainingResources ?? []).map((r) => [r.name, r]));
    const tasksByGroup = groups.all ? instanceGroups(sql, arn) : new Map([[groups.group, instanceGroupTasks(sql, arn, groups.group)]]);
    return {
      arn,
      cpu: rem.get('CPU')?.integerValue ?? 0,
      memory: rem.get('MEMORY')?.integerValue ?? 0,
      tcpPorts: new Set((rem.get('PORTS')?.stringSetValue ?? []).map(Number)),
      udpPorts: new Set((rem.get('PORTS_UDP')?.stringSetValue ?? []).map(Number)),
      enginePorts: portsOfEngine(engineKey(ci)),
      attributes: new Map((ci.attributes ?? []).map((a) => [a.name!, a.value])),
      query: queryCandidate(ci, groups.all ? [...tasksByGroup.keys()] : []),
      groups: tasksByGroup,
    };
  });
}
