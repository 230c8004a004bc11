/** SQS standard queues through the v3 SDK (JSON 1.0): queues, attributes, tags, names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand, RemovePermissionCommand, CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, InvalidAttributeName, ListQueuesCommand,
  ListQueueTagsCommand, paginateListQueues, PurgeQueueCommand, PurgeQueueInProgress, QueueDeletedRecently, QueueDoesNotExist,
  QueueNameExists, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { rejectsAs, rejectsNamed } from '../../helpers/aws-errors.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('SQS queues through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient } });
  const url = (name: string) => `${berth.endpoint}/000000000000/${name}`;

  it('CreateQueue answers a URL on the host and port the client reached Berth on; GetQueueUrl finds it', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    assert.equal(QueueUrl, url('orders'));
    assert.equal((await berth.sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }))).QueueUrl, QueueUrl);
    await rejectsAs(berth.sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })), QueueDoesNotExist, 'The specified queue does not exist.');
  });

  it('a new queue has SQS defaults; ArnQueue, timestamps and live counts are read with All', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'defaults' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'now' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 60 }));
    const { Attributes: a } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    assert.equal(a!.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:defaults');
    assert.deepEqual(
      [a!.VisibilityTimeout, a!.MaximumMessageSize, a!.MessageRetentionPeriod, a!.DelaySeconds, a!.ReceiveMessageWaitTimeSeconds, a!.SqsManagedSseEnabled],
      ['30', '262144', '345600', '0', '0', 'true'],
    );
    assert.deepEqual([a!.ApproximateNumberOfMessages, a!.ApproximateNumberOfMessagesNotVisible, a!.ApproximateNumberOfMessagesDelayed], ['1', '0', '1']);
    assert.ok(Number(a!.CreatedTimestamp) >= before && Number(a!.CreatedTimestamp) <= Date.now() / 1000);
    assert.equal(a!.LastModifiedTimestamp, a!.CreatedTimestamp);
    assert.equal(a!.FifoQueue, undefined, 'a standard queue has no FIFO attributes');
    assert.equal(a!.Policy, undefined);
    const one = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
    assert.deepEqual(one.Attributes, { VisibilityTimeout: '30' });
    await rejectsAs(berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Nope' as 'All'] })), InvalidAttributeName, 'Unknown Attribute Nope.');
  });

  it('CreateQueue validates attribute values and names as SQS does', async () => {
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { VisibilityTimeout: '43201' } })),
      'InvalidAttributeValue', 'Invalid value for the parameter VisibilityTimeout.');
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { DelaySeconds: 'x' } })),
      'InvalidAttributeValue', 'Invalid value for the parameter DelaySeconds.');
    await rejectsAs(berth.sqs.send(new CreateQueueCommand({ QueueName: 'bad', Attributes: { Colour: 'red' } as Record<string, string> })),
      InvalidAttributeName, 'Unknown Attribute Colour.');
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'bad.name' })), 'InvalidParameterValue',
      'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    await rejectsNamed(berth.sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })), 'InvalidParameterValue', /1 to 80 in length/);
  });

  it('CreateQueue again with the same attributes is the same queue; with different values it is QueueNameExists', async () => {
    const a = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '45' } }));
    const b = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '45' } }));
    const c = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'same' }));
    assert.equal(a.QueueUrl, b.QueueUrl);
    assert.equal(a.QueueUrl, c.QueueUrl);
    await rejectsAs(berth.sqs.send(new CreateQueueCommand({ QueueName: 'same', Attributes: { VisibilityTimeout: '46' } })), QueueNameExists,
      'A queue already exists with the same name and a different value for attribute VisibilityTimeout');
  });

  it('SetQueueAttributes changes values (LastModifiedTimestamp too), stores a policy, and refuses FifoQueue', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'settable' }));
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }] });
    await berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '5', ReceiveMessageWaitTimeSeconds: '20', Policy: policy } }));
    const { Attributes: a } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'ReceiveMessageWaitTimeSeconds', 'Policy'] }));
    assert.deepEqual(a, { VisibilityTimeout: '5', ReceiveMessageWaitTimeSeconds: '20', Policy: policy });
    await rejectsAs(berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { FifoQueue: 'true' } })), InvalidAttributeName, 'Unknown Attribute FifoQueue.');
    await rejectsNamed(berth.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MessageRetentionPeriod: '59' } })), 'InvalidAttributeValue',
      'Invalid value for the parameter MessageRetentionPeriod.');
  });

  it('AddPermission writes a statement per label into Policy; RemovePermission takes it out', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'shared' }));
    await berth.sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'send', AWSAccountIds: ['111111111111'], Actions: ['SendMessage'] }));
    const read = async () => (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }))).Attributes?.Policy;
    const policy = JSON.parse((await read())!);
    assert.deepEqual(policy.Statement, [{
      Sid: 'send', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'SQS:SendMessage',
      Resource: 'arn:aws:sqs:us-east-1:000000000000:shared',
    }]);
    await rejectsNamed(berth.sqs.send(new AddPermissionCommand({ QueueUrl, Label: 'send', AWSAccountIds: ['1'], Actions: ['*'] })), 'InvalidParameterValue',
      'Value send for parameter Label is invalid. Reason: Already exists.');
    await berth.sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'send' }));
    assert.equal(await read(), undefined);
    await rejectsNamed(berth.sqs.send(new RemovePermissionCommand({ QueueUrl, Label: 'send' })), 'InvalidParameterValue', /can't find label/);
  });

  it('ListQueues filters by prefix and pages with MaxResults and NextToken', async () => {
    for (const n of ['list-a', 'list-b', 'list-c', 'other-x']) await berth.sqs.send(new CreateQueueCommand({ QueueName: n }));
    const prefixed = await berth.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'list-' }));
    assert.deepEqual(prefixed.QueueUrls, ['list-a', 'list-b', 'list-c'].map(url));
    assert.equal(prefixed.NextToken, undefined);
    const pages: string[][] = [];
    for await (const p of paginateListQueues({ client: berth.sqs, pageSize: 2 }, { QueueNamePrefix: 'list-' })) pages.push(p.QueueUrls ?? []);
    assert.deepEqual(pages, [['list-a', 'list-b'].map(url), ['list-c'].map(url)]);
    assert.deepEqual((await berth.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'zzz' }))).QueueUrls, undefined);
  });

  it('DeleteQueue frees the name only after 60 seconds (QueueDeletedRecently)', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'short-lived' }));
    await berth.sqs.send(new DeleteQueueCommand({ QueueUrl }));
    await rejectsAs(berth.sqs.send(new GetQueueUrlCommand({ QueueName: 'short-lived' })), QueueDoesNotExist, 'The specified queue does not exist.');
    await rejectsAs(berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })), QueueDoesNotExist, 'The specified queue does not exist.');
    await rejectsAs(berth.sqs.send(new CreateQueueCommand({ QueueName: 'short-lived' })), QueueDeletedRecently,
      'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
  });

  it('PurgeQueue empties the queue; a second purge within 60 seconds is PurgeQueueInProgress', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'purged' }));
    for (let i = 0; i < 3; i++) await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    await berth.sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const { Attributes } = await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    assert.equal(Attributes!.ApproximateNumberOfMessages, '0');
    await rejectsAs(berth.sqs.send(new PurgeQueueCommand({ QueueUrl })), PurgeQueueInProgress, /Only one PurgeQueue operation on .*purged is allowed every 60 seconds\./);
  });

  it('tags: CreateQueue tags, TagQueue, UntagQueue, ListQueueTags', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'a', env: 'dev' } }));
    await berth.sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'prod', tier: '1' } }));
    await berth.sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['team'] }));
    assert.deepEqual((await berth.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: 'prod', tier: '1' });
  });

  it('a query form post to the queue URL path is answered in XML, also without QueueUrl (as older query clients send it)', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'by-path' }));
    const post = (path: string, form: Record<string, string>) => fetch(`${berth.endpoint}${path}`, {
      method: 'POST',
      headers: {
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body: new URLSearchParams({ Version: '2012-11-05', ...form }).toString(),
    });
    const sent = await post('/000000000000/by-path', { Action: 'SendMessage', QueueUrl: QueueUrl!, MessageBody: 'hello' });
    const xml = await sent.text();
    assert.equal(sent.status, 200, xml);
    assert.match(xml, /^<SendMessageResponse[^>]*><SendMessageResult>/);
    assert.match(xml, /<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592<\/MD5OfMessageBody>/);
    assert.match(xml, /<MessageId>[0-9a-f-]{36}<\/MessageId>/);
    // Older query clients name the queue only by the path they post to.
    const byPathOnly = await post('/000000000000/by-path', { Action: 'GetQueueAttributes', 'AttributeName.1': 'ApproximateNumberOfMessages' });
    const attrs = await byPathOnly.text();
    assert.equal(byPathOnly.status, 200, attrs);
    assert.match(attrs, /<Attribute><Name>ApproximateNumberOfMessages<\/Name><Value>1<\/Value><\/Attribute>/);
    const missing = await post('/000000000000/nope', { Action: 'GetQueueUrl', QueueName: 'nope' });
    const err = await missing.text();
    assert.equal(missing.status, 400);
    assert.match(err, /<Code>AWS\.SimpleQueueService\.NonExistentQueue<\/Code>/);
  });
});
