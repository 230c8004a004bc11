import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, InvalidParameterException,
  paginateFilterLogEvents, PutLogEventsCommand, ResourceNotFoundException, TestMetricFilterCommand, type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs FilterLogEvents and TestMetricFilter through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  const G = '/filter';
  const t0 = Date.now() - 60_000;
  before(async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: G }));
    // Two streams whose events interleave in time.
    const lines: Record<string, [number, string][]> = {
      'app/web/1': [[0, 'GET /health 200'], [2, 'ERROR timeout talking to db'], [4, '{"level":"ERROR","latency":250,"user":{"id":7}}'], [6, 'WARN slow request']],
      'app/worker/1': [[1, 'job 1 done'], [3, 'ERROR job 2 failed: Exception in thread'], [5, '{"level":"INFO","latency":20}'], [7, 'job 3 done']],
    };
    for (const [stream, events] of Object.entries(lines)) {
      await berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: stream }));
      await berth.logs.send(new PutLogEventsCommand({ logGroupName: G, logStreamName: stream, logEvents: events.map(([dt, message]) => ({ timestamp: t0 + dt, message })) }));
    }
  });

  const filter = async (input: object = {}) => (await berth.logs.send(new FilterLogEventsCommand({ logGroupName: G, ...input }))).events!;
  const messages = (events: FilteredLogEvent[]) => events.map((e) => e.message);

  it('without a pattern it returns every stream’s events interleaved by time, each with its stream and an event id', async () => {
    const events = await filter();
    assert.deepEqual(events.map((e) => e.timestamp! - t0), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(events[0].logStreamName, 'app/web/1');
    assert.equal(events[1].logStreamName, 'app/worker/1');
    assert.ok(events[0].ingestionTime);
    assert.equal(new Set(events.map((e) => e.eventId)).size, 8, 'event ids are unique');
  });

  it('plain terms must all appear, case-sensitively; a quoted phrase matches exactly', async () => {
    assert.deepEqual(messages(await filter({ filterPattern: 'ERROR' })), [
      'ERROR timeout talking to db', 'ERROR job 2 failed: Exception in thread', '{"level":"ERROR","latency":250,"user":{"id":7}}',
    ]);
    assert.deepEqual(messages(await filter({ filterPattern: 'ERROR job' })), ['ERROR job 2 failed: Exception in thread']);
    assert.deepEqual(messages(await filter({ filterPattern: 'error' })), []);
    assert.deepEqual(messages(await filter({ filterPattern: '"job 3 done"' })), ['job 3 done']);
    assert.deepEqual(messages(await filter({ filterPattern: '"3 job"' })), []);
  });

  it('?terms match any of them and -terms exclude', async () => {
    assert.deepEqual(messages(await filter({ filterPattern: '?WARN ?timeout' })), ['ERROR timeout talking to db', 'WARN slow request']);
    assert.deepEqual(messages(await filter({ filterPattern: 'ERROR -Exception -level' })), ['ERROR timeout talking to db']);
  });

  it('%regex% and JSON patterns select events too', async () => {
    assert.deepEqual(messages(await filter({ filterPattern: '%job [13] done%' })), ['job 1 done', 'job 3 done']);
    assert.deepEqual(messages(await filter({ filterPattern: '{ $.level = "ERROR" && $.latency > 100 }' })), ['{"level":"ERROR","latency":250,"user":{"id":7}}']);
    assert.deepEqual(messages(await filter({ filterPattern: '{ $.latency < 100 || $.user.id = 99 }' })), ['{"level":"INFO","latency":20}']);
    assert.deepEqual(messages(await filter({ filterPattern: '{ $.user.id NOT EXISTS }' })), ['{"level":"INFO","latency":20}']);
    assert.deepEqual(messages(await filter({ filterPattern: '{ $.level = "ERR*" }' })).length, 1);
  });

  it('a malformed pattern is InvalidParameterException', async () => {
    await rejects(filter({ filterPattern: '{ $.level = ' }), InvalidParameterException, /Invalid filter pattern/);
    await rejects(filter({ filterPattern: '"unterminated' }), InvalidParameterException, /Invalid filter pattern/);
    await rejects(filter({ filterPattern: '[ip, user' }), InvalidParameterException, /Invalid filter pattern/);
  });

  it('space-delimited patterns match by field', async () => {
    assert.deepEqual(messages(await filter({ filterPattern: '[method = GET, path, status = 2*]' })), ['GET /health 200']);
    assert.deepEqual(messages(await filter({ filterPattern: '[w1 = job, n, result = done]' })), ['job 1 done', 'job 3 done']);
  });

  it('streams are chosen by name or by prefix, never both', async () => {
    assert.deepEqual(messages(await filter({ logStreamNames: ['app/worker/1'], filterPattern: 'job' })), ['job 1 done', 'ERROR job 2 failed: Exception in thread', 'job 3 done']);
    assert.equal((await filter({ logStreamNamePrefix: 'app/web/' })).length, 4);
    assert.deepEqual(await filter({ logStreamNames: ['missing'] }), []);
    await rejects(filter({ logStreamNames: ['a'], logStreamNamePrefix: 'a' }), InvalidParameterException, /mutually exclusive/);
  });

  it('startTime and endTime are both inclusive', async () => {
    assert.deepEqual((await filter({ startTime: t0 + 2, endTime: t0 + 4 })).map((e) => e.timestamp! - t0), [2, 3, 4]);
  });

  it('pages of `limit` events carry a nextToken until the last page, in either direction', async () => {
    const first = await berth.logs.send(new FilterLogEventsCommand({ logGroupName: G, limit: 3 }));
    assert.equal(first.events!.length, 3);
    assert.ok(first.nextToken);
    const all: FilteredLogEvent[] = [];
    for await (const page of paginateFilterLogEvents({ client: berth.logs, pageSize: 3 }, { logGroupName: G })) all.push(...page.events!);
    assert.deepEqual(all.map((e) => e.timestamp! - t0), [0, 1, 2, 3, 4, 5, 6, 7]);
    const last = await berth.logs.send(new FilterLogEventsCommand({ logGroupName: G, limit: 8 }));
    assert.equal(last.nextToken, undefined);
    const newest: FilteredLogEvent[] = [];
    for await (const page of paginateFilterLogEvents({ client: berth.logs, pageSize: 3 }, { logGroupName: G, startFromHead: false })) newest.push(...page.events!);
    assert.deepEqual(newest.map((e) => e.timestamp! - t0), [7, 6, 5, 4, 3, 2, 1, 0], 'startFromHead=false reads newest first');
    await rejects(filter({ nextToken: 'nope' }), InvalidParameterException, /nextToken/);
  });

  it('a missing group is ResourceNotFoundException; the group may be named by ARN', async () => {
    await rejects(berth.logs.send(new FilterLogEventsCommand({ logGroupName: '/nope' })), ResourceNotFoundException, 'The specified log group does not exist.');
    const out = await berth.logs.send(new FilterLogEventsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:/filter', limit: 1 }));
    assert.equal(out.events!.length, 1);
  });

  it('TestMetricFilter reports which messages a pattern matches, numbered from 1', async () => {
    const out = await berth.logs.send(new TestMetricFilterCommand({ filterPattern: '?ERROR ?WARN', logEventMessages: ['ok', 'ERROR x', 'WARN y'] }));
    assert.deepEqual(out.matches!.map((m) => [m.eventNumber, m.eventMessage]), [[2, 'ERROR x'], [3, 'WARN y']]);
  });
});
