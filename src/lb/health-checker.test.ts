import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { checkHttp, checkTcp } from './health-checker.js';

/** Blocks this process's event loop, as a loaded machine does to Berth. */
const stall = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
};

describe('health checks on a machine too busy to run Berth on time', () => {
  let target: ChildProcess;
  let port: number;

  before(async () => {
    // The target runs in its own process: it answers while this one is stalled.
    target = spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(target.stdout!, 'data') as [Buffer];
    port = Number(line.toString().trim());
  });
  after(() => target.kill('SIGKILL'));

  it('an answer that arrived while Berth was stalled past the timeout is not a Target.Timeout', async () => {
    const http = checkHttp({ host: '127.0.0.1', port, path: '/', tls: false, timeoutMs: 300, hostHeader: 'x', matcher: '200' });
    const tcp = checkTcp('127.0.0.1', port, 300);
    stall(1200);
    assert.deepEqual(await http, { ok: true });
    assert.deepEqual(await tcp, { ok: true });
  });

  it('a target that does not answer still times out', async () => {
    const silent = spawn(process.execPath, ['-e', `require('node:net').createServer(() => {}).listen(0, '127.0.0.1', function () { console.log(this.address().port); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = await once(silent.stdout!, 'data') as [Buffer];
      const r = await checkHttp({ host: '127.0.0.1', port: Number(line.toString().trim()), path: '/', tls: false, timeoutMs: 300, hostHeader: 'x', matcher: '200' });
      assert.equal(r.reason, 'Target.Timeout');
    } finally {
      silent.kill('SIGKILL');
    }
  });
});
