/**
 * Task sets of EXTERNAL and CODE_DEPLOY services on the in-memory runtime, through the SDK and both AWS
 * CLIs: each task set runs ceil(scale% × desiredCount) tasks started by it, reports its counts and
 * stability, is made primary, deleted and drained; ECS's refusals; the agent-only operations. Real
 * containers behind a real load balancer are in test/e2e/ecs-task-sets.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateClusterCommand, CreateServiceCommand, CreateTaskSetCommand, DeleteServiceCommand, DeleteTaskSetCommand, DescribeServicesCommand,
  DescribeTaskSetsCommand, DescribeTasksCommand, DiscoverPollEndpointCommand, ECSClient, ListTagsForResourceCommand, ListTasksCommand,
  RegisterContainerInstanceCommand, StopTaskCommand,
  SubmitAttachmentStateChangesCommand, SubmitContainerStateChangeCommand, SubmitTaskStateChangeCommand, TagResourceCommand, UpdateServiceCommand, UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand, type Service, type TaskSet,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../../helpers/berth.js';
import { describeService, fargateNetwork, register } from '../../helpers/ecs.js';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';

const C = 'ts';

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp) {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('ECS task sets (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;

  async function until(name: string, ok: (s: Service) => boolean, what: string, ms = 20_000): Promise<Service> {
    const end = Date.now() + ms;
    let s: Service | undefined;
    while (Date.now() < end) {
      s = await describeService(berth.ecs, C, name);
      if (ok(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...s, events: s?.events?.slice(0, 5) }, null, 1)}`);
  }
  const setOf = (s: Service, id: string) => s.taskSets?.find((t) => t.id === id);
  const runningOf = async (id: string) =>
    (await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: id, desiredStatus: 'RUNNING' }))).taskArns ?? [];

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    net = await fargateNetwork(berth.endpoint);
    for (const [family, image] of [['web', 'example/web:1'], ['web2', 'example/web:2']]) {
      await register(berth.ecs, {
        family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'web', image, essential: true, portMappings: [{ containerPort: 80 }] }],
      });
    }
  });

  let blue: TaskSet;
  let green: TaskSet;

  it('an EXTERNAL service is created without a task definition and runs nothing until a task set exists', async () => {
    await rejects(berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'bad', taskDefinition: 'web', deploymentController: { type: 'EXTERNAL' } })),
      'InvalidParameterException', 'TaskDefinition must be blank');
    const { service } = await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'ext', desiredCount: 4, deploymentController: { type: 'EXTERNAL' } }));
    assert.equal(service?.deploymentController?.type, 'EXTERNAL');
    assert.deepEqual(service?.deployments, []);
    assert.deepEqual(service?.taskSets, []);
    assert.equal(service?.taskDefinition, undefined);
    const s = await describeService(berth.ecs, C, 'ext');
    assert.equal(s.runningCount, 0);
  });

  it('CreateTaskSet on a service with the ECS deployment controller is refused with ECS’s message', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'rolling', taskDefinition: 'web', desiredCount: 0, launchType: 'FARGATE', networkConfiguration: net }));
    const refusal = 'Amazon ECS only supports task set management on services configured to use external deployment controllers.';
    await rejects(berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'rolling', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: net })),
      'InvalidParameterException', refusal);
    await rejects(berth.ecs.send(new DescribeTaskSetsCommand({ cluster: C, service: 'rolling' })), 'InvalidParameterException', refusal);
    await rejects(berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'nope', taskDefinition: 'web' })), 'ServiceNotFoundException', 'Service not found.');
  });

  it('CreateTaskSet makes an ACTIVE task set that runs ceil(scale% × desiredCount) tasks started by it, idempotent by client token', async () => {
    const input = {
      cluster: C, service: 'ext', taskDefinition: 'web', launchType: 'FARGATE' as const, networkConfiguration: net, externalId: 'blue',
      scale: { value: 50, unit: 'PERCENT' as const }, clientToken: 'blue-1', tags: [{ key: 'colour', value: 'blue' }],
    };
    blue = (await berth.ecs.send(new CreateTaskSetCommand(input))).taskSet!;
    assert.match(blue.id!, /^ecs-svc\/\d{19}$/);
    assert.equal(blue.taskSetArn, `arn:aws:ecs:us-east-1:000000000000:task-set/${C}/ext/${blue.id}`);
    assert.equal(blue.serviceArn, `arn:aws:ecs:us-east-1:000000000000:service/${C}/ext`);
    assert.equal(blue.status, 'ACTIVE');
    assert.equal(blue.externalId, 'blue');
    assert.equal(blue.computedDesiredCount, 2);
    assert.deepEqual(blue.scale, { value: 50, unit: 'PERCENT' });
    assert.equal(blue.stabilityStatus, 'STABILIZING');
    assert.equal(blue.launchType, 'FARGATE');
    assert.equal(blue.platformVersion, '1.4.0');
    assert.match(blue.taskDefinition!, /task-definition\/web:1$/);
    // The same client token answers with the same task set.
    const again = (await berth.ecs.send(new CreateTaskSetCommand(input))).taskSet!;
    assert.equal(again.id, blue.id);

    const s = await until('ext', (x) => setOf(x, blue.id!)?.stabilityStatus === 'STEADY_STATE', 'blue steady');
    assert.equal(setOf(s, blue.id!)!.runningCount, 2);
    assert.equal(s.runningCount, 2);
    const arns = await runningOf(blue.id!);
    assert.equal(arns.length, 2);
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: arns }));
    assert.ok(tasks!.every((t) => t.startedBy === blue.id && t.group === 'service:ext' && t.taskDefinitionArn === blue.taskDefinition));
    // The service reports no task definition while no task set is primary.
    assert.equal(s.taskDefinition, undefined);
  });

  it('DescribeTaskSets answers by id or ARN, with tags only when asked, and MISSING failures', async () => {
    const out = await berth.ecs.send(new DescribeTaskSetsCommand({ cluster: C, service: 'ext', taskSets: [blue.id!, 'ecs-svc/1234567890123456789'], include: ['TAGS'] }));
    assert.equal(out.taskSets?.length, 1);
    assert.deepEqual(out.taskSets![0].tags, [{ key: 'colour', value: 'blue' }]);
    assert.deepEqual(out.failures, [{ arn: `arn:aws:ecs:us-east-1:000000000000:task-set/${C}/ext/ecs-svc/1234567890123456789`, reason: 'MISSING' }]);
    const byArn = await berth.ecs.send(new DescribeTaskSetsCommand({ cluster: C, service: 'ext', taskSets: [blue.taskSetArn!] }));
    assert.equal(byArn.taskSets![0].id, blue.id);
    assert.deepEqual(byArn.taskSets![0].tags, []);
    // Task sets are taggable resources.
    await berth.ecs.send(new TagResourceCommand({ resourceArn: blue.taskSetArn, tags: [{ key: 'stage', value: 'prod' }] }));
    const tags = await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: blue.taskSetArn }));
    assert.deepEqual(tags.tags?.map((t) => t.key).sort(), ['colour', 'stage']);
  });

  it('UpdateTaskSet changes the scale, UpdateService the desired count, and each task set follows', async () => {
    green = (await berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'ext', taskDefinition: 'web2', launchType: 'FARGATE', networkConfiguration: net }))).taskSet!;
    // As ECS's create-task-set example shows: without a scale, a task set starts at 0%.
    assert.deepEqual(green.scale, { value: 0, unit: 'PERCENT' });
    assert.equal(green.computedDesiredCount, 0);
    const updated = (await berth.ecs.send(new UpdateTaskSetCommand({ cluster: C, service: 'ext', taskSet: green.id, scale: { value: 100, unit: 'PERCENT' } }))).taskSet!;
    assert.equal(updated.computedDesiredCount, 4);
    await rejects(berth.ecs.send(new UpdateTaskSetCommand({ cluster: C, service: 'ext', taskSet: 'ecs-svc/1234567890123456789', scale: { value: 10, unit: 'PERCENT' } })),
      'TaskSetNotFoundException', /task set/);
    let s = await until('ext', (x) => x.runningCount === 6 && x.taskSets!.every((t) => t.stabilityStatus === 'STEADY_STATE'), 'both steady at 2 + 4');
    assert.equal(setOf(s, green.id!)!.runningCount, 4);
    // 3 × 50% = 1.5 → 2; 3 × 100% = 3.
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'ext', desiredCount: 3 }));
    s = await until('ext', (x) => x.runningCount === 5 && x.taskSets!.every((t) => t.stabilityStatus === 'STEADY_STATE'), 'scaled in to 2 + 3');
    assert.equal(setOf(s, blue.id!)!.computedDesiredCount, 2);
    assert.equal(setOf(s, green.id!)!.computedDesiredCount, 3);
    assert.equal((await runningOf(green.id!)).length, 3);
  });

  it('UpdateServicePrimaryTaskSet makes a task set PRIMARY, the old one ACTIVE, and the service reports the primary’s fields', async () => {
    const first = (await berth.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: C, service: 'ext', primaryTaskSet: blue.taskSetArn }))).taskSet!;
    assert.equal(first.status, 'PRIMARY');
    let s = await describeService(berth.ecs, C, 'ext');
    assert.equal(s.taskDefinition, blue.taskDefinition);
    assert.equal(s.launchType, 'FARGATE');
    const second = (await berth.ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: C, service: 'ext', primaryTaskSet: green.id }))).taskSet!;
    assert.equal(second.status, 'PRIMARY');
    s = await describeService(berth.ecs, C, 'ext');
    assert.equal(setOf(s, blue.id!)!.status, 'ACTIVE');
    assert.equal(s.taskDefinition, green.taskDefinition);
    // The task definition and the rest belong to task sets: UpdateService refuses them.
    await rejects(berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'ext', taskDefinition: 'web' })), 'InvalidParameterException', /^Unable to update task definition on services with a EXTERNAL deployment controller/);
  });

  it('DeleteTaskSet refuses the primary and a scaled task set without force, and with force drains it until it is gone', async () => {
    await rejects(berth.ecs.send(new DeleteTaskSetCommand({ cluster: C, service: 'ext', taskSet: green.id })), 'InvalidParameterException', 'Primary TaskSet cannot be deleted');
    await rejects(berth.ecs.send(new DeleteTaskSetCommand({ cluster: C, service: 'ext', taskSet: blue.id })), 'InvalidParameterException', /scaled above 0/);
    const blueTasks = await runningOf(blue.id!);
    const deleted = (await berth.ecs.send(new DeleteTaskSetCommand({ cluster: C, service: 'ext', taskSet: blue.id, force: true }))).taskSet!;
    assert.equal(deleted.status, 'DRAINING');
    assert.equal(deleted.computedDesiredCount, 0);
    const s = await until('ext', (x) => x.taskSets?.length === 1 && x.runningCount === 3, 'blue gone');
    assert.equal(s.taskSets![0].id, green.id);
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: blueTasks }));
    assert.ok(tasks!.every((t) => t.lastStatus === 'STOPPED' && t.stopCode === 'ServiceSchedulerInitiated'), JSON.stringify(tasks!.map((t) => t.lastStatus)));
    const out = await berth.ecs.send(new DescribeTaskSetsCommand({ cluster: C, service: 'ext', taskSets: [blue.id!] }));
    assert.equal(out.failures?.[0].reason, 'MISSING');
  });

  it('a service holds at most five task sets', async () => {
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'many', desiredCount: 0, deploymentController: { type: 'EXTERNAL' } }));
    for (let i = 0; i < 5; i++) {
      await berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'many', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: net }));
    }
    await rejects(berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'many', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: net })),
      'InvalidParameterException', '5 deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.');
  });

  it('DeleteService with force stops every task set’s tasks and the service turns INACTIVE', async () => {
    await berth.ecs.send(new DeleteServiceCommand({ cluster: C, service: 'ext', force: true }));
    const s = await until('ext', (x) => x.status === 'INACTIVE', 'inactive');
    assert.deepEqual(s.taskSets, []);
    assert.equal((await runningOf(green.id!)).length, 0);
  });

  it('a CODE_DEPLOY service starts with a PRIMARY task set at 100% that only CodeDeploy may change', async () => {
    const { service } = await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: 'bg', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: net, deploymentController: { type: 'CODE_DEPLOY' },
    }));
    assert.equal(service?.taskSets?.length, 1);
    const [primary] = service!.taskSets!;
    assert.equal(primary.status, 'PRIMARY');
    assert.deepEqual(primary.scale, { value: 100, unit: 'PERCENT' });
    assert.equal(primary.computedDesiredCount, 2);
    const s = await until('bg', (x) => x.runningCount === 2 && x.taskSets![0].stabilityStatus === 'STEADY_STATE', 'bg steady');
    assert.equal(s.taskDefinition, primary.taskDefinition);
    assert.equal((await runningOf(primary.id!)).length, 2);
    await rejects(berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'bg', taskDefinition: 'web2' })), 'InvalidParameterException',
      'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.');
    await rejects(berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'bg', taskDefinition: 'web2', launchType: 'FARGATE', networkConfiguration: net })),
      'InvalidParameterException', /only supports task set management on services configured to use external deployment controllers/);
    const described = await berth.ecs.send(new DescribeTaskSetsCommand({ cluster: C, service: 'bg' }));
    assert.equal(described.taskSets?.[0].id, primary.id);
    await berth.ecs.send(new UpdateServiceCommand({ cluster: C, service: 'bg', desiredCount: 1 }));
    await until('bg', (x) => x.runningCount === 1 && x.taskSets![0].computedDesiredCount === 1, 'bg scaled to 1');
  });

  it('an EC2 task set is placed on container instances, and a stopped task is replaced', async () => {
    const instances: string[] = [];
    for (const az of ['us-east-1a', 'us-east-1b']) {
      const { containerInstance } = await berth.ecs.send(new RegisterContainerInstanceCommand({
        cluster: C, instanceIdentityDocument: JSON.stringify({ availabilityZone: az }),
        totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 }],
      }));
      instances.push(containerInstance!.containerInstanceArn!);
    }
    await register(berth.ecs, { family: 'bridge', containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, memory: 256, portMappings: [{ containerPort: 80, hostPort: 0 }] }] });
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'ec2', desiredCount: 2, deploymentController: { type: 'EXTERNAL' } }));
    const ts = (await berth.ecs.send(new CreateTaskSetCommand({ cluster: C, service: 'ec2', taskDefinition: 'bridge', scale: { value: 100, unit: 'PERCENT' } }))).taskSet!;
    // Neither a launch type nor a strategy: the service's (EC2).
    assert.equal(ts.launchType, 'EC2');
    await until('ec2', (x) => x.taskSets![0].stabilityStatus === 'STEADY_STATE', 'ec2 steady');
    const arns = await runningOf(ts.id!);
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: arns }));
    // Spread over the two instances (ECS's default: zones, then instances).
    assert.deepEqual(tasks!.map((t) => t.containerInstanceArn).sort(), [...instances].sort());
    await berth.ecs.send(new StopTaskCommand({ cluster: C, task: arns[0] }));
    await until('ec2', (x) => x.taskSets![0].stabilityStatus === 'STEADY_STATE' && x.runningCount === 2, 'replaced');
    const now = await runningOf(ts.id!);
    assert.equal(now.length, 2);
    assert.ok(!now.includes(arns[0]));
  });

  it('a task set whose tasks fail to start keeps retrying, throttled, and stays STABILIZING', async () => {
    await register(berth.ecs, {
      family: 'broken', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/does-not-exist:1', essential: true }],
    });
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'broken', desiredCount: 1, deploymentController: { type: 'EXTERNAL' } }));
    const ts = (await berth.ecs.send(new CreateTaskSetCommand({
      cluster: C, service: 'broken', taskDefinition: 'broken', launchType: 'FARGATE', networkConfiguration: net, scale: { value: 100, unit: 'PERCENT' },
    }))).taskSet!;
    await new Promise((r) => setTimeout(r, 4000));
    const stopped = (await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: ts.id, desiredStatus: 'STOPPED' }))).taskArns ?? [];
    // Three quick failures, then back-off of 1 s, 2 s, 4 s…: a handful in 4 s, not one per pass.
    assert.ok(stopped.length >= 3 && stopped.length <= 8, `${stopped.length} failed tasks in 4 s`);
    const s = await describeService(berth.ecs, C, 'broken');
    assert.equal(s.taskSets![0].stabilityStatus, 'STABILIZING');
    assert.equal(s.runningCount, 0);
  });

  it('DiscoverPollEndpoint points at Berth; the agent’s state-change submissions are AccessDeniedException', async () => {
    const out = await berth.ecs.send(new DiscoverPollEndpointCommand({ cluster: C }));
    assert.equal(out.endpoint, `${berth.endpoint}/`);
    assert.equal(out.telemetryEndpoint, `${berth.endpoint}/`);
    assert.equal(out.serviceConnectEndpoint, berth.endpoint);
    await rejects(berth.ecs.send(new SubmitTaskStateChangeCommand({ cluster: C, task: 'abc', status: 'RUNNING' })), 'AccessDeniedException', /ecs:SubmitTaskStateChange: only the Amazon ECS container agent/);
    await rejects(berth.ecs.send(new SubmitContainerStateChangeCommand({ cluster: C, task: 'abc', containerName: 'web', status: 'RUNNING' })), 'AccessDeniedException', /ecs:SubmitContainerStateChange/);
    await rejects(berth.ecs.send(new SubmitAttachmentStateChangesCommand({ cluster: C, attachments: [{ attachmentArn: 'arn:aws:ecs:us-east-1:000000000000:attachment/a', status: 'ATTACHED' }] })),
      'AccessDeniedException', /ecs:SubmitAttachmentStateChanges: only the Amazon ECS container agent/);
  });
});

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`ECS task sets through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
    const run = (...args: string[]) => aws(cli, berth.endpoint, args);
    const ok = async (...args: string[]) => {
      const r = await run(...args);
      assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
      return r.json;
    };

    it('create-service, create-task-set, update-service-primary-task-set, describe-task-sets, delete-task-set and the agent operations', async () => {
      await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
      await register(berth.ecs, {
        family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true, portMappings: [{ containerPort: 80 }] }],
      });
      const { awsvpcConfiguration } = await fargateNetwork(berth.endpoint);
      const network = `awsvpcConfiguration={subnets=[${awsvpcConfiguration.subnets.join(',')}],assignPublicIp=ENABLED}`;
      await ok('ecs', 'create-service', '--cluster', C, '--service-name', 'ext', '--desired-count', '2', '--deployment-controller', 'type=EXTERNAL');
      const created = (await ok('ecs', 'create-task-set', '--cluster', C, '--service', 'ext', '--task-definition', 'web', '--launch-type', 'FARGATE',
        '--network-configuration', network, '--scale', 'value=100,unit=PERCENT', '--external-id', 'v1')).taskSet;
      assert.equal(created.status, 'ACTIVE');
      assert.equal(created.computedDesiredCount, 2);
      assert.equal(created.scale.value, 100);
      const primary = (await ok('ecs', 'update-service-primary-task-set', '--cluster', C, '--service', 'ext', '--primary-task-set', created.taskSetArn)).taskSet;
      assert.equal(primary.status, 'PRIMARY');
      // Waited for through the SDK (a CLI call costs ~100 ms or more), then read through the CLI.
      for (let i = 0; i < 200 && (await describeService(berth.ecs, C, 'ext')).taskSets?.[0]?.stabilityStatus !== 'STEADY_STATE'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      // Independent calls run together (the CLI helper keeps three servers per CLI).
      const [describedOut, servicesOut, tasks] = await Promise.all([
        ok('ecs', 'describe-task-sets', '--cluster', C, '--service', 'ext', '--task-sets', created.id),
        ok('ecs', 'describe-services', '--cluster', C, '--services', 'ext'),
        ok('ecs', 'list-tasks', '--cluster', C, '--started-by', created.id),
      ]);
      const described = describedOut.taskSets[0];
      assert.equal(described.stabilityStatus, 'STEADY_STATE');
      assert.equal(described.runningCount, 2);
      assert.equal(described.externalId, 'v1');
      const service = servicesOut.services[0];
      assert.equal(service.taskSets[0].id, created.id);
      assert.equal(service.taskDefinition, created.taskDefinition);
      assert.equal(tasks.taskArns.length, 2);
      const [refused, poll, submit] = await Promise.all([
        run('ecs', 'delete-task-set', '--cluster', C, '--service', 'ext', '--task-set', created.id),
        ok('ecs', 'discover-poll-endpoint', '--cluster', C),
        run('ecs', 'submit-task-state-change', '--cluster', C, '--task', 'abc', '--status', 'RUNNING'),
      ]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /\(InvalidParameterException\) when calling the DeleteTaskSet operation( \(reached max retries: 0\))?: Primary TaskSet cannot be deleted/);
      assert.equal(poll.endpoint, `${berth.endpoint}/`);
      assert.notEqual(submit.code, 0);
      assert.match(submit.stderr, /\(AccessDeniedException\) when calling the SubmitTaskStateChange operation( \(reached max retries: 0\))?: User: /);
    });
  });
}

describe('ECS task sets across a crash (fake runtime)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-task-sets-'));
  let berth: SpawnedBerth | undefined;
  let ecs: ECSClient | undefined;
  const start = async () => {
    berth = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    ecs = new ECSClient(clientConfig(berth.endpoint));
    return ecs;
  };
  after(async () => {
    ecs?.destroy();
    await berth?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const steady = async (client: ECSClient, what: string) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const s = await describeService(client, C, 'ext');
      if (s.taskSets?.[0]?.stabilityStatus === 'STEADY_STATE' && s.runningCount === 2) return s;
      if (Date.now() > end) throw new Error(`timed out: ${what}: ${JSON.stringify(s.taskSets)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('a task set acknowledged before kill -9 is there after the restart and runs its tasks again', async () => {
    let client = await start();
    await client.send(new CreateClusterCommand({ clusterName: C }));
    await register(client, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: 'example/web:1', essential: true }],
    });
    await client.send(new CreateServiceCommand({ cluster: C, serviceName: 'ext', desiredCount: 2, deploymentController: { type: 'EXTERNAL' } }));
    const ts = (await client.send(new CreateTaskSetCommand({
      cluster: C, service: 'ext', taskDefinition: 'web', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(client), scale: { value: 100, unit: 'PERCENT' },
    }))).taskSet!;
    await client.send(new UpdateServicePrimaryTaskSetCommand({ cluster: C, service: 'ext', primaryTaskSet: ts.id }));
    await steady(client, 'steady before the crash');
    await berth!.kill9();
    client.destroy();
    client = await start();
    const s = await steady(client, 'steady after the restart');
    assert.equal(s.taskSets![0].id, ts.id);
    assert.equal(s.taskSets![0].status, 'PRIMARY');
    const running = (await client.send(new ListTasksCommand({ cluster: C, startedBy: ts.id, desiredStatus: 'RUNNING' }))).taskArns ?? [];
    assert.equal(running.length, 2);
  });
});
