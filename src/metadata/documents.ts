/**
 * Task metadata endpoint v4 documents, in the field names Fargate uses
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html).
 */
import type { Container, ContainerDefinition, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { resourceId } from '../shared/arns.js';

const str = (v: unknown) => (v === undefined || v === null ? undefined : new Date(v as string).toISOString());

function networks(task: Task) {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  if (!eni) return undefined;
  const d = (name: string) => eni.details?.find((x) => x.name === name)?.value;
  const ip = d('privateIPv4Address');
  return [{
    NetworkMode: 'awsvpc',
    IPv4Addresses: ip ? [ip] : [],
    AttachmentIndex: 0,
    MACAddress: d('macAddress'),
    IPv4SubnetCIDRBlock: d('subnetCidrBlock') ?? '172.31.0.0/16',
    PrivateDNSName: ip ? `ip-${ip.replace(/\./g, '-')}.ec2.internal` : undefined,
    SubnetGatewayIpv4Address: d('subnetGatewayIpv4Address'),
  }];
}

export function containerDocument(task: Task, c: Container, cd: ContainerDefinition | undefined) {
  const [family, revision] = familyRevision(task);
  return {
    DockerId: c.runtimeId,
    Name: c.name,
    DockerName: c.name,
    Image: c.image,
    ImageID: c.imageDigest,
    Labels: {
      'com.amazonaws.ecs.cluster': task.clusterArn,
      'com.amazonaws.ecs.container-name': c.name,
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.task-definition-family': family,
      'com.amazonaws.ecs.task-definition-version': revision,
      ...(cd?.dockerLabels ?? {}),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: c.lastStatus,
    Limits: { CPU: Number(c.cpu ?? 0), ...(c.memory ? { Memory: Number(c.memory) } : {}) },
    CreatedAt: str(task.createdAt),
    StartedAt: str(task.startedAt),
    Type: 'NORMAL',
    ...(c.exitCode !== undefined ? { ExitCode: c.exitCode } : {}),
    ContainerARN: c.containerArn,
    ...(cd?.logConfiguration ? { LogDriver: cd.logConfiguration.logDriver, LogOptions: cd.logConfiguration.options } : {}),
    ...(task.launchType === 'FARGATE' ? { Networks: networks(task) } : {}),
    ...(c.healthStatus ? { Health: { status: c.healthStatus } } : {}),
  };
}

function familyRevision(task: Task): [string, string] {
  const name = resourceId(task.taskDefinitionArn ?? '');
  const i = name.lastIndexOf(':');
  return [name.slice(0, i), name.slice(i + 1)];
}

export function taskDocument(task: Task, def: TaskDefinition) {
  const [family, revision] = familyRevision(task);
  const containers = (task.containers ?? []).map((c) => containerDocument(task, c, def.containerDefinitions?.find((x) => x.name === c.name)));
  return {
    Cluster: task.clusterArn,
    TaskARN: task.taskArn,
    Family: family,
    Revision: revision,
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: Number(task.cpu ?? 0) / 1024, Memory: Number(task.memory ?? 0) },
    PullStartedAt: str(task.pullStartedAt),
    PullStoppedAt: str(task.pullStoppedAt),
    AvailabilityZone: task.availabilityZone,
    LaunchType: task.launchType,
    Containers: containers,
    ClockDrift: { ClockErrorBound: 0.5, ReferenceTimestamp: new Date().toISOString(), ClockSynchronizationStatus: 'SYNCHRONIZED' },
    EphemeralStorageMetrics: { Utilized: 0, Reserved: (task.ephemeralStorage?.sizeInGiB ?? 20) * 1024 },
  };
}
