/**
 * Load balancers survive Berth: killed with kill -9 and restarted on the same
 * data dir, the listeners answer again on the same ports (also one that had
 * to fall back to another port), targets keep their health and checks resume.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, CreateListenerCommand,
  RegisterTargetsCommand, DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig, REPO_ROOT, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

describe('load balancers across a Berth crash and restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-elb-restart-'));
  let berth: SpawnedBerth | undefined;
  let backend: Backend | undefined;
  let blocker: net.Server | undefined;
  after(async () => {
    await berth?.stop();
    await backend?.close();
    blocker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listeners rebind on their ports and targets stay healthy after kill -9', async () => {
    backend = await startBackend('app', (req, res) => res.end(req.url === '/health' ? 'ok' : 'app'));
    berth = await spawnBerth(['--data-dir', dir]);
    let elb = new ElasticLoadBalancingV2Client(clientConfig(berth.endpoint));
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'durable', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    const tg = (await elb.send(new CreateTargetGroupCommand({
      Name: 'durable', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2,
    }))).TargetGroups![0];
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }] }));
    const port = await freePort();
    const forward = [{ Type: 'forward' as const, TargetGroupArn: tg.TargetGroupArn }];
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward }));

    // A second listener whose port is taken: Berth binds another and says where.
    blocker = net.createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as net.AddressInfo).port;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: taken, DefaultActions: forward }));
    const bound = async (endpoint: string) => {
      const out = await (await fetch(`${endpoint}/_berth/load-balancers`)).json() as { loadBalancers: { listeners: { port: number; boundPort: number | null }[] }[] };
      return new Map(out.loadBalancers[0].listeners.map((l) => [l.port, l.boundPort]));
    };
    const fallback = await eventually(async () => (await bound(berth!.endpoint)).get(taken));
    assert.notEqual(fallback, taken);
    assert.equal((await request(fallback, '/')).body, 'app');
    const status = await promisify(execFile)(process.execPath, ['bin/berth.js', 'status', '--endpoint', berth.endpoint], { cwd: REPO_ROOT });
    assert.match(status.stdout, new RegExp(`HTTP ${taken} → http://${lb.DNSName}:${fallback}/ \\(port ${taken} was taken or not permitted\\)`));

    const healthy = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth?.State === 'healthy';
    await eventually(healthy);
    assert.equal((await request(port, '/')).body, 'app');

    await berth.kill9();
    elb.destroy();
    await assert.rejects(request(port, '/'), 'nothing listens while Berth is down');

    berth = await spawnBerth(['--data-dir', dir]);
    elb = new ElasticLoadBalancingV2Client(clientConfig(berth.endpoint));
    assert.equal(await healthy(), true, 'health recorded before the crash is still there');
    const back = await eventually(async () => (await request(port, '/').catch(() => undefined))?.body);
    assert.equal(back, 'app');
    assert.equal((await request(berth.port, '/', { host: lb.DNSName })).body, 'app');
    assert.equal((await bound(berth.endpoint)).get(taken), fallback, 'the fallback port is reused');
    assert.equal((await request(fallback, '/')).body, 'app');

    // Checks resume: stopping the backend turns the target unhealthy.
    await backend.close();
    backend = undefined;
    await eventually(async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth?.State === 'unhealthy');
    elb.destroy();
  });
});
