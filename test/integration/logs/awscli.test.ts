/** CloudWatch Logs through both AWS CLIs: what `aws logs …` users type. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`aws logs through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const G = `/cli/${name}`;
    const t0 = Date.now() - 10_000;
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['logs', ...args]);
      assert.equal(r.code, 0, `aws logs ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('create-log-group, create-log-stream and put-log-events store events', async () => {
      await run(['create-log-group', '--log-group-name', G]);
      await run(['create-log-stream', '--log-group-name', G, '--log-stream-name', 'app/web/1']);
      const events = JSON.stringify([1, 2, 3].map((i) => ({ timestamp: t0 + i, message: i === 2 ? `ERROR line ${i}` : `line ${i}` })));
      const out = await run(['put-log-events', '--log-group-name', G, '--log-stream-name', 'app/web/1', '--log-events', events]);
      assert.ok(out.nextSequenceToken);
    });

    it('get-log-events returns the events with forward and backward tokens', async () => {
      const out = await run(['get-log-events', '--log-group-name', G, '--log-stream-name', 'app/web/1', '--start-from-head']);
      assert.deepEqual(out.events.map((e: { message: string }) => e.message), ['line 1', 'ERROR line 2', 'line 3']);
      assert.match(out.nextForwardToken, /^f\//);
      assert.match(out.nextBackwardToken, /^b\//);
      const again = await run(['get-log-events', '--log-group-name', G, '--log-stream-name', 'app/web/1', '--next-token', out.nextForwardToken]);
      assert.deepEqual(again.events, []);
      assert.equal(again.nextForwardToken, out.nextForwardToken, 'at the end the same token comes back');
    });

    it('filter-log-events applies a filter pattern', async () => {
      const out = await run(['filter-log-events', '--log-group-name', G, '--filter-pattern', 'ERROR']);
      assert.deepEqual(out.events.map((e: { message: string; logStreamName: string }) => [e.logStreamName, e.message]), [['app/web/1', 'ERROR line 2']]);
    });

    it('describe-log-streams and describe-log-groups show what was created', async () => {
      const streams = await run(['describe-log-streams', '--log-group-name', G, '--order-by', 'LastEventTime', '--descending']);
      assert.equal(streams.logStreams[0].logStreamName, 'app/web/1');
      assert.equal(streams.logStreams[0].lastEventTimestamp, t0 + 3);
      const groups = await run(['describe-log-groups', '--log-group-name-prefix', G]);
      assert.equal(groups.logGroups[0].arn, `arn:aws:logs:us-east-1:000000000000:log-group:${G}:*`);
    });

    it('a missing group is reported as ResourceNotFoundException', async () => {
      const r = await aws(name, berth.endpoint, ['logs', 'get-log-events', '--log-group-name', '/nope', '--log-stream-name', 'x']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ResourceNotFoundException.*The specified log group does not exist/);
    });

    if (name === 'v2') {
      it('aws logs tail prints the group’s events', async () => {
        const r = await aws(name, berth.endpoint, ['logs', 'tail', G, '--since', '1h', '--format', 'short']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /line 1\n.*ERROR line 2\n.*line 3/);
      });
    }
  });
}
