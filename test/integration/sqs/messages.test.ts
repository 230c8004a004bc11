/** SQS messages through the v3 SDK (which checks the body MD5s Berth returns): send, receive, visibility, delete, batches, long polling. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  BatchEntryIdsNotDistinct, ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand,
  DeleteMessageCommand, GetQueueAttributesCommand, InvalidMessageContents, MessageNotInflight, ReceiptHandleIsInvalid, ReceiveMessageCommand,
  SendMessageBatchCommand, SendMessageCommand, SQSClient, TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { rejectsAs, rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('SQS messages through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient } });
  const queue = async (name: string, Attributes?: Record<string, string>) =>
    (await berth.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }))).QueueUrl!;
  const counts = async (QueueUrl: string) => {
    const { Attributes: a } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    return [a!.ApproximateNumberOfMessages, a!.ApproximateNumberOfMessagesNotVisible, a!.ApproximateNumberOfMessagesDelayed].map(Number);
  };

  it('a message with attributes round-trips with SQS\'s MD5OfMessageBody and MD5OfMessageAttributes', async () => {
    const QueueUrl = await queue('attrs');
    const MessageAttributes = {
      city: { DataType: 'String', StringValue: 'Zürich' },
      n: { DataType: 'Number', StringValue: '42' },
      raw: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      'custom.kind': { DataType: 'String.custom', StringValue: 'x' },
    };
    const sent = await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'héllo ✓', MessageAttributes }));
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('héllo ✓', 'utf8').digest('hex'));
    // The SDK checks only body digests: this one was computed independently, by moto's SQS (Message.attribute_md5).
    assert.equal(sent.MD5OfMessageAttributes, 'ca5cc38b5bad2437978f4f7fb86cee77');
    const before = Date.now();
    const { Messages } = await berth.sqs.send(new ReceiveMessageCommand({
      QueueUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    assert.equal(Messages!.length, 1);
    const [m] = Messages!;
    assert.equal(m.Body, 'héllo ✓');
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
    assert.equal(m.MD5OfMessageAttributes, sent.MD5OfMessageAttributes, 'all attributes returned: the same digest as at send');
    assert.deepEqual(Buffer.from(m.MessageAttributes!.raw.BinaryValue!), Buffer.from([0, 1, 2, 255]));
    assert.equal(m.MessageAttributes!.city.StringValue, 'Zürich');
    assert.equal(m.Attributes!.ApproximateReceiveCount, '1');
    assert.equal(m.Attributes!.SenderId, '000000000000');
    assert.ok(Number(m.Attributes!.SentTimestamp) <= before);
    assert.ok(Number(m.Attributes!.ApproximateFirstReceiveTimestamp) >= Number(m.Attributes!.SentTimestamp));
  });

  it('MessageAttributeNames picks exact names and prefixes (custom.*); the digest covers what is returned', async () => {
    const QueueUrl = await queue('attr-names');
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b', MessageAttributes: {
      'custom.a': { DataType: 'String', StringValue: '1' }, 'custom.b': { DataType: 'String', StringValue: '2' }, other: { DataType: 'String', StringValue: '3' },
    } }));
    const { Messages } = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['custom.*'], VisibilityTimeout: 0 }));
    assert.deepEqual(Object.keys(Messages![0].MessageAttributes!).sort(), ['custom.a', 'custom.b']);
    const none = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(none.Messages![0].MessageAttributes, undefined);
    assert.equal(none.Messages![0].Attributes, undefined);
  });

  it('a received message is invisible for its visibility timeout, then delivered again with a higher receive count', async () => {
    const QueueUrl = await queue('visibility', { VisibilityTimeout: '1' });
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'again' }));
    const first = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(first.Messages!.length, 1);
    assert.deepEqual(await counts(QueueUrl), [0, 1, 0]);
    assert.equal((await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    const t0 = Date.now();
    const second = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const waited = Date.now() - t0;
    assert.equal(second.Messages![0].Body, 'again');
    assert.equal(second.Messages![0].Attributes!.ApproximateReceiveCount, '2');
    assert.notEqual(second.Messages![0].ReceiptHandle, first.Messages![0].ReceiptHandle);
    assert.ok(waited < 2500, `a waiting receiver gets the message when it becomes visible again (${waited} ms)`);
    await berth.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second.Messages![0].ReceiptHandle }));
    assert.deepEqual(await counts(QueueUrl), [0, 0, 0]);
  });

  it('ChangeMessageVisibility to 0 makes the message visible at once; on a message not in flight it is MessageNotInflight', async () => {
    const QueueUrl = await queue('change-vis');
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
    const { Messages } = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await berth.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    assert.deepEqual(await counts(QueueUrl), [1, 0, 0]);
    await rejectsAs(berth.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 10 })),
      MessageNotInflight, 'Message is not in flight.');
    await rejectsAs(berth.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'garbage' })), ReceiptHandleIsInvalid,
      'The input receipt handle "garbage" is not a valid receipt handle.');
  });

  it('DelaySeconds (message and queue) keeps a message delayed, counted as Delayed', async () => {
    const QueueUrl = await queue('delayed', { DelaySeconds: '1' });
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'queue delay' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'no delay', DelaySeconds: 0 }));
    assert.deepEqual(await counts(QueueUrl), [1, 0, 1]);
    const got = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(got.Messages!.map((m) => m.Body), ['no delay']);
    const later = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 3 }));
    assert.deepEqual(later.Messages!.map((m) => m.Body), ['queue delay']);
  });

  it('a body over 256 KiB, invalid characters, and a bad attribute are refused as SQS refuses them', async () => {
    const QueueUrl = await queue('limits');
    await rejectsNamed(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(262_145) })), 'InvalidParameterValue',
      'One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.');
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(262_144) }));
    await rejectsAs(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell \u0007' })), InvalidMessageContents, /Invalid characters found/);
    await rejectsNamed(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b', MessageAttributes: { e: { DataType: 'String', StringValue: '' } } })),
      'InvalidParameterValue', "Message (user) attribute 'e' must contain a non-empty value of type 'String'.");
    await rejectsNamed(berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), 'InvalidParameterValue', /MaxNumberOfMessages/);
  });

  it('SendMessageBatch reports per-entry results and failures; batch-level errors for ids and sizes', async () => {
    const QueueUrl = await queue('batch');
    const out = await berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
      { Id: 'a', MessageBody: 'one', MessageAttributes: { k: { DataType: 'Number', StringValue: '1' } } },
      { Id: 'b', MessageBody: 'two' },
      { Id: 'c', MessageBody: 'three', DelaySeconds: 901 },
    ] }));
    assert.deepEqual(out.Successful!.map((s) => s.Id), ['a', 'b']);
    assert.deepEqual(out.Failed!.map((f) => [f.Id, f.Code, f.SenderFault]), [['c', 'InvalidParameterValue', true]]);
    await rejectsAs(berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'x', MessageBody: '1' }, { Id: 'x', MessageBody: '2' }] })),
      BatchEntryIdsNotDistinct, 'Id x repeated.');
    await rejectsAs(berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'm' })) })),
      TooManyEntriesInBatchRequest, 'Maximum number of entries per request are 10. You have sent 11.');
    await rejectsNamed(berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'x'.repeat(200_000) }, { Id: 'b', MessageBody: 'x'.repeat(100_000) }] })),
      'BatchRequestTooLong', 'Batch requests cannot be longer than 262144 bytes.');

    const { Messages } = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    assert.deepEqual(Messages!.map((m) => m.Body).sort(), ['one', 'two']);
    const vis = await berth.sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl, Entries: [
      { Id: 'v1', ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 60 }, { Id: 'v2', ReceiptHandle: 'bad', VisibilityTimeout: 60 },
    ] }));
    assert.deepEqual(vis.Successful!.map((s) => s.Id), ['v1']);
    assert.deepEqual(vis.Failed!.map((f) => [f.Id, f.Code]), [['v2', 'ReceiptHandleIsInvalid']]);
    const del = await berth.sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    assert.deepEqual(del.Successful!.map((s) => s.Id), ['d0', 'd1']);
    assert.deepEqual(await counts(QueueUrl), [0, 0, 0]);
  });

  it('long polling: a waiting receiver gets a message sent later within milliseconds; with nothing sent it waits its full time', async () => {
    const QueueUrl = await queue('long-poll');
    const t0 = Date.now();
    const waiting = berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 200));
    let sentAt = 0;
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' })).then(() => { sentAt = Date.now(); });
    const got = await waiting;
    const latency = Date.now() - sentAt;
    assert.equal(got.Messages![0].Body, 'wake');
    assert.ok(latency < 500, `woken ${latency} ms after the send was acknowledged`);
    assert.ok(Date.now() - t0 < 5000);
    const e0 = Date.now();
    const empty = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(empty.Messages, undefined);
    assert.ok(Date.now() - e0 >= 950, 'an empty long poll lasts its wait time');
  });

  it('several waiting receivers: each message goes to exactly one of them', async () => {
    const QueueUrl = await queue('many-waiters');
    const waiters = Array.from({ length: 4 }, () => berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3 })));
    await new Promise((r) => setTimeout(r, 100));
    await berth.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'a' }, { Id: '2', MessageBody: 'b' }] }));
    const results = await Promise.all(waiters);
    const bodies = results.flatMap((r) => r.Messages ?? []).map((m) => m.Body).sort();
    assert.deepEqual(bodies, ['a', 'b']);
  });
});
