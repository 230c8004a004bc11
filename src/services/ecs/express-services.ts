/**
 * ECS Express Mode: CreateExpressGatewayService, DescribeExpressGatewayService, UpdateExpressGatewayService,
 * DeleteExpressGatewayService. One call provisions everything, in its own transaction, through each service's
 * door (express-provisioning.ts): the Express service is an ordinary ECS service (Fargate, awsvpc, behind the
 * cluster's shared ALB) whose `resourceManagementType` is ECS, and each resource is visible through its own API.
 * An update that changes the task is a new service deployment; a delete drains the service and the
 * express-teardown controller removes what its tasks held once they have stopped.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html
 */
import type {
  ContainerDefinition, CreateExpressGatewayServiceRequest, CreateExpressGatewayServiceResponse, DeleteExpressGatewayServiceRequest,
  DeleteExpressGatewayServiceResponse, DescribeExpressGatewayServiceRequest, DescribeExpressGatewayServiceResponse, ECSExpressGatewayService,
  ECSManagedResources, ExpressGatewayContainer, ExpressGatewayScalingTarget, ExpressGatewayServiceConfiguration, RegisterTaskDefinitionRequest,
  Service, TaskDefinition, UpdateExpressGatewayServiceRequest, UpdateExpressGatewayServiceResponse,
} from '@aws-sdk/client-ecs';
import { arn, parseArn, resourceId } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import { getTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { clusterNameOf, createCluster } from './clusters.js';
import { clusterNotFound, invalidParameter, serviceNotActive, serviceNotFound } from './errors.js';
import {
  applyScaling, checkSecurityGroups, createRouting, createSharedLoadBalancer, createTaskSecurityGroup, endpointFor, ensureLogGroup,
  EXPRESS_DEFAULTS, MANAGED_TAG, removeLeftovers, removeRouting, requestServiceCertificate, resolveNetwork, serveCertificate, setHealthCheckPath,
} from './express-provisioning.js';
import { createService, deleteService, resolveDefinition, updateService } from './services.js';
import { findService, loadClusterRow, iso, loadService, saveService, serviceDeploymentArn, serviceRevisionArn } from './store/index.js';
// Not through store/index.ts: that loads before Berth's ready line, and Express's table is needed only by its operations.
import { expressSharing, loadExpress, saveExpress, setRevisionResources, type ExpressDoc, type ExpressResources } from './store/express-services.js';
import { toEcsTags, validateNewTags } from './tag-rules.js';
import { registerTaskDefinition } from './task-definitions.js';

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
/** The container an Express task definition serves from (a customer's own definition must have it too). */
const MAIN = 'Main';

type Scaling = Required<ExpressGatewayScalingTarget>;

function scalingOf(given: ExpressGatewayScalingTarget | undefined, current?: Scaling): Scaling {
  const s: Scaling = {
    minTaskCount: given?.minTaskCount ?? current?.minTaskCount ?? EXPRESS_DEFAULTS.minTaskCount,
    maxTaskCount: given?.maxTaskCount ?? current?.maxTaskCount ?? EXPRESS_DEFAULTS.maxTaskCount,
    autoScalingMetric: given?.autoScalingMetric ?? current?.autoScalingMetric ?? EXPRESS_DEFAULTS.metric,
    autoScalingTargetValue: given?.autoScalingTargetValue ?? current?.autoScalingTargetValue ?? EXPRESS_DEFAULTS.target,
  };
  if (!Number.isInteger(s.minTaskCount) || s.minTaskCount < 1) throw invalidParameter('scalingTarget.minTaskCount must be at least 1.');
  if (!Number.isInteger(s.maxTaskCount) || s.maxTaskCount < s.minTaskCount) {
    throw invalidParameter('scalingTarget.maxTaskCount must be greater than or equal to minTaskCount.');
  }
  if (!(s.autoScalingTargetValue > 0)) throw invalidParameter('scalingTarget.autoScalingTargetValue must be greater than 0.');
  return s;
}

function checkHealthCheckPath(path: string): string {
  if (!path.startsWith('/') || path.length > 1024) throw invalidParameter('healthCheckPath must start with / and be at most 1024 characters.');
  return path;
}

function checkContainer(c: ExpressGatewayContainer): void {
  if (c.containerPort !== undefined && (!Number.isInteger(c.containerPort) || c.containerPort < 1 || c.containerPort > 65535)) {
    throw invalidParameter('primaryContainer.containerPort must be between 1 and 65535.');
  }
}

/** The task definition Express registers from the primary container (family = the service's name). */
function expressTaskDefinition(ctx: RequestContext, family: string, cfg: ExpressGatewayServiceConfiguration, tags: RegisterTaskDefinitionRequest['tags']): TaskDefinition {
  const c = cfg.primaryContainer!;
  const port = c.containerPort ?? EXPRESS_DEFAULTS.port;
  const logs = c.awsLogsConfiguration!;
  const container: ContainerDefinition = {
    name: MAIN, image: c.image, essential: true,
    portMappings: [{ containerPort: port, protocol: 'tcp', name: `${MAIN.toLowerCase()}-${port}-tcp` }],
    ...(c.command?.length ? { command: c.command } : {}),
    ...(c.environment?.length ? { environment: c.environment } : {}),
    ...(c.secrets?.length ? { secrets: c.secrets } : {}),
    ...(c.repositoryCredentials?.credentialsParameter ? { repositoryCredentials: { credentialsParameter: c.repositoryCredentials.credentialsParameter } } : {}),
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': logs.logGroup!, 'awslogs-region': ctx.region, 'awslogs-stream-prefix': logs.logStreamPrefix ?? 'ecs' },
    },
  };
  return registerTaskDefinition(ctx, {
    family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: cfg.cpu, memory: cfg.memory,
    runtimePlatform: { cpuArchitecture: cfg.cpuArchitecture, operatingSystemFamily: 'LINUX' },
    ...(cfg.executionRoleArn ? { executionRoleArn: cfg.executionRoleArn } : {}),
    ...(cfg.taskRoleArn ? { taskRoleArn: cfg.taskRoleArn } : {}),
    containerDefinitions: [container], tags,
  }).taskDefinition!;
}

/** A customer's task definition: FARGATE-compatible with a `Main` container mapping one TCP port. */
function customerDefinition(ctx: RequestContext, ref: string): { def: TaskDefinition; port: number } {
  const def = resolveDefinition(ctx, ref);
  const main = def.containerDefinitions?.find((c) => c.name === MAIN);
  const ports = main?.portMappings ?? [];
  if (!main || ports.length !== 1 || (ports[0].protocol ?? 'tcp') !== 'tcp' || !ports[0].name) {
    throw invalidParameter('The task definition must have a container named Main with a single TCP port mapping that includes a container port and port name.');
  }
  if (!(def.compatibilities ?? []).includes('FARGATE')) throw invalidParameter('The task definition must have FARGATE compatibility.');
  return { def, port: ports[0].containerPort! };
}

const CUSTOMER_DEFINITION_EXCLUDES = ['primaryContainer', 'executionRoleArn', 'taskRoleArn', 'cpu', 'memory', 'cpuArchitecture'] as const;

function checkDefinitionChoice(input: Partial<CreateExpressGatewayServiceRequest>, required: boolean): void {
  if (input.taskDefinitionArn) {
    const both = CUSTOMER_DEFINITION_EXCLUDES.filter((k) => input[k] !== undefined);
    if (both.length) throw invalidParameter(`You cannot specify ${both.join(', ')} together with taskDefinitionArn.`);
  } else if (required && !input.primaryContainer) {
    throw invalidParameter('Either primaryContainer or taskDefinitionArn must be specified.');
  }
  if (input.primaryContainer) checkContainer(input.primaryContainer);
}

/** Berth's own caller (App Runner): more host names the service's rules route and its certificate covers. */
export interface ExpressCreateOptions {
  extraHosts?: string[];
}

export function createExpressGatewayService(ctx: RequestContext, input: CreateExpressGatewayServiceRequest, opts: ExpressCreateOptions = {}): CreateExpressGatewayServiceResponse {
  checkDefinitionChoice(input, true);
  if (input.primaryContainer && !input.executionRoleArn) throw invalidParameter('executionRoleArn is required when primaryContainer is specified.');
  const clusterName = clusterNameOf(ctx, input.cluster);
  if (!clusterName) throw clusterNotFound();
  const scaling = scalingOf(input.scalingTarget);
  const healthCheckPath = checkHealthCheckPath(input.healthCheckPath ?? EXPRESS_DEFAULTS.healthCheckPath);
  validateNewTags(input.tags);
  const serviceName = input.serviceName ?? `${(input.primaryContainer?.image ?? 'express').split('/').pop()!.split(/[:@]/)[0].replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 40)}-${randomHex(4)}`;
  if (!NAME_RE.test(serviceName)) throw invalidParameter('Service name can only contain letters, numbers, hyphens and underscores, and must be 1-255 characters long.');

  // Express creates the default cluster when it does not exist; any other cluster must.
  const cluster = loadClusterRow(ctx, clusterName);
  if (!cluster || cluster.status !== 'ACTIVE') {
    if (clusterName !== 'default') throw clusterNotFound();
    createCluster(ctx, { clusterName: 'default', tags: undefined });
  }
  const existing = findService(ctx, clusterName, serviceName);
  if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');

  const net = resolveNetwork(ctx, input.networkConfiguration?.subnets);
  checkSecurityGroups(ctx, net.vpcId, input.networkConfiguration?.securityGroups);
  const now = ctx.clock.now();
  const config: ExpressGatewayServiceConfiguration = { healthCheckPath, scalingTarget: scaling, createdAt: iso(now) };

  let def: TaskDefinition;
  let port: number;
  let logGroupName: string | undefined;
  let ownsLogGroup = false;
  if (input.taskDefinitionArn) {
    ({ def, port } = customerDefinition(ctx, input.taskDefinitionArn));
  } else {
    const c = input.primaryContainer!;
    port = c.containerPort ?? EXPRESS_DEFAULTS.port;
    logGroupName = c.awsLogsConfiguration?.logGroup ?? `/aws/ecs/${clusterName}/${serviceName}-${randomHex(4)}`;
    Object.assign(config, {
      executionRoleArn: input.executionRoleArn, ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
      cpu: input.cpu ?? '1024', memory: input.memory ?? '2048', cpuArchitecture: input.cpuArchitecture ?? 'X86_64',
      primaryContainer: { ...c, containerPort: port, awsLogsConfiguration: { logGroup: logGroupName, logStreamPrefix: c.awsLogsConfiguration?.logStreamPrefix ?? 'ecs' } },
    });
    def = expressTaskDefinition(ctx, serviceName, config, [MANAGED_TAG, ...(input.tags ?? [])]);
    ownsLogGroup = ensureLogGroup(ctx, logGroupName, input.tags);
  }
  config.taskDefinitionArn = def.taskDefinitionArn;

  const endpoint = endpointFor(serviceName, ctx.region);
  const hosts = [endpoint, ...(opts.extraHosts ?? [])];
  const certificateArn = requestServiceCertificate(ctx, hosts, input.tags);
  const sharing = expressSharing(ctx, clusterName, net.vpcId)[0]?.resources;
  const shared = sharing
    ? {
      loadBalancerArn: sharing.loadBalancerArn, listenerArn: sharing.listenerArn, loadBalancerSecurityGroupId: sharing.loadBalancerSecurityGroupId,
      httpsListenerArn: serveCertificate(ctx, sharing, certificateArn, input.tags),
    }
    : createSharedLoadBalancer(ctx, net, input.tags, certificateArn);
  const routing = createRouting(ctx, shared, net, hosts, port, healthCheckPath, input.tags);
  const given = input.networkConfiguration?.securityGroups ?? [];
  const created = given.length ? [] : [createTaskSecurityGroup(ctx, net, serviceName, shared.loadBalancerSecurityGroupId, port, input.tags)];
  const groups = given.length ? given : created;
  config.networkConfiguration = { subnets: net.subnets, securityGroups: groups };
  config.ingressPaths = [{ accessType: 'PUBLIC', endpoint }];

  const service = createService(ctx, {
    cluster: clusterName, serviceName, taskDefinition: def.taskDefinitionArn, desiredCount: scaling.minTaskCount, launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets, securityGroups: groups, assignPublicIp: 'DISABLED' } },
    loadBalancers: [{ targetGroupArn: routing.targetGroupArn, containerName: MAIN, containerPort: port }],
    enableECSManagedTags: true, propagateTags: 'SERVICE', tags: [MANAGED_TAG, ...(input.tags ?? [])],
  }).service!;
  const serviceArn = service.serviceArn!;
  markManaged(ctx, serviceArn);
  const scalingArns = applyScaling(ctx, clusterName, serviceName, scaling, { loadBalancerArn: shared.loadBalancerArn, targetGroupArn: routing.targetGroupArn }, input.tags);

  const resources: ExpressResources = {
    vpcId: net.vpcId, subnets: net.subnets, endpoint, ...shared, ...routing, certificateArn,
    serviceSecurityGroupIds: groups, taskSecurityGroupIds: created, logGroupName, ownsLogGroup, ...scalingArns, createdAt: now,
  };
  const deployed = deploymentOf(ctx, serviceArn);
  config.serviceRevisionArn = deployed.revisionArn;
  const express: ECSExpressGatewayService = {
    cluster: service.clusterArn, serviceName, serviceArn, infrastructureRoleArn: input.infrastructureRoleArn,
    status: { statusCode: 'ACTIVE' }, currentDeployment: deployed.deploymentArn, activeConfigurations: [config],
    createdAt: iso(now), updatedAt: iso(now),
  };
  const doc: ExpressDoc = { service: express, resources };
  saveExpress(ctx, clusterName, doc);
  setRevisionResources(ctx.sql, deployed.revisionArn, managedResources(ctx, doc, scaling, port));
  return { service: view(ctx, doc, true) };
}

/** The Express service's ECS service says so (resourceManagementType ECS): ListServices and DescribeServices show it. */
function markManaged(ctx: RequestContext, serviceArn: string): void {
  const row = loadService(ctx.sql, serviceArn)!;
  row.service.resourceManagementType = 'ECS';
  saveService(ctx.sql, row.service);
}

/** The service's PRIMARY deployment: its service-deployment and service-revision ARNs. */
function deploymentOf(ctx: RequestContext, serviceArn: string): { deploymentArn: string; revisionArn: string } {
  const service = loadService(ctx.sql, serviceArn)!.service;
  const primary = service.deployments!.find((d) => d.status === 'PRIMARY')!;
  return { deploymentArn: serviceDeploymentArn(service, primary.id!), revisionArn: serviceRevisionArn(service, primary.id!) };
}

/** The Express service as the API answers it; only the configurations whose deployments still run are active. */
function view(ctx: RequestContext, doc: ExpressDoc, withTags: boolean): ECSExpressGatewayService {
  const row = loadService(ctx.sql, doc.service.serviceArn!);
  const live = new Set((row?.service.deployments ?? []).map((d) => serviceRevisionArn(row!.service, d.id!)));
  const configs = doc.service.activeConfigurations ?? [];
  const active = configs.filter((c) => live.has(c.serviceRevisionArn!));
  return {
    ...doc.service,
    activeConfigurations: active.length || doc.service.status?.statusCode !== 'ACTIVE' ? active : configs.slice(0, 1),
    ...(withTags ? { tags: toEcsTags(getTags(ctx, doc.service.serviceArn!)) } : {}),
  };
}

function requireExpress(ctx: RequestContext, serviceArn: string) {
  const a = parseArn(serviceArn);
  if (!a || a.service !== 'ecs' || !a.resource.startsWith('service/')) throw invalidParameter(`Invalid service ARN: ${serviceArn}`);
  const row = loadExpress(ctx, serviceArn);
  if (!row) throw serviceNotFound();
  return row;
}

export function describeExpressGatewayService(ctx: RequestContext, input: DescribeExpressGatewayServiceRequest): DescribeExpressGatewayServiceResponse {
  const row = requireExpress(ctx, input.serviceArn!);
  return { service: view(ctx, row, !!input.include?.includes('TAGS')) };
}

export function updateExpressGatewayService(ctx: RequestContext, input: UpdateExpressGatewayServiceRequest): UpdateExpressGatewayServiceResponse {
  const row = requireExpress(ctx, input.serviceArn!);
  if (row.service.status?.statusCode !== 'ACTIVE') throw serviceNotActive();
  checkDefinitionChoice(input, false);
  const current = row.service.activeConfigurations![0];
  const r = row.resources;
  const scaling = scalingOf(input.scalingTarget, current.scalingTarget as Scaling);
  const now = ctx.clock.now();
  const next: ExpressGatewayServiceConfiguration = { ...current, scalingTarget: scaling, createdAt: iso(now) };
  delete next.serviceRevisionArn;
  const serviceName = row.service.serviceName!;
  const clusterName = resourceId(row.service.cluster!);

  let taskDefinition: string | undefined;
  let port = current.primaryContainer?.containerPort ?? portOf(ctx, current.taskDefinitionArn!);
  if (input.taskDefinitionArn) {
    const custom = customerDefinition(ctx, input.taskDefinitionArn);
    for (const k of CUSTOMER_DEFINITION_EXCLUDES) delete next[k];
    taskDefinition = custom.def.taskDefinitionArn;
    port = custom.port;
  } else if (input.primaryContainer || input.executionRoleArn || input.taskRoleArn || input.cpu || input.memory || input.cpuArchitecture) {
    const base = current.primaryContainer;
    if (!base && !input.primaryContainer) throw invalidParameter('primaryContainer must be specified to replace a customer task definition.');
    const c = { ...base, ...input.primaryContainer } as ExpressGatewayContainer;
    const newPort = c.containerPort ?? EXPRESS_DEFAULTS.port;
    if (newPort !== port) throw invalidParameter('Berth does not change an Express service\'s containerPort yet.');
    c.awsLogsConfiguration = c.awsLogsConfiguration ?? base?.awsLogsConfiguration ?? { logGroup: r.logGroupName ?? `/aws/ecs/${clusterName}/${serviceName}`, logStreamPrefix: 'ecs' };
    Object.assign(next, {
      primaryContainer: { ...c, containerPort: newPort },
      executionRoleArn: input.executionRoleArn ?? current.executionRoleArn,
      taskRoleArn: input.taskRoleArn ?? current.taskRoleArn,
      cpu: input.cpu ?? current.cpu ?? '1024', memory: input.memory ?? current.memory ?? '2048',
      cpuArchitecture: input.cpuArchitecture ?? current.cpuArchitecture ?? 'X86_64',
    });
    if (!next.executionRoleArn) throw invalidParameter('executionRoleArn is required when primaryContainer is specified.');
    if (!next.taskRoleArn) delete next.taskRoleArn;
    if (c.awsLogsConfiguration.logGroup) ensureLogGroup(ctx, c.awsLogsConfiguration.logGroup, []);
    taskDefinition = expressTaskDefinition(ctx, serviceName, next, [MANAGED_TAG]).taskDefinitionArn;
  }
  if (taskDefinition) next.taskDefinitionArn = taskDefinition;
  if (input.healthCheckPath) {
    next.healthCheckPath = checkHealthCheckPath(input.healthCheckPath);
    setHealthCheckPath(ctx, r.targetGroupArn, next.healthCheckPath);
  }
  let network: Service['networkConfiguration'] | undefined;
  if (input.networkConfiguration) {
    const subnets = input.networkConfiguration.subnets ?? r.subnets;
    const net = resolveNetwork(ctx, subnets);
    if (net.vpcId !== r.vpcId) throw invalidParameter('Berth does not move an Express service to another VPC yet.');
    const groups = input.networkConfiguration.securityGroups ?? r.serviceSecurityGroupIds;
    checkSecurityGroups(ctx, net.vpcId, groups);
    next.networkConfiguration = { subnets, securityGroups: groups };
    network = { awsvpcConfiguration: { subnets, securityGroups: groups, assignPublicIp: 'DISABLED' } };
    r.subnets = subnets;
    r.serviceSecurityGroupIds = groups;
  }
  const rollsOut = !!taskDefinition || !!network;
  updateService(ctx, {
    cluster: clusterName, service: serviceName,
    ...(taskDefinition ? { taskDefinition } : {}), ...(network ? { networkConfiguration: network } : {}),
  });
  Object.assign(r, applyScaling(ctx, clusterName, serviceName, scaling, r, []));
  const deployed = deploymentOf(ctx, row.serviceArn);
  next.serviceRevisionArn = deployed.revisionArn;
  const configs = row.service.activeConfigurations ?? [];
  // A rollout adds a configuration beside the one still serving; otherwise the current one changes in place.
  row.service.activeConfigurations = rollsOut ? [next, ...configs] : [next, ...configs.slice(1)];
  row.service.currentDeployment = deployed.deploymentArn;
  row.service.updatedAt = iso(now);
  const doc: ExpressDoc = { service: row.service, resources: r };
  saveExpress(ctx, clusterName, doc);
  setRevisionResources(ctx.sql, deployed.revisionArn, managedResources(ctx, doc, scaling, port));
  return {
    service: {
      serviceArn: row.serviceArn, cluster: row.service.cluster, serviceName, status: row.service.status, targetConfiguration: next,
      createdAt: row.service.createdAt, updatedAt: row.service.updatedAt,
    },
  };
}

function portOf(ctx: RequestContext, taskDefinitionArn: string): number {
  return resolveDefinition(ctx, taskDefinitionArn).containerDefinitions?.find((c) => c.name === MAIN)?.portMappings?.[0]?.containerPort ?? EXPRESS_DEFAULTS.port;
}

export function deleteExpressGatewayService(ctx: RequestContext, input: DeleteExpressGatewayServiceRequest): DeleteExpressGatewayServiceResponse {
  const row = requireExpress(ctx, input.serviceArn!);
  if (row.service.status?.statusCode !== 'ACTIVE') return { service: view(ctx, row, false) };
  const clusterName = resourceId(row.service.cluster!);
  const others = expressSharing(ctx, clusterName, row.resources.vpcId).filter((x) => x.serviceArn !== row.serviceArn && x.resources.loadBalancerArn === row.resources.loadBalancerArn);
  removeRouting(ctx, clusterName, row.service.serviceName!, row.resources, others.length === 0);
  const ecs = loadService(ctx.sql, row.serviceArn);
  if (ecs && ecs.service.status === 'ACTIVE') deleteService(ctx, { cluster: clusterName, service: row.service.serviceName!, force: true });
  row.service.status = { statusCode: 'DRAINING' };
  row.service.updatedAt = iso(ctx.clock.now());
  row.resources.loadBalancerDeleted = others.length === 0;
  saveExpress(ctx, clusterName, { service: row.service, resources: row.resources });
  // The teardown controller finishes once the service's tasks have stopped (it watches the ECS service).
  ctx.changed('ecs.service', row.serviceArn);
  return { service: view(ctx, row, false) };
}

/** The resources list DescribeServiceRevisions shows for an Express service's revision. */
function managedResources(ctx: RequestContext, doc: ExpressDoc, scaling: Scaling, port: number): ECSManagedResources {
  const r = doc.resources;
  const at = iso(ctx.clock.now());
  const ok = { status: 'ACTIVE' as const, updatedAt: at };
  const sgArn = (id: string) => arn('ec2', ctx.region, ctx.account, `security-group/${id}`);
  const config = doc.service.activeConfigurations![0];
  return {
    ingressPaths: [{
      accessType: 'PUBLIC', endpoint: r.endpoint,
      loadBalancer: { arn: r.loadBalancerArn, ...ok, scheme: 'internet-facing', subnetIds: r.subnets, securityGroupIds: [r.loadBalancerSecurityGroupId] },
      loadBalancerSecurityGroups: [{ arn: sgArn(r.loadBalancerSecurityGroupId), ...ok }],
      // AWS's ingress path is the HTTPS listener and its rule (Berth's HTTP:80 twin serves the main port).
      listener: { arn: r.httpsListenerArn ?? r.listenerArn, ...ok },
      rule: { arn: r.httpsRuleArn ?? r.ruleArn, ...ok },
      ...(r.certificateArn ? { certificate: { arn: r.certificateArn, ...ok, domainName: r.endpoint } } : {}),
      targetGroups: [{ arn: r.targetGroupArn, ...ok, healthCheckPath: config.healthCheckPath, healthCheckPort: port, port }],
    }],
    autoScaling: {
      scalableTarget: { arn: r.scalableTargetArn, ...ok, minCapacity: scaling.minTaskCount, maxCapacity: scaling.maxTaskCount },
      applicationAutoScalingPolicies: [{
        arn: r.policyArn, ...ok, policyType: 'TargetTrackingScaling', targetValue: scaling.autoScalingTargetValue,
        metric: { AVERAGE_CPU: 'ECSServiceAverageCPUUtilization', AVERAGE_MEMORY: 'ECSServiceAverageMemoryUtilization', REQUEST_COUNT_PER_TARGET: 'ALBRequestCountPerTarget' }[scaling.autoScalingMetric],
      }],
    },
    metricAlarms: r.alarmArns.map((a) => ({ arn: a, ...ok })),
    serviceSecurityGroups: r.taskSecurityGroupIds.map((id) => ({ arn: sgArn(id), ...ok })),
    logGroups: r.logGroupName ? [{ arn: arn('logs', ctx.region, ctx.account, `log-group:${r.logGroupName}`), ...ok, logGroupName: r.logGroupName }] : [],
  };
}

/**
 * Finishes deleting an Express service once its ECS service is INACTIVE (its tasks stopped, their network
 * interfaces gone): the security groups and log group Express made go, and the Express service turns INACTIVE.
 * 'draining' while the service drains, 'waiting' while a group is still in use; 'none' when there is nothing to finish.
 */
export function finishExpressTeardown(ctx: RequestContext, serviceArn: string): 'done' | 'draining' | 'waiting' | 'none' {
  const row = loadExpress(ctx, serviceArn);
  if (!row || row.service.status?.statusCode !== 'DRAINING') return 'none';
  const ecs = loadService(ctx.sql, serviceArn);
  if (ecs && ecs.service.status !== 'INACTIVE') return 'draining';
  if (!removeLeftovers(ctx, row.resources, !!row.resources.loadBalancerDeleted)) return 'waiting';
  row.service.status = { statusCode: 'INACTIVE' };
  row.service.updatedAt = iso(ctx.clock.now());
  saveExpress(ctx, row.cluster, { service: row.service, resources: row.resources });
  return 'done';
}
