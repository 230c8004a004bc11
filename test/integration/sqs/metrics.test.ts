/**
 * AWS/SQS metrics in CloudWatch (compressed clock: a metric minute is 1 s): a queue's backlog, messages in flight and
 * delayed, the age of its oldest message, and what was sent, received and deleted, each with the QueueName dimension,
 * read back with GetMetricData and ListMetrics as a dashboard or a scaling alarm would.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { useBerth } from '../../helpers/use-berth.js';

describe('AWS/SQS metrics', () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { sqs: SQSClient, cw: CloudWatchClient } });

  it("a queue's backlog, in-flight, delayed and activity counts show in GetMetricData", async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'work' }));
    await berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 6 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}` })) }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 600 }));
    const got = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3, VisibilityTimeout: 600 }));
    assert.equal(got.Messages!.length, 3);
    await berth.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0].ReceiptHandle }));
    const { QueueUrl: idle } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'idle' }));
    await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: idle }));
    const start = new Date(Date.now() - 1000);
    // Two metric periods: every metric has been published at least once since the calls above.
    await new Promise((r) => setTimeout(r, 2500));

    const stat = (id: string, name: string, queue: string, s: string) => ({
      Id: id, MetricStat: { Metric: { Namespace: 'AWS/SQS', MetricName: name, Dimensions: [{ Name: 'QueueName', Value: queue }] }, Period: 60, Stat: s },
    });
    const out = await berth.cw.send(new GetMetricDataCommand({
      StartTime: start, EndTime: new Date(Date.now() + 1000),
      MetricDataQueries: [
        stat('visible', 'ApproximateNumberOfMessagesVisible', 'work', 'Maximum'),
        stat('inflight', 'ApproximateNumberOfMessagesNotVisible', 'work', 'Maximum'),
        stat('delayed', 'ApproximateNumberOfMessagesDelayed', 'work', 'Maximum'),
        stat('age', 'ApproximateAgeOfOldestMessage', 'work', 'Maximum'),
        stat('sent', 'NumberOfMessagesSent', 'work', 'Sum'),
        stat('received', 'NumberOfMessagesReceived', 'work', 'Sum'),
        stat('deleted', 'NumberOfMessagesDeleted', 'work', 'Sum'),
        stat('empty', 'NumberOfEmptyReceives', 'idle', 'Sum'),
        stat('idle', 'ApproximateNumberOfMessagesVisible', 'idle', 'SampleCount'),
      ],
    }));
    const result = (id: string) => out.MetricDataResults!.find((r) => r.Id === id)!.Values!;
    const max = (id: string) => Math.max(...result(id));
    // Newest first (GetMetricData's default ScanBy): a gauge's latest value.
    const latest = (id: string) => result(id)[0];
    const sum = (id: string) => result(id).reduce((a, b) => a + b, 0);
    assert.equal(latest('visible'), 3, 'six sent, three received');
    assert.equal(latest('inflight'), 2, 'three received, one deleted');
    assert.equal(latest('delayed'), 1);
    assert.ok(result('age').length > 0 && max('age') >= 0);
    assert.equal(sum('sent'), 7);
    assert.equal(sum('received'), 3);
    assert.equal(sum('deleted'), 1);
    assert.equal(sum('empty'), 1);
    // A quiet queue reports its zeros once after its last activity, then nothing (publishing costs nothing per idle queue).
    assert.ok(result('idle').length <= 2, `the idle queue reported ${result('idle').length} times`);
    // A gauge is reported every period while the queue holds messages.
    assert.ok(result('visible').length >= 2, `visible reported ${result('visible').length} times`);

    const listed = await berth.cw.send(new ListMetricsCommand({ Namespace: 'AWS/SQS', Dimensions: [{ Name: 'QueueName', Value: 'work' }] }));
    assert.deepEqual(listed.Metrics!.map((m) => m.MetricName).sort(), [
      'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesVisible',
      'NumberOfEmptyReceives', 'NumberOfMessagesDeleted', 'NumberOfMessagesReceived', 'NumberOfMessagesSent',
    ]);
  });
});
