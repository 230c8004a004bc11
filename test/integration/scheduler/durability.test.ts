/**
 * EventBridge Scheduler's retries are not lost: a Berth on a data dir (fake runtime) whose schedule's invocation keeps
 * failing for want of room (RunTask on a cluster without container instances) is killed with SIGKILL while a retry
 * waits, and restarted on the same dir: the retries go on where they were and the dead-letter event counts them all.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../../helpers/berth.js';

const ACCOUNT = '000000000000';

describe('EventBridge Scheduler across kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-scheduler-kill-'));
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

  it('a retry waiting at the crash runs after the restart; the dead-letter event counts every retry', async () => {
    const first = await start();
    const ecs = new ECSClient(clientConfig(first.endpoint));
    const sqs = new SQSClient(clientConfig(first.endpoint));
    const scheduler = new SchedulerClient(clientConfig(first.endpoint));
    await sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    await ecs.send(new CreateClusterCommand({ clusterName: 'empty' }));
    const td = (await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'job', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'main', image: 'busybox', memory: 64, essential: true }],
    }))).taskDefinition!.taskDefinitionArn!;
    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({
      Name: 'no-room', ScheduleExpression: 'at(2020-01-01T00:00:00)', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/empty`, RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
        EcsParameters: { TaskDefinitionArn: td, LaunchType: 'EC2' },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` },
      },
    }));
    for (const c of [ecs, sqs, scheduler]) c.destroy();

    // Two failures in (the fire and the retry 1 s later), the third attempt waits 2 s: kill it then.
    const db = new Database(join(dir, 'state.db'), { readonly: true, fileMustExist: true });
    let failures = 0;
    for (const end = Date.now() + 10_000; failures < 2 && Date.now() < end; await sleep(50)) {
      failures = (db.prepare('SELECT MAX(failures) FROM scheduler_retries').pluck().get() as number | null) ?? 0;
    }
    db.close();
    assert.equal(failures, 2, 'two failed attempts were recorded before the crash');
    await first.kill9();

    const second = await start();
    const sqs2 = new SQSClient(clientConfig(second.endpoint));
    try {
      let m;
      for (const end = Date.now() + 15_000; !m && Date.now() < end;) {
        m = (await sqs2.send(new ReceiveMessageCommand({ QueueUrl: `${second.endpoint}/${ACCOUNT}/dlq`, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }))).Messages?.[0];
      }
      assert.ok(m, 'the dead-letter event arrived after the restart');
      const attr = (k: string) => m.MessageAttributes?.[k]?.StringValue;
      assert.deepEqual([attr('SCHEDULE_ARN'), attr('RETRY_ATTEMPTS'), attr('EXHAUSTED_RETRY_CONDITION'), attr('ERROR_CODE')],
        [ScheduleArn, '3', 'MaximumRetryAttempts', 'ECSFailure']);
    } finally {
      sqs2.destroy();
    }
  });
});
