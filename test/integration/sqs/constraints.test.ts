/**
 * SQS's input checks as each client sees them (issue 13). SQS enforces none of its model's enums at a frontend: its
 * provider answers unknown queue attributes with InvalidAttributeName, unknown system attributes on a send with
 * InvalidParameterValue, and takes any names in ReceiveMessage's AttributeNames (the model types them as queue
 * attributes, clients send message attributes there); a missing member is MissingParameter in SQS's words. Through
 * awscli 2.9 (query XML), awscli v1 / botocore 1.43 (JSON 1.0, the code from x-amzn-query-error) and the SDK v3 (JSON).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type SendMessageRequest,
} from '@aws-sdk/client-sqs';
import { aws, cliAvailable, CLIS, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

interface Case {
  title: string;
  sdk: (url: string) => object;
  cli: (url: string) => string[];
  code: string;
  message: string;
}

const CASES: Case[] = [
  {
    title: 'CreateQueue with an unknown attribute is InvalidAttributeName and creates nothing',
    sdk: () => new CreateQueueCommand({ QueueName: 'bad-attr', Attributes: { Foo: '1' } as never }),
    cli: () => ['create-queue', '--queue-name', 'bad-attr', '--attributes', 'Foo=1'],
    code: 'InvalidAttributeName',
    message: 'Unknown Attribute Foo.',
  },
  {
    title: 'GetQueueAttributes of an unknown attribute is InvalidAttributeName',
    sdk: (url) => new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Foo' as never] }),
    cli: (url) => ['get-queue-attributes', '--queue-url', url, '--attribute-names', 'Foo'],
    code: 'InvalidAttributeName',
    message: 'Unknown Attribute Foo.',
  },
  {
    title: 'SendMessage with a system attribute other than AWSTraceHeader is InvalidParameterValue',
    sdk: (url) => new SendMessageCommand({ QueueUrl: url, MessageBody: 'hi', MessageSystemAttributes: { Foo: { DataType: 'String', StringValue: 'x' } } as never }),
    cli: (url) => ['send-message', '--queue-url', url, '--message-body', 'hi', '--message-system-attributes', JSON.stringify({ Foo: { DataType: 'String', StringValue: 'x' } })],
    code: 'InvalidParameterValue',
    message: "Message system attribute name 'Foo' is invalid.",
  },
];

describe('SQS input checks through the SDK v3 (JSON)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { sqs: SQSClient } });

  it('each case is the error SQS answers, by its code, with its message', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    for (const c of CASES) {
      const err = await berth.sqs.send(c.sdk(QueueUrl!) as never).then(() => assert.fail(`${c.title}: accepted`), (e: any) => e);
      assert.deepEqual([err.name, err.Code, err.$metadata?.httpStatusCode, err.message], [c.code, c.code, 400, c.message], c.title);
    }
    assert.deepEqual((await berth.sqs.send(new ListQueuesCommand({}))).QueueUrls, [QueueUrl]);
  });

  it('ReceiveMessage takes message attribute names where the model says queue attribute names, and ignores unknown ones', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'names' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hi' }));
    const out = await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ['ApproximateReceiveCount', 'Foo'] as never }));
    assert.deepEqual(out.Messages?.map((m) => m.Attributes), [{ ApproximateReceiveCount: '1' }]);
  });

  it('a missing member is MissingParameter: "The request must contain the parameter …"', async () => {
    const { QueueUrl } = await berth.sqs.send(new CreateQueueCommand({ QueueName: 'missing' }));
    const err = await berth.sqs.send(new SendMessageCommand({ QueueUrl } as SendMessageRequest)).then(() => assert.fail('accepted'), (e: any) => e);
    assert.deepEqual([err.name, err.Code, err.$metadata?.httpStatusCode, err.message],
      ['MissingParameter', 'MissingParameter', 400, 'The request must contain the parameter MessageBody.']);
  });
});

for (const cli of ['v2', 'v1'] as CliName[]) {
  describe(`SQS input checks through ${CLIS[cli].name} (${cli === 'v2' ? 'query' : 'JSON 1.0'})`, { skip: !cliAvailable(cli) && `${CLIS[cli].cmd} not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const run = (args: string[]) => aws(cli, berth.endpoint, ['sqs', ...args]);

    it('each case prints the code and message SQS sends; ReceiveMessage takes message attribute names', async () => {
      const created = await run(['create-queue', '--queue-name', 'q']);
      assert.equal(created.code, 0, created.stderr);
      const url: string = created.json.QueueUrl;
      for (const c of CASES) {
        const r = await run(c.cli(url));
        assert.notEqual(r.code, 0, `${c.title}: accepted`);
        const line = r.stderr.trim().split('\n').pop() ?? '';
        const m = /^An error occurred \(([\w.]+)\) when calling the \w+ operation(?: \(reached max retries: \d+\))?: (.*)$/.exec(line);
        assert.ok(m, `${c.title}: ${r.stderr}`);
        assert.deepEqual([m[1], m[2]], [c.code, c.message], c.title);
      }
      assert.equal((await run(['send-message', '--queue-url', url, '--message-body', 'hi'])).code, 0);
      const got = await run(['receive-message', '--queue-url', url, '--attribute-names', 'ApproximateReceiveCount', 'Foo']);
      assert.equal(got.code, 0, got.stderr);
      assert.deepEqual(got.json.Messages.map((m: { Attributes: unknown }) => m.Attributes), [{ ApproximateReceiveCount: '1' }]);
    });
  });
}
