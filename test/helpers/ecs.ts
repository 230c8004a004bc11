/** ECS test helpers: register a task definition, wait for a task or a service to reach a state. */
import { DescribeSubnetsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, type ContainerDefinition, type ECSClient,
  type RegisterTaskDefinitionCommandInput, type Service, type Task,
} from '@aws-sdk/client-ecs';

/** Reads `get()` every `everyMs` until `done` holds of what it returns; past `timeoutMs`, throws `fail(last read)`. */
async function poll<T>(get: () => Promise<T | undefined>, done: (v: T) => boolean, timeoutMs: number, everyMs: number, fail: (last: T | undefined) => Error): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined && done(v)) return v;
    if (Date.now() > end) throw fail(v);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitForTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  done: (t: Task) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Task> {
  return poll(
    async () => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks?.[0],
    done, timeoutMs, 150,
    (last) => new Error(`timed out waiting for task to be ${what}; last seen: ${JSON.stringify(last, null, 1)}`),
  );
}

export const isStopped = (t: Task) => t.lastStatus === 'STOPPED';
export const isRunning = (t: Task) => t.lastStatus === 'RUNNING';

export async function register(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<string> {
  const out = await ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition!.taskDefinitionArn!;
}

/**
 * An awsvpcConfiguration on the account's default subnets, looked up the way
 * users' scripts do (describe-subnets default-for-az).
 */
export async function fargateNetwork(target: string | ECSClient, region = 'us-east-1') {
  let endpoint: string;
  if (typeof target === 'string') endpoint = target;
  else {
    const e = await target.config.endpoint!();
    endpoint = `${e.protocol}//${e.hostname}:${e.port}`;
  }
  const ec2 = new EC2Client({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnets = (Subnets ?? []).map((s) => s.SubnetId!).sort().slice(0, 2);
    return { awsvpcConfiguration: { subnets, assignPublicIp: 'ENABLED' as const } };
  } finally {
    ec2.destroy();
  }
}

export interface OneContainerTask {
  cluster: string;
  family: string;
  image: string;
  network: Awaited<ReturnType<typeof fargateNetwork>>;
  executionRoleArn: string;
  /** Added to the container `app` (essential, port 8080, stopTimeout 1). */
  container: Partial<ContainerDefinition>;
}

/** Registers a one-container Fargate task definition (0.25 vCPU, 512 MiB) and runs one task of it. */
export async function runOneContainerTask(ecs: ECSClient, t: OneContainerTask): Promise<Task> {
  await register(ecs, {
    family: t.family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: t.executionRoleArn,
    containerDefinitions: [{ name: 'app', image: t.image, essential: true, portMappings: [{ containerPort: 8080 }], stopTimeout: 1, ...t.container }],
  });
  const out = await ecs.send(new RunTaskCommand({ cluster: t.cluster, taskDefinition: t.family, launchType: 'FARGATE', networkConfiguration: t.network }));
  assert.equal(out.failures?.length, 0, JSON.stringify(out.failures));
  return out.tasks![0];
}

/** The body of a 200 from `url`, retried for up to ~5 s while the server in the container comes up ('' if it never does). */
export async function fetchWhenUp(url: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (res?.status === 200) return res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

/** The service as DescribeServices shows it. */
export async function describeService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  return (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0];
}

/** Polls the service every 250 ms until `ok` holds; on time-out, fails with its latest events. */
export async function waitForService(ecs: ECSClient, cluster: string, service: string, ok: (s: Service) => boolean, what: string, timeoutMs = 60_000): Promise<Service> {
  return poll(
    () => describeService(ecs, cluster, service),
    ok, timeoutMs, 250,
    (s) => new Error(`timed out: ${what}: ${JSON.stringify(s?.events?.slice(0, 6))}`),
  );
}

/**
 * Registers `<prefix>-v1` and `<prefix>-v2`: Fargate (0.25 vCPU, 512 MiB), one container `web` running busybox httpd
 * on port 8080 (stopTimeout 2) whose index.html is what `echo <index(version)>` writes.
 */
export async function registerHttpdVersions(ecs: ECSClient, prefix: string, image: string, index: (version: string) => string): Promise<void> {
  for (const version of ['v1', 'v2']) {
    await register(ecs, {
      family: `${prefix}-${version}`, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{
        name: 'web', image, essential: true, stopTimeout: 2, portMappings: [{ containerPort: 8080 }],
        command: ['sh', '-c', `echo ${index(version)} > /var/www/index.html; exec httpd -f -p 8080 -h /var/www`],
      }],
    });
  }
}

export interface ServiceBehindTargetGroup {
  cluster: string;
  taskDefinition: string;
  desiredCount: number;
  targetGroupArn: string;
  healthCheckGracePeriodSeconds?: number;
}

/** Creates the Fargate service `web` on the default subnets, its container `web` port 8080 registered in the target group. */
export async function createWebService(berth: { ecs: ECSClient; endpoint: string }, o: ServiceBehindTargetGroup): Promise<void> {
  await berth.ecs.send(new CreateServiceCommand({
    cluster: o.cluster, serviceName: 'web', taskDefinition: o.taskDefinition, desiredCount: o.desiredCount, launchType: 'FARGATE',
    networkConfiguration: await fargateNetwork(berth.endpoint),
    loadBalancers: [{ targetGroupArn: o.targetGroupArn, containerName: 'web', containerPort: 8080 }],
    ...(o.healthCheckGracePeriodSeconds === undefined ? {} : { healthCheckGracePeriodSeconds: o.healthCheckGracePeriodSeconds }),
  }));
}

/**
 * An EC2 instance of the ECS-optimized AMI whose instance profile (named as its role) holds a new role `role` that EC2
 * may assume, launched with `ECS_CLUSTER=<cluster>` in its user data (the cluster is created first); resolves once it
 * has joined the cluster as a container instance.
 */
export async function launchInstanceWithRole(
  berth: { ecs: ECSClient; client<T extends { destroy(): void }>(c: new (...a: any[]) => T): T }, cluster: string, role: string,
): Promise<{ roleArn: string; instanceId: string }> {
  const iam = berth.client(IAMClient);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: role }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: role, RoleName: role }));
  const ami = (await berth.client(SSMClient).send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
  await berth.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  const instanceId = (await berth.client(EC2Client).send(new RunInstancesCommand({
    ImageId: ami, InstanceType: 't3.small', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: role },
    UserData: Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${cluster} >> /etc/ecs/ecs.config\n`).toString('base64'),
  }))).Instances![0].InstanceId!;
  await poll(async () => (await berth.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns?.length ?? 0, (n) => n > 0, 10_000, 100,
    () => new Error(`${instanceId} did not join ${cluster}`));
  return { roleArn, instanceId };
}
