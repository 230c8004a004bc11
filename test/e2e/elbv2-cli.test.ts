/**
 * The AWS CLIs (v2 and v1) drive Berth's ELBv2 as they would AWS: create a
 * load balancer, target group and listener, register a target, wait for the
 * load balancer, describe target health, and curl the DNS name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable, CLIS, type CliName } from '../helpers/cli.js';
import { eventually, freePort, startBackend, type Backend } from '../helpers/elbv2.js';

describe('ELBv2 through the AWS CLIs', () => {
  const berth = useBerth();
  let backend: Backend;
  before(async () => {
    backend = await startBackend('cli-app');
  });
  after(async () => {
    await backend.close();
  });

  for (const cli of ['v2', 'v1'] as CliName[]) {
    it(`${CLIS[cli].name} creates a load balancer, target group and listener and describes target health`, { skip: !cliAvailable(cli) && 'CLI not installed' }, async () => {
      const run = async (...args: string[]) => {
        const r = await aws(cli, berth.endpoint, args);
        assert.equal(r.code, 0, `aws ${args.join(' ')} failed: ${r.stderr}`);
        return r.json;
      };
      const subnets = await run('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true');
      const ids = subnets.Subnets.map((s: { SubnetId: string }) => s.SubnetId).slice(0, 2);
      const vpc = subnets.Subnets[0].VpcId;
      const name = `cli-${cli}`;
      const lb = (await run('elbv2', 'create-load-balancer', '--name', name, '--subnets', ...ids, '--tags', 'Key=via,Value=cli')).LoadBalancers[0];
      assert.equal(lb.State.Code, 'provisioning');
      await run('elbv2', 'wait', 'load-balancer-available', '--load-balancer-arns', lb.LoadBalancerArn);
      const tg = (await run('elbv2', 'create-target-group', '--name', name, '--protocol', 'HTTP', '--port', '80', '--vpc-id', vpc,
        '--target-type', 'ip', '--health-check-interval-seconds', '5', '--health-check-timeout-seconds', '2', '--healthy-threshold-count', '2')).TargetGroups[0];
      assert.equal(tg.HealthCheckIntervalSeconds, 5);
      await run('elbv2', 'register-targets', '--target-group-arn', tg.TargetGroupArn, '--targets', `Id=127.0.0.1,Port=${backend.port}`);
      const port = await freePort();
      const listener = (await run('elbv2', 'create-listener', '--load-balancer-arn', lb.LoadBalancerArn, '--protocol', 'HTTP', '--port', String(port),
        '--default-actions', `Type=forward,TargetGroupArn=${tg.TargetGroupArn}`)).Listeners[0];
      assert.equal(listener.Port, port);
      const health = await run('elbv2', 'describe-target-health', '--target-group-arn', tg.TargetGroupArn);
      assert.equal(health.TargetHealthDescriptions[0].Target.Port, backend.port);
      assert.ok(['initial', 'healthy'].includes(health.TargetHealthDescriptions[0].TargetHealth.State));
      // The waiter polls every 15 s: let the target turn healthy first so its first poll succeeds.
      await eventually(async () => (await run('elbv2', 'describe-target-health', '--target-group-arn', tg.TargetGroupArn))
        .TargetHealthDescriptions[0].TargetHealth.State === 'healthy', 30_000, 500);
      await run('elbv2', 'wait', 'target-in-service', '--target-group-arn', tg.TargetGroupArn);
      const described = await run('elbv2', 'describe-load-balancers', '--names', name);
      assert.equal(described.LoadBalancers[0].State.Code, 'active');
      const tags = await run('elbv2', 'describe-tags', '--resource-arns', lb.LoadBalancerArn);
      assert.deepEqual(tags.TagDescriptions[0].Tags, [{ Key: 'via', Value: 'cli' }]);
      const curl = await promisify(execFile)('curl', ['-s', '--max-time', '5', `http://${lb.DNSName}:${port}/from-curl`]);
      assert.equal(curl.stdout, 'cli-app /from-curl');

      const missing = await aws(cli, berth.endpoint, ['elbv2', 'describe-load-balancers', '--names', 'nope']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /LoadBalancerNotFound/);
    });
  }
});
