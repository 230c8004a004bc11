import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogGroupsCommand, GetLogEventsCommand,
  InvalidParameterException, PutLogEventsCommand, PutRetentionPolicyCommand, ResourceNotFoundException, type InputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { rejectsAs as rejects } from '../../helpers/aws-errors.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('CloudWatch Logs events through the v3 SDK (PutLogEvents, GetLogEvents, retention)', () => {
  let app: App;
  let logs: CloudWatchLogsClient;
  const clock = new ManualClock(Date.now());
  const G = '/events';
  let streams = 0;

  before(async () => {
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { clock, log: createLogger('error') });
    logs = new CloudWatchLogsClient(clientConfig(app.endpoint));
    await logs.send(new CreateLogGroupCommand({ logGroupName: G }));
  });
  after(async () => {
    logs.destroy();
    await app.stop();
  });

  async function newStream(group = G): Promise<string> {
    const name = `s${++streams}`;
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
    return name;
  }
  const put = (stream: string, events: InputLogEvent[], extra: object = {}, group = G) =>
    logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events, ...extra }));
  const get = (stream: string, input: object = {}) => logs.send(new GetLogEventsCommand({ logGroupName: G, logStreamName: stream, ...input }));
  const numbered = (n: number, t0 = clock.now() - 1000) => Array.from({ length: n }, (_, i) => ({ timestamp: t0 + i, message: `m${i + 1}` }));

  it('PutLogEvents stores events and ignores the sequence token, right or wrong, as AWS does since 2023', async () => {
    const s = await newStream();
    const first = await put(s, numbered(2));
    assert.ok(first.nextSequenceToken);
    assert.equal(first.rejectedLogEventsInfo, undefined);
    await put(s, numbered(1, clock.now()), { sequenceToken: 'not-the-token' });
    assert.equal((await get(s)).events!.length, 3);
  });

  it('events with the same timestamp keep the order they were sent in', async () => {
    const s = await newStream();
    const t = clock.now();
    await put(s, [{ timestamp: t, message: 'one' }, { timestamp: t, message: 'two' }]);
    await put(s, [{ timestamp: t, message: 'three' }]);
    assert.deepEqual((await get(s, { startFromHead: true })).events!.map((e) => e.message), ['one', 'two', 'three']);
  });

  it('PutLogEvents rejects a batch out of chronological order, spanning over 24 hours, over 1 MB or with an empty message', async () => {
    const s = await newStream();
    const t = clock.now();
    await rejects(put(s, [{ timestamp: t, message: 'b' }, { timestamp: t - 1, message: 'a' }]), InvalidParameterException,
      'Log events in a single PutLogEvents request must be in chronological order.');
    await rejects(put(s, [{ timestamp: t - 25 * HOUR, message: 'a' }, { timestamp: t, message: 'b' }]), InvalidParameterException,
      /cannot span more than 24 hours/);
    const big = 'x'.repeat(600_000);
    await rejects(put(s, [{ timestamp: t, message: big }, { timestamp: t, message: big }]), InvalidParameterException, /exceeds limit of 1048576/);
    await rejects(put(s, [{ timestamp: t, message: '' }]), InvalidParameterException, /logEvents.1.member.message/);
    assert.deepEqual((await get(s)).events, [], 'nothing of a rejected batch is stored');
  });

  it('PutLogEvents to a missing group or stream is ResourceNotFoundException', async () => {
    await rejects(put('s', numbered(1), {}, '/nope'), ResourceNotFoundException, 'The specified log group does not exist.');
    await rejects(put('nope', numbered(1)), ResourceNotFoundException, 'The specified log stream does not exist.');
  });

  it('events over 14 days old or over 2 hours ahead are rejected by index and the rest stored', async () => {
    const s = await newStream();
    const now = clock.now();
    const out = await put(s, [
      { timestamp: now - 15 * DAY, message: 'ancient' },
      { timestamp: now - 14 * DAY - 1000, message: 'old' },
      { timestamp: now - 13 * DAY, message: 'kept 1' },
      { timestamp: now - 13 * DAY + 1, message: 'kept 2' },
    ]);
    assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
    const out2 = await put(s, [{ timestamp: now, message: 'kept 3' }, { timestamp: now + 3 * HOUR, message: 'future' }]);
    assert.deepEqual(out2.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
    assert.deepEqual((await get(s, { startFromHead: true })).events!.map((e) => e.message), ['kept 1', 'kept 2', 'kept 3']);
  });

  it('GetLogEvents without a token returns the newest events (oldest first), or the oldest with startFromHead', async () => {
    const s = await newStream();
    await put(s, numbered(10));
    assert.deepEqual((await get(s, { limit: 3 })).events!.map((e) => e.message), ['m8', 'm9', 'm10']);
    assert.deepEqual((await get(s, { limit: 3, startFromHead: true })).events!.map((e) => e.message), ['m1', 'm2', 'm3']);
    const e = (await get(s, { limit: 1 })).events![0];
    assert.ok(e.timestamp && e.ingestionTime && e.ingestionTime >= e.timestamp);
  });

  it('paging forward returns every event once; at the end the same nextForwardToken comes back until new events arrive', async () => {
    const s = await newStream();
    await put(s, numbered(7));
    const seen: string[] = [];
    let token: string | undefined;
    let calls = 0;
    for (;;) {
      const out = await get(s, { startFromHead: true, limit: 3, nextToken: token });
      calls++;
      seen.push(...out.events!.map((e) => e.message!));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    assert.deepEqual(seen, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    assert.equal(calls, 4, 'three pages, then one call that returns nothing and the same token');
    const idle = await get(s, { nextToken: token });
    assert.deepEqual(idle.events, []);
    assert.equal(idle.nextForwardToken, token);
    await put(s, [{ timestamp: clock.now(), message: 'late' }]);
    const more = await get(s, { nextToken: token });
    assert.deepEqual(more.events!.map((e) => e.message), ['late']);
    assert.notEqual(more.nextForwardToken, token);
  });

  it('paging backward with nextBackwardToken walks to the first event and then returns its own token', async () => {
    const s = await newStream();
    await put(s, numbered(5));
    const last = await get(s, { limit: 2 });
    assert.deepEqual(last.events!.map((e) => e.message), ['m4', 'm5']);
    const before = await get(s, { limit: 2, nextToken: last.nextBackwardToken });
    assert.deepEqual(before.events!.map((e) => e.message), ['m2', 'm3']);
    const first = await get(s, { limit: 2, nextToken: before.nextBackwardToken });
    assert.deepEqual(first.events!.map((e) => e.message), ['m1']);
    const end = await get(s, { limit: 2, nextToken: first.nextBackwardToken });
    assert.deepEqual(end.events, []);
    assert.equal(end.nextBackwardToken, first.nextBackwardToken);
    assert.match(end.nextForwardToken!, /^f\/\d{56}\/s$/);
  });

  it('startTime is inclusive and endTime exclusive', async () => {
    const s = await newStream();
    const t0 = clock.now() - 1000;
    await put(s, numbered(5, t0));
    const out = await get(s, { startFromHead: true, startTime: t0 + 1, endTime: t0 + 3 });
    assert.deepEqual(out.events!.map((e) => e.message), ['m2', 'm3']);
  });

  it('GetLogEvents rejects a token it did not issue and a limit over 10000', async () => {
    const s = await newStream();
    await rejects(get(s, { nextToken: 'f/123' }), InvalidParameterException, /nextToken/);
    await rejects(get(s, { limit: 10_001 }), InvalidParameterException, /less than or equal to 10000/);
    await rejects(get('nope'), ResourceNotFoundException, 'The specified log stream does not exist.');
  });

  it('a retention policy drops events older than it, and PutLogEvents rejects them as expired', async () => {
    const group = '/retained';
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    const now = clock.now();
    await put('s', [{ timestamp: now - 2 * DAY, message: 'two days old' }], {}, group);
    await put('s', [{ timestamp: now - HOUR, message: 'fresh' }], {}, group);
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 1 }));
    const read = async () => (await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 's', startFromHead: true }))).events!.map((e) => e.message);
    assert.deepEqual(await read(), ['fresh']);
    const stored = async () => (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups![0].storedBytes;
    assert.equal(await stored(), 'fresh'.length);
    clock.advance(DAY);
    assert.deepEqual(await read(), [], 'a day later the fresh event has expired too');
    assert.equal(await stored(), 0);
    const out = await put('s', [{ timestamp: clock.now() - 2 * DAY, message: 'expired' }, { timestamp: clock.now(), message: 'new' }], {}, group);
    assert.deepEqual(out.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
    assert.deepEqual(await read(), ['new']);
  });
});
