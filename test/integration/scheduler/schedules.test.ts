/**
 * EventBridge Scheduler through boto3 (botocore 1.43, rest-json; the calls read as the CLI's) and awscli 2.9, fake
 * runtime, compressed clock (a metric minute is 1 s): schedule groups, schedules with rate(), at() and cron() in a time zone, SQS, ECS and EventBridge
 * targets, ActionAfterCompletion, retries and dead-letter events, flexible time windows, and the refusals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { aws } from '../../helpers/cli.js';
import { boto3, type Boto3 } from '../../helpers/boto3.js';
import { fargateNetwork, register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const ACCOUNT = '000000000000';
const QARN = `arn:aws:sqs:us-east-1:${ACCOUNT}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler`;

describe('EventBridge Scheduler', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { sqs: SQSClient, ecs: ECSClient } });
  let b: Boto3;
  before(() => { b = boto3(berth.endpoint); });
  after(() => b.close());
  const run = (args: string[], service = 'scheduler') => b.cli(service, args);
  const fails = (args: string[], code: string, message?: RegExp) => b.cliFails('scheduler', args, code, message);
  const queue = async (name: string) => (await berth.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const receive = async (url: string, n: number, waitMs = 8000): Promise<Message[]> => {
    const out: Message[] = [];
    for (const end = Date.now() + waitMs; out.length < n && Date.now() < end;) {
      out.push(...((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['SentTimestamp'] }))).Messages ?? []));
    }
    return out;
  };
  const OFF = JSON.stringify({ Mode: 'OFF' });

  it('schedule groups: default exists; create, get, list, tag, delete (with their schedules)', async () => {
    const listed = await run(['list-schedule-groups']);
    assert.deepEqual(listed.ScheduleGroups.map((g: { Name: string }) => g.Name), ['default']);
    const { ScheduleGroupArn } = await run(['create-schedule-group', '--name', 'nightly', '--tags', JSON.stringify([{ Key: 'team', Value: 'ops' }])]);
    assert.equal(ScheduleGroupArn, `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule-group/nightly`);
    const g = await run(['get-schedule-group', '--name', 'nightly']);
    assert.equal(g.State, 'ACTIVE');
    assert.deepEqual((await run(['list-tags-for-resource', '--resource-arn', ScheduleGroupArn])).Tags, [{ Key: 'team', Value: 'ops' }]);
    await fails(['create-schedule-group', '--name', 'nightly'], 'ConflictException', /already exists/);
    await run(['create-schedule', '--name', 'in-group', '--group-name', 'nightly', '--schedule-expression', 'rate(1 day)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({ Arn: `${QARN}:whatever`, RoleArn: ROLE })]);
    await run(['delete-schedule-group', '--name', 'nightly']);
    await fails(['get-schedule-group', '--name', 'nightly'], 'ResourceNotFoundException', /Schedule group nightly does not exist/);
    await fails(['get-schedule', '--name', 'in-group', '--group-name', 'nightly'], 'ResourceNotFoundException');
    await fails(['delete-schedule-group', '--name', 'default'], 'ValidationException');
  });

  it('a rate(1 minute) schedule sends its input to SQS every metric minute; get, list, update, delete', async () => {
    const url = await queue('sched-ticks');
    const { ScheduleArn } = await run(['create-schedule', '--name', 'ticker', '--schedule-expression', 'rate(1 minute)', '--flexible-time-window', OFF,
      '--description', 'every minute', '--target', JSON.stringify({ Arn: `${QARN}:sched-ticks`, RoleArn: ROLE, Input: '{"hello":"world"}' })]);
    assert.equal(ScheduleArn, `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/ticker`);
    const got = await receive(url, 2);
    assert.equal(got.length, 2);
    assert.deepEqual(got.map((m) => m.Body), ['{"hello":"world"}', '{"hello":"world"}']);
    const apart = Number(got[1].Attributes!.SentTimestamp) - Number(got[0].Attributes!.SentTimestamp);
    assert.ok(apart >= 700 && apart < 2500, `fires ${apart} ms apart`);
    const s = await run(['get-schedule', '--name', 'ticker']);
    assert.equal(s.Arn, ScheduleArn);
    assert.equal(s.GroupName, 'default');
    assert.equal(s.State, 'ENABLED');
    assert.equal(s.Description, 'every minute');
    assert.equal(s.ScheduleExpressionTimezone, 'UTC');
    assert.deepEqual(s.FlexibleTimeWindow, { Mode: 'OFF' });
    assert.equal(s.Target.Input, '{"hello":"world"}');
    const listed = await run(['list-schedules', '--name-prefix', 'tick']);
    assert.deepEqual(listed.Schedules.map((x: { Name: string; Target: { Arn: string } }) => [x.Name, x.Target.Arn]), [['ticker', `${QARN}:sched-ticks`]]);
    await run(['update-schedule', '--name', 'ticker', '--schedule-expression', 'rate(1 minute)', '--flexible-time-window', OFF, '--state', 'DISABLED',
      '--target', JSON.stringify({ Arn: `${QARN}:sched-ticks`, RoleArn: ROLE })]);
    assert.equal((await run(['get-schedule', '--name', 'ticker'])).State, 'DISABLED');
    await receive(url, 10, 1500); // what was already sent
    assert.equal((await receive(url, 1, 2000)).length, 0, 'a disabled schedule does not fire');
    await run(['delete-schedule', '--name', 'ticker']);
    await fails(['get-schedule', '--name', 'ticker'], 'ResourceNotFoundException', /Schedule ticker does not exist/);
  });

  it('a past at() fires once; with ActionAfterCompletion DELETE the schedule is then gone', async () => {
    const url = await queue('sched-once');
    await run(['create-schedule', '--name', 'once', '--schedule-expression', 'at(2020-01-01T00:00:00)', '--schedule-expression-timezone', 'Europe/Paris',
      '--flexible-time-window', OFF, '--action-after-completion', 'DELETE', '--target', JSON.stringify({ Arn: `${QARN}:sched-once`, RoleArn: ROLE, Input: 'once' })]);
    const got = await receive(url, 1);
    assert.equal(got[0]?.Body, 'once');
    let gone = false;
    for (const end = Date.now() + 5000; !gone && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) gone = await run(['get-schedule', '--name', 'once']).then(() => false, () => true);
    assert.ok(gone, 'the completed schedule was deleted');
    assert.equal((await receive(url, 1, 1500)).length, 0, 'it fired once');
  });

  it('ECS and EventBridge targets: RunTask with EcsParameters; PutEvents onto a bus with the input as detail', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'sched' }));
    const td = await register(berth.ecs, {
      family: 'sched', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'main', image: 'busybox', essential: true }],
    });
    const net = await fargateNetwork(berth.endpoint);
    await run(['create-schedule', '--name', 'job', '--schedule-expression', 'at(2020-01-01T00:00:00)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({
        Arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/sched`, RoleArn: ROLE, Input: JSON.stringify({ containerOverrides: [{ name: 'main', command: ['echo', 'scheduled'] }] }),
        EcsParameters: { TaskDefinitionArn: td, LaunchType: 'FARGATE', NetworkConfiguration: { awsvpcConfiguration: { Subnets: net.awsvpcConfiguration.subnets } } },
      })]);
    let arns: string[] = [];
    for (const end = Date.now() + 8000; !arns.length && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
      arns = (await berth.ecs.send(new ListTasksCommand({ cluster: 'sched' }))).taskArns ?? [];
    }
    assert.equal(arns.length, 1);
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: 'sched', tasks: arns }));
    assert.deepEqual(tasks![0].overrides?.containerOverrides, [{ name: 'main', command: ['echo', 'scheduled'] }]);

    const url = await queue('sched-events');
    await run(['put-rule', '--name', 'from-scheduler', '--event-pattern', '{"source":["my.scheduler"]}'], 'events');
    await run(['put-targets', '--rule', 'from-scheduler', '--targets', JSON.stringify([{ Id: 'q', Arn: `${QARN}:sched-events` }])], 'events');
    const { ScheduleArn } = await run(['create-schedule', '--name', 'emit', '--schedule-expression', 'at(2020-01-01T00:00:00)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({
        Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, RoleArn: ROLE, Input: '{"n":1}',
        EventBridgeParameters: { Source: 'my.scheduler', DetailType: 'Tick' },
      })]);
    const [m] = await receive(url, 1);
    const e = JSON.parse(m.Body!);
    assert.deepEqual([e.source, e['detail-type'], e.detail, e.resources], ['my.scheduler', 'Tick', { n: 1 }, [ScheduleArn]]);
  });

  it('failures: a refused invocation goes to the dead-letter queue at once; one that may pass is retried within RetryPolicy first', async () => {
    const dlq = await queue('sched-dlq');
    const attrs = async (n: number) => {
      const out: Message[] = [];
      for (const end = Date.now() + 10_000; out.length < n && Date.now() < end;) {
        out.push(...((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))).Messages ?? []));
      }
      return out.map((m): Record<string, string | undefined> => ({ body: m.Body, ...Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])) }));
    };
    // A queue that is not there: SQS's refusal, not retried (no EXHAUSTED_RETRY_CONDITION).
    const { ScheduleArn: missing } = await run(['create-schedule', '--name', 'to-nowhere', '--schedule-expression', 'at(2020-01-01T00:00:00)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({ Arn: `${QARN}:not-there`, RoleArn: ROLE, Input: 'lost', DeadLetterConfig: { Arn: `${QARN}:sched-dlq` } })]);
    const [refused] = await attrs(1);
    assert.deepEqual({ ...refused, EXECUTION_ID: undefined, SCHEDULED_TIME: undefined }, {
      body: 'lost', ERROR_CODE: 'QueueDoesNotExist', ERROR_MESSAGE: 'The specified queue does not exist.', IS_PAYLOAD_TRUNCATED: 'false',
      RETRY_ATTEMPTS: '0', SCHEDULE_ARN: missing, TARGET_ARN: `${QARN}:not-there`, EXECUTION_ID: undefined, SCHEDULED_TIME: undefined,
    });
    assert.match(refused.EXECUTION_ID!, /^[0-9a-f]{16}$/);
    assert.match(refused.SCHEDULED_TIME!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // RunTask on a cluster with no container instance fails for want of room, which can change: retried twice
    // (1 s, then 2 s of backoff), then dead-lettered with the condition that ran out.
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'sched-empty' }));
    const td = await register(berth.ecs, { family: 'sched-ec2', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'main', image: 'busybox', memory: 64, essential: true }] });
    const started = Date.now();
    const { ScheduleArn: full } = await run(['create-schedule', '--name', 'no-room', '--schedule-expression', 'at(2020-01-01T00:00:00)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({
        Arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/sched-empty`, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: td, LaunchType: 'EC2' },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: `${QARN}:sched-dlq` },
      })]);
    const [retried] = await attrs(1);
    assert.ok(Date.now() - started >= 2800, `dead-lettered after ${Date.now() - started} ms: the two retries wait 1 s and 2 s`);
    assert.equal(retried.SCHEDULE_ARN, full);
    assert.equal(retried.ERROR_CODE, 'ECSFailure');
    assert.match(retried.ERROR_MESSAGE!, /No Container Instances were found in your cluster/);
    assert.equal(retried.EXHAUSTED_RETRY_CONDITION, 'MaximumRetryAttempts');
    assert.equal(retried.RETRY_ATTEMPTS, '2');
    assert.equal(retried.body, '{}');
  });

  it('a FLEXIBLE time window fires within MaximumWindowInMinutes after the scheduled time', async () => {
    const url = await queue('sched-flex');
    const created = Date.now();
    // A minute is a second here: a past at() fires once, within 3 (compressed) minutes of its creation.
    await run(['create-schedule', '--name', 'flex', '--schedule-expression', 'at(2020-01-01T00:00:00)',
      '--flexible-time-window', '{"Mode":"FLEXIBLE","MaximumWindowInMinutes":3}', '--target', JSON.stringify({ Arn: `${QARN}:sched-flex`, RoleArn: ROLE, Input: 'flex' })]);
    const [m] = await receive(url, 1, 6000);
    assert.equal(m?.Body, 'flex');
    const sent = Number(m.Attributes!.SentTimestamp);
    assert.ok(sent - created < 3500, `fired ${sent - created} ms after creation, past its 3 s window`);
  });

  it('awscli 2.9 (its own older model) creates, gets, lists and deletes a schedule', async () => {
    const v2 = async (args: string[]) => {
      const r = await aws('v2', berth.endpoint, ['scheduler', ...args]);
      assert.equal(r.code, 0, `aws scheduler ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };
    await v2(['create-schedule', '--name', 'v2', '--schedule-expression', 'rate(7 days)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({ Arn: `${QARN}:x`, RoleArn: ROLE })]);
    assert.equal((await v2(['get-schedule', '--name', 'v2'])).ScheduleExpression, 'rate(7 days)');
    assert.ok((await v2(['list-schedules'])).Schedules.some((x: { Name: string }) => x.Name === 'v2'));
    await v2(['delete-schedule', '--name', 'v2']);
  });

  it('refusals: bad expressions, time zones, windows, names, missing schedules', async () => {
    const target = JSON.stringify({ Arn: `${QARN}:x`, RoleArn: ROLE });
    await fails(['create-schedule', '--name', 'bad', '--schedule-expression', 'rate(1 minutes)', '--flexible-time-window', OFF, '--target', target],
      'ValidationException', /Invalid Schedule Expression/);
    await fails(['create-schedule', '--name', 'bad', '--schedule-expression', 'cron(0 12 * * ? *)', '--schedule-expression-timezone', 'Mars/Olympus',
      '--flexible-time-window', OFF, '--target', target], 'ValidationException', /time zone/);
    await fails(['create-schedule', '--name', 'bad', '--schedule-expression', 'cron(0 12 * * ? *)', '--flexible-time-window', '{"Mode":"FLEXIBLE"}',
      '--target', target], 'ValidationException', /MaximumWindowInMinutes/);
    await run(['create-schedule', '--name', 'tz', '--schedule-expression', 'cron(0 9 ? * MON-FRI *)', '--schedule-expression-timezone', 'America/New_York',
      '--flexible-time-window', '{"Mode":"FLEXIBLE","MaximumWindowInMinutes":15}', '--target', target]);
    await fails(['create-schedule', '--name', 'tz', '--schedule-expression', 'rate(1 hour)', '--flexible-time-window', OFF, '--target', target], 'ConflictException');
    await fails(['update-schedule', '--name', 'nope', '--schedule-expression', 'rate(1 hour)', '--flexible-time-window', OFF, '--target', target], 'ResourceNotFoundException');
    await fails(['create-schedule', '--name', 'lambda', '--schedule-expression', 'rate(1 hour)', '--flexible-time-window', OFF,
      '--target', JSON.stringify({ Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`, RoleArn: ROLE })], 'ValidationException', /does not invoke/);
  });
});
