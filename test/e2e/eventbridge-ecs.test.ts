/**
 * EventBridge with ECS on a real Docker engine, compressed time (a metric minute is 2 s), driven by awscli 2.9:
 * a scheduled rule runs a busybox task on each tick with the rule as its startedBy; a rule on ECS Task State Change
 * for a stopped task whose container exited non-zero delivers an input-transformed message to an SQS queue.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { aws } from '../helpers/cli.js';
import { fargateNetwork, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { useBerth } from '../helpers/use-berth.js';

const CLUSTER = 'events-e2e';
const ROLE = 'arn:aws:iam::000000000000:role/ecsEventsRole';

describe('EventBridge and ECS on Docker', () => {
  let image: string;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  const berth = useBerth({ metricsPeriod: 2, clients: { ecs: ECSClient, sqs: SQSClient } });
  const events = async (args: string[]) => {
    const r = await aws('v2', berth.endpoint, ['events', ...args]);
    assert.equal(r.code, 0, `aws events ${args.join(' ')}: ${r.stderr}`);
    return r.json;
  };
  const taskDefinition = (family: string, command: string) => register(berth.ecs, {
    family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'main', image, essential: true, command: ['sh', '-c', command] }],
  });

  before(async () => {
    image = ensureBusyboxImage();
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  it('a rate(1 minute) rule runs a task on each tick (every 2 s here), started by events-rule/<rule>', async () => {
    const td = await taskDefinition('tick', 'echo tick');
    await events(['put-rule', '--name', 'tick', '--schedule-expression', 'rate(1 minute)']);
    await events(['put-targets', '--rule', 'tick', '--targets', JSON.stringify([{
      Id: 'run', Arn: `arn:aws:ecs:us-east-1:000000000000:cluster/${CLUSTER}`, RoleArn: ROLE,
      EcsParameters: {
        TaskDefinitionArn: td, LaunchType: 'FARGATE',
        NetworkConfiguration: { awsvpcConfiguration: { Subnets: net.awsvpcConfiguration.subnets, AssignPublicIp: 'ENABLED' } },
      },
    }])]);
    // A task that stops between the two calls is in both lists: count each once.
    const list = async () => [...new Set([
      ...((await berth.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'events-rule/tick' }))).taskArns ?? []),
      ...((await berth.ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: 'events-rule/tick', desiredStatus: 'STOPPED' }))).taskArns ?? []),
    ])];
    let arns: string[] = [];
    const started = Date.now();
    for (const end = Date.now() + 20_000; arns.length < 2 && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) arns = await list();
    // Bounded: two ticks are enough.
    await events(['disable-rule', '--name', 'tick']);
    assert.ok(arns.length >= 2, `two ticks ran tasks (saw ${arns.length})`);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2000, `the second tick came a period after the first (${elapsed} ms)`);
    for (const arn of arns.slice(0, 2)) {
      const t = await waitForTask(berth.ecs, CLUSTER, arn, isStopped, 'STOPPED');
      assert.equal(t.startedBy, 'events-rule/tick');
      assert.equal(t.taskDefinitionArn, td);
      assert.equal(t.containers![0].exitCode, 0, `the busybox container ran: ${t.stoppedReason}`);
    }
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(0, 2) }));
    assert.notEqual(Date.parse(String(tasks![0].createdAt)), Date.parse(String(tasks![1].createdAt)), 'one task per tick');
  });

  it('a stopped task that exited non-zero sends an input-transformed message to SQS through a rule on ECS Task State Change', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'failed-tasks' }));
    await events(['put-rule', '--name', 'failed-tasks', '--event-pattern', JSON.stringify({
      source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'],
      detail: { lastStatus: ['STOPPED'], clusterArn: [{ suffix: `/${CLUSTER}` }], containers: { exitCode: [{ numeric: ['>', 0] }] } },
    })]);
    await events(['put-targets', '--rule', 'failed-tasks', '--targets', JSON.stringify([{
      Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:failed-tasks',
      InputTransformer: {
        InputPathsMap: { task: '$.detail.taskArn', group: '$.detail.group', code: '$.detail.containers[0].exitCode' },
        InputTemplate: '{"task": <task>, "summary": "<group> exited with <code>", "code": <code>}',
      },
    }])]);
    const ok = await taskDefinition('fine', 'exit 0');
    const bad = await taskDefinition('broken', 'exit 3');
    const runOne = async (td: string) => (await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: td, launchType: 'FARGATE', networkConfiguration: net }))).tasks![0].taskArn!;
    const fineArn = await runOne(ok);
    const brokenArn = await runOne(bad);
    await waitForTask(berth.ecs, CLUSTER, fineArn, isStopped, 'STOPPED');
    const stopped = await waitForTask(berth.ecs, CLUSTER, brokenArn, isStopped, 'STOPPED');
    assert.equal(stopped.containers![0].exitCode, 3);

    let body: string | undefined;
    for (const end = Date.now() + 15_000; !body && Date.now() < end;) {
      body = (await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }))).Messages?.[0]?.Body;
    }
    assert.ok(body, 'the rule delivered a message');
    assert.deepEqual(JSON.parse(body), { task: brokenArn, summary: 'family:broken exited with 3', code: 3 });
    // The task that exited 0 matched nothing.
    const more = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
    assert.equal(more.Messages, undefined);
  });
});
