/**
 * HTTP/1.x on a listener port, beyond the everyday request: HTTP/1.0
 * clients, HEAD, pipelining, Expect: 100-continue, malformed requests, long
 * heads, slow and vanishing clients, targets that close idle connections and
 * responses framed by closing. The listener's data plane parses requests and
 * responses itself (src/lb/alb-connection.ts), so these are its contract.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientConfig } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { defaultSubnets, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';

/** Raw bytes to the listener, and everything it answers until it closes (or `waitMs` passes). */
function exchange(port: number, text: string, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
  });
}

const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

describe('HTTP/1.x through a listener port', () => {
  const berth = useBerth({ runtime: 'fake' });
  let backend: Backend;
  let port: number;

  before(async () => {
    backend = await startBackend('app', (req, res) => {
      const url = req.url ?? '/';
      if (url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (url === '/close') {
        // An HTTP/1.0-style response: no length, ended by closing the connection.
        res.socket!.write('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
        res.socket!.destroySoon();
      } else if (url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const block = Buffer.alloc(1 << 20, 97);
        let sent = 0;
        const pump = () => {
          while (sent < 32) {
            sent++;
            if (!res.write(block)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      } else if (req.method === 'POST') {
        let size = 0;
        req.on('data', (c: Buffer) => (size += c.length));
        req.on('end', () => res.end(`got ${size}`));
      } else if (url === '/headers') {
        res.end(JSON.stringify(req.headers));
      } else {
        res.setHeader('content-length', '2');
        res.end('ok');
      }
    });
    const elb = new ElasticLoadBalancingV2Client(clientConfig(berth.endpoint));
    const { vpcId, ids } = await defaultSubnets(berth.endpoint);
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'edge', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }] }));
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'edge', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    port = await freePort();
    await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }));
    elb.destroy();
    assert.equal((await request(port, '/')).body, 'ok');
  });
  after(async () => {
    await backend.close();
  });

  it('an HTTP/1.0 request without Host is answered and the connection closed; the target gets a Host', async () => {
    const out = await exchange(port, 'GET /headers HTTP/1.0\r\n\r\n');
    assert.deepEqual(statuses(out), [200]);
    assert.match(out, /\r\nConnection: close\r\n/i);
    const seen = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4));
    assert.equal(seen.host, `127.0.0.1:${port}`);
  });

  it('HEAD gets headers only, and the connection goes on', async () => {
    const out = await exchange(port, 'HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.deepEqual(statuses(out), [200, 200]);
    assert.ok(out.endsWith('\r\n\r\nok'), out);
    assert.equal(out.split('ok').length, 2, 'one body');
  });

  it('pipelined requests are answered in order, bodies and all', async () => {
    const out = await exchange(port, [
      'GET /first HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /empty HTTP/1.1\r\nHost: a\r\n\r\n',
      'POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
      'GET /close HTTP/1.1\r\nHost: a\r\n\r\n',
    ].join(''));
    assert.deepEqual(statuses(out), [200, 204, 200, 200], out);
    assert.match(out, /got 5/);
    assert.match(out, /until the end/);
  });

  it('a response framed by the target closing reaches a keep-alive client chunked', async () => {
    const out = await exchange(port, 'GET /close HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    assert.deepEqual(statuses(out), [200, 200]);
    assert.match(out, /Transfer-Encoding: chunked\r\n\r\nd\r\nuntil the end\r\n0\r\n\r\n/);
  });

  it('Expect: 100-continue is answered before the body is sent', async () => {
    const { stdout } = await promisify(execFile)('curl', ['-s', '-H', 'Expect: 100-continue', '--data-binary', '@/etc/services', `http://127.0.0.1:${port}/up`]);
    assert.match(stdout, /^got \d+$/);
  });

  it('a malformed request gets 400 from the load balancer', async () => {
    const out = await exchange(port, 'NOT A REQUEST\r\n\r\n');
    assert.deepEqual(statuses(out), [400]);
    assert.match(out, /\r\nServer: awselb\/2\.0\r\n/);
  });

  it('a request with many headers reaches the target whole, with X-Forwarded-For', async () => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < 60; i++) headers[`x-h-${i}`] = `v${i}`;
    const seen = JSON.parse((await request(port, '/headers', { headers })).body);
    assert.equal(seen['x-h-0'], 'v0');
    assert.equal(seen['x-h-59'], 'v59');
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
  });

  it('a slow client gets all of a large response (backpressure), and one that leaves mid-way costs nothing', async () => {
    const size = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => {
        let n = 0;
        res.pause();
        setTimeout(() => {
          res.on('data', (c: Buffer) => (n += c.length));
          res.on('end', () => resolve(n));
          res.resume();
        }, 500);
      }).on('error', reject);
    });
    assert.equal(size, 32 << 20);
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/big', agent: false }, (res) => res.once('data', () => {
        req.destroy();
        resolve();
      }));
      req.on('error', () => undefined);
    });
    for (let i = 0; i < 3; i++) assert.equal((await request(port, '/')).body, 'ok');
  });

  it('a target closing its idle keep-alive connection does not fail the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    try {
      assert.equal(await get(), 'ok');
      // node:http closes idle connections after 5 s (keepAliveTimeout).
      await new Promise((r) => setTimeout(r, 5500));
      assert.equal(await get(), 'ok');
      assert.equal(await get(), 'ok');
    } finally {
      agent.destroy();
    }
  });
});
