/**
 * Task sets of services with the EXTERNAL deployment controller: CreateTaskSet, DescribeTaskSets,
 * UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-external.html).
 * A task set is kept in its service's document (`taskSets`, which DescribeServices returns); these
 * operations record desired state, and the service scheduler (src/controllers/service-task-sets.ts) runs
 * each task set's tasks, registers them in the task set's target groups and counts them.
 *
 * CODE_DEPLOY services also run task sets: ECS makes the first one (PRIMARY, 100%) when the service is
 * created, and from then on only CodeDeploy changes them. Berth has no CodeDeploy, and a direct caller
 * gets what ECS answers anyone but the external controller: the task-set operations that change
 * something are refused with ECS's message; DescribeTaskSets describes them.
 */
import type {
  CreateTaskSetRequest,
  CreateTaskSetResponse,
  DeleteTaskSetRequest,
  DeleteTaskSetResponse,
  DescribeTaskSetsRequest,
  DescribeTaskSetsResponse,
  Failure,
  Scale,
  Service,
  TaskSet,
  UpdateServicePrimaryTaskSetRequest,
  UpdateServicePrimaryTaskSetResponse,
  UpdateTaskSetRequest,
  UpdateTaskSetResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { parseArn } from '../../shared/arns.js';
import { getTags, putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { validateCapacityProviderStrategy } from './capacity-provider-refs.js';
import { requireActiveCluster } from './clusters.js';
import { invalidParameter, resourceNotFound, serviceNotActive } from './errors.js';
import { requireServiceOrThrow, resolveDefinition, validateLoadBalancers, validateNetwork } from './services.js';
import { findService, iso, saveService } from './store/index.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { registerTaggable } from './tags.js';
import { addTaskSet, computedDesiredCount, lendPrimaryFields, taskSetArn } from './task-set-rules.js';

/** ECS refuses a sixth task set ("5 deployments exist on the service…", as users have reported it). */
const MAX_TASK_SETS = 5;

const taskSetNotFound = () => new AwsError('TaskSetNotFoundException', "The specified task set wasn't found.");

const notExternal = () => invalidParameter('Amazon ECS only supports task set management on services configured to use external deployment controllers.');

registerTaggable('task-set', {
  exists: (ctx, taskSetArn) => {
    const a = parseArn(taskSetArn);
    const [, cluster, service, ...id] = a?.resource.split('/') ?? [];
    if (!a || a.account !== ctx.account || a.region !== ctx.region || !cluster || !service) return false;
    const row = findService(ctx, cluster, service);
    return !!row?.service.taskSets?.some((t) => t.id === id.join('/'));
  },
  notFound: () => resourceNotFound('The specified resource could not be found.'),
});

function validateScale(scale: Scale | undefined) {
  if (!scale) return;
  if (scale.unit !== undefined && scale.unit !== 'PERCENT') throw invalidParameter('Scale unit must be PERCENT.');
  if (scale.value === undefined || !(scale.value >= 0 && scale.value <= 100)) throw invalidParameter('Scale value must be between 0 and 100.');
}

/** The service a task-set operation names, which must be ACTIVE and use the EXTERNAL deployment controller. */
function externalService(ctx: RequestContext, clusterRef: string | undefined, serviceRef: string | undefined, readOnly = false) {
  const cluster = requireActiveCluster(ctx, clusterRef);
  const row = requireServiceOrThrow(ctx, cluster.clusterName!, serviceRef!);
  const type = row.service.deploymentController?.type;
  if (type !== 'EXTERNAL' && !(readOnly && type === 'CODE_DEPLOY')) throw notExternal();
  return { cluster, service: row.service };
}

/** A task set by id or ARN among the service's (DRAINING ones included until their tasks are gone). */
function findTaskSet(service: Service, ref: string | undefined): TaskSet | undefined {
  if (!ref) return undefined;
  return service.taskSets?.find((t) => t.id === ref || t.taskSetArn === ref);
}

function requireTaskSet(service: Service, ref: string | undefined): TaskSet {
  const ts = findTaskSet(service, ref);
  if (!ts) throw taskSetNotFound();
  return ts;
}

/** The document as the operations answer it: counts as of now, tags only when asked for. */
function present(ctx: RequestContext, ts: TaskSet, withTags: boolean): TaskSet {
  return { ...ts, tags: withTags ? toEcsTags(getTags(ctx, ts.taskSetArn!)) : [] };
}

export function createTaskSet(ctx: RequestContext, input: CreateTaskSetRequest): CreateTaskSetResponse {
  const { cluster, service } = externalService(ctx, input.cluster, input.service);
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  // A retry with the same client token answers with the task set the first call made.
  const prior = input.clientToken ? service.taskSets?.find((t) => (t as { berthClientToken?: string }).berthClientToken === input.clientToken) : undefined;
  if (prior) return { taskSet: present(ctx, prior, true) };
  if ((service.taskSets?.length ?? 0) >= MAX_TASK_SETS) {
    throw invalidParameter(`${service.taskSets!.length} deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.`);
  }
  validateScale(input.scale);
  validateNewTags(input.tags);
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  validateCapacityProviderStrategy(input.capacityProviderStrategy ?? []);
  const def = resolveDefinition(ctx, input.taskDefinition);
  validateNetwork(ctx, def, input);
  // One target group per task set (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/register-multiple-targetgroups.html).
  if ((input.loadBalancers?.length ?? 0) > 1) throw invalidParameter('Only one load balancer can be specified for a task set.');
  validateLoadBalancers(ctx, def, input.loadBalancers);
  // Without a launch type or strategy: the service's, else the cluster's default strategy, else EC2.
  const strategy = input.capacityProviderStrategy?.length ? input.capacityProviderStrategy
    : input.launchType ? undefined
    : service.capacityProviderStrategy?.length ? service.capacityProviderStrategy
    : !service.launchType && cluster.defaultCapacityProviderStrategy?.length ? cluster.defaultCapacityProviderStrategy : undefined;
  const launchType = strategy ? undefined : input.launchType ?? service.launchType ?? 'EC2';
  const isFargate = launchType === 'FARGATE' || (strategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'));
  if (isFargate && !(def.compatibilities ?? []).includes('FARGATE')) throw invalidParameter('Task definition does not support launch_type FARGATE.');
  if (!isFargate && !(def.compatibilities ?? []).includes('EC2')) throw invalidParameter('Task definition does not support launch_type EC2.');
  const now = ctx.clock.now();
  const ts = addTaskSet(service, {
    taskDefinition: def.taskDefinitionArn!, launchType, capacityProviderStrategy: strategy, platformVersion: input.platformVersion,
    networkConfiguration: input.networkConfiguration, loadBalancers: input.loadBalancers, serviceRegistries: input.serviceRegistries,
    externalId: input.externalId, scale: input.scale ?? { value: 0, unit: 'PERCENT' }, status: 'ACTIVE',
  }, now);
  if (input.clientToken) (ts as { berthClientToken?: string }).berthClientToken = input.clientToken;
  saveService(ctx.sql, service);
  if (input.tags?.length) putTags(ctx, ts.taskSetArn!, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  ctx.changed('ecs.service', service.serviceArn!);
  return { taskSet: { ...ts, tags: input.tags ?? [] } };
}

export function describeTaskSets(ctx: RequestContext, input: DescribeTaskSetsRequest): DescribeTaskSetsResponse {
  const { service } = externalService(ctx, input.cluster, input.service, true);
  const withTags = !!input.include?.includes('TAGS');
  if (!input.taskSets?.length) return { taskSets: (service.taskSets ?? []).map((t) => present(ctx, t, withTags)), failures: [] };
  const taskSets: TaskSet[] = [];
  const failures: Failure[] = [];
  for (const ref of input.taskSets) {
    const ts = findTaskSet(service, ref);
    if (ts) taskSets.push(present(ctx, ts, withTags));
    else failures.push({ arn: ref.startsWith('arn:') ? ref : taskSetArn(service, ref), reason: 'MISSING' });
  }
  return { taskSets, failures };
}

export function updateTaskSet(ctx: RequestContext, input: UpdateTaskSetRequest): UpdateTaskSetResponse {
  const { service } = externalService(ctx, input.cluster, input.service);
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  const ts = requireTaskSet(service, input.taskSet);
  validateScale(input.scale);
  if (ts.status === 'DRAINING') throw invalidParameter('The task set is being deleted and cannot be updated.');
  const now = ctx.clock.now();
  ts.scale = { value: input.scale!.value, unit: 'PERCENT' };
  ts.computedDesiredCount = computedDesiredCount(service, ts);
  ts.updatedAt = iso(now);
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { taskSet: present(ctx, ts, false) };
}

export function updateServicePrimaryTaskSet(ctx: RequestContext, input: UpdateServicePrimaryTaskSetRequest): UpdateServicePrimaryTaskSetResponse {
  const { service } = externalService(ctx, input.cluster, input.service);
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  const ts = requireTaskSet(service, input.primaryTaskSet);
  if (ts.status === 'DRAINING') throw invalidParameter('The task set is being deleted and cannot be made primary.');
  const now = ctx.clock.now();
  if (ts.status !== 'PRIMARY') {
    for (const other of service.taskSets ?? []) {
      if (other.status === 'PRIMARY') {
        other.status = 'ACTIVE';
        other.updatedAt = iso(now);
      }
    }
    ts.status = 'PRIMARY';
    ts.updatedAt = iso(now);
    // The service now reports the primary task set's task definition, launch type, network and load balancers.
    lendPrimaryFields(service, ts);
  }
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { taskSet: present(ctx, ts, false) };
}

export function deleteTaskSet(ctx: RequestContext, input: DeleteTaskSetRequest): DeleteTaskSetResponse {
  const { service } = externalService(ctx, input.cluster, input.service);
  const ts = requireTaskSet(service, input.taskSet);
  if (ts.status === 'DRAINING') return { taskSet: present(ctx, ts, false) };
  if (ts.status === 'PRIMARY') throw invalidParameter('Primary TaskSet cannot be deleted');
  const live = (ts.runningCount ?? 0) + (ts.pendingCount ?? 0);
  if (!input.force && ((ts.computedDesiredCount ?? 0) > 0 || live > 0)) {
    throw invalidParameter('The task set cannot be deleted while it is scaled above 0. Scale it to 0 or use force.');
  }
  const now = ctx.clock.now();
  ts.status = 'DRAINING';
  ts.computedDesiredCount = 0;
  ts.stabilityStatus = 'STABILIZING';
  ts.stabilityStatusAt = iso(now);
  ts.updatedAt = iso(now);
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { taskSet: present(ctx, ts, false) };
}
