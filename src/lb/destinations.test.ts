import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { systemClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { DataPlane } from './data-plane.js';
import { Destinations, isLoopback } from './destinations.js';
import { buildSnapshot, type SnapshotData } from './snapshot.js';
import { TargetResolvers } from './target-resolver.js';

describe('where the load balancer may connect', () => {
  it('loopback is 127.0.0.0/8 and ::1; invented ENI addresses and other networks are not', () => {
    for (const h of ['127.0.0.1', '127.12.0.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopback(h), true, h);
    for (const h of ['172.31.15.29', '10.0.0.7', '192.168.1.2', '0.0.0.0', '::', 'localhost.example.com', '::ffff:10.0.0.1', '128.0.0.1']) assert.equal(isLoopback(h), false, h);
  });

  it('a configured engine host is a destination too', () => {
    const d = new Destinations(['Build-Box.lan']);
    assert.equal(d.permits('build-box.lan'), true);
    assert.equal(d.permits('127.0.0.1'), true);
    assert.equal(d.permits('172.31.15.29'), false);
  });

  it('an ip target is reached at its own address only on loopback; a resolver cannot send Berth elsewhere', () => {
    const resolvers = new TargetResolvers();
    assert.deepEqual(resolvers.resolve('a', 'r', 'ip', '127.0.0.1', 8080), { host: '127.0.0.1', port: 8080 });
    assert.match((resolvers.resolve('a', 'r', 'ip', '172.31.15.29', 80) as { unresolvable: string }).unresolvable, /172\.31\.15\.29:80/);
    resolvers.register({ engineHosts: () => ['engine.lan'], moves: [], resolve: (_a, _r, _t, id) => ({ host: id === '10.0.0.1' ? '10.9.9.9' : 'engine.lan', port: 1 }) });
    assert.match((resolvers.resolve('a', 'r', 'ip', '10.0.0.1', 80) as { unresolvable: string }).unresolvable, /^10\.9\.9\.9:1 is not a port Berth published/);
    assert.deepEqual(resolvers.resolve('a', 'r', 'ip', '10.0.0.2', 80), { host: 'engine.lan', port: 1 });
  });
});

describe('a data plane (as a worker runs it) given a target address outside the machine', () => {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  let server: net.Server;
  let plane: DataPlane;

  before(async () => {
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      const first = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string; port?: number };
      if (first?.host && !isLoopback(first.host)) {
        attempts.push(`${first.host}:${first.port}`);
        process.nextTick(() => this.destroy(new Error('refused by the test')));
        return this;
      }
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    } as typeof original;
    // A snapshot as a buggy main process might send it: the address was never checked.
    const data: SnapshotData = {
      generation: 1, engineHosts: [],
      targetGroups: [{
        arn: 'tg', account: '000000000000', region: 'us-east-1', doc: { Protocol: 'HTTP', TargetType: 'ip' }, attributes: {}, inUse: true,
        targets: [{ id: '172.31.15.29', port: 80, state: 'healthy', reason: null, drainUntil: null, healthySince: 0, addr: { host: '172.31.15.29', port: 80 } }],
      }],
      loadBalancers: [{
        arn: 'lb', account: '000000000000', region: 'us-east-1', name: 'web', type: 'application', dnsName: 'web.elb.localhost', attributes: {},
        listeners: [{ arn: 'http', port: 80, protocol: 'HTTP', attributes: {}, rules: [{ arn: 'r', priority: 'default', conditions: [], actions: [{ Type: 'forward', TargetGroupArn: 'tg' }] }] }],
      }],
    };
    plane = new DataPlane({ clock: systemClock, log: createLogger('silent') });
    plane.update(buildSnapshot(data));
    server = net.createServer((socket) => plane.connection('http', socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  after(() => {
    net.Socket.prototype.connect = original;
    plane.close();
    server.close();
  });

  it('answers 503 and opens no connection to it', async () => {
    const port = (server.address() as net.AddressInfo).port;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/${i}`);
      await res.arrayBuffer();
      assert.equal(res.status, 503);
    }
    assert.deepEqual(attempts, []);
  });
});
