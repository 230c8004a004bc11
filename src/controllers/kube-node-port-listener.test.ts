import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { NodePortListener, type Endpoint } from './kube-node-port-listener.js';

/** A stand-in for a pod's published port: answers its name and ends. */
async function backend(name: string): Promise<net.Server> {
  const s = net.createServer((c) => c.end(name));
  await new Promise<void>((ok) => s.listen({ host: '127.0.0.1', port: 0 }, ok));
  return s;
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

function ask(port: number): Promise<string> {
  return new Promise((ok) => {
    let data = '';
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(3_000, () => { s.destroy(); ok('timeout'); });
    s.on('data', (b) => { data += b; });
    s.on('end', () => ok(data || 'closed'));
    s.on('error', (err: NodeJS.ErrnoException) => ok(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' ? 'reset' : String(err.code)));
  });
}

describe('a node port listener', () => {
  const closing: (() => unknown)[] = [];
  after(async () => { for (const c of closing) await c(); });

  it('spreads connections round robin over its endpoints, skips one that does not resolve or refuses, resets with none', async () => {
    const a = await backend('a');
    const b = await backend('b');
    closing.push(() => a.close(), () => b.close());
    const dead = net.createServer();
    await new Promise<void>((ok) => dead.listen({ host: '127.0.0.1', port: 0 }, ok));
    const deadPort = portOf(dead);
    await new Promise<void>((ok) => dead.close(() => ok()));
    // Pod IPs map to published ports; 10.0.0.9 publishes nothing, 10.0.0.8's port refuses.
    const published: Record<string, number> = { '10.0.0.1': portOf(a), '10.0.0.2': portOf(b), '10.0.0.8': deadPort };
    const free = net.createServer();
    await new Promise<void>((ok) => free.listen({ host: '127.0.0.1', port: 0 }, ok));
    const port = portOf(free);
    await new Promise<void>((ok) => free.close(() => ok()));
    const l = new NodePortListener('127.0.0.1', port, (e: Endpoint) => (published[e.ip] ? { host: '127.0.0.1', port: published[e.ip] } : undefined));
    await l.listen();
    closing.push(() => l.close());

    assert.equal(await ask(port), 'reset', 'no endpoint: reset');
    l.setEndpoints([{ ip: '10.0.0.1', port: 8080 }, { ip: '10.0.0.2', port: 8080 }]);
    const four = [await ask(port), await ask(port), await ask(port), await ask(port)];
    assert.deepEqual(four, ['a', 'b', 'a', 'b']);
    l.setEndpoints([{ ip: '10.0.0.9', port: 8080 }, { ip: '10.0.0.8', port: 8080 }, { ip: '10.0.0.2', port: 8080 }]);
    assert.deepEqual([await ask(port), await ask(port), await ask(port)], ['b', 'b', 'b']);

    await assert.rejects(new NodePortListener('127.0.0.1', port, () => undefined).listen(), { code: 'EADDRINUSE' }, 'a taken port is refused, not replaced');
    await l.close();
    assert.equal(await ask(port), 'refused');
  });
});
