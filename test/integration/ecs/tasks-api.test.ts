/**
 * The ECS task API's semantics (validation, filters, pagination, idempotency,
 * tags, failures) on the in-memory runtime. That tasks really run is proven on
 * Docker in test/e2e/ecs-tasks.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientException, CreateClusterCommand, DescribeTasksCommand, ECSClient, GetTaskProtectionCommand, InvalidParameterException,
  ListTagsForResourceCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, TagResourceCommand, ClusterNotFoundException,
  DeregisterTaskDefinitionCommand, paginateListTasks,
} from '@aws-sdk/client-ecs';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

describe('ECS task API (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  const C = 'api';

  before(async () => {
    // A strategy may name only providers associated with the cluster.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }));
    net = await fargateNetwork(berth.endpoint);
    for (const family of ['alpha', 'beta']) {
      await register(berth.ecs, {
        family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
        containerDefinitions: [{ name: 'app', image: 'example/app:1', essential: true }],
        tags: [{ key: 'from', value: 'definition' }],
      });
    }
  });

  const runOne = (input: Partial<ConstructorParameters<typeof RunTaskCommand>[0]> = {}) =>
    berth.ecs.send(new RunTaskCommand({ cluster: C, taskDefinition: 'alpha', launchType: 'FARGATE', networkConfiguration: net, ...input }));

  it('RunTask returns PROVISIONING tasks with ECS fields, and count starts that many', async () => {
    const out = await runOne({ count: 3, startedBy: 'ci', group: 'batch' });
    assert.equal(out.tasks?.length, 3);
    const t = out.tasks![0];
    assert.match(t.taskArn!, /^arn:aws:ecs:us-east-1:000000000000:task\/api\/[0-9a-f]{32}$/);
    assert.equal(t.lastStatus, 'PROVISIONING');
    assert.equal(t.desiredStatus, 'RUNNING');
    assert.equal(t.launchType, 'FARGATE');
    assert.equal(t.platformVersion, '1.4.0');
    assert.equal(t.cpu, '256');
    assert.equal(t.memory, '512');
    assert.equal(t.group, 'batch');
    assert.equal(t.startedBy, 'ci');
    assert.ok(t.createdAt instanceof Date);
    assert.match(t.containers![0].containerArn!, /^arn:aws:ecs:us-east-1:000000000000:container\/api\/[0-9a-f]{32}\/[0-9a-f-]{36}$/);
    assert.equal(t.attachments![0].type, 'ElasticNetworkInterface');
    const running = await waitForTask(berth.ecs, C, t.taskArn!, isRunning, 'RUNNING');
    assert.equal(running.containers![0].lastStatus, 'RUNNING');
  });

  it('RunTask validates its input as ECS does', async () => {
    await assert.rejects(runOne({ count: 11 }), InvalidParameterException);
    await assert.rejects(runOne({ networkConfiguration: undefined }), (e: unknown) =>
      e instanceof InvalidParameterException && /Network Configuration must be provided/.test(e.message));
    await assert.rejects(runOne({ taskDefinition: 'nope' }), ClientException);
    await assert.rejects(runOne({ cluster: 'ghost' }), ClusterNotFoundException);
    await assert.rejects(runOne({ overrides: { containerOverrides: [{ name: 'nope' }] } }), InvalidParameterException);
    await assert.rejects(runOne({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }), InvalidParameterException);
  });

  it('RunTask with the EC2 launch type and no container instances reports the ECS failure', async () => {
    const out = await runOne({ launchType: 'EC2' });
    assert.deepEqual(out.tasks, []);
    assert.equal(out.failures?.[0].reason, 'No Container Instances were found in your cluster.');
  });

  it('RunTask with a FARGATE_SPOT capacity provider strategy runs a Fargate task on that provider', async () => {
    const out = await runOne({ launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] });
    assert.equal(out.tasks?.[0].capacityProviderName, 'FARGATE_SPOT');
    assert.equal(out.tasks?.[0].launchType, 'FARGATE');
  });

  it('RunTask with the same clientToken returns the same tasks', async () => {
    const a = await runOne({ clientToken: 'token-1' });
    const b = await runOne({ clientToken: 'token-1' });
    assert.equal(a.tasks![0].taskArn, b.tasks![0].taskArn);
  });

  it('an INACTIVE task definition cannot start new tasks', async () => {
    await berth.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'beta:1' }));
    await assert.rejects(runOne({ taskDefinition: 'beta:1' }), ClientException);
  });

  it('tags: given, propagated from the task definition, and managed ones', async () => {
    const out = await runOne({ tags: [{ key: 'run', value: 'x' }], propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true });
    const arn = out.tasks![0].taskArn!;
    const { tags } = await berth.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    assert.deepEqual(tags?.map((t) => t.key).sort(), ['aws:ecs:clusterName', 'from', 'run']);
    await berth.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'later', value: 'y' }] }));
    const described = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [arn], include: ['TAGS'] }));
    assert.ok(described.tasks![0].tags!.some((t) => t.key === 'later'));
  });

  it('DescribeTasks accepts ids and ARNs and reports unknown ones as MISSING', async () => {
    const out = await runOne();
    const arn = out.tasks![0].taskArn!;
    const id = arn.split('/').pop()!;
    const d = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: [id, arn, 'ffffffffffffffffffffffffffffffff'] }));
    assert.equal(d.tasks?.length, 2);
    assert.deepEqual(d.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/api/ffffffffffffffffffffffffffffffff', reason: 'MISSING' }]);
  });

  it('StopTask stops a task with UserInitiated and the given reason; ListTasks filters by desired status', async () => {
    const out = await runOne({ startedBy: 'stopper' });
    const arn = out.tasks![0].taskArn!;
    await waitForTask(berth.ecs, C, arn, isRunning, 'RUNNING');
    const stopped = await berth.ecs.send(new StopTaskCommand({ cluster: C, task: arn, reason: 'done here' }));
    assert.equal(stopped.task?.desiredStatus, 'STOPPED');
    const final = await waitForTask(berth.ecs, C, arn, isStopped, 'STOPPED');
    assert.equal(final.stopCode, 'UserInitiated');
    assert.equal(final.stoppedReason, 'done here');
    const running = await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: 'stopper' }));
    assert.deepEqual(running.taskArns, []);
    const gone = await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: 'stopper', desiredStatus: 'STOPPED' }));
    assert.deepEqual(gone.taskArns, [arn]);
    await assert.rejects(berth.ecs.send(new StopTaskCommand({ cluster: C, task: 'ffffffffffffffffffffffffffffffff' })), InvalidParameterException);
  });

  it('ListTasks filters by family, startedBy and launch type, and pages', async () => {
    const fam = await berth.ecs.send(new ListTasksCommand({ cluster: C, family: 'alpha' }));
    assert.ok((fam.taskArns?.length ?? 0) >= 5);
    const none = await berth.ecs.send(new ListTasksCommand({ cluster: C, family: 'beta' }));
    assert.deepEqual(none.taskArns, []);
    const ci = await berth.ecs.send(new ListTasksCommand({ cluster: C, startedBy: 'ci' }));
    assert.equal(ci.taskArns?.length, 3);
    const ec2 = await berth.ecs.send(new ListTasksCommand({ cluster: C, launchType: 'EC2' }));
    assert.deepEqual(ec2.taskArns, []);
    const all: string[] = [];
    for await (const page of paginateListTasks({ client: berth.ecs, pageSize: 2 }, { cluster: C })) {
      assert.ok((page.taskArns?.length ?? 0) <= 2);
      all.push(...(page.taskArns ?? []));
    }
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual(new Set(all), new Set(fam.taskArns));
  });

  it('task protection applies only to service tasks', async () => {
    const out = await runOne();
    const p = await berth.ecs.send(new GetTaskProtectionCommand({ cluster: C, tasks: [out.tasks![0].taskArn!] }));
    assert.deepEqual(p.protectedTasks, []);
    assert.equal(p.failures?.[0].reason, 'TASK_NOT_VALID');
  });
});
