/**
 * EC2 Auto Scaling scheduled actions and lifecycle hooks through the v3 SDK on compressed time (fake runtime; metric
 * minute = 1 s), and the group's events on EventBridge's default bus (a rule on `aws.autoscaling` into an SQS queue):
 * a one-time action one minute ahead raises min and desired a second later and is gone; a recurring one runs every
 * minute; a launch hook holds the new instance in Pending:Wait until CompleteLifecycleAction (CONTINUE: in service;
 * ABANDON: terminated and replaced), a termination hook holds a victim in Terminating:Wait until its heartbeat
 * timeout's default result; each with AWS's events.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoScalingClient, BatchDeleteScheduledActionCommand, BatchPutScheduledUpdateGroupActionCommand, CompleteLifecycleActionCommand, CreateAutoScalingGroupCommand,
  DeleteScheduledActionCommand, DescribeAutoScalingGroupsCommand, DescribeLifecycleHookTypesCommand, DescribeLifecycleHooksCommand, DescribeScalingActivitiesCommand,
  DescribeScheduledActionsCommand, PutLifecycleHookCommand, PutScheduledUpdateGroupActionCommand, RecordLifecycleActionHeartbeatCommand, SetDesiredCapacityCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

describe('EC2 Auto Scaling scheduled actions, lifecycle hooks and events', () => {
  const berth = useBerth({
    runtime: 'fake', metricsPeriod: 1,
    clients: { asg: AutoScalingClient, ec2: EC2Client, ssm: SSMClient, events: EventBridgeClient, sqs: SQSClient },
  });
  let queue: string;
  before(async () => {
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' }))).Parameter!.Value!;
    await berth.ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'lt', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro' } }));
    queue = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'asg-events' }))).QueueUrl!;
    await berth.events.send(new PutRuleCommand({ Name: 'asg', EventPattern: JSON.stringify({ source: ['aws.autoscaling'], detail: { AutoScalingGroupName: ['hooked'] } }) }));
    await berth.events.send(new PutTargetsCommand({ Rule: 'asg', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:asg-events' }] }));
  });

  const group = async (name: string) => (await berth.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
  async function until<T>(read: () => Promise<T>, done: (x: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const x = await read();
      if (done(x)) return x;
      if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(x)})`);
      await sleep(150);
    }
  }
  const states = (g: AutoScalingGroup) => (g.Instances ?? []).map((i) => i.LifecycleState).sort();
  const received: any[] = [];
  async function events(done: (all: any[]) => boolean, what: string): Promise<any[]> {
    const end = Date.now() + 15_000;
    while (!done(received)) {
      if (Date.now() > end) throw new Error(`timed out: ${what} (${JSON.stringify(received.map((e) => e['detail-type']))})`);
      const r = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!r.Messages?.length) continue;
      received.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
      await berth.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queue, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    }
    return received;
  }

  it('a one-time scheduled action raises min and desired when due and is gone; a recurring one runs each minute', async () => {
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'sched', MinSize: 0, MaxSize: 5, DesiredCapacity: 1, LaunchTemplate: { LaunchTemplateName: 'lt' }, AvailabilityZones: ['us-east-1a'],
    }));
    await rejectsNamed(berth.asg.send(new PutScheduledUpdateGroupActionCommand({
      AutoScalingGroupName: 'sched', ScheduledActionName: 'past', StartTime: new Date(Date.now() - 3_600_000), MinSize: 1,
    })), 'ValidationError', 'Given start time is in the past', 400);
    // One metric minute ahead: due a real second later.
    await berth.asg.send(new PutScheduledUpdateGroupActionCommand({
      AutoScalingGroupName: 'sched', ScheduledActionName: 'morning', StartTime: new Date(Date.now() + 60_000), MinSize: 2, DesiredCapacity: 3,
    }));
    const [listed] = (await berth.asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'sched' }))).ScheduledUpdateGroupActions!;
    assert.match(listed.ScheduledActionARN!, /^arn:aws:autoscaling:us-east-1:000000000000:scheduledUpdateGroupAction:[0-9a-f-]{36}:autoScalingGroupName\/sched:scheduledActionName\/morning$/);
    assert.equal(listed.MinSize, 2);
    assert.equal(listed.DesiredCapacity, 3);
    assert.ok(listed.StartTime instanceof Date && listed.Time instanceof Date);
    const g = await until(() => group('sched'), (x) => x.DesiredCapacity === 3, 'the action ran');
    assert.equal(g.MinSize, 2);
    assert.equal(g.MaxSize, 5);
    await until(() => group('sched'), (x) => (x.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length === 3, 'three in service');
    assert.deepEqual((await berth.asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'sched' }))).ScheduledUpdateGroupActions, [], 'a one-time action is gone once run');
    const [latest] = (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'sched' }))).Activities!;
    assert.match(latest.Cause!, new RegExp(`^At ${STAMP} a scheduled action update of AutoScalingGroup constraints to min: 2, max: 5, desired: 3 changing the desired capacity from 1 to 3\\.  `));

    const batch = await berth.asg.send(new BatchPutScheduledUpdateGroupActionCommand({
      AutoScalingGroupName: 'sched', ScheduledUpdateGroupActions: [
        { ScheduledActionName: 'every-minute', Recurrence: '* * * * *', TimeZone: 'Europe/Paris', DesiredCapacity: 2 },
        { ScheduledActionName: 'bad', Recurrence: '61 * * * *', MaxSize: 3 },
      ],
    }));
    assert.equal(batch.FailedScheduledUpdateGroupActions!.length, 1);
    assert.equal(batch.FailedScheduledUpdateGroupActions![0].ScheduledActionName, 'bad');
    assert.equal(batch.FailedScheduledUpdateGroupActions![0].ErrorCode, 'ValidationError');
    await until(() => group('sched'), (x) => x.DesiredCapacity === 2, 'the recurring action ran');
    // Each metric minute it sets desired 2 again.
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'sched', DesiredCapacity: 4 }));
    await until(() => group('sched'), (x) => x.DesiredCapacity === 2, 'the recurring action ran again');
    const del = await berth.asg.send(new BatchDeleteScheduledActionCommand({ AutoScalingGroupName: 'sched', ScheduledActionNames: ['every-minute', 'missing'] }));
    assert.deepEqual(del.FailedScheduledActions!.map((f) => f.ScheduledActionName), ['missing']);
    await rejectsNamed(berth.asg.send(new DeleteScheduledActionCommand({ AutoScalingGroupName: 'sched', ScheduledActionName: 'every-minute' })), 'ValidationError', /every-minute/, 400);
  });

  it('a launch hook holds a new instance in Pending:Wait until CompleteLifecycleAction; a termination hook until its timeout', async () => {
    assert.deepEqual((await berth.asg.send(new DescribeLifecycleHookTypesCommand({}))).LifecycleHookTypes,
      ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING']);
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'hooked', MinSize: 0, MaxSize: 3, DesiredCapacity: 0, LaunchTemplate: { LaunchTemplateName: 'lt' }, AvailabilityZones: ['us-east-1a'],
      LifecycleHookSpecificationList: [{ LifecycleHookName: 'warm', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 600, NotificationMetadata: 'hello' }],
    }));
    // 60 metric seconds: one real second; CONTINUE lets the termination proceed.
    await berth.asg.send(new PutLifecycleHookCommand({
      AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE',
    }));
    const hooks = (await berth.asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'hooked' }))).LifecycleHooks!;
    assert.deepEqual(hooks.map((h) => [h.LifecycleHookName, h.HeartbeatTimeout, h.GlobalTimeout, h.DefaultResult]), [['warm', 600, 60000, 'ABANDON'], ['drain', 60, 6000, 'CONTINUE']]);
    await rejectsNamed(berth.asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'x' })), 'ValidationError', /LifecycleTransition/, 400);

    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 1 }));
    const waiting = await until(() => group('hooked'), (g) => states(g).join() === 'Pending:Wait', 'Pending:Wait');
    const id = waiting.Instances![0].InstanceId!;
    // It stays there (the heartbeat timeout is 10 real seconds away) while the EC2 instance runs.
    await sleep(1_500);
    assert.deepEqual(states(await group('hooked')), ['Pending:Wait']);
    const [launch] = (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'hooked' }))).Activities!;
    assert.equal(launch.StatusCode, 'MidLifecycleAction');
    const [lifecycle] = await events((all) => all.some((e) => e['detail-type'] === 'EC2 Instance-launch Lifecycle Action'), 'the lifecycle action event');
    assert.equal(lifecycle.source, 'aws.autoscaling');
    assert.deepEqual(lifecycle.resources, [waiting.AutoScalingGroupARN]);
    assert.equal(lifecycle.detail.EC2InstanceId, id);
    assert.equal(lifecycle.detail.LifecycleHookName, 'warm');
    assert.equal(lifecycle.detail.LifecycleTransition, 'autoscaling:EC2_INSTANCE_LAUNCHING');
    assert.equal(lifecycle.detail.NotificationMetadata, 'hello');
    assert.match(lifecycle.detail.LifecycleActionToken, /^[0-9a-f-]{36}$/);

    await berth.asg.send(new RecordLifecycleActionHeartbeatCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm', InstanceId: id }));
    await berth.asg.send(new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm', LifecycleActionToken: lifecycle.detail.LifecycleActionToken, LifecycleActionResult: 'CONTINUE',
    }));
    await until(() => group('hooked'), (g) => states(g).join() === 'InService', 'InService after CONTINUE');
    await rejectsNamed(berth.asg.send(new CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm', InstanceId: id, LifecycleActionResult: 'CONTINUE',
    })), 'ValidationError', `No active Lifecycle Action found with instance ID ${id}`, 400);
    const launched = await events((all) => all.some((e) => e['detail-type'] === 'EC2 Instance Launch Successful'), 'the launch event');
    const ok = launched.find((e) => e['detail-type'] === 'EC2 Instance Launch Successful');
    assert.equal(ok.detail.EC2InstanceId, id);
    assert.equal(ok.detail.Description, `Launching a new EC2 instance: ${id}`);
    assert.deepEqual(ok.resources, [waiting.AutoScalingGroupARN, `arn:aws:ec2:us-east-1:000000000000:instance/${id}`]);

    // Scale in: the victim waits in Terminating:Wait for the drain hook's 60 s (1 real s), then goes.
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 0 }));
    await until(() => group('hooked'), (g) => states(g).join() === 'Terminating:Wait', 'Terminating:Wait', 5_000);
    await until(() => group('hooked'), (g) => (g.Instances ?? []).length === 0, 'terminated after the timeout');
    const all = await events((e) => e.some((x) => x['detail-type'] === 'EC2 Instance Terminate Successful'), 'the terminate event');
    assert.deepEqual(all.map((e) => e['detail-type']), [
      'EC2 Instance-launch Lifecycle Action', 'EC2 Instance Launch Successful', 'EC2 Instance-terminate Lifecycle Action', 'EC2 Instance Terminate Successful',
    ]);
    const [terminated] = (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'hooked' }))).Activities!;
    assert.equal(terminated.Description, `Terminating EC2 instance: ${id}`);
    assert.equal(terminated.StatusCode, 'Successful');

    // ABANDON on launch: the instance is terminated and the group launches a replacement, held in its turn.
    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 1 }));
    const second = await until(() => group('hooked'), (g) => states(g).join() === 'Pending:Wait', 'the next launch held');
    const abandoned = second.Instances![0].InstanceId!;
    await berth.asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm', InstanceId: abandoned, LifecycleActionResult: 'ABANDON' }));
    const replaced = await until(() => group('hooked'), (g) => g.Instances!.some((i) => i.InstanceId !== abandoned && i.LifecycleState === 'Pending:Wait'), 'a replacement held');
    assert.ok(!replaced.Instances!.some((i) => i.InstanceId === abandoned && i.LifecycleState === 'InService'));
    const cancelled = (await berth.asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'hooked' }))).Activities!
      .find((a) => a.Description!.startsWith(`Launching a new EC2 instance: ${abandoned}`))!;
    assert.equal(cancelled.StatusCode, 'Cancelled');
    assert.match(cancelled.StatusMessage!, /ABANDON/);
    await events((e) => e.some((x) => x['detail-type'] === 'EC2 Instance Launch Unsuccessful' && x.detail.EC2InstanceId === abandoned), 'the unsuccessful launch event');
  });
});
