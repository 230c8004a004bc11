/**
 * EventBridge delivers matched events to targets (fake runtime, compressed clock: a metric minute is 1 s):
 * SQS queues with Input, InputPath and InputTransformer, FIFO queues with a message group, another bus, ECS RunTask
 * with EcsParameters, scheduled rules, failed deliveries to a dead-letter queue with EventBridge's attributes, and the
 * one-hop limit between buses.
 * EventBridge is driven through boto3 (botocore 1.43); queues and tasks are read with the SDK v3 clients.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { boto3, type Boto3 } from '../../helpers/boto3.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const ARN = 'arn:aws:sqs:us-east-1:000000000000';

describe('EventBridge delivery', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { sqs: SQSClient, ecs: ECSClient } });
  // EventBridge through boto3 (botocore 1.43), one Python process for the file; the calls read as the CLI's.
  let b: Boto3;
  before(() => { b = boto3(berth.endpoint); });
  after(() => b.close());
  const events = (args: string[]) => b.cli('events', args);
  const queue = async (name: string, attributes?: Record<string, string>) =>
    (await berth.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  /** Receives until `n` messages have arrived (or 10 s pass). */
  const receive = async (url: string, n: number, attributes = false, waitMs = 10_000): Promise<Message[]> => {
    const out: Message[] = [];
    const end = Date.now() + waitMs;
    while (out.length < n && Date.now() < end) {
      const r = await berth.sqs.send(new ReceiveMessageCommand({
        QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, ...(attributes ? { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All' as const] } : {}),
      }));
      out.push(...(r.Messages ?? []));
    }
    return out;
  };
  const put = (entries: object[]) => events(['put-events', '--entries', JSON.stringify(entries)]);

  it('a matched event reaches SQS targets as the event, a constant, a path and a transformed template; others do not', async () => {
    const [whole, constant, path, transformed] = await Promise.all(['whole', 'constant', 'path', 'transformed'].map((n) => queue(`d-${n}`)));
    await events(['put-rule', '--name', 'orders', '--event-pattern', JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>', 100] }] } })]);
    await events(['put-targets', '--rule', 'orders', '--targets', JSON.stringify([
      { Id: 'whole', Arn: `${ARN}:d-whole` },
      { Id: 'constant', Arn: `${ARN}:d-constant`, Input: '{"fixed":true}' },
      { Id: 'path', Arn: `${ARN}:d-path`, InputPath: '$.detail.customer' },
      { Id: 'transformed', Arn: `${ARN}:d-transformed`, InputTransformer: {
        InputPathsMap: { id: '$.detail.id', total: '$.detail.total', customer: '$.detail.customer' },
        InputTemplate: '{"text": "order <id> of <customer.name> came to <total>", "total": <total>, "customer": <customer>, "rule": "<aws.events.rule-name>"}',
      } },
    ])]);
    const r = await put([
      { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-1', total: 150, customer: { name: 'Ann' } }) },
      { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-2', total: 50, customer: { name: 'Bob' } }) },
    ]);
    assert.equal(r.FailedEntryCount, 0);
    const [w] = await receive(whole, 1);
    const event = JSON.parse(w.Body!);
    assert.deepEqual(
      { ...event, id: undefined, time: undefined },
      { version: '0', id: undefined, 'detail-type': 'Order', source: 'shop', account: '000000000000', time: undefined, region: 'us-east-1', resources: [],
        detail: { id: 'o-1', total: 150, customer: { name: 'Ann' } } },
    );
    assert.equal(event.id, r.Entries[0].EventId);
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await receive(constant, 1))[0].Body, '{"fixed":true}');
    assert.deepEqual(JSON.parse((await receive(path, 1))[0].Body!), { name: 'Ann' });
    // <customer.name> is not a variable (only InputPathsMap keys are): it stays as written.
    assert.deepEqual(JSON.parse((await receive(transformed, 1))[0].Body!), {
      text: 'order o-1 of <customer.name> came to 150', total: 150, customer: { name: 'Ann' }, rule: 'orders',
    });
    // The 50 order matched nothing: nothing more arrives.
    const more = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: whole, WaitTimeSeconds: 1 }));
    assert.equal(more.Messages, undefined);
  });

  it('a FIFO queue target gets the SqsParameters message group; a bus target passes events on to that bus\'s rules', async () => {
    const fifo = await queue('d-events.fifo', { FifoQueue: 'true' });
    const relayed = await queue('d-relayed');
    await events(['create-event-bus', '--name', 'audit']);
    await events(['put-rule', '--name', 'to-audit', '--event-pattern', '{"source":["relay"]}']);
    await events(['put-targets', '--rule', 'to-audit', '--targets', JSON.stringify([
      { Id: 'bus', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/audit' },
      { Id: 'fifo', Arn: `${ARN}:d-events.fifo`, SqsParameters: { MessageGroupId: 'g1' }, InputPath: '$.detail' },
    ])]);
    await events(['put-rule', '--name', 'audited', '--event-bus-name', 'audit', '--event-pattern', '{"detail-type":["Step"]}']);
    await events(['put-targets', '--rule', 'audited', '--event-bus-name', 'audit', '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:d-relayed`, InputPath: '$.detail.n' }])]);
    await put([1, 2, 3].map((n) => ({ Source: 'relay', DetailType: 'Step', Detail: JSON.stringify({ n }) })));
    const inOrder = await receive(fifo, 3, true);
    assert.deepEqual(inOrder.map((m) => JSON.parse(m.Body!).n), [1, 2, 3]);
    assert.deepEqual(inOrder.map((m) => m.Attributes!.MessageGroupId), ['g1', 'g1', 'g1']);
    const onAudit = await receive(relayed, 3);
    assert.deepEqual(onAudit.map((m) => m.Body).sort(), ['1', '2', '3']);
  });

  it('an ECS target runs the task definition with EcsParameters; startedBy names the rule; the input overrides', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'jobs' }));
    const td = await register(berth.ecs, {
      family: 'job', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true }],
    });
    const { awsvpcConfiguration } = await fargateNetwork(berth.endpoint);
    await events(['put-rule', '--name', 'run-job', '--event-pattern', '{"source":["jobs"]}']);
    await events(['put-targets', '--rule', 'run-job', '--targets', JSON.stringify([{
      Id: 'ecs', Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/jobs', RoleArn: 'arn:aws:iam::000000000000:role/events-ecs',
      EcsParameters: {
        TaskDefinitionArn: td, TaskCount: 2, LaunchType: 'FARGATE', Tags: [{ Key: 'from', Value: 'events' }],
        NetworkConfiguration: { awsvpcConfiguration: { Subnets: awsvpcConfiguration.subnets, AssignPublicIp: 'ENABLED' } },
      },
      InputTransformer: { InputPathsMap: { arg: '$.detail.arg' }, InputTemplate: '{"containerOverrides": [{"name": "main", "command": ["echo", <arg>]}]}' },
    }])]);
    await put([{ Source: 'jobs', DetailType: 'Run', Detail: '{"arg":"hello"}' }]);
    let arns: string[] = [];
    for (const end = Date.now() + 10_000; arns.length < 2 && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      arns = (await berth.ecs.send(new ListTasksCommand({ cluster: 'jobs', startedBy: 'events-rule/run-job' }))).taskArns ?? [];
    }
    assert.equal(arns.length, 2, 'two tasks started by the rule');
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: arns, include: ['TAGS'] }));
    for (const t of tasks!) {
      assert.equal(t.startedBy, 'events-rule/run-job');
      assert.equal(t.taskDefinitionArn, td);
      assert.equal(t.launchType, 'FARGATE');
      assert.deepEqual(t.overrides?.containerOverrides, [{ name: 'main', command: ['echo', 'hello'] }]);
      assert.deepEqual(t.tags, [{ key: 'from', value: 'events' }]);
    }
  });

  it('a failed delivery goes to the dead-letter queue with RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS', async () => {
    const dlq = await queue('d-dlq');
    await events(['put-rule', '--name', 'broken', '--event-pattern', '{"source":["broken"]}']);
    await events(['put-targets', '--rule', 'broken', '--targets', JSON.stringify([{
      Id: 'gone', Arn: `${ARN}:d-missing`, DeadLetterConfig: { Arn: `${ARN}:d-dlq` }, RetryPolicy: { MaximumRetryAttempts: 2 },
    }])]);
    const r = await put([{ Source: 'broken', DetailType: 'x', Detail: '{"k":1}' }]);
    const [m] = await receive(dlq, 1, true);
    assert.ok(m, 'the event reached the dead-letter queue');
    assert.equal(JSON.parse(m.Body!).id, r.Entries[0].EventId);
    const attr = (k: string) => m.MessageAttributes?.[k]?.StringValue;
    assert.equal(attr('RULE_ARN'), 'arn:aws:events:us-east-1:000000000000:rule/broken');
    assert.equal(attr('TARGET_ARN'), `${ARN}:d-missing`);
    // EventBridge's own code for a target that is not there; a refusal is not retried, so no retry condition ran out.
    assert.equal(attr('ERROR_CODE'), 'NO_RESOURCE');
    assert.equal(attr('ERROR_MESSAGE'), 'The specified queue does not exist.');
    assert.equal(attr('RETRY_ATTEMPTS'), '0');
    assert.equal(m.MessageAttributes?.RETRY_ATTEMPTS?.DataType, 'String');
    assert.equal(attr('EXHAUSTED_RETRY_CONDITION'), undefined);
  });

  it('bus to bus: an event crosses one hop; sent on to a third bus it is refused (THIRD_ACCOUNT_HOP_DETECTED), so buses cannot loop', async () => {
    const [onB, onC, onA, dlq] = await Promise.all(['hop-b', 'hop-c', 'hop-a', 'hop-dlq'].map((n) => queue(n)));
    for (const bus of ['hop-a', 'hop-b', 'hop-c']) await events(['create-event-bus', '--name', bus]);
    const bus = (n: string) => `arn:aws:events:us-east-1:000000000000:event-bus/${n}`;
    const pattern = JSON.stringify({ source: ['hop'] });
    // a → b; on b: to a queue, on to c, and back to a (a loop); on c and a: to queues.
    await events(['put-rule', '--name', 'a-to-b', '--event-bus-name', 'hop-a', '--event-pattern', pattern]);
    await events(['put-targets', '--rule', 'a-to-b', '--event-bus-name', 'hop-a', '--targets', JSON.stringify([{ Id: 'b', Arn: bus('hop-b') }])]);
    await events(['put-rule', '--name', 'on-b', '--event-bus-name', 'hop-b', '--event-pattern', pattern]);
    await events(['put-targets', '--rule', 'on-b', '--event-bus-name', 'hop-b', '--targets', JSON.stringify([
      { Id: 'q', Arn: `${ARN}:hop-b` },
      { Id: 'c', Arn: bus('hop-c'), DeadLetterConfig: { Arn: `${ARN}:hop-dlq` } },
      { Id: 'back', Arn: bus('hop-a'), DeadLetterConfig: { Arn: `${ARN}:hop-dlq` } },
    ])]);
    for (const [n, q] of [['hop-c', 'hop-c'], ['hop-a', 'hop-a']]) {
      await events(['put-rule', '--name', `on-${n}`, '--event-bus-name', n, '--event-pattern', pattern]);
      await events(['put-targets', '--rule', `on-${n}`, '--event-bus-name', n, '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:${q}` }])]);
    }
    const r = await put([{ Source: 'hop', DetailType: 'x', Detail: '{"n":1}', EventBusName: 'hop-a' }]);
    // On a itself the event reaches a's queue once (put there); on b once (one hop).
    const [viaB] = await receive(onB, 1);
    assert.equal(JSON.parse(viaB.Body!).id, r.Entries[0].EventId);
    const dead = await receive(dlq, 2, true);
    assert.equal(dead.length, 2, 'both onward hops were refused');
    for (const m of dead) {
      assert.equal(m.MessageAttributes?.ERROR_CODE?.StringValue, 'THIRD_ACCOUNT_HOP_DETECTED');
      assert.equal(m.MessageAttributes?.RULE_ARN?.StringValue, 'arn:aws:events:us-east-1:000000000000:rule/hop-b/on-b');
      assert.equal(JSON.parse(m.Body!).id, r.Entries[0].EventId);
    }
    assert.deepEqual(dead.map((m) => m.MessageAttributes?.TARGET_ARN?.StringValue).sort(), [bus('hop-a'), bus('hop-c')]);
    const [third, back] = await Promise.all([receive(onC, 1, false, 1500), receive(onA, 2, false, 1500)]);
    assert.equal(third.length, 0, 'nothing reached the third bus');
    assert.equal(back.length, 1, 'the event reached a only as it was first put there');
  });

  it('a rate(1 minute) rule ticks every metric minute (1 s here) with a Scheduled Event; disabled, it stops', async () => {
    const ticks = await queue('d-ticks');
    await events(['put-rule', '--name', 'every-minute', '--schedule-expression', 'rate(1 minute)']);
    await events(['put-targets', '--rule', 'every-minute', '--targets', JSON.stringify([{ Id: 'q', Arn: `${ARN}:d-ticks` }])]);
    const got = await receive(ticks, 2, true);
    assert.equal(got.length, 2);
    const apart = Number(got[1].Attributes!.SentTimestamp) - Number(got[0].Attributes!.SentTimestamp);
    assert.ok(apart >= 800 && apart < 2500, `two ticks 1 s apart were sent ${apart} ms apart`);
    assert.equal(Date.parse(JSON.parse(got[1].Body!).time) - Date.parse(JSON.parse(got[0].Body!).time) <= 2000, true);
    const e = JSON.parse(got[0].Body!);
    assert.equal(e.source, 'aws.events');
    assert.equal(e['detail-type'], 'Scheduled Event');
    assert.deepEqual(e.resources, ['arn:aws:events:us-east-1:000000000000:rule/every-minute']);
    assert.deepEqual(e.detail, {});
    await events(['disable-rule', '--name', 'every-minute']);
    // Drain what was queued before the disable took effect.
    await new Promise((r) => setTimeout(r, 1200));
    await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: ticks, MaxNumberOfMessages: 10 }));
    const after = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: ticks, WaitTimeSeconds: 2 }));
    assert.equal(after.Messages, undefined, 'a disabled rule does not tick');
  });
});
