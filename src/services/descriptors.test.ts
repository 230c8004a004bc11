import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveConfig } from '../config/index.js';
import { dispatchAws } from '../gateway/dispatch.js';
import { routeRequest } from '../gateway/route.js';
import { catalogOf } from '../protocol/catalog.js';
import type { WireRequest } from '../protocol/codec.js';
import { ManualClock } from '../shared/clock.js';
import { createLogger } from '../shared/logger.js';
import { ChangeFeed, type ChangeKind } from '../state/change-feed.js';
import { openDb, Statements } from '../state/db.js';
import { migrationsOf } from '../state/migrations.js';
import { reset, resettableOf } from '../state/reset.js';
import { DESCRIPTORS } from './index.js';
import type { Provider, RequestContext } from './provider.js';
import { Providers } from './providers.js';
import { defineService, type ServiceDescriptor } from './service-descriptor.js';

/**
 * A new service, as its folder would declare it: a catalogue entry (borrowing an SDK model Berth does not
 * serve, under a made-up X-Amz-Target prefix and signing name), a provider, a migration, a table to reset.
 */
const STUB = defineService({
  id: 'berth-stub',
  catalog: {
    sdkPackage: '@aws-sdk/client-application-auto-scaling', clientName: 'ApplicationAutoScalingClient', protocol: 'awsJson1_1', apiVersion: '2016-02-06',
    signingNames: ['berth-stub'], targetPrefix: 'BerthStub_20260101', validationError: 'ValidationException',
  },
  provider: async () => ({ provider: STUB_PROVIDER }),
  migrations: [{ version: 10_000, name: 'stub targets', sql: 'CREATE TABLE stub_targets (account TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (account, id));' }],
  reset: { aliases: ['stub'], tablePrefixes: ['stub_'] },
  arnServices: ['berth-stub'],
  changeKinds: ['stub.target'],
});

const STUB_PROVIDER: Provider = {
  registerScalableTarget(ctx: RequestContext, input: { ResourceId: string }) {
    ctx.sql.get('INSERT INTO stub_targets (account, id) VALUES (?, ?)').run(ctx.account, input.ResourceId);
    // The stub's kind is in the ChangeKind union once its descriptor's line is in descriptors.ts.
    ctx.changed('stub.target' as ChangeKind, input.ResourceId);
    return { ScalableTargetARN: `arn:aws:berth-stub:${ctx.region}:${ctx.account}:target/${input.ResourceId}` };
  },
};

/** Berth's services plus the stub: what descriptors.ts would list with the stub's line added. */
const WITH_STUB: readonly ServiceDescriptor[] = [...DESCRIPTORS, STUB];

function stubRequest(operation: string, input: unknown): WireRequest {
  return {
    method: 'POST', path: '/', rawPath: '/', query: new URLSearchParams(), body: Buffer.from(JSON.stringify(input)),
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `BerthStub_20260101.${operation}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=111122223333/20260101/eu-west-1/berth-stub/aws4_request, SignedHeaders=host, Signature=0',
    },
  };
}

describe('a service is one folder and one descriptor line', () => {
  it('a stub descriptor in the list is routed to, answered, migrated and reset', async () => {
    const db = openDb(':memory:', migrationsOf(WITH_STUB));
    const changes = new ChangeFeed();
    const published: string[] = [];
    changes.subscribe((kind, key) => published.push(`${kind} ${key}`));
    const deps = {
      config: resolveConfig(), db, sql: new Statements(db), clock: new ManualClock(), log: createLogger('silent'), changes,
      registry: undefined as never,
      services: { catalog: catalogOf(WITH_STUB), providers: new Providers(WITH_STUB) },
    };

    // Routing and dispatch: its X-Amz-Target prefix finds it, its model parses the input, its provider answers.
    const res = await dispatchAws(deps, stubRequest('RegisterScalableTarget', {
      ServiceNamespace: 'ecs', ResourceId: 'service/default/web', ScalableDimension: 'ecs:service:DesiredCount',
    }));
    assert.equal(res.status, 200, String(res.body));
    assert.deepEqual(JSON.parse(String(res.body)), { ScalableTargetARN: 'arn:aws:berth-stub:eu-west-1:111122223333:target/service/default/web' });
    assert.deepEqual(published, ['stub.target service/default/web']);
    // Its model's constraints apply, in its own validation error.
    const bad = await dispatchAws(deps, stubRequest('RegisterScalableTarget', { ServiceNamespace: 'ecs' }));
    assert.equal(bad.status, 400);
    assert.match(String(bad.headers['x-amzn-errortype'] ?? bad.body), /ValidationException/);
    // An operation its provider lacks is 501, named.
    const missing = await dispatchAws(deps, stubRequest('DescribeScalableTargets', { ServiceNamespace: 'ecs' }));
    assert.equal(missing.status, 501);

    // Migrations made its table; reset, by id or alias, empties it and leaves the others' alone.
    assert.equal(db.prepare('SELECT count(*) FROM stub_targets').pluck().get(), 1);
    const services = resettableOf(WITH_STUB);
    assert.deepEqual(await reset({ db, participants: new Map(), services }, ['stub']), ['berth-stub']);
    assert.equal(db.prepare('SELECT count(*) FROM stub_targets').pluck().get(), 0);
    db.close();
  });

  it('Berth\'s own list is unchanged by the stub: its catalogue, providers and migrations do not know it', () => {
    assert.ok(!DESCRIPTORS.some((d) => d.id === STUB.id));
    const db = openDb(':memory:');
    assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'stub_targets'").get(), undefined);
    db.close();
  });

  it('every descriptor is its folder\'s and imports nothing at start-up: its provider is a loader', () => {
    for (const d of DESCRIPTORS) {
      const source = readFileSync(new URL(`./${d.id}/descriptor.ts`, import.meta.url), 'utf8');
      const imports = [...source.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1]);
      assert.deepEqual(imports, ['../service-descriptor.js'], `${d.id}/descriptor.ts imports only the descriptor helper (and types)`);
      if (d.provider) assert.match(source, /provider: \(\) => import\('\.\/provider\.js'\)/);
    }
    const catalog = catalogOf(DESCRIPTORS);
    assert.equal(catalog.services.length, DESCRIPTORS.length);
    // Two services may not claim one way in.
    assert.throws(() => catalogOf([...DESCRIPTORS, { ...STUB, id: 'other', catalog: { ...STUB.catalog, signingNames: ['ecs'] } }]), /ecs and other/);
  });

  it('an unsigned query request goes to the service of its API Version when two declare its Action, whatever the list order', () => {
    const unsigned = (version: string): WireRequest => ({
      method: 'GET', path: '/', rawPath: '/', headers: {}, body: Buffer.alloc(0),
      query: new URLSearchParams({ Action: 'DescribeTags', Version: version }),
    });
    for (const list of [DESCRIPTORS, [...DESCRIPTORS].reverse()]) {
      const catalog = catalogOf(list);
      assert.equal(routeRequest(unsigned('2016-11-15'), undefined, catalog)?.service.id, 'ec2');
      assert.equal(routeRequest(unsigned('2015-12-01'), undefined, catalog)?.service.id, 'elastic-load-balancing-v2');
    }
  });
});
