/**
 * SQS messages survive a crash: a Berth on a data dir is killed with SIGKILL mid-burst of SendMessage calls and
 * restarted on the same dir. Every acknowledged message is there; a received, undeleted message becomes visible
 * again when its visibility timeout ends, across the restart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { berthsOnOneDataDir, clientConfig } from '../../helpers/berth.js';

const BURST = 400;
const CONCURRENCY = 8;
const KILL_AFTER_ACKS = 150;

describe('SQS across kill -9', () => {
  const berths = berthsOnOneDataDir('sqs-kill');
  const start = () => berths.start();

  it('every acknowledged SendMessage is delivered after restart; an in-flight message comes back after its timeout', async () => {
    const first = await start();
    const sqs = new SQSClient(clientConfig(first.endpoint));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '2' } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in-flight' }));
    const taken = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.equal(taken.Messages![0].Body, 'in-flight');
    const receivedAt = Date.now();

    const acked = new Set<string>();
    let next = 0;
    let killing: Promise<void> | undefined;
    const worker = async () => {
      while (next < BURST) {
        const body = `m-${next++}`;
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        } catch (err) {
          assert.ok(killing, `a send failed before the kill: ${(err as Error).message}`);
          continue;
        }
        acked.add(body);
        if (acked.size === KILL_AFTER_ACKS) killing = first.kill9();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await killing;
    sqs.destroy();
    assert.ok(acked.size >= KILL_AFTER_ACKS && acked.size < BURST, `killed mid-burst (${acked.size} acked)`);

    const second = await start();
    const sqs2 = new SQSClient(clientConfig(second.endpoint));
    try {
      const url = (await sqs2.send(new GetQueueUrlCommand({ QueueName: 'durable' }))).QueueUrl!;
      assert.equal(url, `${second.endpoint}/000000000000/durable`, 'the URL names the new port');
      const seen = new Map<string, number>();
      let inFlightBackAt = 0;
      const deadline = Date.now() + 15_000;
      while ((!inFlightBackAt || [...acked].some((b) => !seen.has(b))) && Date.now() < deadline) {
        const r = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
        for (const m of r.Messages ?? []) {
          seen.set(m.Body!, Number(m.Attributes!.ApproximateReceiveCount));
          if (m.Body === 'in-flight') inFlightBackAt = Date.now();
        }
        if (r.Messages?.length) {
          await sqs2.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
        }
      }
      const lost = [...acked].filter((b) => !seen.has(b));
      assert.deepEqual(lost, [], `acknowledged messages lost after kill -9: ${lost.length}`);
      assert.equal(seen.get('in-flight'), 2, 'the undeleted message was delivered again, its second receive');
      assert.ok(inFlightBackAt - receivedAt >= 1900, 'not before its visibility timeout ended');
    } finally {
      sqs2.destroy();
    }
  });
});
