/** ECS test helpers: register a task definition, wait for a task to reach a state. */
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import {
  DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type ContainerDefinition, type ECSClient,
  type RegisterTaskDefinitionCommandInput, type Task,
} from '@aws-sdk/client-ecs';

export async function waitForTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  done: (t: Task) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Task> {
  const end = Date.now() + timeoutMs;
  let last: Task | undefined;
  while (Date.now() < end) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    last = out.tasks?.[0];
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for task to be ${what}; last seen: ${JSON.stringify(last, null, 1)}`);
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
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return res.text();
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}
