/** Logs Insights through the v3 SDK: StartQuery → GetQueryResults (polled as clients poll), StopQuery, DescribeQueries. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeQueriesCommand, GetLogRecordCommand, GetQueryResultsCommand,
  InvalidParameterException, MalformedQueryException, PutLogEventsCommand, ResourceNotFoundException, StartQueryCommand,
  StopQueryCommand, type GetQueryResultsResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs Insights queries through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  // Whole minutes, so bin(1m) buckets are predictable.
  const t0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
  const sec = (ms: number) => Math.floor(ms / 1000);
  const lines: Record<string, [string, [number, string][]]> = {
    '/q/api': ['web/1', [[0, '{"level":"INFO","ms":12,"path":"/"}'], [1_000, '{"level":"ERROR","ms":300,"path":"/api/orders"}'],
      [61_000, '{"level":"ERROR","ms":100,"path":"/api/users"}'], [62_000, 'plain text user=amy action=logout']]],
    '/q/worker': ['jobs/1', [[500, 'job 1 done in 40ms'], [70_000, 'job 2 failed: ERROR timeout']]],
  };
  before(async () => {
    for (const [group, [stream, events]] of Object.entries(lines)) {
      await berth.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      await berth.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await berth.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.map(([dt, message]) => ({ timestamp: t0 + dt, message })) }));
    }
  });

  const start = async (queryString: string, extra: object = {}) => (await berth.logs.send(new StartQueryCommand({
    logGroupNames: ['/q/api', '/q/worker'], startTime: sec(t0), endTime: sec(Date.now()), queryString, ...extra,
  }))).queryId!;
  /** Polls like every Insights client: until the status is no longer Scheduled or Running. */
  const results = async (queryId: string): Promise<GetQueryResultsResponse> => {
    for (let i = 0; i < 50; i++) {
      const out = await berth.logs.send(new GetQueryResultsCommand({ queryId }));
      if (out.status !== 'Scheduled' && out.status !== 'Running') return out;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the query did not finish');
  };
  const table = (out: GetQueryResultsResponse) => out.results!.map((row) => Object.fromEntries(row.map((c) => [c.field, c.value])));

  it('a filter query over two groups completes with rows newest first, @ptr, and statistics', async () => {
    const out = await results(await start('fields @timestamp, @message, @logStream, @log | filter @message like /ERROR/'));
    assert.equal(out.status, 'Complete');
    const rows = table(out);
    assert.deepEqual(rows.map((r) => [r['@logStream'], r['@log']]), [
      ['jobs/1', '000000000000:/q/worker'], ['web/1', '000000000000:/q/api'], ['web/1', '000000000000:/q/api'],
    ]);
    assert.match(rows[0]['@timestamp'], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.ok(rows.every((r) => r['@ptr']));
    assert.equal(out.statistics!.recordsMatched, 3);
    assert.equal(out.statistics!.recordsScanned, 6);
    const bytes = Object.values(lines).flatMap(([, ev]) => ev).reduce((n, [, m]) => n + Buffer.byteLength(m), 0);
    assert.equal(out.statistics!.bytesScanned, bytes);
  });

  it('GetLogRecord returns every field of the event a row’s @ptr points at', async () => {
    const out = await results(await start('fields @message | filter @message like "/api/orders"'));
    const ptr = out.results![0].find((c) => c.field === '@ptr')!.value!;
    const { logRecord } = await berth.logs.send(new GetLogRecordCommand({ logRecordPointer: ptr }));
    assert.deepEqual(logRecord, {
      '@timestamp': String(t0 + 1_000), '@message': '{"level":"ERROR","ms":300,"path":"/api/orders"}', '@logStream': 'web/1',
      '@log': '000000000000:/q/api', '@ingestionTime': logRecord!['@ingestionTime'], level: 'ERROR', ms: '300', path: '/api/orders',
    });
    await rejectsAs(berth.logs.send(new GetLogRecordCommand({ logRecordPointer: 'bogus' })), InvalidParameterException, /pointer/);
  });

  it('stats count() and avg by a JSON field and by bin(1m), sorted', async () => {
    const out = await results(await start('filter ispresent(level) | stats count(*) as n, avg(ms) as avgMs by level | sort n desc'));
    assert.deepEqual(table(out), [{ level: 'ERROR', n: '2', avgMs: '200' }, { level: 'INFO', n: '1', avgMs: '12' }]);
    const bins = await results(await start('stats count() as n by bin(1m) as minute | sort minute asc'));
    assert.deepEqual(table(bins).map((r) => r.n), ['3', '3']);
  });

  it('parse with a glob, then limit; StartQuery’s limit caps the rows too', async () => {
    const parsed = await results(await start('parse @message "user=* action=*" as user, action | filter ispresent(user) | fields user, action'));
    assert.deepEqual(table(parsed).map((r) => [r.user, r.action]), [['amy', 'logout']]);
    const limited = await results(await start('fields @message | sort @timestamp asc | limit 4', { limit: 2 }));
    assert.equal(limited.results!.length, 2);
  });

  it('the time range is StartQuery’s seconds, inclusive', async () => {
    const out = await results(await start('fields @message', { logGroupNames: undefined, logGroupName: '/q/api', startTime: sec(t0 + 61_000), endTime: sec(t0 + 61_000) }));
    assert.deepEqual(table(out).map((r) => r['@message']), ['{"level":"ERROR","ms":100,"path":"/api/users"}']);
  });

  it('StopQuery cancels a scheduled query; a finished one cannot be stopped', async () => {
    const id = await start('fields @message');
    assert.deepEqual((await berth.logs.send(new StopQueryCommand({ queryId: id }))).success, true);
    assert.equal((await berth.logs.send(new GetQueryResultsCommand({ queryId: id }))).status, 'Cancelled');
    await rejectsAs(berth.logs.send(new StopQueryCommand({ queryId: id })), InvalidParameterException, /not running/);
  });

  it('DescribeQueries lists queries newest first, by status and log group, with pagination', async () => {
    const scheduled = await start('fields @message | limit 1', { logGroupNames: undefined, logGroupName: '/q/worker' });
    const all = await berth.logs.send(new DescribeQueriesCommand({}));
    assert.equal(all.queries![0].queryId, scheduled);
    assert.equal(all.queries![0].status, 'Scheduled');
    assert.equal(all.queries![0].logGroupName, '/q/worker');
    assert.ok(all.queries!.length >= 9);
    const cancelled = await berth.logs.send(new DescribeQueriesCommand({ status: 'Cancelled' }));
    assert.equal(cancelled.queries!.length, 1);
    const page = await berth.logs.send(new DescribeQueriesCommand({ maxResults: 3 }));
    assert.equal(page.queries!.length, 3);
    const next = await berth.logs.send(new DescribeQueriesCommand({ maxResults: 3, nextToken: page.nextToken }));
    assert.ok(next.queries!.every((q) => !page.queries!.some((p) => p.queryId === q.queryId)));
  });

  it('refuses malformed queries, missing groups and unknown query ids as AWS does', async () => {
    await assert.rejects(start('fields @message | frobnicate'), (e: MalformedQueryException) => {
      assert.ok(e instanceof MalformedQueryException, e.name);
      assert.deepEqual(e.queryCompileError?.location, { startCharOffset: 18, endCharOffset: 28 });
      return true;
    });
    await rejectsAs(start('fields @message', { logGroupNames: ['/q/none'] }), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejectsAs(berth.logs.send(new GetQueryResultsCommand({ queryId: '00000000-0000-0000-0000-000000000000' })), ResourceNotFoundException, /Query/);
  });
});
