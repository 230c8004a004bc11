/**
 * The constraint failures seen from real clients, through both AWS CLIs (awscli v1 on
 * botocore 1.43 and Debian's awscli v2): out-of-enum ECS values are refused before
 * anything is stored or looked up, CloudWatch Logs quotes numbers and refuses an ARN
 * ending in ":*" as the model's pattern does.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../helpers/cli.js';

const LAUNCH_TYPES = '[EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]';

/** The CLI failed with this error code on this operation, and its message is `message` (awscli v2 adds its retry count). */
function failsWith(r: { code: number; stderr: string }, code: string, op: string, message: string) {
  assert.notEqual(r.code, 0);
  const line = r.stderr.trim().split('\n').pop() ?? '';
  const m = /^An error occurred \((\w+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)$/.exec(line);
  assert.ok(m, r.stderr);
  assert.deepEqual([m[1], m[2], m[3]], [code, op, message]);
}

for (const cli of ['v1', 'v2'] as CliName[]) {
  describe(`model constraints through ${CLIS[cli].name}`, { skip: !cliAvailable(cli) && `${CLIS[cli].cmd} not installed` }, () => {
    const berth = useBerth();
    const run = (args: string[]) => aws(cli, berth.endpoint, args);

    it('CreateService with launchType SOMETHING and schedulingStrategy WHATEVER is InvalidParameterException and stores nothing', async () => {
      await run(['ecs', 'create-cluster', '--cluster-name', 'c']);
      const r = await run(['ecs', 'create-service', '--cluster', 'c', '--service-name', 's', '--task-definition', 'td',
        '--launch-type', 'SOMETHING', '--scheduling-strategy', 'WHATEVER']);
      failsWith(r, 'InvalidParameterException', 'CreateService', '2 validation errors detected: ' +
        `Value 'SOMETHING' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: ${LAUNCH_TYPES}; ` +
        "Value 'WHATEVER' at 'schedulingStrategy' failed to satisfy constraint: Member must satisfy enum value set: [REPLICA, DAEMON]");
      const list = await run(['ecs', 'list-services', '--cluster', 'c']);
      assert.deepEqual(list.json?.serviceArns, []);
    });

    it('RunTask on a cluster that does not exist with launchType Fargate is the enum failure, not ClusterNotFoundException', async () => {
      const r = await run(['ecs', 'run-task', '--cluster', 'nope', '--task-definition', 'td', '--launch-type', 'Fargate']);
      failsWith(r, 'InvalidParameterException', 'RunTask',
        `1 validation error detected: Value 'Fargate' at 'launchType' failed to satisfy constraint: Member must satisfy enum value set: ${LAUNCH_TYPES}`);
    });

    it("DescribeLogGroups with limit 51 says Value '51'", async () => {
      const r = await run(['logs', 'describe-log-groups', '--limit', '51']);
      failsWith(r, 'InvalidParameterException', 'DescribeLogGroups',
        "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
    });

    it('DescribeLogStreams refuses a log-group ARN ending in :* and accepts it without', async () => {
      await run(['logs', 'create-log-group', '--log-group-name', 'g']);
      const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:g';
      const bad = await run(['logs', 'describe-log-streams', '--log-group-identifier', `${arn}:*`]);
      failsWith(bad, 'InvalidParameterException', 'DescribeLogStreams',
        `1 validation error detected: Value '${arn}:*' at 'logGroupIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w#+=/:,.@-]*`);
      const good = await run(['logs', 'describe-log-streams', '--log-group-identifier', arn]);
      assert.equal(good.code, 0, good.stderr);
      assert.deepEqual(good.json?.logStreams, []);
    });
  });
}
