import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { serverName } from './client-hello.js';

/** The first bytes a real TLS client (node:tls, OpenSSL) sends to a server for `options`. */
async function clientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const first = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (b: Buffer) => { resolve(b); s.destroy(); })));
  const client = tls.connect({ host: '127.0.0.1', port, ...options });
  client.on('error', () => {});
  try {
    return await first;
  } finally {
    client.destroy();
    server.close();
  }
}

describe('the server name in a ClientHello', () => {
  it('is the name the client asked for, whatever the TLS version offered', async () => {
    assert.deepEqual(serverName(await clientHello({ servername: 'hello.example.com' })), { done: true, name: 'hello.example.com' });
    assert.deepEqual(serverName(await clientHello({ servername: 'a.b.example', maxVersion: 'TLSv1.2' })), { done: true, name: 'a.b.example' });
  });

  it('is absent when the client sends none (a connection to an address)', async () => {
    assert.deepEqual(serverName(await clientHello({})), { done: true, name: undefined });
  });

  it('needs the whole first record; bytes that are not a handshake are done with no name', async () => {
    const hello = await clientHello({ servername: 'split.example.com' });
    for (const cut of [0, 3, 5, 40, hello.length - 1]) assert.deepEqual(serverName(hello.subarray(0, cut)), { done: false }, `cut at ${cut}`);
    assert.deepEqual(serverName(Buffer.from('GET / HTTP/1.1\r\n')), { done: true });
    const short = serverName(Buffer.from([22, 3, 1, 0, 4, 1, 0, 0, 0]));
    assert.ok(short.done && short.name === undefined);
  });
});
