/**
 * Accepted events are not lost: a Berth on a data dir is killed with SIGKILL mid-burst of PutEvents (boto3), with
 * deliveries still queued, and restarted on the same dir. Every acknowledged event reaches every target queue exactly
 * once, in acceptance order (a FIFO queue shows the order).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../../helpers/berth.js';

const BATCHES = 40;
const KILL_AFTER_BATCHES = 15;
const ARN = 'arn:aws:sqs:us-east-1:000000000000';

/**
 * boto3 puts a rule with a FIFO and a standard queue target, then sends up to BATCHES PutEvents of 10 entries each,
 * printing each acknowledged batch's number.
 */
const BURST = `
import boto3, json, sys
c = boto3.client('events', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
c.put_rule(Name='burst', EventPattern=json.dumps({'source': ['burst']}))
c.put_targets(Rule='burst', Targets=[
    {'Id': 'fifo', 'Arn': '${ARN}:all.fifo', 'SqsParameters': {'MessageGroupId': 'g'}, 'InputPath': '$.detail.n'},
    {'Id': 'std', 'Arn': '${ARN}:all', 'InputPath': '$.detail.n'},
])
for b in range(${BATCHES}):
    try:
        r = c.put_events(Entries=[{'Source': 'burst', 'DetailType': 'n', 'Detail': json.dumps({'n': b * 10 + i})} for i in range(10)])
    except Exception as e:
        print('error', type(e).__name__, flush=True)
        break
    assert r['FailedEntryCount'] == 0, r
    print(b, flush=True)
`;

describe('EventBridge across kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-events-kill-'));
  const running: SpawnedBerth[] = [];
  const start = async () => {
    const b = await spawnBerth(['--data-dir', dir], { BERTH_RUNTIME: 'fake' });
    running.push(b);
    return b;
  };
  after(async () => {
    for (const b of running) await b.kill9();
    rmSync(dir, { recursive: true, force: true });
  });

  it('events acknowledged before the crash are delivered after the restart, once each, in order', async (t) => {
    const first = await start();
    const sqs = new SQSClient(clientConfig(first.endpoint));
    await sqs.send(new CreateQueueCommand({ QueueName: 'all.fifo', Attributes: { FifoQueue: 'true' } }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'all' }));
    sqs.destroy();
    const py = spawn('python3', ['-c', BURST, first.endpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    for await (const line of createInterface({ input: py.stdout! })) {
      if (!/^\d+$/.test(line)) break;
      acked = Number(line) + 1;
      if (acked === KILL_AFTER_BATCHES) {
        await first.kill9();
        py.kill(); // its next call would only retry against a dead port
        break;
      }
    }
    if (py.exitCode === null && py.signalCode === null) await once(py, 'exit');
    assert.equal(acked, KILL_AFTER_BATCHES, `killed mid-burst (${acked} batches acknowledged)`);
    const ackedN = acked * 10;
    // What the crash left queued (read from the stopped Berth's state).
    const db = new Database(join(dir, 'state.db'), { readonly: true });
    const pending = (db.prepare('SELECT COUNT(*) AS n FROM events_deliveries').get() as { n: number }).n;
    db.close();
    t.diagnostic(`${ackedN} events acknowledged, ${pending} deliveries queued at the kill`);

    const second = await start();
    const sqs2 = new SQSClient(clientConfig(second.endpoint));
    try {
      const drain = async (name: string) => {
        const url = `${second.endpoint}/000000000000/${name}`;
        const seen: number[] = [];
        const end = Date.now() + 20_000;
        while (seen.length < ackedN && Date.now() < end) {
          const r = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
          if (!r.Messages?.length) continue;
          seen.push(...r.Messages.map((m) => Number(m.Body)));
          await sqs2.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
        }
        // Batches sent after the kill never reached Berth; every acknowledged one must be there.
        return seen;
      };
      const fifo = await drain('all.fifo');
      const expected = Array.from({ length: ackedN }, (_, i) => i);
      assert.deepEqual(fifo.slice(0, ackedN), expected, 'the FIFO target got every acknowledged event once, in order');
      const std = await drain('all');
      const missing = expected.filter((n) => !std.includes(n));
      assert.deepEqual(missing, [], 'the standard queue target got every acknowledged event');
      assert.equal(new Set(std).size, std.length, 'no event delivered twice');
    } finally {
      sqs2.destroy();
    }
  });
});
