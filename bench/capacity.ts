/**
 * EC2 capacity benchmark (issue 17): how long a service whose desired count exceeds its cluster's capacity takes to
 * run all its tasks on instances ECS managed scaling launches, beside the same service on a cluster already sized for
 * it, on the fake runtime with a compressed metric minute.
 *
 *   npx tsx bench/capacity.ts [--period 1] [--tasks 10] [--runs 3]
 *
 * Managed: an empty Auto Scaling group (t3.micro, ECS_CLUSTER user data) behind a capacity provider with managed
 * scaling (target 100, step 1–10000) as the cluster's default strategy; CreateService with `--tasks` tasks of one per
 * instance. Measured from CreateService: the scale-out decision (the group's desired capacity moving), and every task
 * RUNNING. Pre-sized: the same group created with `--tasks` instances, all registered before CreateService; measured:
 * every task RUNNING. The peer is AWS's documented floor: the CapacityProviderReservation metric is published each
 * minute and the AlarmHigh of ECS's managed-scaling policy needs 1 of 1 datapoint above the target, so the decision
 * comes ≥ 1 period after the tasks wait (AWS then boots instances, minutes; Berth's take 1 s pending). Ratios: managed
 * ÷ pre-sized, and the decision in periods ÷ AWS's 1.
 *
 * Berth runs in-process (--ephemeral, fake runtime); every wait has a deadline.
 */
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateCapacityProviderCommand, CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListContainerInstancesCommand, ListTasksCommand,
  PutClusterCapacityProvidersCommand, RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { startApp } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { createLogger } from '../src/shared/logger.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const args = process.argv.slice(2);
const flag = (n: string, d: number) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
const PERIOD = flag('period', 1);
const TASKS = flag('tasks', 10);
const RUNS = flag('runs', 3);
/** AWS: 1-minute CapacityProviderReservation, AlarmHigh 1 of 1 datapoint. */
const AWS_FLOOR_PERIODS = 1;
const AMI = 'ami-0berth000000000000';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function until<T>(what: string, timeoutMs: number, get: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

type Clients = { ecs: ECSClient; ec2: EC2Client; asg: AutoScalingClient };

/** A cluster, its group (of `desired` instances) and, for `managed`, a managed-scaling provider as its default strategy. */
async function setUp(c: Clients, name: string, desired: number, ami: string) {
  await c.ecs.send(new CreateClusterCommand({ clusterName: name }));
  await c.ec2.send(new CreateLaunchTemplateCommand({
    LaunchTemplateName: name,
    LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: Buffer.from(`#!/bin/bash\necho ECS_CLUSTER=${name} >> /etc/ecs/ecs.config`).toString('base64') },
  }));
  await c.asg.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name, MinSize: 0, MaxSize: TASKS * 2, DesiredCapacity: 0, LaunchTemplate: { LaunchTemplateName: name }, AvailabilityZones: ['us-east-1a', 'us-east-1b'],
  }));
  const arn = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0].AutoScalingGroupARN!;
  await c.ecs.send(new CreateCapacityProviderCommand({
    name, autoScalingGroupProvider: { autoScalingGroupArn: arn, managedScaling: { status: desired ? 'DISABLED' : 'ENABLED', targetCapacity: 100 }, managedTerminationProtection: 'DISABLED' },
  }));
  await c.ecs.send(new PutClusterCapacityProvidersCommand({ cluster: name, capacityProviders: [name], defaultCapacityProviderStrategy: [{ capacityProvider: name, weight: 1 }] }));
  // 1 vCPU and 600 MiB: one task per t3.micro.
  await c.ecs.send(new RegisterTaskDefinitionCommand({ family: name, requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 1024, memory: 600, essential: true }] }));
  if (desired) {
    await c.asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, DesiredCapacity: desired }));
    await until('instances registered', 60_000, async () => {
      const n = (await c.ecs.send(new ListContainerInstancesCommand({ cluster: name }))).containerInstanceArns!.length;
      return n >= desired ? n : undefined;
    });
  }
}

async function allRunning(c: Clients, cluster: string): Promise<true | undefined> {
  const arns = (await c.ecs.send(new ListTasksCommand({ cluster, serviceName: 'svc' }))).taskArns!;
  if (arns.length < TASKS) return undefined;
  const tasks = (await c.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!;
  return tasks.filter((t) => t.lastStatus === 'RUNNING').length >= TASKS ? true : undefined;
}

async function run(c: Clients, name: string, managed: boolean, ami: string): Promise<{ decisionS?: number; runningS: number }> {
  await setUp(c, name, managed ? 0 : TASKS, ami);
  const t0 = Date.now();
  await c.ecs.send(new CreateServiceCommand({ cluster: name, serviceName: 'svc', taskDefinition: name, desiredCount: TASKS }));
  let decisionS: number | undefined;
  await until(`${TASKS} tasks running (${name})`, 120_000, async () => {
    if (managed && decisionS === undefined) {
      const g = (await c.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
      if ((g.DesiredCapacity ?? 0) > 0) decisionS = (Date.now() - t0) / 1000;
    }
    return allRunning(c, name);
  });
  return { decisionS, runningS: (Date.now() - t0) / 1000 };
}

async function main() {
  const app = await startApp(resolveConfig({ port: 0, ephemeral: true, runtime: 'fake', logLevel: 'error', metricsPeriod: PERIOD }), { log: createLogger('silent') });
  const config = { endpoint: app.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const c: Clients = { ecs: new ECSClient(config), ec2: new EC2Client(config), asg: new AutoScalingClient(config) };
  try {
    const ssm = new SSMClient(config);
    const ami = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter?.Value ?? AMI;
    ssm.destroy();
    const managed: { decisionS?: number; runningS: number }[] = [];
    const sized: { runningS: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      managed.push(await run(c, `managed${i}`, true, ami));
      sized.push(await run(c, `sized${i}`, false, ami));
      console.log(`run ${i + 1}: managed ${managed[i].runningS.toFixed(2)} s (decision ${managed[i].decisionS?.toFixed(2)} s), pre-sized ${sized[i].runningS.toFixed(2)} s`);
    }
    const m = median(managed.map((r) => r.runningS));
    const d = median(managed.map((r) => r.decisionS ?? NaN));
    const s = median(sized.map((r) => r.runningS));
    console.log(`\n${TASKS} tasks of one per t3.micro, metric minute ${PERIOD} s, median of ${RUNS} (fake runtime):`);
    console.log(`  managed scaling from an empty group: all RUNNING after ${m.toFixed(2)} s = ${(m / PERIOD).toFixed(1)} periods; decision after ${d.toFixed(2)} s = ${(d / PERIOD).toFixed(1)} periods`);
    console.log(`  pre-sized cluster:                   all RUNNING after ${s.toFixed(2)} s`);
    console.log(`  ratio managed ÷ pre-sized: ${(m / s).toFixed(1)}x; decision ÷ AWS floor (${AWS_FLOOR_PERIODS} period): ${(d / PERIOD / AWS_FLOOR_PERIODS).toFixed(2)}`);
  } finally {
    c.ecs.destroy();
    c.ec2.destroy();
    c.asg.destroy();
    await app.stop();
  }
}

await main();
