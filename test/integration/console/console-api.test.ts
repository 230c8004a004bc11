/**
 * The console's backend without a browser: what the JSON answers next to what the ECS API says, the event stream's
 * coalescing and bounds, who may read it (loopback, or the token when Berth is bound beyond loopback), and that it
 * changes nothing. The token case runs the console module on a private server bound to 127.0.0.1 but configured as
 * if Berth listened on 0.0.0.0 (tests send traffic to 127.0.0.1 only).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { createConsole, type BerthConsole } from '../../../src/console/index.js';
import { ChangeFeed } from '../../../src/state/change-feed.js';
import { openDb, Statements } from '../../../src/state/db.js';
import { useBerth } from '../../helpers/use-berth.js';
import { fargateNetwork, register, waitForService } from '../../helpers/ecs.js';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('the console API over a Berth (fake runtime)', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });

  it("a service's view answers what DescribeServices says, its tasks with their ports", async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'api' }));
    await register(berth.ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/web:1', essential: true, portMappings: [{ containerPort: 8080 }] }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'api', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await waitForService(berth.ecs, 'api', 'web', (s) => s.runningCount === 2, 'two running', 20_000);
    const view = JSON.parse((await get(`${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/api/services/web`)).text);
    const sdk = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'api', services: ['web'] }))).services![0];
    assert.equal(view.service.arn, sdk.serviceArn);
    assert.equal(view.service.runningCount, sdk.runningCount);
    assert.deepEqual(view.deployments.map((d: { id: string }) => d.id), sdk.deployments!.map((d) => d.id));
    assert.equal(view.tasks.length, 2);
    for (const t of view.tasks) {
      assert.equal(t.lastStatus, 'RUNNING');
      assert.equal(t.ports[0].containerPort, 8080);
      assert.match(t.ports[0].url, /^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const task = JSON.parse((await get(`${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/api/tasks/${view.tasks[0].id}`)).text);
    assert.equal(task.containers[0].name, 'app');
    assert.equal((await get(`${berth.endpoint}/_berth/api/clusters/000000000000/us-east-1/api/services/nope`)).status, 404);
    assert.equal((await get(`${berth.endpoint}/_berth/api/clusters/000000000000/eu-west-1/api`)).status, 404);
  });

  it("a browser opening Berth's address is sent to the console; other unsigned GET / requests are not", async () => {
    const page = await get(`${berth.endpoint}/`, { accept: 'text/html,application/xhtml+xml' });
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), '/_berth/ui/');
    assert.notEqual((await get(`${berth.endpoint}/`)).status, 302);
  });

  it('the console is read-only: other methods answer 405', async () => {
    const res = await fetch(`${berth.endpoint}/_berth/api/overview`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('the console module on its own', () => {
  const db = openDb(':memory:');
  const changes = new ChangeFeed();
  let listeners = 0;
  const subscribe = changes.subscribe.bind(changes);
  changes.subscribe = (fn) => { listeners++; const off = subscribe(fn); return () => { listeners--; return off(); }; };
  let console_: BerthConsole;
  let server: http.Server;
  let base = '';
  const TOKEN = 'sekrit-token-for-tests';

  before(async () => {
    console_ = createConsole({
      sql: new Statements(db), changes, version: 'test', startedAt: Date.now(), dataDir: null, host: '0.0.0.0',
      endpoint: () => base, token: () => TOKEN, engine: async () => ({ name: 'fake', status: 'up' }),
      live: { windowMs: 50, maxStreams: 2 },
    });
    server = http.createServer((req, res) => void console_.handle(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    console_.close();
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    db.close();
  });

  it('bound beyond loopback, the console answers only with its token (query, then cookie, or bearer)', async () => {
    assert.equal((await get(`${base}/_berth/api/overview`)).status, 403);
    assert.equal((await get(`${base}/_berth/api/overview?token=wrong`)).status, 403);
    assert.equal((await get(`${base}/_berth/api/overview`, { authorization: `Bearer ${TOKEN}` })).status, 200);
    const page = await get(`${base}/_berth/ui/clusters/a/b/c?token=${TOKEN}`);
    const cookie = page.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^berth_console=sekrit-token-for-tests; Path=\/_berth\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await get(`${base}/_berth/api/overview`, { cookie: cookie.split(';')[0] })).status, 200);
    // `berth status` (on this machine) is told the URL with the token.
    const access = JSON.parse((await get(`${base}/_berth/api/access`)).text);
    assert.deepEqual(access, { url: `${base}/_berth/ui/?token=${TOKEN}`, tokenRequired: true });
  });

  /** Opens an event stream and collects its "change" events until closed. */
  function stream() {
    const events: string[] = [];
    let status = 0;
    const opened = new Promise<http.ClientRequest>((ok) => {
      const req = http.get(`${base}/_berth/api/events`, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        status = res.statusCode!;
        res.setEncoding('utf8').on('data', (chunk: string) => {
          for (const m of chunk.matchAll(/event: change\ndata: (.*)\n/g)) events.push(m[1]);
        });
        ok(req);
      });
      req.on('error', () => undefined);
    });
    return { events, opened, status: () => status };
  }

  it('a burst of changes reaches an open stream as one event; streams are capped; the feed is watched only while one is open', async () => {
    assert.equal(listeners, 0);
    const a = stream();
    const b = stream();
    const reqA = await a.opened;
    const reqB = await b.opened;
    assert.equal(listeners, 1, 'one subscription for all streams');
    const c = stream();
    await c.opened;
    assert.equal(c.status(), 503);

    for (let i = 0; i < 500; i++) changes.publish(i % 2 ? 'ecs.task' : 'ecs.service', `key-${i}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(a.events, ['{"kinds":["ecs.service","ecs.task"]}']);
    assert.deepEqual(b.events, a.events);

    reqA.destroy();
    reqB.destroy();
    const end = Date.now() + 2_000;
    while (listeners > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(listeners, 0, 'the feed is let go once no stream is open');
  });
});
