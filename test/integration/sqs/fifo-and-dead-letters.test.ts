/** SQS FIFO queues (group order, deduplication, sequence numbers, receive attempts) and dead-letter queues through the v3 SDK. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand,
  ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('SQS FIFO queues through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient } });
  const fifo = async (name: string, extra: Record<string, string> = {}) =>
    (await berth.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...extra } }))).QueueUrl!;

  it('a FIFO queue needs a .fifo name and has the FIFO attributes', async () => {
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'plain', Attributes: { FifoQueue: 'true' } })), 'InvalidParameterValue', /must end with \.fifo suffix/);
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'plain.fifo' })), 'InvalidParameterValue', /must end with \.fifo suffix/);
    const QueueUrl = await fifo('attrs.fifo');
    const { Attributes: a } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.deepEqual([a!.FifoQueue, a!.ContentBasedDeduplication, a!.DeduplicationScope, a!.FifoThroughputLimit], ['true', 'false', 'queue', 'perQueue']);
  });

  it('sends need a group id and a deduplication id (or content-based deduplication); DelaySeconds per message is refused', async () => {
    const QueueUrl = await fifo('rules.fifo');
    await rejectsNamed(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'MissingParameter',
      'The request must contain the parameter MessageGroupId.');
    await rejectsNamed(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g' })), 'InvalidParameterValue',
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    await rejectsNamed(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 })),
      'InvalidParameterValue', /DelaySeconds is invalid/);
  });

  it('a deduplication id within 5 minutes is accepted but not delivered twice; sequence numbers increase', async () => {
    const QueueUrl = await fifo('dedup.fifo', { ContentBasedDeduplication: 'true' });
    const a = await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g' }));
    const b = await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'same', MessageGroupId: 'g' }));
    const c = await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'other', MessageGroupId: 'g', MessageDeduplicationId: 'explicit' }));
    const d = await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'different body', MessageGroupId: 'g', MessageDeduplicationId: 'explicit' }));
    assert.equal(a.MessageId, b.MessageId);
    assert.equal(a.SequenceNumber, b.SequenceNumber);
    assert.equal(c.MessageId, d.MessageId);
    assert.match(a.SequenceNumber!, /^\d{20}$/);
    assert.ok(BigInt(c.SequenceNumber!) > BigInt(a.SequenceNumber!));
    const { Messages } = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    assert.deepEqual(Messages!.map((m) => m.Body), ['same', 'other']);
    assert.equal(Messages![0].Attributes!.MessageGroupId, 'g');
    assert.equal(Messages![0].Attributes!.SequenceNumber, a.SequenceNumber);
    assert.equal(Messages![1].Attributes!.MessageDeduplicationId, 'explicit');
  });

  it('a group with a message in flight delivers nothing more until it is deleted; other groups keep flowing, in order', async () => {
    const QueueUrl = await fifo('groups.fifo', { ContentBasedDeduplication: 'true' });
    for (const [g, body] of [['A', 'a1'], ['A', 'a2'], ['B', 'b1'], ['A', 'a3'], ['B', 'b2']]) {
      await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageGroupId: g }));
    }
    const first = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2 }));
    assert.deepEqual(first.Messages!.map((m) => m.Body), ['a1', 'a2']);
    const second = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(second.Messages!.map((m) => m.Body), ['b1', 'b2'], 'group A is blocked while a1 and a2 are in flight');
    assert.equal((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages, undefined);
    await berth.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages![0].ReceiptHandle }));
    assert.equal((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined, 'a2 is still in flight');
    await berth.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages![1].ReceiptHandle }));
    assert.deepEqual((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages!.map((m) => m.Body), ['a3']);
  });

  it('a retried receive with the same ReceiveRequestAttemptId gets the same messages and receipt handles', async () => {
    const QueueUrl = await fifo('attempts.fifo', { ContentBasedDeduplication: 'true' });
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once', MessageGroupId: 'g' }));
    const a = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'try-1' }));
    const b = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'try-1' }));
    assert.equal(a.Messages![0].Body, 'once');
    assert.equal(b.Messages![0].ReceiptHandle, a.Messages![0].ReceiptHandle);
    assert.equal((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, ReceiveRequestAttemptId: 'try-2' }))).Messages, undefined);
  });
});

describe('SQS dead-letter queues through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient } });
  const arnOf = async (QueueUrl: string) =>
    (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

  it('after maxReceiveCount receives the next receive moves the message to the dead-letter queue; a redrive task moves it back', async () => {
    const dlq = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'dead' }))).QueueUrl!;
    const dlqArn = await arnOf(dlq);
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '2' });
    const src = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { RedrivePolicy, VisibilityTimeout: '0' } }))).QueueUrl!;
    const { Attributes } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] }));
    assert.deepEqual(JSON.parse(Attributes!.RedrivePolicy!), { deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    assert.deepEqual((await berth.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [src]);

    await berth.sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
    for (let i = 1; i <= 2; i++) {
      const r = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      assert.equal(r.Messages![0].Attributes!.ApproximateReceiveCount, String(i));
    }
    assert.equal((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages, undefined, 'the third receive moved it');
    const dead = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'], VisibilityTimeout: 0 }));
    assert.equal(dead.Messages![0].Body, 'poison');
    assert.equal(dead.Messages![0].Attributes!.DeadLetterQueueSourceArn, await arnOf(src));

    const { TaskHandle } = await berth.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    assert.ok(TaskHandle);
    const tasks = await berth.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    assert.deepEqual(tasks.Results!.map((t) => [t.Status, t.ApproximateNumberOfMessagesMoved]), [['COMPLETED', 1]]);
    const back = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: src }));
    assert.equal(back.Messages![0].Body, 'poison');
  });

  it('a FIFO queue redrives to a FIFO dead-letter queue, and its group flows again', async () => {
    const dlq = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'dead.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount: 1 });
    const src = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'work.fifo', Attributes: {
      FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '0', RedrivePolicy,
    } }))).QueueUrl!;
    await berth.sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'first', MessageGroupId: 'g' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'second', MessageGroupId: 'g' }));
    assert.deepEqual((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages!.map((m) => m.Body), ['first']);
    // 'first' was received once (its maxReceiveCount): the next receive moves it and delivers 'second'.
    assert.deepEqual((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 1 }))).Messages!.map((m) => m.Body), ['second']);
    const dead = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['MessageGroupId'] }));
    assert.deepEqual(dead.Messages!.map((m) => [m.Body, m.Attributes!.MessageGroupId]), [['first', 'g']]);
    await rejectsNamed(berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf((await berth.sqs.send(new CreateQueueCommand({ QueueName: 'std-dead' }))).QueueUrl!), maxReceiveCount: 1 }),
    } })), 'InvalidParameterValue', /must match the source queue type/);
  });

  it('a RedrivePolicy naming a missing queue, or a queue whose RedriveAllowPolicy denies it, is refused', async () => {
    const src = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'src2' }))).QueueUrl!;
    await rejectsNamed(berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:missing', maxReceiveCount: 1 }),
    } })), 'InvalidParameterValue', /Dead-letter target does not exist/);
    const closed = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'closed', Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) } }))).QueueUrl!;
    await rejectsNamed(berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(closed), maxReceiveCount: 1 }),
    } })), 'InvalidParameterValue', /RedriveAllowPolicy/);
  });
});
