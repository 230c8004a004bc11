/**
 * ECS services: CreateService, UpdateService, DeleteService, DescribeServices,
 * ListServices, ListServicesByNamespace. These record desired state and
 * deployments; the service-scheduler controller starts and stops the tasks.
 */
import type {
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  DeploymentConfiguration,
  DescribeServicesRequest,
  DescribeServicesResponse,
  Failure,
  ListServicesByNamespaceRequest,
  ListServicesByNamespaceResponse,
  ListServicesRequest,
  ListServicesResponse,
  Service,
  TaskDefinition,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from '@aws-sdk/client-ecs';
import { arn, parseArn, resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { getTags, putTags } from '../../state/tags.js';
import { checkStrategyForCluster } from './capacity-provider-refs.js';
import { refuseClassicLoadBalancer } from './classic-load-balancers.js';
import { clusterNameOf, requireActiveCluster } from './clusters.js';
import { clientException, invalidParameter, resourceNotFound, serviceNotActive, serviceNotFound } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import {
  addEvent, findService, insertService, iso, listServiceRows, listServiceRowsByNamespace, loadService, saveService, serviceEvents, setDesiredCount, startDeployment,
} from './store/index.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { registerTaggable } from './tags.js';
import { findTaskDefinition } from './task-definitions.js';
import { FARGATE_LATEST, refuseExecuteCommand } from './task-factory.js';
import { validateAwsvpc } from './awsvpc.js';
import { initialCodeDeployTaskSet, recomputeTaskSets, usesTaskSets } from './task-set-rules.js';
import { targetGroupOf } from '../elastic-load-balancing-v2/index.js';

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;

registerTaggable('service', {
  exists: (ctx, serviceArn) => {
    const row = loadService(ctx.sql, serviceArn);
    return !!row && row.account === ctx.account && row.region === ctx.region && row.status !== 'INACTIVE';
  },
  notFound: () => resourceNotFound('The specified resource could not be found.'),
});

/** A service reference (name or ARN) in a cluster. */
export function serviceNameOf(ctx: RequestContext, ref: string): string | undefined {
  if (!ref.startsWith('arn:')) return ref;
  const a = parseArn(ref);
  if (!a || a.service !== 'ecs' || !a.resource.startsWith('service/') || a.account !== ctx.account || a.region !== ctx.region) return undefined;
  return resourceId(ref);
}

export function resolveDefinition(ctx: RequestContext, ref: string | undefined): TaskDefinition {
  if (!ref) throw invalidParameter('TaskDefinition must be specified.');
  const def = findTaskDefinition(ctx, ref);
  if (!def || def.status === 'DELETE_IN_PROGRESS') throw clientException('Unable to describe task definition.');
  if (def.status !== 'ACTIVE') throw clientException('TaskDefinition is inactive');
  return def;
}

function validateDeploymentConfiguration(dc: DeploymentConfiguration | undefined) {
  if (!dc) return;
  if (dc.maximumPercent !== undefined && (dc.maximumPercent < 100 || dc.maximumPercent > 200)) {
    throw invalidParameter('The maximumPercent value must be between 100 and 200.');
  }
  if (dc.minimumHealthyPercent !== undefined && (dc.minimumHealthyPercent < 0 || dc.minimumHealthyPercent > 100)) {
    throw invalidParameter('The minimumHealthyPercent value must be between 0 and 100.');
  }
}

export function validateNetwork(ctx: RequestContext, def: TaskDefinition, input: { networkConfiguration?: Service['networkConfiguration'] }) {
  const awsvpc = def.networkMode === 'awsvpc';
  if (awsvpc && !input.networkConfiguration?.awsvpcConfiguration?.subnets?.length) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  if (!awsvpc && input.networkConfiguration) {
    throw invalidParameter('Network Configuration is not valid for the given networkMode of this task definition.');
  }
  validateAwsvpc(ctx, input.networkConfiguration);
}

export function validateLoadBalancers(ctx: RequestContext, def: TaskDefinition, lbs: Service['loadBalancers']) {
  for (const lb of lbs ?? []) {
    if (!lb.targetGroupArn && !lb.loadBalancerName) throw invalidParameter('Either a target group or a load balancer name must be specified.');
    refuseClassicLoadBalancer(lb);
    const tg = targetGroupOf(ctx.sql, { account: ctx.account, region: ctx.region, targetGroupArn: lb.targetGroupArn! });
    if (!tg || !tg.LoadBalancerArns?.length) {
      throw invalidParameter(`The target group with targetGroupArn ${lb.targetGroupArn} does not have an associated load balancer.`);
    }
    if (def.networkMode === 'awsvpc' && tg.TargetType !== 'ip') {
      throw invalidParameter(`The provided target group ${lb.targetGroupArn} has target type ${tg.TargetType}, which is incompatible with the awsvpc network mode specified in the task definition.`);
    }
    const cd = def.containerDefinitions?.find((c) => c.name === lb.containerName);
    if (!cd) throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    if (!cd.portMappings?.some((p) => p.containerPort === lb.containerPort)) {
      throw invalidParameter(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    }
  }
}

export function createService(ctx: RequestContext, input: CreateServiceRequest): CreateServiceResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const name = input.serviceName!;
  if (!NAME_RE.test(name)) throw invalidParameter('Service name can only contain letters, numbers, hyphens and underscores, and must be 1-255 characters long.');
  const scheduling = input.schedulingStrategy ?? 'REPLICA';
  refuseExecuteCommand(input.enableExecuteCommand);
  if (scheduling === 'DAEMON' && (input.launchType === 'FARGATE' || input.capacityProviderStrategy?.length)) {
    throw invalidParameter('The daemon scheduling strategy does not support the FARGATE launch type or capacity provider strategies.');
  }
  if (scheduling === 'DAEMON' && input.desiredCount !== undefined) throw invalidParameter('The daemon scheduling strategy does not support a desired count for services.');
  const desiredCount = input.desiredCount ?? 0;
  if (!Number.isInteger(desiredCount) || desiredCount < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  if (input.capacityProviderStrategy?.length) checkStrategyForCluster(cluster, input.capacityProviderStrategy);
  validateDeploymentConfiguration(input.deploymentConfiguration);
  validateNewTags(input.tags);
  const controller = input.deploymentController?.type ?? 'ECS';
  if (controller === 'EXTERNAL') validateExternalService(input, scheduling);
  if (controller === 'CODE_DEPLOY' && scheduling === 'DAEMON') throw invalidParameter('The daemon scheduling strategy does not support the CODE_DEPLOY deployment controller.');
  // An EXTERNAL service has no task definition of its own: each of its task sets names one.
  const def = controller === 'EXTERNAL' ? undefined : resolveDefinition(ctx, input.taskDefinition);
  if (def) {
    validateNetwork(ctx, def, input);
    validateLoadBalancers(ctx, def, input.loadBalancers);
  }
  const existing = findService(ctx, cluster.clusterName!, name);
  if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');
  const launchType = input.capacityProviderStrategy?.length ? undefined : input.launchType ?? (cluster.defaultCapacityProviderStrategy?.length ? undefined : 'EC2');
  const strategy = input.capacityProviderStrategy?.length
    ? input.capacityProviderStrategy
    : !input.launchType && cluster.defaultCapacityProviderStrategy?.length ? cluster.defaultCapacityProviderStrategy : undefined;
  const isFargate = launchType === 'FARGATE' || (strategy ?? []).some((s) => s.capacityProvider?.startsWith('FARGATE'));
  if (def && isFargate && !(def.compatibilities ?? []).includes('FARGATE')) throw invalidParameter('Task definition does not support launch_type FARGATE.');
  if (def && !isFargate && !(def.compatibilities ?? []).includes('EC2')) throw invalidParameter('Task definition does not support launch_type EC2.');
  const now = ctx.clock.now();
  const service: Service = {
    serviceArn: arn('ecs', ctx.region, ctx.account, `service/${cluster.clusterName}/${name}`),
    serviceName: name,
    clusterArn: cluster.clusterArn,
    loadBalancers: input.loadBalancers ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    status: 'ACTIVE',
    desiredCount,
    runningCount: 0,
    pendingCount: 0,
    ...(launchType ? { launchType } : { capacityProviderStrategy: strategy }),
    ...(isFargate ? { platformVersion: input.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
    ...(def ? { taskDefinition: def.taskDefinitionArn } : {}),
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: false, rollback: false, ...input.deploymentConfiguration?.deploymentCircuitBreaker },
      // Daemon services replace a task in place: stop first (0%), never more than one per instance (100%).
      maximumPercent: input.deploymentConfiguration?.maximumPercent ?? (scheduling === 'DAEMON' ? 100 : 200),
      minimumHealthyPercent: input.deploymentConfiguration?.minimumHealthyPercent ?? (scheduling === 'DAEMON' ? 0 : 100),
      ...(input.deploymentConfiguration?.alarms ? { alarms: input.deploymentConfiguration.alarms } : {}),
    },
    deployments: [],
    events: [],
    createdAt: iso(now),
    placementConstraints: input.placementConstraints ?? [],
    placementStrategy: input.placementStrategy ?? [],
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
    schedulingStrategy: scheduling,
    deploymentController: { type: controller },
    createdBy: ctx.principalArn,
    enableECSManagedTags: !!input.enableECSManagedTags,
    propagateTags: input.propagateTags ?? 'NONE',
    enableExecuteCommand: !!input.enableExecuteCommand,
    availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED',
  };
  if (input.role) service.roleArn = input.role;
  // EXTERNAL and CODE_DEPLOY services run task sets, not deployments: ECS makes a CODE_DEPLOY service's first one.
  if (controller === 'ECS') startDeployment(ctx.sql, service, now);
  else service.taskSets = [];
  if (controller === 'CODE_DEPLOY') initialCodeDeployTaskSet(service, input, now);
  if (existing) {
    // Recreating an INACTIVE service's name reuses its row and ARN, as ECS does.
    saveService(ctx.sql, service);
  } else {
    insertService(ctx, cluster.clusterName!, service);
  }
  if (input.tags?.length) putTags(ctx, service.serviceArn!, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  ctx.changed('ecs.service', service.serviceArn!);
  return { service: { ...service, platformVersion: service.platformVersion, tags: input.tags ?? [] } };
}

const REDEPLOY_FIELDS = ['taskDefinition', 'networkConfiguration', 'platformVersion', 'loadBalancers', 'capacityProviderStrategy', 'serviceRegistries'] as const;

export function updateService(ctx: RequestContext, input: UpdateServiceRequest): UpdateServiceResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const row = requireServiceOrThrow(ctx, cluster.clusterName!, input.service!);
  const service = row.service;
  if (service.status !== 'ACTIVE') throw serviceNotActive();
  refuseExecuteCommand(input.enableExecuteCommand);
  if (usesTaskSets(service)) return updateTaskSetService(ctx, service, input);
  const now = ctx.clock.now();
  let redeploy = !!input.forceNewDeployment;
  if (input.desiredCount !== undefined) {
    if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
    service.desiredCount = input.desiredCount;
  }
  if (input.taskDefinition) {
    const def = resolveDefinition(ctx, input.taskDefinition);
    if (def.taskDefinitionArn !== service.taskDefinition) redeploy = true;
    service.taskDefinition = def.taskDefinitionArn;
  }
  const def = resolveDefinition(ctx, service.taskDefinition);
  if (input.networkConfiguration) {
    service.networkConfiguration = input.networkConfiguration;
    redeploy = true;
  }
  validateNetwork(ctx, def, service);
  if (input.loadBalancers) {
    validateLoadBalancers(ctx, def, input.loadBalancers);
    service.loadBalancers = input.loadBalancers;
    redeploy = true;
  }
  validateLoadBalancers(ctx, def, service.loadBalancers);
  if (input.deploymentConfiguration) {
    validateDeploymentConfiguration(input.deploymentConfiguration);
    service.deploymentConfiguration = {
      ...service.deploymentConfiguration,
      ...input.deploymentConfiguration,
      deploymentCircuitBreaker: { enable: false, rollback: false, ...service.deploymentConfiguration?.deploymentCircuitBreaker, ...input.deploymentConfiguration.deploymentCircuitBreaker },
    };
  }
  if (input.capacityProviderStrategy?.length) {
    checkStrategyForCluster(cluster, input.capacityProviderStrategy);
    service.capacityProviderStrategy = input.capacityProviderStrategy;
    delete service.launchType;
    redeploy = true;
  }
  if (input.platformVersion && input.platformVersion !== service.platformVersion) {
    service.platformVersion = input.platformVersion;
    redeploy = true;
  }
  if (input.serviceRegistries) {
    service.serviceRegistries = input.serviceRegistries;
    redeploy = true;
  }
  if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
  if (input.enableExecuteCommand !== undefined) service.enableExecuteCommand = input.enableExecuteCommand;
  if (input.enableECSManagedTags !== undefined) service.enableECSManagedTags = input.enableECSManagedTags;
  if (input.propagateTags) service.propagateTags = input.propagateTags;
  if (input.placementConstraints) service.placementConstraints = input.placementConstraints;
  if (input.placementStrategy) service.placementStrategy = input.placementStrategy;
  if (redeploy) startDeployment(ctx.sql, service, now);
  else setDesiredCount(service, service.desiredCount!, now);
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { service: { ...service, events: serviceEvents(ctx.sql, service.serviceArn!), tags: [] } };
}

export function requireServiceOrThrow(ctx: RequestContext, clusterName: string, ref: string) {
  const name = serviceNameOf(ctx, ref);
  const row = name ? findService(ctx, clusterName, name) : undefined;
  if (!row) throw serviceNotFound();
  return row;
}

/**
 * CreateService with the EXTERNAL deployment controller: "the only required parameter is the service name";
 * the task definition, load balancers, network and platform belong to task sets
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-external.html), and the
 * DAEMON strategy is not supported.
 */
function validateExternalService(input: CreateServiceRequest, scheduling: string) {
  if (scheduling === 'DAEMON') throw invalidParameter('The daemon scheduling strategy does not support the EXTERNAL deployment controller.');
  // ECS's words for a task definition given anyway.
  if (input.taskDefinition) throw invalidParameter('TaskDefinition must be blank');
  if (input.loadBalancers?.length) throw invalidParameter('LoadBalancers must be blank: specify them on task sets for services using the EXTERNAL deployment controller.');
  if (input.networkConfiguration) throw invalidParameter('NetworkConfiguration must be blank: specify it on task sets for services using the EXTERNAL deployment controller.');
  if (input.serviceRegistries?.length) throw invalidParameter('ServiceRegistries must be blank: specify them on task sets for services using the EXTERNAL deployment controller.');
}

/**
 * UpdateService on a service that runs task sets changes only what the service itself holds (desired count,
 * grace period, placement, tags options, deployment configuration); the task definition, network, load
 * balancers, platform and capacity are changed by a new task set (EXTERNAL) or a CodeDeploy deployment,
 * as ECS answers (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html).
 */
function updateTaskSetService(ctx: RequestContext, service: Service, input: UpdateServiceRequest): UpdateServiceResponse {
  const type = service.deploymentController!.type!;
  const how = type === 'CODE_DEPLOY' ? 'Use AWS CodeDeploy to trigger a new deployment.' : 'Create a new task set instead.';
  const refused: [unknown, string][] = [
    [input.taskDefinition, 'task definition'], [input.networkConfiguration, 'network configuration'], [input.loadBalancers, 'load balancers'],
    [input.platformVersion, 'platform version'], [input.capacityProviderStrategy?.length ? input.capacityProviderStrategy : undefined, 'capacity provider strategy'],
    [input.serviceRegistries, 'service registries'],
  ];
  for (const [value, what] of refused) {
    if (value !== undefined) throw invalidParameter(`Unable to update ${what} on services with a ${type} deployment controller. ${how}`);
  }
  if (input.forceNewDeployment) throw invalidParameter(`Unable to force a new deployment on services with a ${type} deployment controller. ${how}`);
  if (input.desiredCount !== undefined) {
    if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) throw invalidParameter('desiredCount must be a non-negative integer.');
    service.desiredCount = input.desiredCount;
  }
  if (input.deploymentConfiguration) {
    validateDeploymentConfiguration(input.deploymentConfiguration);
    service.deploymentConfiguration = { ...service.deploymentConfiguration, ...input.deploymentConfiguration };
  }
  if (input.healthCheckGracePeriodSeconds !== undefined) service.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
  if (input.enableECSManagedTags !== undefined) service.enableECSManagedTags = input.enableECSManagedTags;
  if (input.propagateTags) service.propagateTags = input.propagateTags;
  if (input.placementConstraints) service.placementConstraints = input.placementConstraints;
  if (input.placementStrategy) service.placementStrategy = input.placementStrategy;
  recomputeTaskSets(service);
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { service: { ...service, tags: [] } };
}

export function deleteService(ctx: RequestContext, input: DeleteServiceRequest): DeleteServiceResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const row = requireServiceOrThrow(ctx, cluster.clusterName!, input.service!);
  const service = row.service;
  if (service.status === 'INACTIVE') throw serviceNotActive();
  if (service.status === 'DRAINING') return { service: { ...service, events: serviceEvents(ctx.sql, service.serviceArn!), tags: [] } };
  if ((service.desiredCount ?? 0) > 0 && !input.force && service.schedulingStrategy !== 'DAEMON') {
    throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
  }
  const now = ctx.clock.now();
  service.desiredCount = 0;
  service.status = 'DRAINING';
  for (const d of service.deployments ?? []) d.desiredCount = 0;
  recomputeTaskSets(service);
  addEvent(ctx.sql, service, 'has begun draining its tasks.', now);
  saveService(ctx.sql, service);
  ctx.changed('ecs.service', service.serviceArn!);
  return { service: { ...service, events: serviceEvents(ctx.sql, service.serviceArn!), tags: [] } };
}

export function describeServices(ctx: RequestContext, input: DescribeServicesRequest): DescribeServicesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const refs = input.services ?? [];
  if (!refs.length) throw invalidParameter('Services cannot be empty.');
  if (refs.length > 10) throw invalidParameter('services can have at most 10 items.');
  const services: Service[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const name = serviceNameOf(ctx, ref);
    const row = name ? findService(ctx, cluster.clusterName!, name) : undefined;
    if (!row) {
      failures.push({ arn: ref.startsWith('arn:') ? ref : arn('ecs', ctx.region, ctx.account, `service/${cluster.clusterName}/${ref}`), reason: 'MISSING' });
      continue;
    }
    const s = row.service;
    services.push({
      ...s,
      events: serviceEvents(ctx.sql, s.serviceArn!),
      // LATEST is reported as given on the service, resolved on its deployments.
      deployments: s.deployments?.map((d) => ({ ...d, platformVersion: d.platformVersion === 'LATEST' ? FARGATE_LATEST : d.platformVersion })),
      tags: input.include?.includes('TAGS') ? toEcsTags(getTags(ctx, s.serviceArn!)) : [],
    });
  }
  return { services, failures };
}

export function listServices(ctx: RequestContext, input: ListServicesRequest): ListServicesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster);
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken);
  const rows = listServiceRows(ctx, {
    cluster: clusterNameOf(ctx, cluster.clusterArn)!, afterSeq: after, launchType: input.launchType,
    schedulingStrategy: input.schedulingStrategy, resourceManagementType: input.resourceManagementType, limit: (input.maxResults ? limit : 10) + 1,
  });
  const size = input.maxResults ? limit : 10;
  const page = rows.slice(0, size);
  return { serviceArns: page.map((r) => r.arn), nextToken: rows.length > size ? encodeNextToken(page[page.length - 1].seq) : undefined };
}

export function listServicesByNamespace(ctx: RequestContext, input: ListServicesByNamespaceRequest): ListServicesByNamespaceResponse {
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken(input.nextToken);
  const rows = listServiceRowsByNamespace(ctx, input.namespace, after, limit + 1);
  const page = rows.slice(0, limit);
  return { serviceArns: page.map((r) => r.arn), nextToken: rows.length > limit ? encodeNextToken(page[page.length - 1].seq) : undefined };
}

