/** CloudWatch Logs export tasks into Berth's S3 through the v3 SDKs: the objects land where AWS puts them, gzipped. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import {
  CancelExportTaskCommand, CloudWatchLogsClient, CreateExportTaskCommand, CreateLogGroupCommand, CreateLogStreamCommand,
  DescribeExportTasksCommand, InvalidOperationException, InvalidParameterException, PutLogEventsCommand, ResourceNotFoundException,
  type ExportTask,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs export tasks to S3 through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient, s3: [S3Client, { forcePathStyle: true }] } });
  const t0 = Date.now() - 3_600_000;
  const events: Record<string, [number, string][]> = {
    'web/1': [[0, 'GET / 200'], [1_000, 'GET /x 404'], [10_000, 'late']],
    'worker/1': [[500, 'job done']],
    'other/1': [[600, 'not exported']],
  };
  before(async () => {
    await berth.s3.send(new CreateBucketCommand({ Bucket: 'exports' }));
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/exp/app' }));
    for (const [stream, lines] of Object.entries(events)) {
      await berth.logs.send(new CreateLogStreamCommand({ logGroupName: '/exp/app', logStreamName: stream }));
      await berth.logs.send(new PutLogEventsCommand({ logGroupName: '/exp/app', logStreamName: stream, logEvents: lines.map(([dt, message]) => ({ timestamp: t0 + dt, message })) }));
    }
  });

  const describeTask = async (taskId: string) => (await berth.logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks![0];
  const finished = async (taskId: string): Promise<ExportTask> => {
    for (let i = 0; i < 100; i++) {
      const t = await describeTask(taskId);
      if (t.status!.code !== 'PENDING' && t.status!.code !== 'RUNNING') return t;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the export did not finish');
  };
  const text = async (key: string) => {
    const o = await berth.s3.send(new GetObjectCommand({ Bucket: 'exports', Key: key }));
    return gunzipSync(await o.Body!.transformToByteArray()).toString('utf8');
  };

  it('exports each stream of the range into <prefix>/<taskId>/<stream>/000000.gz as "<ISO time> <message>" lines', async () => {
    const { taskId } = await berth.logs.send(new CreateExportTaskCommand({
      taskName: 'nightly', logGroupName: '/exp/app', logStreamNamePrefix: 'w', from: t0, to: t0 + 1_000, destination: 'exports', destinationPrefix: 'logs/app',
    }));
    assert.match(taskId!, /^[0-9a-f-]{36}$/);
    const t = await finished(taskId!);
    assert.deepEqual(t.status, { code: 'COMPLETED', message: 'Completed successfully' });
    assert.equal(t.taskName, 'nightly');
    assert.equal(t.destinationPrefix, 'logs/app');
    assert.ok(t.executionInfo!.completionTime! >= t.executionInfo!.creationTime!);
    const keys = (await berth.s3.send(new ListObjectsV2Command({ Bucket: 'exports', Prefix: 'logs/app/' }))).Contents!.map((o) => o.Key);
    assert.deepEqual(keys, [`logs/app/${taskId}/web/1/000000.gz`, `logs/app/${taskId}/worker/1/000000.gz`]);
    const iso = (dt: number) => new Date(t0 + dt).toISOString();
    assert.equal(await text(`logs/app/${taskId}/web/1/000000.gz`), `${iso(0)} GET / 200\n${iso(1_000)} GET /x 404\n`);
    assert.equal(await text(`logs/app/${taskId}/worker/1/000000.gz`), `${iso(500)} job done\n`);
  });

  it('without a prefix the objects go under exportedlogs/; DescribeExportTasks filters by status', async () => {
    const { taskId } = await berth.logs.send(new CreateExportTaskCommand({ logGroupName: '/exp/app', from: t0, to: t0 + 60_000, destination: 'exports' }));
    await finished(taskId!);
    const keys = (await berth.s3.send(new ListObjectsV2Command({ Bucket: 'exports', Prefix: `exportedlogs/${taskId}/` }))).Contents!.map((o) => o.Key);
    assert.equal(keys.length, 3);
    const completed = await berth.logs.send(new DescribeExportTasksCommand({ statusCode: 'COMPLETED' }));
    assert.equal(completed.exportTasks!.length, 2);
    assert.equal(completed.exportTasks![0].taskId, taskId, 'newest first');
    const page = await berth.logs.send(new DescribeExportTasksCommand({ limit: 1 }));
    assert.ok(page.nextToken);
  });

  it('CancelExportTask refuses a finished or unknown task', async () => {
    const [done] = (await berth.logs.send(new DescribeExportTasksCommand({ statusCode: 'COMPLETED' }))).exportTasks!;
    await rejectsAs(berth.logs.send(new CancelExportTaskCommand({ taskId: done.taskId })), InvalidOperationException, 'The specified export task has already finished');
    await rejectsAs(berth.logs.send(new CancelExportTaskCommand({ taskId: 'nope' })), ResourceNotFoundException, 'The specified export task does not exist.');
  });

  it('refuses a missing bucket, a missing group and an empty range', async () => {
    const create = (input: object) => berth.logs.send(new CreateExportTaskCommand({ logGroupName: '/exp/app', from: t0, to: t0 + 1, destination: 'exports', ...input }));
    await rejectsAs(create({ destination: 'no-such-bucket' }), InvalidParameterException, /The given bucket does not exist/);
    await rejectsAs(create({ logGroupName: '/none' }), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejectsAs(create({ to: t0 - 1 }), InvalidParameterException, /time range/);
  });
});
