/**
 * EventBridge's API (JSON 1.1, target AWSEvents) through awscli 2.9 and through boto3 (botocore 1.43, what awscli v1
 * speaks too; one Python process rather than a CLI call per request): buses, rules, targets, PutEvents,
 * TestEventPattern, tags, and the refusals AWS answers. Each test is written once, in the CLI's arguments.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boto3, type Boto3 } from '../../helpers/boto3.js';
import { aws, CLIS, cliAvailable } from '../../helpers/cli.js';
import { useBerth } from '../../helpers/use-berth.js';

for (const name of ['v2', 'boto3'] as const) {
  const label = name === 'v2' ? CLIS.v2.name : 'boto3';
  describe(`aws events through ${label}`, { skip: name === 'v2' && !cliAvailable('v2') && `${CLIS.v2.name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    let b: Boto3 | undefined;
    if (name === 'boto3') {
      before(() => { b = boto3(berth.endpoint); });
      after(() => b?.close());
    }
    const run = async (args: string[]) => {
      if (b) return b.cli('events', args);
      const r = await aws('v2', berth.endpoint, ['events', ...args]);
      assert.equal(r.code, 0, `aws events ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };
    const fails = async (args: string[], code: string, message?: RegExp) => {
      if (b) return b.cliFails('events', args, code, message);
      const r = await aws('v2', berth.endpoint, ['events', ...args]);
      assert.notEqual(r.code, 0, `aws events ${args.join(' ')} should fail`);
      assert.match(r.stderr, new RegExp(`\\(${code}\\)`), r.stderr);
      if (message) assert.match(r.stderr, message);
    };

    it('the default bus exists; custom buses are created, described, listed and deleted', async () => {
      const d = await run(['describe-event-bus']);
      assert.equal(d.Name, 'default');
      assert.equal(d.Arn, 'arn:aws:events:us-east-1:000000000000:event-bus/default');
      // awscli 2.9's model predates bus descriptions.
      const description = name === 'v2' ? [] : ['--description', 'orders'];
      const created = await run(['create-event-bus', '--name', `orders-${name}`, ...description, '--tags', JSON.stringify([{ Key: 'team', Value: 'a' }])]);
      assert.equal(created.EventBusArn, `arn:aws:events:us-east-1:000000000000:event-bus/orders-${name}`);
      await fails(['create-event-bus', '--name', `orders-${name}`], 'ResourceAlreadyExistsException', /already exists/);
      const listed = await run(['list-event-buses', '--name-prefix', 'orders-']);
      assert.deepEqual(listed.EventBuses.map((b: { Name: string }) => b.Name), [`orders-${name}`]);
      assert.equal((await run(['describe-event-bus', '--name', created.EventBusArn])).Description, name === 'v2' ? undefined : 'orders');
      assert.deepEqual((await run(['list-tags-for-resource', '--resource-arn', created.EventBusArn])).Tags, [{ Key: 'team', Value: 'a' }]);
      await run(['delete-event-bus', '--name', `orders-${name}`]);
      await fails(['describe-event-bus', '--name', `orders-${name}`], 'ResourceNotFoundException', /does not exist/);
      await fails(['delete-event-bus', '--name', 'default'], 'ValidationException');
    });

    it('put-rule with a pattern or a schedule; describe, list with pagination, enable and disable', async () => {
      const pattern = JSON.stringify({ source: ['my.app'], detail: { status: [{ prefix: 'fail' }] } });
      const { RuleArn } = await run(['put-rule', '--name', `r1-${name}`, '--event-pattern', pattern, '--description', 'first']);
      assert.equal(RuleArn, `arn:aws:events:us-east-1:000000000000:rule/r1-${name}`);
      await run(['put-rule', '--name', `r2-${name}`, '--schedule-expression', 'rate(5 minutes)', '--state', 'DISABLED']);
      await run(['put-rule', '--name', `r3-${name}`, '--schedule-expression', 'cron(0 12 * * ? *)']);
      const r1 = await run(['describe-rule', '--name', `r1-${name}`]);
      assert.deepEqual(
        { Name: r1.Name, EventPattern: r1.EventPattern, State: r1.State, EventBusName: r1.EventBusName, CreatedBy: r1.CreatedBy },
        { Name: `r1-${name}`, EventPattern: pattern, State: 'ENABLED', EventBusName: 'default', CreatedBy: '000000000000' },
      );
      const page1 = await run(['list-rules', '--name-prefix', `r`, '--limit', '2']);
      assert.equal(page1.Rules.length, 2);
      assert.ok(page1.NextToken);
      const page2 = await run(['list-rules', '--name-prefix', `r`, '--limit', '2', '--next-token', page1.NextToken]);
      const names = [...page1.Rules, ...page2.Rules].map((r: { Name: string }) => r.Name).filter((n: string) => n.endsWith(`-${name}`));
      assert.deepEqual(names, [`r1-${name}`, `r2-${name}`, `r3-${name}`]);
      await run(['enable-rule', '--name', `r2-${name}`]);
      assert.equal((await run(['describe-rule', '--name', `r2-${name}`])).State, 'ENABLED');
      await run(['disable-rule', '--name', `r1-${name}`]);
      assert.equal((await run(['describe-rule', '--name', `r1-${name}`])).State, 'DISABLED');
      await fails(['describe-rule', '--name', 'nope'], 'ResourceNotFoundException', /Rule nope does not exist on EventBus default/);
      await fails(['put-rule', '--name', 'bad', '--event-pattern', '{"source": "x"}'], 'InvalidEventPatternException', /Event pattern is not valid/);
      await fails(['put-rule', '--name', 'bad', '--schedule-expression', 'rate(1 minutes)'], 'ValidationException', /ScheduleExpression is not valid/);
      await fails(['put-rule', '--name', 'bad'], 'ValidationException', /EventPattern or ScheduleExpression/);
    });

    it('targets: put, list, list rule names by target, remove; a rule with targets is not deleted', async () => {
      const rule = `t-${name}`;
      await run(['put-rule', '--name', rule, '--event-pattern', '{"source":["my.app"]}']);
      const queue = `arn:aws:sqs:us-east-1:000000000000:q-${name}`;
      const put = await run(['put-targets', '--rule', rule, '--targets', JSON.stringify([
        { Id: 'q', Arn: queue, InputPath: '$.detail' },
        { Id: 'lambda', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' },
      ])]);
      assert.equal(put.FailedEntryCount, 1);
      assert.equal(put.FailedEntries[0].TargetId, 'lambda');
      assert.match(put.FailedEntries[0].ErrorMessage, /does not deliver to targets of lambda/);
      const listed = await run(['list-targets-by-rule', '--rule', rule]);
      assert.deepEqual(listed.Targets, [{ Id: 'q', Arn: queue, InputPath: '$.detail' }]);
      assert.deepEqual((await run(['list-rule-names-by-target', '--target-arn', queue])).RuleNames, [rule]);
      await fails(['put-targets', '--rule', rule, '--targets', JSON.stringify([{ Id: 'x', Arn: queue, Input: '{}', InputPath: '$' }])],
        'ValidationException', /Only one of Input, InputPath, or InputTransformer/);
      await fails(['put-targets', '--rule', rule, '--targets', JSON.stringify([{ Id: 'f', Arn: `${queue}.fifo` }])], 'ValidationException', /SqsParameters/);
      await fails(['put-targets', '--rule', rule, '--targets', JSON.stringify([{ Id: 'self', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' }])],
        'ValidationException', /own event bus/);
      await fails(['delete-rule', '--name', rule], 'ValidationException', /has targets/);
      const removed = await run(['remove-targets', '--rule', rule, '--ids', '["q"]']);
      assert.equal(removed.FailedEntryCount, 0);
      await run(['delete-rule', '--name', rule]);
      await fails(['describe-rule', '--name', rule], 'ResourceNotFoundException');
    });

    it('put-events: per-entry results and FailedEntryCount', async () => {
      const entries = [
        { Source: 'my.app', DetailType: 'Order Placed', Detail: JSON.stringify({ id: 1 }) },
        { Source: 'my.app', DetailType: 'Order Placed', Detail: 'not json' },
        { Source: 'my.app', DetailType: 'Order Placed', Detail: '{}', EventBusName: 'missing' },
      ];
      const r = await run(['put-events', '--entries', JSON.stringify(entries)]);
      assert.equal(r.FailedEntryCount, 2);
      assert.match(r.Entries[0].EventId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(r.Entries[1], { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
      assert.equal(r.Entries[2].ErrorCode, 'ResourceNotFoundException');
      const tooMany = Array.from({ length: 11 }, () => entries[0]);
      await fails(['put-events', '--entries', JSON.stringify(tooMany)], 'ValidationException');
    });

    it('test-event-pattern', async () => {
      const event = JSON.stringify({
        id: '1', account: '000000000000', source: 'my.app', time: '2026-01-01T00:00:00Z', region: 'us-east-1', 'detail-type': 'x',
        resources: [], detail: { n: 7 },
      });
      assert.equal((await run(['test-event-pattern', '--event-pattern', '{"detail":{"n":[{"numeric":[">",5]}]}}', '--event', event])).Result, true);
      assert.equal((await run(['test-event-pattern', '--event-pattern', '{"detail":{"n":[{"numeric":["<",5]}]}}', '--event', event])).Result, false);
      await fails(['test-event-pattern', '--event-pattern', '{"detail":{"n":[{"numeric":"x"}]}}', '--event', event], 'InvalidEventPatternException');
    });

    it('archives, replays, connections, API destinations and endpoints answer 501 naming the operation', async () => {
      for (const args of [['list-archives'], ['list-replays'], ['list-connections'], ['list-api-destinations'], ['list-endpoints']]) {
        await fails(args, 'InternalFailure', /The operation List\w+ of service eventbridge is not implemented in Berth yet/);
      }
    });
  });
}
