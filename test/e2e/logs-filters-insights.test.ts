/**
 * CloudWatch Logs metric filters and Insights over a real container's output: a
 * task's awslogs lines (Docker) pass through the group's metric filter into
 * CloudWatch datapoints, and a Logs Insights query finds and aggregates them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, GetQueryResultsCommand, PutMetricFilterCommand, StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, isStopped, register, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'logs-filters-e2e';
const GROUP = '/ecs/orders';

describe('metric filters and Insights over awslogs output on Docker', () => {
  let image: string;
  let taskArn: string | undefined;
  before(() => { image = ensureBusyboxImage(); });
  after(async () => {
    if (taskArn) await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn })).catch(() => undefined);
  });
  const berth = useBerth({ clients: { ecs: ECSClient, cwl: CloudWatchLogsClient, cw: CloudWatchClient } });

  it('an order service’s JSON lines become Latency datapoints and an Insights query counts its errors', async () => {
    const started = Date.now();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await berth.cwl.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await berth.cwl.send(new PutMetricFilterCommand({
      logGroupName: GROUP, filterName: 'latency', filterPattern: '{ $.ms = * }',
      metricTransformations: [{ metricName: 'Latency', metricNamespace: 'Orders', metricValue: '$.ms', unit: 'Milliseconds', dimensions: { Level: '$.level' } }],
    }));
    // Five requests; every third fails. Plain lines around them match nothing.
    const script = [
      'echo "starting"',
      'for i in 1 2 3 4 5; do if [ $((i % 3)) -eq 0 ]; then l=ERROR; else l=INFO; fi; echo "{\\"level\\":\\"$l\\",\\"ms\\":$((i * 10)),\\"order\\":$i}"; done',
      'echo "done"',
    ].join('; ');
    await register(berth.ecs, {
      family: 'orders', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      containerDefinitions: [{
        name: 'api', image, essential: true, command: ['sh', '-c', script],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': GROUP, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'orders' } },
      }],
    } as never);
    const run = await berth.ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'orders', launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.ecs) }));
    taskArn = run.tasks![0].taskArn!;
    // The lifecycle drains the shipper before a task is STOPPED: every line is in CloudWatch Logs by then.
    await waitForTask(berth.ecs, CLUSTER, taskArn, isStopped, 'STOPPED', 60_000);

    // The lines' own timestamps place the datapoints: all of them in the window the task ran in.
    const latency = async (level: string) => {
      const out = await berth.cw.send(new GetMetricStatisticsCommand({
        Namespace: 'Orders', MetricName: 'Latency', Dimensions: [{ Name: 'Level', Value: level }],
        StartTime: new Date(Math.floor(started / 60_000) * 60_000), EndTime: new Date(Date.now() + 1000), Period: 3600, Statistics: ['Sum', 'SampleCount', 'Maximum'],
      }));
      return out.Datapoints!.map((d) => [d.SampleCount, d.Sum, d.Maximum, d.Unit]);
    };
    assert.deepEqual(await latency('INFO'), [[4, 120, 50, 'Milliseconds']]);
    assert.deepEqual(await latency('ERROR'), [[1, 30, 30, 'Milliseconds']]);

    const { queryId } = await berth.cwl.send(new StartQueryCommand({
      logGroupName: GROUP, startTime: Math.floor(started / 1000) - 1, endTime: Math.ceil(Date.now() / 1000),
      queryString: 'filter ispresent(ms) | stats count(*) as n, sum(ms) as total by level | sort level asc',
    }));
    const out = await berth.cwl.send(new GetQueryResultsCommand({ queryId }));
    assert.equal(out.status, 'Complete');
    assert.deepEqual(out.results!.map((r) => Object.fromEntries(r.map((c) => [c.field, c.value]))), [
      { level: 'ERROR', n: '1', total: '30' }, { level: 'INFO', n: '4', total: '120' },
    ]);
    assert.equal(out.statistics!.recordsScanned, 7);
    assert.equal(out.statistics!.recordsMatched, 5);
    const lines = await berth.cwl.send(new GetQueryResultsCommand({ queryId: (await berth.cwl.send(new StartQueryCommand({
      logGroupName: GROUP, startTime: Math.floor(started / 1000) - 1, endTime: Math.ceil(Date.now() / 1000),
      queryString: 'fields @logStream, @message | filter level = "ERROR"',
    }))).queryId }));
    assert.deepEqual(lines.results!.map((r) => Object.fromEntries(r.map((c) => [c.field, c.value]))['@message']), ['{"level":"ERROR","ms":30,"order":3}']);
    assert.match(lines.results![0][0].value!, /^orders\/api\/[0-9a-f]{32}$/);
  });
});
