import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogStreamCommand, DescribeLogStreamsCommand,
  GetLogEventsCommand, InvalidParameterException, paginateDescribeLogStreams, PutLogEventsCommand, ResourceAlreadyExistsException,
  ResourceNotFoundException, type LogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

describe('CloudWatch Logs log streams through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { logs: CloudWatchLogsClient } });
  const G = '/streams';
  before(async () => {
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: G }));
  });

  const put = (stream: string, ...events: [number, string][]) =>
    berth.logs.send(new PutLogEventsCommand({ logGroupName: G, logStreamName: stream, logEvents: events.map(([timestamp, message]) => ({ timestamp, message })) }));

  it('CreateLogStream makes a stream with its ARN and creation time and no event timestamps yet', async () => {
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'fresh' }));
    const [s] = (await berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logStreamNamePrefix: 'fresh' }))).logStreams!;
    assert.equal(s.logStreamName, 'fresh');
    assert.equal(s.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/streams:log-stream:fresh');
    assert.ok(s.creationTime! > 0);
    assert.equal(s.firstEventTimestamp, undefined);
    assert.equal(s.lastEventTimestamp, undefined);
    assert.equal(s.storedBytes, 0, 'storedBytes of streams is always 0 since 2019');
  });

  it('CreateLogStream errors: existing stream, missing group, name with : or *', async () => {
    await rejects(berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'fresh' })), ResourceAlreadyExistsException, 'The specified log stream already exists');
    await rejects(berth.logs.send(new CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 'x' })), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejects(berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'a:b' })), InvalidParameterException, /\[\^:\*\]\*/);
  });

  it('PutLogEvents sets first/last event timestamps and lastIngestionTime', async () => {
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'stamped' }));
    const t = Date.now() - 60_000;
    await put('stamped', [t, 'a'], [t + 5, 'b']);
    await put('stamped', [t - 10, 'earlier batch']);
    const [s] = (await berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logStreamNamePrefix: 'stamped' }))).logStreams!;
    assert.equal(s.firstEventTimestamp, t - 10);
    assert.equal(s.lastEventTimestamp, t + 5);
    assert.ok(s.lastIngestionTime! >= Date.now() - 5_000);
  });

  it('DescribeLogStreams orders by name or by last event time, ascending or descending, and pages', async () => {
    const group = '/ordering';
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    const now = Date.now();
    for (const [name, ts] of [['b', now - 3000], ['a', now - 1000], ['c', now - 2000], ['d', undefined]] as const) {
      await berth.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
      if (ts) await berth.logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: name, logEvents: [{ timestamp: ts, message: name }] }));
    }
    const all = async (input: object) => {
      const out: LogStream[] = [];
      for await (const p of paginateDescribeLogStreams({ client: berth.logs, pageSize: 2 }, { logGroupName: group, ...input })) out.push(...(p.logStreams ?? []));
      return out.map((s) => s.logStreamName);
    };
    assert.deepEqual(await all({}), ['a', 'b', 'c', 'd']);
    assert.deepEqual(await all({ descending: true }), ['d', 'c', 'b', 'a']);
    assert.deepEqual(await all({ orderBy: 'LastEventTime' }), ['d', 'b', 'c', 'a']);
    assert.deepEqual(await all({ orderBy: 'LastEventTime', descending: true }), ['a', 'c', 'b', 'd']);
    const page = await berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, limit: 3 }));
    assert.equal(page.logStreams!.length, 3);
    assert.ok(page.nextToken);
    await rejects(berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })),
      InvalidParameterException, 'Cannot order by LastEventTime with a logStreamNamePrefix.');
  });

  it('DescribeLogStreams addresses the group by name or ARN, exactly one of them', async () => {
    const byArn = await berth.logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: 'arn:aws:logs:us-east-1:000000000000:log-group:/streams', logStreamNamePrefix: 'fresh' }));
    assert.deepEqual(byArn.logStreams!.map((s) => s.logStreamName), ['fresh']);
    await rejects(berth.logs.send(new DescribeLogStreamsCommand({})), InvalidParameterException, /either name or ARN/);
    await rejects(berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: G, logGroupIdentifier: G })), InvalidParameterException, /mutually exclusive/);
    await rejects(berth.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' })), ResourceNotFoundException, 'The specified log group does not exist.');
  });

  it('DeleteLogStream removes the stream and its events', async () => {
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'doomed' }));
    await put('doomed', [Date.now(), 'x']);
    await berth.logs.send(new DeleteLogStreamCommand({ logGroupName: G, logStreamName: 'doomed' }));
    await rejects(berth.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: 'doomed' })), ResourceNotFoundException, 'The specified log stream does not exist.');
    await rejects(berth.logs.send(new DeleteLogStreamCommand({ logGroupName: G, logStreamName: 'doomed' })), ResourceNotFoundException, 'The specified log stream does not exist.');
    await berth.logs.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: 'doomed' }));
    assert.deepEqual((await berth.logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: 'doomed' }))).events, []);
  });
});
