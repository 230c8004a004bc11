/**
 * Task sets' rules that the ECS operations and the service scheduler share: which services run task sets
 * instead of deployments, how many tasks a task set wants, what a primary task set lends its service, and
 * making a task set (CreateTaskSet, and CreateService for a CODE_DEPLOY service's first one)
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-external.html).
 */
import type { CreateServiceRequest, Scale, Service, TaskSet } from '@aws-sdk/client-ecs';
import { arn, parseArn } from '../../shared/arns.js';
import { iso, newDeploymentId } from './store/index.js';
import { FARGATE_LATEST } from './task-factory.js';

/** EXTERNAL and CODE_DEPLOY services run task sets; ECS services run deployments. */
export function usesTaskSets(service: Service): boolean {
  const type = service.deploymentController?.type;
  return type === 'EXTERNAL' || type === 'CODE_DEPLOY';
}

/**
 * The tasks a task set wants: its scale (a percentage) of the service's desired count, rounded up
 * (API_TaskSet: computedDesiredCount "is calculated by multiplying the service's desiredCount by the task
 * set's scale percentage. The result is always rounded up"). A DRAINING task set, or any task set of a
 * service that is no longer ACTIVE, wants none.
 */
export function computedDesiredCount(service: Service, ts: TaskSet): number {
  if (service.status !== 'ACTIVE' || ts.status === 'DRAINING') return 0;
  const percent = ts.scale?.value ?? 0;
  // 1e-9: floating-point noise must not round up (10 × 30 / 100 is 3.0000000000000004).
  return Math.max(0, Math.ceil(((service.desiredCount ?? 0) * percent) / 100 - 1e-9));
}

/** The task set fields DescribeServices reports on the service itself: the primary task set's. */
const LENT = ['taskDefinition', 'launchType', 'capacityProviderStrategy', 'platformVersion', 'platformFamily', 'networkConfiguration', 'loadBalancers', 'serviceRegistries'] as const;

/** Copies the primary task set's fields onto its service (a field the task set lacks is removed from the service). */
export function lendPrimaryFields(service: Service, primary: TaskSet) {
  const s = service as Record<string, unknown>;
  const t = primary as Record<string, unknown>;
  for (const k of LENT) {
    if (t[k] === undefined) delete s[k];
    else s[k] = t[k];
  }
}

/** A task set's ARN: `task-set/<cluster>/<service>/<id>` (the id, `ecs-svc/…`, keeps its slash). */
export function taskSetArn(service: Service, id: string): string {
  const a = parseArn(service.serviceArn!)!;
  return arn('ecs', a.region, a.account, `task-set/${a.resource.slice('service/'.length)}/${id}`);
}

/** Recomputes every task set's computedDesiredCount (the scheduler converges on it). */
export function recomputeTaskSets(service: Service) {
  for (const ts of service.taskSets ?? []) ts.computedDesiredCount = computedDesiredCount(service, ts);
}

interface NewTaskSet {
  taskDefinition: string;
  launchType?: TaskSet['launchType'];
  capacityProviderStrategy?: TaskSet['capacityProviderStrategy'];
  platformVersion?: string;
  networkConfiguration?: TaskSet['networkConfiguration'];
  loadBalancers?: TaskSet['loadBalancers'];
  serviceRegistries?: TaskSet['serviceRegistries'];
  externalId?: string;
  startedBy?: string;
  scale: Scale;
  status: 'PRIMARY' | 'ACTIVE';
}

/** Builds a task set from validated parameters and adds it to its service (not saved). */
export function addTaskSet(service: Service, p: NewTaskSet, now: number): TaskSet {
  const id = newDeploymentId();
  const isFargate = p.launchType === 'FARGATE' || (p.capacityProviderStrategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'));
  const ts: TaskSet = {
    id,
    taskSetArn: taskSetArn(service, id),
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    ...(p.startedBy ? { startedBy: p.startedBy } : {}),
    ...(p.externalId !== undefined ? { externalId: p.externalId } : {}),
    status: p.status,
    taskDefinition: p.taskDefinition,
    computedDesiredCount: 0,
    pendingCount: 0,
    runningCount: 0,
    createdAt: iso(now),
    updatedAt: iso(now),
    ...(p.capacityProviderStrategy?.length ? { capacityProviderStrategy: p.capacityProviderStrategy } : { launchType: p.launchType }),
    // A task set reports the platform version LATEST resolved to when it was made (as its tasks run it).
    ...(isFargate ? { platformVersion: (p.platformVersion ?? 'LATEST') === 'LATEST' ? FARGATE_LATEST : p.platformVersion, platformFamily: 'Linux' } : {}),
    ...(p.networkConfiguration ? { networkConfiguration: p.networkConfiguration } : {}),
    loadBalancers: p.loadBalancers ?? [],
    serviceRegistries: p.serviceRegistries ?? [],
    scale: { value: p.scale.value ?? 0, unit: 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: iso(now),
  };
  ts.computedDesiredCount = computedDesiredCount(service, ts);
  service.taskSets = [...(service.taskSets ?? []), ts];
  if (ts.status === 'PRIMARY') lendPrimaryFields(service, ts);
  return ts;
}

/**
 * A CODE_DEPLOY service's first task set, which ECS makes from the service's own parameters when the
 * service is created: PRIMARY at 100% (CodeDeploy then replaces it in blue/green deployments).
 */
export function initialCodeDeployTaskSet(service: Service, input: CreateServiceRequest, now: number): TaskSet {
  return addTaskSet(service, {
    taskDefinition: service.taskDefinition!, launchType: service.launchType, capacityProviderStrategy: service.capacityProviderStrategy,
    platformVersion: input.platformVersion, networkConfiguration: service.networkConfiguration, loadBalancers: service.loadBalancers,
    serviceRegistries: service.serviceRegistries, scale: { value: 100, unit: 'PERCENT' }, status: 'PRIMARY',
  }, now);
}

