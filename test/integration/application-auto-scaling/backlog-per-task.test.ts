/**
 * Issue 18: target tracking on SQS backlog per task, AWS's documented metric-math pattern
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html):
 * `AWS/SQS ApproximateNumberOfMessagesVisible` ÷ `ECS/ContainerInsights RunningTaskCount` of a service whose cluster
 * has Container Insights on. Fake runtime, compressed clock (a metric minute is 1 s); the policy is put by the AWS CLI
 * (awscli v1 / botocore 1.43: awscli 2.9's model predates metric math) from the JSON AWS documents, the rest through
 * the SDK v3. Taken to its maximum, the service's scale-out sends
 * Application Auto Scaling's "Scaled to max" event, which a rule delivers to a queue. (The same loop with real
 * containers and step scaling: test/e2e/sqs-worker-scaling.serial.test.ts.)
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationAutoScalingClient, DescribeScalingActivitiesCommand, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { aws } from '../../helpers/cli.js';
import { describeService, fargateNetwork, register } from '../../helpers/ecs.js';
import { useBerth } from '../../helpers/use-berth.js';

const C = 'workers';
const ACCOUNT = '000000000000';

describe('target tracking on SQS backlog per task (metric math)', () => {
  const berth = useBerth({
    runtime: 'fake', metricsPeriod: 1,
    clients: { aas: ApplicationAutoScalingClient, cw: CloudWatchClient, ecs: ECSClient, events: EventBridgeClient, sqs: SQSClient },
  });

  before(async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: C, settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    await register(berth.ecs, {
      family: 'worker', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'worker', image: 'example/worker:1', essential: true }],
    });
  });

  it('a backlog of 60 with target 10 per task scales the service from 1 to its max 4; the scaled-to-max event reaches a queue', async () => {
    const net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateServiceCommand({ cluster: C, serviceName: 'drain', taskDefinition: 'worker', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: net }));
    const { QueueUrl: jobs } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    for (let i = 0; i < 6; i++) {
      await berth.sqs.send(new SendMessageBatchCommand({ QueueUrl: jobs, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `m${k}`, MessageBody: `job ${i * 10 + k}` })) }));
    }
    // Application Auto Scaling's events go to the default bus; a rule sends the scaled-to-max ones to a queue.
    const { QueueUrl: alerts } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'scaling-alerts' }));
    await berth.events.send(new PutRuleCommand({ Name: 'at-max', EventPattern: JSON.stringify({
      source: ['aws.application-autoscaling'], 'detail-type': ['Application Auto Scaling Scaling Activity State Change'], detail: { scaledToMax: [true] },
    }) }));
    await berth.events.send(new PutTargetsCommand({ Rule: 'at-max', Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:scaling-alerts` }] }));

    const resourceId = `service/${C}/drain`;
    await berth.aas.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 1, MaxCapacity: 4 }));
    const config = {
      TargetValue: 10,
      CustomizedMetricSpecification: {
        Metrics: [
          { Label: 'Get the queue size (the number of messages waiting to be processed)', Id: 'm1',
            MetricStat: { Metric: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: 'jobs' }] }, Stat: 'Sum' },
            ReturnData: false },
          { Label: 'Get the ECS running task count (the number of currently running tasks)', Id: 'm2',
            MetricStat: { Metric: { MetricName: 'RunningTaskCount', Namespace: 'ECS/ContainerInsights', Dimensions: [{ Name: 'ClusterName', Value: C }, { Name: 'ServiceName', Value: 'drain' }] }, Stat: 'Average' },
            ReturnData: false },
          { Label: 'Calculate the backlog per instance', Id: 'e1', Expression: 'm1 / m2', ReturnData: true },
        ],
      },
    };
    const put = await aws('v1', berth.endpoint, ['application-autoscaling', 'put-scaling-policy', '--service-namespace', 'ecs', '--resource-id', resourceId,
      '--scalable-dimension', 'ecs:service:DesiredCount', '--policy-name', 'backlog-per-task', '--policy-type', 'TargetTrackingScaling',
      '--target-tracking-scaling-policy-configuration', JSON.stringify(config)]);
    assert.equal(put.code, 0, put.stderr);
    const high = (put.json.Alarms as { AlarmName: string }[]).find((a) => a.AlarmName.includes('AlarmHigh'))!.AlarmName;

    // Container Insights' RunningTaskCount is what the expression divides by: 1 running task, 60 visible → 60 per task.
    let running: number[] = [];
    for (const end = Date.now() + 6000; !running.length && Date.now() < end; await sleep(200)) {
      const r = await berth.cw.send(new GetMetricDataCommand({
        StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [{ Id: 'r', MetricStat: { Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount', Dimensions: [{ Name: 'ClusterName', Value: C }, { Name: 'ServiceName', Value: 'drain' }] }, Period: 60, Stat: 'Average' } }],
      }));
      running = r.MetricDataResults?.[0]?.Values ?? [];
    }
    assert.ok(running.length && running.every((v) => v >= 1), `RunningTaskCount ${JSON.stringify(running)}`);

    // Three periods above 10 per task: ceil(1 × 60 / 10) = 6, clamped to the max 4.
    let s = await describeService(berth.ecs, C, 'drain');
    for (const end = Date.now() + 15_000; !(s.desiredCount === 4 && s.runningCount === 4) && Date.now() < end; await sleep(200)) s = await describeService(berth.ecs, C, 'drain');
    assert.deepEqual([s.desiredCount, s.runningCount], [4, 4]);
    const [activity] = (await berth.aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }))).ScalingActivities!;
    assert.deepEqual([activity.Description, activity.Cause], ['Setting desired count to 4.', `monitor alarm ${high} in state ALARM triggered policy backlog-per-task`]);

    let body: string | undefined;
    for (const end = Date.now() + 5000; !body && Date.now() < end;) {
      body = (await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: alerts, WaitTimeSeconds: 1 }))).Messages?.[0]?.Body;
    }
    const e = JSON.parse(body!);
    assert.deepEqual([e.source, e['detail-type'], e.account, e.region, e.resources], ['aws.application-autoscaling', 'Application Auto Scaling Scaling Activity State Change', ACCOUNT, 'us-east-1', []]);
    assert.deepEqual({ ...e.detail, startTime: undefined, endTime: undefined }, {
      startTime: undefined, endTime: undefined, newDesiredCapacity: 4, oldDesiredCapacity: 1, minCapacity: 1, maxCapacity: 4, resourceId,
      scalableDimension: 'ecs:service:DesiredCount', serviceNamespace: 'ecs', statusCode: 'Successful', scaledToMax: true, direction: 'scale-out',
    });
    assert.match(e.detail.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
