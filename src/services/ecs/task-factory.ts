/**
 * Builds the Task that RunTask records: containers from the task definition
 * with overrides applied, the launch type, the awsvpc ENI attachment, group,
 * and timestamps, in ECS's shapes. The task-lifecycle controller takes it from
 * PROVISIONING on.
 */
import type {
  Container,
  NetworkConfiguration,
  Task,
  TaskDefinition,
  TaskOverride,
} from '@aws-sdk/client-ecs';
import { randomUUID } from 'node:crypto';
import { arn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import { allocateTaskEni } from './awsvpc.js';
import type { Scope } from '../../state/scope.js';
import { instanceZone } from './store/index.js';
import { invalidParameter } from './errors.js';

export interface NewTaskParams {
  clusterArn: string;
  clusterName: string;
  def: TaskDefinition;
  launchType: 'FARGATE' | 'EC2' | 'EXTERNAL';
  capacityProviderName?: string;
  overrides?: TaskOverride;
  networkConfiguration?: NetworkConfiguration;
  group?: string;
  startedBy?: string;
  platformVersion?: string;
  enableExecuteCommand?: boolean;
  tags?: { key?: string; value?: string }[];
  containerInstanceArn?: string;
}

/**
 * ECS Exec is not implemented (ExecuteCommand answers 501), so a task or
 * service that asks for it is refused rather than recorded as if it could be
 * used.
 */
export function refuseExecuteCommand(enableExecuteCommand: boolean | undefined) {
  if (enableExecuteCommand) {
    throw invalidParameter('Berth does not support ECS Exec yet: enableExecuteCommand must be false (ExecuteCommand is not implemented).');
  }
}

/** Fargate's current Linux platform version, which LATEST resolves to. */
export const FARGATE_LATEST = '1.4.0';

export function validateOverrides(def: TaskDefinition, overrides: TaskOverride | undefined) {
  const names = new Set((def.containerDefinitions ?? []).map((c) => c.name));
  for (const o of overrides?.containerOverrides ?? []) {
    if (!o.name || !names.has(o.name)) {
      throw invalidParameter(`Container Overrides contains invalid container name: ${o.name ?? ''}. Container name must be in task definition.`);
    }
  }
}

/** Builds a task for an account and region (a RequestContext, or the service scheduler's scope). */
export function buildTask(ctx: Scope, p: NewTaskParams, now: number): Task {
  const id = randomHex(16);
  const taskArn = arn('ecs', ctx.region, ctx.account, `task/${p.clusterName}/${id}`);
  const overrides = p.overrides ?? {};
  const containers: Container[] = (p.def.containerDefinitions ?? []).map((cd) => {
    const o = overrides.containerOverrides?.find((x) => x.name === cd.name);
    return {
      containerArn: arn('ecs', ctx.region, ctx.account, `container/${p.clusterName}/${id}/${randomUUID()}`),
      taskArn,
      name: cd.name,
      image: cd.image,
      lastStatus: 'PENDING',
      networkInterfaces: [],
      ...(cd.healthCheck ? { healthStatus: 'UNKNOWN' } : {}),
      cpu: String(o?.cpu ?? cd.cpu ?? 0),
      ...((o?.memory ?? cd.memory) !== undefined ? { memory: String(o?.memory ?? cd.memory) } : {}),
      ...((o?.memoryReservation ?? cd.memoryReservation) !== undefined
        ? { memoryReservation: String(o?.memoryReservation ?? cd.memoryReservation) }
        : {}),
    };
  });
  const awsvpc = p.def.networkMode === 'awsvpc';
  const vpc = p.networkConfiguration?.awsvpcConfiguration;
  const attachmentId = randomUUID();
  const eni = awsvpc && vpc ? allocateTaskEni(ctx, vpc, `arn:aws:ecs:${ctx.region}:${ctx.account}:attachment/${attachmentId}`) : undefined;
  const attachments = eni
    ? [{
        id: attachmentId,
        type: 'ElasticNetworkInterface',
        status: 'PRECREATED',
        details: [
          { name: 'subnetId', value: eni.subnetId },
          { name: 'networkInterfaceId', value: eni.networkInterfaceId },
          { name: 'macAddress', value: eni.macAddress },
          { name: 'privateDnsName', value: eni.privateDnsName },
          { name: 'privateIPv4Address', value: eni.privateIpAddress },
        ],
      }]
    : [];
  const isFargate = p.launchType === 'FARGATE';
  const task: Task = {
    taskArn,
    clusterArn: p.clusterArn,
    taskDefinitionArn: p.def.taskDefinitionArn,
    containers,
    overrides: {
      containerOverrides: (p.def.containerDefinitions ?? []).map((cd) => ({
        name: cd.name,
        ...(overrides.containerOverrides?.find((x) => x.name === cd.name) ?? {}),
      })),
      inferenceAcceleratorOverrides: [],
      ...(overrides.cpu ? { cpu: overrides.cpu } : {}),
      ...(overrides.memory ? { memory: overrides.memory } : {}),
      ...(overrides.taskRoleArn ? { taskRoleArn: overrides.taskRoleArn } : {}),
      ...(overrides.executionRoleArn ? { executionRoleArn: overrides.executionRoleArn } : {}),
      ...(overrides.ephemeralStorage ? { ephemeralStorage: overrides.ephemeralStorage } : {}),
    },
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    ...((overrides.cpu ?? p.def.cpu) ? { cpu: overrides.cpu ?? p.def.cpu } : {}),
    ...((overrides.memory ?? p.def.memory) ? { memory: overrides.memory ?? p.def.memory } : {}),
    createdAt: new Date(now),
    version: 1,
    group: p.group ?? `family:${p.def.family}`,
    launchType: p.launchType,
    ...(p.capacityProviderName ? { capacityProviderName: p.capacityProviderName } : {}),
    ...(isFargate ? { platformVersion: !p.platformVersion || p.platformVersion === 'LATEST' ? FARGATE_LATEST : p.platformVersion, platformFamily: 'Linux' } : {}),
    ...(isFargate ? { ephemeralStorage: { sizeInGiB: 20 }, fargateEphemeralStorage: { sizeInGiB: 20 } } : {}),
    attachments,
    attributes: awsvpc ? [{ name: 'ecs.cpu-architecture', value: 'x86_64' }] : [],
    availabilityZone: (p.containerInstanceArn && instanceZone(ctx.sql, p.containerInstanceArn)) ?? eni?.availabilityZone ?? `${ctx.region}a`,
    connectivity: 'CONNECTED',
    connectivityAt: new Date(now),
    enableExecuteCommand: !!p.enableExecuteCommand,
    healthStatus: 'UNKNOWN',
    ...(p.startedBy ? { startedBy: p.startedBy } : {}),
    ...(p.containerInstanceArn ? { containerInstanceArn: p.containerInstanceArn } : {}),
    tags: [],
  };
  return task;
}
