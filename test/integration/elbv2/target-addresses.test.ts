/**
 * Traffic never leaves the machine: targets registered at addresses Berth
 * does not own (an invented ENI address, another network's host) get no
 * health check and no request, on any path that connects to a target — the
 * listener port's HTTP fast path, node:http on Berth's main port, WebSocket,
 * an NLB's TCP, the health checker — and DescribeTargetHealth says why.
 * Every socket this process opens is watched; one to an address outside
 * 127.0.0.0/8 is recorded and refused (never sent). Berth serves listener
 * ports in this process (BERTH_LB_WORKERS=0) so that the watch sees them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import {
  ElasticLoadBalancingV2Client, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand,
  DescribeTargetHealthCommand, RegisterTargetsCommand, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { isLoopback } from '../../../src/shared/loopback.js';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../../helpers/elbv2.js';

/** Connection attempts to anything but loopback, as host:port (refused before a packet leaves). */
const offMachine: string[] = [];
const originalConnect = net.Socket.prototype.connect;

function watchConnections(): void {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect and http/tls pass [options, callback] as one array; a direct call passes (options | port, host?).
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const opts = (typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }) as { host?: string; port?: number; path?: string };
    const host = opts.host ?? 'localhost';
    // Only a unix socket has no port (http.request's options carry a path too: its URL path, or null).
    const ipc = opts.port === undefined && typeof opts.path === 'string';
    if (!ipc && host !== 'localhost' && !isLoopback(host)) {
      offMachine.push(`${host}:${opts.port}`);
      process.nextTick(() => this.destroy(Object.assign(new Error(`the test refused a connection to ${host}`), { code: 'ECONNREFUSED' })));
      return this;
    }
    return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof originalConnect;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

describe('load balancer targets outside the machine', () => {
  before(async () => {
    watchConnections();
  });
  after(async () => {
    net.Socket.prototype.connect = originalConnect;
  });
  const berth = useBerth({ runtime: 'fake', lbWorkers: 0, clients: { elb: ElasticLoadBalancingV2Client } });
  let alb: LoadBalancer;
  let web: TargetGroup;
  let nowhere: TargetGroup;
  let tcp: TargetGroup;
  let listenerPort: number;
  let nlbPort: number;
  let backend: Backend;
  let echo: net.Server;
  let echoPort: number;

  const health = async (tg: TargetGroup) => (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
  const checks = { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 };

  before(async () => {
    const { vpcId, ids: subnetIds } = await defaultSubnets(berth.endpoint);
    backend = await startBackend('local');
    backend.server.on('upgrade', (req, socket) => {
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${WS_GUID}`).digest('base64');
      socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
    echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoPort = (echo.address() as net.AddressInfo).port;

    const group = async (Name: string, Protocol: 'HTTP' | 'TCP', Targets: { Id: string; Port: number }[]) => {
      const tg = (await berth.elb.send(new CreateTargetGroupCommand({
        Name, Protocol, Port: 80, VpcId: vpcId, TargetType: 'ip', ...checks, ...(Protocol === 'HTTP' ? { HealthCheckPath: '/health' } : {}),
      }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets }));
      return tg;
    };
    // An ENI address Berth invents for awsvpc tasks, and a host on some other network.
    web = await group('web', 'HTTP', [{ Id: '127.0.0.1', Port: backend.port }, { Id: '172.31.15.29', Port: 80 }, { Id: '10.0.0.7', Port: 8080 }]);
    nowhere = await group('nowhere', 'HTTP', [{ Id: '172.31.40.2', Port: 80 }]);
    tcp = await group('tcp', 'TCP', [{ Id: '127.0.0.1', Port: echoPort }, { Id: '10.1.2.3', Port: echoPort }]);

    alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnetIds.slice(0, 2) }))).LoadBalancers![0];
    listenerPort = await freePort();
    const listener = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: listenerPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0];
    await berth.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/nowhere/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: nowhere.TargetGroupArn }],
    }));
    const nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network', Subnets: subnetIds.slice(0, 1) }))).LoadBalancers![0];
    nlbPort = await freePort();
    await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: nlbPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }] }));
    // The listener binds just after CreateListener answers.
    await eventually(async () => (await request(listenerPort, '/ready').catch(() => undefined))?.status === 200);
  });

  after(async () => {
    await backend.close();
    echo.close();
  });

  it('HTTP on the listener port (fast path) and on the main port by Host (node:http) reaches only the loopback target', async () => {
    for (let i = 0; i < 12; i++) {
      const direct = await request(listenerPort, `/direct/${i}`);
      assert.deepEqual([direct.status, direct.body], [200, `local /direct/${i}`]);
      const byHost = await request(berth.port, `/host/${i}`, { host: alb.DNSName });
      assert.deepEqual([byHost.status, byHost.body], [200, `local /host/${i}`]);
    }
  });

  it('a target group with no target Berth can reach answers 503, as one with no healthy target to try', async () => {
    assert.equal((await request(listenerPort, '/nowhere/a')).status, 503);
    assert.equal((await request(berth.port, '/nowhere/a', { host: alb.DNSName })).status, 503);
  });

  it('WebSocket upgrades on either port reach only the loopback target', async () => {
    const upgrade = (port: number, host?: string) => new Promise<number>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port, path: '/ws', agent: false,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-version': '13', ...(host ? { host } : {}) },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode!);
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    for (let i = 0; i < 6; i++) {
      assert.equal(await upgrade(listenerPort), 101);
      assert.equal(await upgrade(berth.port, alb.DNSName), 101);
    }
  });

  it('TCP through a network load balancer reaches only the loopback target', async () => {
    for (let i = 0; i < 8; i++) {
      const reply = await new Promise<string>((resolve, reject) => {
        const s = net.connect(nlbPort, '127.0.0.1', () => s.write(`ping ${i}`));
        s.once('data', (d) => {
          resolve(d.toString());
          s.destroy();
        });
        s.on('error', reject);
      });
      assert.equal(reply, `ping ${i}`);
    }
  });

  it('DescribeTargetHealth: unreachable targets are unhealthy (Target.FailedHealthChecks, saying why), the loopback ones healthy', async () => {
    const settled = await eventually(async () => {
      const all = [...await health(web), ...await health(nowhere), ...await health(tcp)];
      return all.every((d) => d.TargetHealth?.State === 'healthy' || d.TargetHealth?.State === 'unhealthy') && all;
    }, 40_000, 500);
    const byTarget = Object.fromEntries(settled.map((d) => [`${d.Target!.Id}:${d.Target!.Port}`, d.TargetHealth!]));
    assert.deepEqual(byTarget[`127.0.0.1:${backend.port}`], { State: 'healthy' });
    assert.deepEqual(byTarget[`127.0.0.1:${echoPort}`], { State: 'healthy' });
    for (const key of ['172.31.15.29:80', '10.0.0.7:8080', '172.31.40.2:80', `10.1.2.3:${echoPort}`]) {
      assert.equal(byTarget[key]?.State, 'unhealthy', key);
      assert.equal(byTarget[key]?.Reason, 'Target.FailedHealthChecks', key);
      assert.match(byTarget[key]?.Description ?? '', new RegExp(`^Health checks failed: .*${key.replace(/\./g, '\\.')}.*Berth connects only to`), key);
    }
  });

  it('no health check or request ever went to an address outside 127.0.0.0/8', () => {
    assert.deepEqual(offMachine, []);
  });
});
