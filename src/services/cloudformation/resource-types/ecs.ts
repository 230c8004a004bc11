/**
 * AWS::ECS::Cluster, AWS::ECS::TaskDefinition and AWS::ECS::Service, through ECS's operations. CloudFormation's
 * ECS properties are the API's members in PascalCase. A service is CREATE_COMPLETE once it is stable (its
 * deployment finished with the desired count running), as CloudFormation waits for it.
 */
import { camel, generatedName, gone, isCode, num, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

/** Maps whose keys are data, not member names. */
const DATA_MAPS = new Set(['DockerLabels', 'Options', 'SystemControls', 'DriverOpts', 'Labels']);

const ecsTags = (ctx: ResourceContext, given: unknown) => tagsOf(ctx, given).map((t) => ({ key: t.Key, value: t.Value }));

export const CLUSTER: ResourceType = {
  replaceOn: ['ClusterName'],
  async create(ctx, p) {
    const tags = ecsTags(ctx, p.Tags);
    const out = await ctx.invoke('ecs', 'CreateCluster', {
      clusterName: p.ClusterName ?? generatedName(ctx, 255),
      ...(p.ClusterSettings ? { settings: camel(p.ClusterSettings) } : {}),
      ...(p.CapacityProviders ? { capacityProviders: p.CapacityProviders } : {}),
      ...(p.DefaultCapacityProviderStrategy ? { defaultCapacityProviderStrategy: camel(p.DefaultCapacityProviderStrategy) } : {}),
      ...(p.Configuration ? { configuration: camel(p.Configuration) } : {}),
      ...(tags.length ? { tags } : {}),
    });
    return { physicalId: out.cluster.clusterName, attributes: { Arn: out.cluster.clusterArn } };
  },
  async update(ctx, name, p, _old, attrs) {
    await ctx.invoke('ecs', 'UpdateCluster', { cluster: name, ...(p.ClusterSettings ? { settings: camel(p.ClusterSettings) } : {}), ...(p.Configuration ? { configuration: camel(p.Configuration) } : {}) });
    return { physicalId: name, attributes: attrs };
  },
  async delete(ctx, name) {
    await gone(() => ctx.invoke('ecs', 'DeleteCluster', { cluster: name }), 'ClusterNotFoundException');
  },
};

export const TASK_DEFINITION: ResourceType = {
  // Task definitions are immutable: every change registers a new revision (a replacement).
  async create(ctx, p) {
    const { Tags, ...rest } = p;
    const input = camel(rest, DATA_MAPS);
    const tags = ecsTags(ctx, Tags);
    const out = await ctx.invoke('ecs', 'RegisterTaskDefinition', { family: p.Family ?? generatedName(ctx, 255, { separator: '' }).slice(0, 255), ...input, ...(tags.length ? { tags } : {}) });
    const arn = out.taskDefinition.taskDefinitionArn as string;
    return { physicalId: arn, attributes: { TaskDefinitionArn: arn } };
  },
  async delete(ctx, arn) {
    await gone(() => ctx.invoke('ecs', 'DeregisterTaskDefinition', { taskDefinition: arn }), 'ClientException', 'InvalidParameterException');
  },
};

const serviceName = (arn: string) => arn.split('/').pop()!;
const clusterOf = (p: Props) => p.Cluster ?? 'default';

export const SERVICE: ResourceType = {
  replaceOn: ['ServiceName', 'Cluster', 'LaunchType', 'Role', 'SchedulingStrategy', 'LoadBalancers'],
  async create(ctx, p) {
    const { Tags, ServiceName, DesiredCount, ...rest } = p;
    const tags = ecsTags(ctx, Tags);
    const out = await ctx.invoke('ecs', 'CreateService', {
      ...camel(rest, DATA_MAPS), serviceName: ServiceName ?? generatedName(ctx, 255), cluster: clusterOf(p),
      ...(DesiredCount !== undefined ? { desiredCount: num(DesiredCount) } : p.SchedulingStrategy === 'DAEMON' ? {} : { desiredCount: 1 }),
      ...(tags.length ? { tags } : {}),
    });
    const arn = out.service.serviceArn as string;
    return { physicalId: arn, attributes: { ServiceArn: arn, Name: out.service.serviceName } };
  },
  async update(ctx, arn, p, _old, attrs) {
    await ctx.invoke('ecs', 'UpdateService', {
      cluster: clusterOf(p), service: arn, taskDefinition: p.TaskDefinition,
      ...(p.DesiredCount !== undefined ? { desiredCount: num(p.DesiredCount) } : {}),
      ...(p.DeploymentConfiguration ? { deploymentConfiguration: camel(p.DeploymentConfiguration) } : {}),
      ...(p.NetworkConfiguration ? { networkConfiguration: camel(p.NetworkConfiguration) } : {}),
      ...(p.HealthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: num(p.HealthCheckGracePeriodSeconds) } : {}),
      ...(p.EnableExecuteCommand !== undefined ? { enableExecuteCommand: p.EnableExecuteCommand } : {}),
    });
    return { physicalId: arn, attributes: attrs };
  },
  async stabilized(ctx, arn, p) {
    const out = await ctx.invoke('ecs', 'DescribeServices', { cluster: clusterOf(p), services: [arn] });
    const s = out.services?.[0];
    if (!s) return false;
    const primary = s.deployments?.find((d: Props) => d.status === 'PRIMARY');
    if (primary?.rolloutState === 'FAILED') throw new Error(`ECS Deployment Circuit Breaker was triggered: ${primary.rolloutStateReason ?? ''}`.trim());
    // Stable as ECS means it: one deployment, COMPLETED (its tasks running and healthy in their target groups).
    return s.deployments?.length === 1 && s.runningCount === s.desiredCount && (primary?.rolloutState ?? 'COMPLETED') === 'COMPLETED';
  },
  async delete(ctx, arn, p) {
    await gone(() => ctx.invoke('ecs', 'DeleteService', { cluster: clusterOf(p), service: arn, force: true }), 'ServiceNotFoundException', 'ClusterNotFoundException', 'ServiceNotActiveException');
  },
  async gone(ctx, arn) {
    // CloudFormation waits for the service's tasks to stop (the service INACTIVE) before it reports DELETE_COMPLETE.
    const cluster = arn.split('/').length > 2 ? arn.split('/')[1] : 'default';
    try {
      const out = await ctx.invoke('ecs', 'DescribeServices', { cluster, services: [serviceName(arn)] });
      const s = out.services?.[0];
      return !s || s.status === 'INACTIVE';
    } catch (err) {
      if (isCode(err, 'ClusterNotFoundException')) return true;
      throw err;
    }
  },
  ref: (arn) => arn,
};
