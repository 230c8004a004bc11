/**
 * Issue 18, proof 3, on real Docker and compressed time (one CloudWatch minute = 2 s): a worker service whose tasks
 * run an unmodified AWS SDK v3 (test/helpers/sdk-image.ts `sqs-worker`) reads an SQS queue with its task role's
 * credentials (169.254.170.2) on the AWS_ENDPOINT_URL Berth injects. A burst of messages makes the queue's backlog
 * (`AWS/SQS` `ApproximateNumberOfMessagesVisible`, published by SQS each period) breach an alarm whose action is a
 * step-scaling policy: the service scales out, its tasks drain the queue (each reports every message it worked to a
 * second queue before deleting it), the backlog alarm on an empty queue scales it back in.
 *
 * Serial: the task role's credentials come from 169.254.170.2:80, which every Berth on the host shares.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, PutScalingPolicyCommand, RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { clientConfig } from '../helpers/berth.js';
import { fargateNetwork, register, waitForService } from '../helpers/ecs.js';
import { ensureAwsSdkImage } from '../helpers/sdk-image.js';
import { useBerth } from '../helpers/use-berth.js';

const C = 'sqs-workers';
const SERVICE = 'worker';
const TARGET = { ServiceNamespace: 'ecs' as const, ResourceId: `service/${C}/${SERVICE}`, ScalableDimension: 'ecs:service:DesiredCount' as const };
const MESSAGES = 48;
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('an SQS worker service scales on its queue\'s backlog (real Docker, one metric minute = 2 s)', () => {
  const berth = useBerth({ metricsPeriod: 2, clients: { ecs: ECSClient, sqs: SQSClient, aas: ApplicationAutoScalingClient, cw: CloudWatchClient } });
  let jobs: string;
  let done: string;

  before(async () => {
    const image = ensureAwsSdkImage();
    jobs = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!;
    done = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'jobs-done' }))).QueueUrl!;
    const iam = new IAMClient(clientConfig(berth.endpoint));
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'queue-worker', AssumeRolePolicyDocument: TRUST }))).Role!.Arn!;
    iam.destroy();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C }));
    await register(berth.ecs, {
      family: SERVICE, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', taskRoleArn: role,
      containerDefinitions: [{
        name: 'worker', image, essential: true, stopTimeout: 1, command: ['node', '/sdk/sqs-worker.mjs'],
        // By name: the worker asks for the URLs, which Berth answers on the address the container reaches it on.
        environment: [{ name: 'QUEUE_NAME', value: 'jobs' }, { name: 'DONE_NAME', value: 'jobs-done' }, { name: 'WORK_MS', value: '400' }, { name: 'WAIT_S', value: '1' }],
      }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: C, serviceName: SERVICE, taskDefinition: SERVICE, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await berth.aas.send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 1, MaxCapacity: 4 }));
    // Out: +1 for a backlog above 5, +3 from 20 more; in: back to 1 once the queue has been empty for two periods.
    const out = (await berth.aas.send(new PutScalingPolicyCommand({
      ...TARGET, PolicyName: 'backlog-out', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: {
        AdjustmentType: 'ChangeInCapacity', Cooldown: 60, MetricAggregationType: 'Maximum', StepAdjustments: [
          { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 20, ScalingAdjustment: 1 },
          { MetricIntervalLowerBound: 20, ScalingAdjustment: 3 },
        ],
      },
    }))).PolicyARN!;
    const empty = (await berth.aas.send(new PutScalingPolicyCommand({
      ...TARGET, PolicyName: 'backlog-empty', PolicyType: 'StepScaling', StepScalingPolicyConfiguration: {
        AdjustmentType: 'ExactCapacity', Cooldown: 60, StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }],
      },
    }))).PolicyARN!;
    const alarm = { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: 'jobs' }], Statistic: 'Maximum' as const, Period: 60 };
    await berth.cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'jobs-backlog', ComparisonOperator: 'GreaterThanThreshold', Threshold: 5, EvaluationPeriods: 1, AlarmActions: [out] }));
    await berth.cw.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'jobs-empty', ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 0, EvaluationPeriods: 2, AlarmActions: [empty] }));
    await waitForService(berth.ecs, C, SERVICE, (s) => s.runningCount === 1, 'one worker running', 30_000);
  });

  it('a burst of messages scales the service out, its workers drain the queue with their task role, and it scales back in', { timeout: 90_000 }, async () => {
    const bodies = Array.from({ length: MESSAGES }, (_, i) => `job-${i}`);
    for (let i = 0; i < MESSAGES; i += 10) {
      const sent = await berth.sqs.send(new SendMessageBatchCommand({ QueueUrl: jobs, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
      assert.equal(sent.Failed?.length ?? 0, 0, JSON.stringify(sent.Failed));
    }
    const sentAt = Date.now();

    // Out: more than one worker, all RUNNING, while the backlog is still there.
    const scaled = await waitForService(berth.ecs, C, SERVICE, (s) => s.desiredCount! > 1 && s.runningCount === s.desiredCount, 'scaled out', 30_000);
    const { taskArns } = await berth.ecs.send(new ListTasksCommand({ cluster: C, serviceName: SERVICE, desiredStatus: 'RUNNING' }));
    const { tasks } = await berth.ecs.send(new DescribeTasksCommand({ cluster: C, tasks: taskArns! }));
    assert.ok(tasks!.length > 1 && tasks!.every((t) => t.lastStatus === 'RUNNING'), JSON.stringify(tasks!.map((t) => t.lastStatus)));
    const outMs = Date.now() - sentAt;

    // Drained: every message reported done (at least once) and none left in the queue, visible or in flight.
    const seen = new Map<string, Set<string>>();
    for (const end = Date.now() + 40_000; seen.size < MESSAGES && Date.now() < end;) {
      const { Messages = [] } = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: done, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['SenderId'] }));
      for (const m of Messages) {
        // Sent with the task role's session credentials: SQS names the sender by the session's unique id.
        assert.match(m.Attributes!.SenderId!, /^AROA[A-Z2-7]{17}:[0-9a-f]{32}$/);
        const { body, worker } = JSON.parse(m.Body!);
        seen.set(body, (seen.get(body) ?? new Set()).add(worker));
      }
      if (Messages.length) await berth.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: done, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    if (seen.size < MESSAGES) {
      // What the workers said, to tell why.
      const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.task-arn=${taskArns![0]}`], { encoding: 'utf8' }).trim().split('\n');
      const logs = ids.filter(Boolean).map((id) => ((r) => r.stdout + r.stderr)(spawnSync('docker', ['logs', '--tail', '5', id], { encoding: 'utf8' })));
      assert.fail(`${seen.size} of ${MESSAGES} messages worked; a worker's output: ${logs.join('\n')}`);
    }
    assert.deepEqual([...seen.keys()].sort(), [...bodies].sort(), 'every message was worked');
    const drainedMs = Date.now() - sentAt;
    const workers = new Set([...seen.values()].flatMap((s) => [...s]));
    assert.ok(workers.size > 1, `more than one task worked the queue (${[...workers].join(', ')})`);
    let counts: Record<string, string> = {};
    for (const end = Date.now() + 5_000; Date.now() < end; await sleep(200)) {
      counts = (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: jobs, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
      if (counts.ApproximateNumberOfMessages === '0' && counts.ApproximateNumberOfMessagesNotVisible === '0') break;
    }
    assert.deepEqual(counts, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' }, 'all deleted');

    // In: back to one worker once the empty alarm has seen two empty periods.
    await waitForService(berth.ecs, C, SERVICE, (s) => s.desiredCount === 1 && s.runningCount === 1 && s.pendingCount === 0, 'scaled in', 30_000);
    const inMs = Date.now() - sentAt;
    const activities = (await berth.aas.send(new DescribeScalingActivitiesCommand({ ...TARGET }))).ScalingActivities!.filter((a) => a.StatusCode === 'Successful');
    assert.ok(activities.some((a) => a.Cause === 'monitor alarm jobs-backlog in state ALARM triggered policy backlog-out'), JSON.stringify(activities.map((a) => a.Cause)));
    assert.equal(activities[0].Cause, 'monitor alarm jobs-empty in state ALARM triggered policy backlog-empty');
    assert.equal(activities[0].Description, 'Setting desired count to 1.');
    console.log(`scaled out to ${scaled.desiredCount} in ${outMs} ms, drained by ${workers.size} workers in ${drainedMs} ms, back to 1 in ${inMs} ms`);
  });
});
