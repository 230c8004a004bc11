/** SQS through both AWS CLIs: awscli 2.9 speaks query (form posts), awscli v1 on botocore 1.43 speaks JSON 1.0. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws sqs through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['sqs', ...args]);
      assert.equal(r.code, 0, `aws sqs ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('create-queue, get-queue-url, list-queues, attributes', async () => {
      const { QueueUrl } = await run(['create-queue', '--queue-name', `cli-${name}`, '--attributes', 'VisibilityTimeout=40,DelaySeconds=0', '--tags', 'team=a']);
      assert.equal(QueueUrl, `${berth.endpoint}/000000000000/cli-${name}`);
      assert.equal((await run(['get-queue-url', '--queue-name', `cli-${name}`])).QueueUrl, QueueUrl);
      assert.deepEqual((await run(['list-queues', '--queue-name-prefix', 'cli-'])).QueueUrls, [QueueUrl]);
      await run(['set-queue-attributes', '--queue-url', QueueUrl, '--attributes', 'MaximumMessageSize=2048']);
      const { Attributes } = await run(['get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All']);
      assert.equal(Attributes.VisibilityTimeout, '40');
      assert.equal(Attributes.MaximumMessageSize, '2048');
      assert.equal(Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:cli-${name}`);
      assert.deepEqual((await run(['list-queue-tags', '--queue-url', QueueUrl])).Tags, { team: 'a' });
    });

    it('send-message with attributes, receive-message, delete-message (the CLI checks the MD5s)', async () => {
      const { QueueUrl } = await run(['create-queue', '--queue-name', `msgs-${name}`]);
      const sent = await run(['send-message', '--queue-url', QueueUrl, '--message-body', 'hello from the cli',
        '--message-attributes', JSON.stringify({ kind: { DataType: 'String', StringValue: 'greeting' }, n: { DataType: 'Number', StringValue: '7' } })]);
      assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);
      const got = await run(['receive-message', '--queue-url', QueueUrl, '--message-attribute-names', 'All', '--attribute-names', 'All', '--wait-time-seconds', '1']);
      const [m] = got.Messages;
      assert.equal(m.Body, 'hello from the cli');
      assert.equal(m.MessageId, sent.MessageId);
      assert.equal(m.MD5OfBody, sent.MD5OfMessageBody);
      assert.deepEqual(m.MessageAttributes.kind, { StringValue: 'greeting', DataType: 'String' });
      assert.equal(m.Attributes.ApproximateReceiveCount, '1');
      await run(['delete-message', '--queue-url', QueueUrl, '--receipt-handle', m.ReceiptHandle]);
      const { Attributes } = await run(['get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
      assert.deepEqual(Attributes, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    });

    it('a FIFO queue: group order, deduplication, sequence numbers', async () => {
      const { QueueUrl } = await run(['create-queue', '--queue-name', `fifo-${name}.fifo`, '--attributes', 'FifoQueue=true']);
      const send = (body: string, dedup: string) =>
        run(['send-message', '--queue-url', QueueUrl, '--message-body', body, '--message-group-id', 'g', '--message-deduplication-id', dedup]);
      const a = await send('one', 'd1');
      const dup = await send('one again', 'd1');
      const b = await send('two', 'd2');
      assert.equal(dup.MessageId, a.MessageId);
      assert.ok(BigInt(b.SequenceNumber) > BigInt(a.SequenceNumber));
      const got = await run(['receive-message', '--queue-url', QueueUrl, '--max-number-of-messages', '10', '--attribute-names', 'All']);
      assert.deepEqual(got.Messages.map((m: { Body: string }) => m.Body), ['one', 'two']);
      assert.equal(got.Messages[0].Attributes.SequenceNumber, a.SequenceNumber);
      assert.equal(got.Messages[1].Attributes.MessageDeduplicationId, 'd2');
    });

    it('a missing queue prints the query-era error code AWS.SimpleQueueService.NonExistentQueue', async () => {
      const r = await aws(name, berth.endpoint, ['sqs', 'get-queue-url', '--queue-name', 'does-not-exist']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/);
      assert.match(r.stderr, /The specified queue does not exist/);
    });
  });
}
