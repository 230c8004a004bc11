/**
 * Traffic through Berth's load balancers to real backends (HTTP servers in
 * this process on 127.0.0.1, registered as ip targets): through each
 * listener's own port, through Berth's main port by the load balancer's DNS
 * name as Host, and with curl resolving the DNS name itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, CreateListenerCommand, CreateRuleCommand,
  RegisterTargetsCommand, DescribeTargetGroupsCommand, ModifyTargetGroupAttributesCommand, type LoadBalancer, type TargetGroup, type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../helpers/use-berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function wsFrame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.from([0x81, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

function wsText(frame: Buffer): string {
  const masked = (frame[1] & 0x80) !== 0;
  const len = frame[1] & 0x7f;
  const key = masked ? frame.subarray(2, 6) : undefined;
  const data = frame.subarray(masked ? 6 : 2, (masked ? 6 : 2) + len);
  return Buffer.from(key ? data.map((b, i) => b ^ key[i % 4]) : data).toString('utf8');
}

describe('load balancer data plane with real backends', () => {
  const berth = useBerth({ clients: { elb: ElasticLoadBalancingV2Client } });
  let vpcId: string;
  let subnetIds: string[];
  let alb: LoadBalancer;
  let listener: Listener;
  let port: number;
  const backends: Backend[] = [];
  const servers: net.Server[] = [];

  const targetGroup = async (Name: string, members: Backend[], Protocol: 'HTTP' | 'TCP' = 'HTTP'): Promise<TargetGroup> => {
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({
      Name, Protocol, Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2,
      ...(Protocol === 'HTTP' ? { HealthCheckPath: '/health' } : {}),
    }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: members.map((b) => ({ Id: '127.0.0.1', Port: b.port })) }));
    return tg;
  };

  before(async () => {
    ({ vpcId, ids: subnetIds } = await defaultSubnets(berth.endpoint));
    for (const name of ['a', 'b', 'c', 'api', 'admin']) backends.push(await startBackend(name));
    const [a, b, c, api, admin] = backends;
    const web = await targetGroup('web', [a, b, c]);
    const apiTg = await targetGroup('api', [api]);
    const adminTg = await targetGroup('admin', [admin]);
    alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnetIds.slice(0, 2) }))).LoadBalancers![0];
    port = await freePort();
    listener = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0];
    const rule = (Priority: number, Conditions: any, Actions: any) => berth.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority, Conditions, Actions }));
    await rule(1, [{ Field: 'path-pattern', Values: ['/api/*'] }], [{ Type: 'forward', TargetGroupArn: apiTg.TargetGroupArn }]);
    await rule(2, [{ Field: 'host-header', Values: ['admin.example.com'] }], [{ Type: 'forward', TargetGroupArn: adminTg.TargetGroupArn }]);
    await rule(3, [{ Field: 'path-pattern', Values: ['/ping'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'pong' } }]);
    await rule(4, [{ Field: 'path-pattern', Values: ['/old/*'] }], [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }]);
    await rule(5, [{ Field: 'path-pattern', Values: ['/gone'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '410' } }]);
  });

  after(async () => {
    for (const b of backends) await b.close();
    for (const s of servers) s.close();
  });

  it('the listener port round-robins requests across the registered targets', async () => {
    // Each data plane worker balances on its own (as each ELB node does): together they spread requests evenly.
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await request(port, '/')).body.split(' ')[0]);
    assert.deepEqual(seen.sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it("Berth's main port routes by the load balancer's DNS name in Host", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) seen.add((await request(berth.port, '/', { host: `${alb.DNSName}:${berth.port}` })).body.split(' ')[0]);
    assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
  });

  it("curl reaches the load balancer by its DNS name, on the listener port and on Berth's port", async () => {
    const curl = async (url: string) => (await promisify(execFile)('curl', ['-s', '--max-time', '5', url])).stdout;
    assert.match(await curl(`http://${alb.DNSName}:${port}/hello`), /^[abc] \/hello$/);
    assert.match(await curl(`http://${alb.DNSName}:${berth.port}/hello`), /^[abc] \/hello$/);
  });

  it('path-pattern and host-header rules send requests to their own target groups', async () => {
    assert.equal((await request(port, '/api/users')).body, 'api /api/users');
    assert.equal((await request(port, '/', { host: 'admin.example.com' })).body, 'admin /');
    assert.equal((await request(berth.port, '/api/x', { host: alb.DNSName })).body, 'api /api/x');
  });

  it('fixed-response and redirect actions are answered by the load balancer', async () => {
    const ping = await request(port, '/ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.body, 'pong');
    assert.equal(ping.headers['content-type'], 'text/plain');
    assert.equal(ping.headers.server, 'awselb/2.0');
    const gone = await request(port, '/gone');
    assert.equal(gone.status, 410);
    const moved = await request(port, '/old/page?x=1', { host: `shop.example.com:${port}` });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, `http://shop.example.com:${port}/new/old/page?x=1`);
  });

  it('the backend sees X-Forwarded-For, -Proto, -Port and an X-Amzn-Trace-Id', async () => {
    const api = backends[3];
    await request(port, '/api/headers', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    const h = api.seen[api.seen.length - 1];
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], String(port));
    assert.match(String(h['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(h.host, `127.0.0.1:${port}`);
    await request(port, '/api/trace', { headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' } });
    assert.match(String(api.seen[api.seen.length - 1]['x-amzn-trace-id']), /^Self=1-[0-9a-f]{8}-[0-9a-f]{24};Root=1-5759e988-bd862e3fe1be46a994272793$/);
  });

  it('weighted target groups split traffic by weight, and group stickiness pins a client to one group', async () => {
    const [, , , api, admin] = backends;
    const [apiTg, adminTg] = await Promise.all(['api', 'admin'].map(async (name) =>
      (await berth.elb.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups![0]));
    await berth.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 40, Conditions: [{ Field: 'path-pattern', Values: ['/weighted'] }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: apiTg.TargetGroupArn, Weight: 0 }, { TargetGroupArn: adminTg.TargetGroupArn, Weight: 5 }] } }],
    }));
    for (let i = 0; i < 5; i++) assert.equal((await request(port, '/weighted')).body, 'admin /weighted');
    await berth.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 41, Conditions: [{ Field: 'path-pattern', Values: ['/sticky-groups'] }],
      Actions: [{ Type: 'forward', ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: apiTg.TargetGroupArn, Weight: 1 }, { TargetGroupArn: adminTg.TargetGroupArn, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
      } }],
    }));
    const first = await request(port, '/sticky-groups');
    const cookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('AWSALBTG='))!.split(';')[0];
    for (let i = 0; i < 5; i++) assert.equal((await request(port, '/sticky-groups', { headers: { cookie } })).body, first.body);
    assert.ok([api.name, admin.name].includes(first.body.split(' ')[0]));
  });

  it('lb_cookie stickiness sends a client back to the same target', async () => {
    const web = (await berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['web'] }))).TargetGroups![0];
    await berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'stickiness.enabled', Value: 'true' }] }));
    const first = await eventually(async () => {
      const r = await request(port, '/sticky');
      return r.headers['set-cookie']?.some((c) => c.startsWith('AWSALB=')) && r;
    }, 5000, 100);
    const cookie = first.headers['set-cookie']!.find((c) => c.startsWith('AWSALB='))!.split(';')[0];
    assert.ok(first.headers['set-cookie']!.some((c) => c.startsWith('AWSALBCORS=')));
    for (let i = 0; i < 5; i++) assert.equal((await request(port, '/sticky', { headers: { cookie } })).body, first.body);
    await berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'stickiness.enabled', Value: 'false' }] }));
  });

  it('a listener with no registered targets answers 503, and a dead target 502', async () => {
    const empty = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'empty', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await berth.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/empty'] }], Actions: [{ Type: 'forward', TargetGroupArn: empty.TargetGroupArn }] }));
    const r = await request(port, '/empty');
    assert.equal(r.status, 503);
    assert.match(r.body, /503 Service Temporarily Unavailable/);
    const dead = await freePort();
    const deadTg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'dead', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: deadTg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: dead }] }));
    await berth.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 11, Conditions: [{ Field: 'path-pattern', Values: ['/dead'] }], Actions: [{ Type: 'forward', TargetGroupArn: deadTg.TargetGroupArn }] }));
    const d = await request(port, '/dead');
    assert.equal(d.status, 502);
    assert.match(d.body, /502 Bad Gateway/);
  });

  it('request and response bodies stream through without being buffered', async () => {
    const streamer = await startBackend('stream', (req, res) => {
      if (req.method === 'POST') {
        const hash = createHash('sha256');
        let size = 0;
        req.on('data', (c: Buffer) => { hash.update(c); size += c.length; });
        req.on('end', () => res.end(`${size} ${hash.digest('hex')}`));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write('first-chunk;');
      setTimeout(() => res.end('last-chunk'), 800);
    });
    backends.push(streamer);
    const tg = await targetGroup('stream', [streamer]);
    await berth.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 20, Conditions: [{ Field: 'path-pattern', Values: ['/stream*'] }], Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));

    // 48 MiB up, chunked, hashed by the backend as it arrives.
    const expected = createHash('sha256');
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/stream/up', method: 'POST', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      let sent = 0;
      const chunk = randomBytes(1024 * 1024);
      const pump = () => {
        while (sent < 48) {
          expected.update(chunk);
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(answer, `${48 * 1024 * 1024} ${expected.digest('hex')}`);

    // The first chunk arrives long before the backend finishes the response.
    const started = Date.now();
    const timing = await new Promise<{ first: number; total: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/stream/down', agent: false }, (res) => {
        let first = -1;
        let body = '';
        res.on('data', (c) => {
          if (first < 0) first = Date.now() - started;
          body += c;
        });
        res.on('end', () => resolve({ first, total: Date.now() - started, body }));
      }).on('error', reject);
    });
    assert.equal(timing.body, 'first-chunk;last-chunk');
    assert.ok(timing.first < 500, `first byte after ${timing.first} ms`);
    assert.ok(timing.total >= 750, `whole body after ${timing.total} ms`);
  });

  it('keeps client connections alive across requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          ports.add(res.socket.localPort!);
          res.resume();
          res.on('end', () => resolve());
        }).on('error', reject);
      });
    }
    agent.destroy();
    assert.equal(ports.size, 1);
  });

  it('WebSocket upgrades pass through to the target, on the listener port and the main port', async () => {
    const ws = await startBackend('ws');
    ws.server.on('upgrade', (req, socket) => {
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}${WS_GUID}`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(wsFrame(`echo: ${wsText(d)}`, false)));
    });
    backends.push(ws);
    const tg = await targetGroup('ws', [ws]);
    await berth.elb.send(new CreateRuleCommand({ ListenerArn: listener.ListenerArn, Priority: 30, Conditions: [{ Field: 'path-pattern', Values: ['/ws'] }], Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
    const talk = (p: number, host?: string) => new Promise<string>((resolve, reject) => {
      const key = randomBytes(16).toString('base64');
      const req = http.request({
        host: '127.0.0.1', port: p, path: '/ws', agent: false,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...(host ? { host } : {}) },
      });
      req.on('upgrade', (res, socket) => {
        assert.equal(res.headers['sec-websocket-accept'], createHash('sha1').update(`${key}${WS_GUID}`).digest('base64'));
        socket.once('data', (d: Buffer) => {
          resolve(wsText(d));
          socket.destroy();
        });
        socket.write(wsFrame('hello', true));
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    assert.equal(await talk(port), 'echo: hello');
    assert.equal(await talk(berth.port, alb.DNSName), 'echo: hello');
  });

  it('a network load balancer forwards TCP to its targets', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    servers.push(echo);
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const echoPort = (echo.address() as net.AddressInfo).port;
    const nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network', Subnets: subnetIds.slice(0, 1) }))).LoadBalancers![0];
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'echo', Protocol: 'TCP', Port: echoPort, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1' }] }));
    const nlbPort = await freePort();
    await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: nlbPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(nlbPort, '127.0.0.1', () => s.write('ping over tcp'));
      s.once('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
      s.on('error', reject);
    });
    assert.equal(reply, 'ping over tcp');
  });

  it('/_berth/load-balancers reports each listener and where it is bound', async () => {
    const out = await (await fetch(`${berth.endpoint}/_berth/load-balancers`)).json() as { loadBalancers: any[] };
    const web = out.loadBalancers.find((l) => l.name === 'web');
    assert.equal(web.dnsName, alb.DNSName);
    assert.equal(web.mainPortUrl, `http://${alb.DNSName}:${berth.port}/`);
    assert.deepEqual(web.listeners.map((l: any) => [l.port, l.boundPort]), [[port, port]]);
  });
});
