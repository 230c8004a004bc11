/**
 * The pure parts of pull through cache and replication: which upstream URLs
 * are supported and how, which rule covers a repository and what it is
 * called upstream, how a registry's 401 challenge is read, and which
 * destinations a replication configuration selects.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDb, Statements } from '../../../state/db.js';
import { classifyUpstream, matchRule, putRule, type PullThroughRuleDoc } from './pull-through-rules.js';
import { destinationsFor } from './replication.js';
import { isLoopbackHost, parseChallenge } from '../../../registry/upstream.js';

describe('classifyUpstream', () => {
  it('knows ECR\'s upstream registries and which need credentials', () => {
    assert.deepEqual(classifyUpstream('registry-1.docker.io'), { registry: 'docker-hub', credentials: 'required', base: 'https://registry-1.docker.io' });
    assert.equal(classifyUpstream('public.ecr.aws')?.registry, 'ecr-public');
    assert.equal(classifyUpstream('myreg.azurecr.io')?.registry, 'azure-container-registry');
    assert.deepEqual(classifyUpstream('111122223333.dkr.ecr.eu-west-1.amazonaws.com')?.ecr, { account: '111122223333', region: 'eu-west-1' });
  });

  it('accepts explicit http(s) URLs and loopback host:port as local upstreams, and nothing else', () => {
    assert.deepEqual(classifyUpstream('http://127.0.0.1:5000'), { credentials: 'optional', base: 'http://127.0.0.1:5000' });
    assert.deepEqual(classifyUpstream('localhost:5000'), { credentials: 'optional', base: 'http://localhost:5000' });
    assert.equal(classifyUpstream('https://registry.internal:5443')?.base, 'https://registry.internal:5443');
    assert.equal(classifyUpstream('registry.example.com'), undefined);
    assert.equal(classifyUpstream('docker.io'), undefined);
    assert.equal(classifyUpstream('registry-1.docker.io/library'), undefined);
  });

  it('tells loopback hosts', () => {
    for (const h of ['127.0.0.1:5000', 'localhost', 'a.localhost:1', '[::1]:5000', '::1']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['10.0.0.1:5000', 'example.com', '[::2]:1']) assert.ok(!isLoopbackHost(h), h);
  });
});

describe('matchRule', () => {
  const sql = new Statements(openDb(':memory:'));
  const rule = (ecrRepositoryPrefix: string, upstreamRepositoryPrefix = 'ROOT'): PullThroughRuleDoc => ({
    ecrRepositoryPrefix, upstreamRegistryUrl: 'http://127.0.0.1:1', upstreamRepositoryPrefix, createdAt: 0, updatedAt: 0,
  });
  putRule({ sql, account: '000000000000', region: 'us-east-1' }, rule('ecr-public'));
  putRule({ sql, account: '000000000000', region: 'us-east-1' }, rule('team'));
  putRule({ sql, account: '000000000000', region: 'us-east-1' }, rule('team/a', 'upstream-app'));
  const match = (name: string) => {
    const m = matchRule(sql, { account: '000000000000', region: 'us-east-1', name });
    return m && [m.rule.ecrRepositoryPrefix, m.upstreamName];
  };

  it('maps <prefix>/<name> to <name> upstream, the longest prefix winning, under an upstream prefix when set', () => {
    assert.deepEqual(match('ecr-public/my-app/image1'), ['ecr-public', 'my-app/image1']);
    assert.deepEqual(match('team/b/x'), ['team', 'b/x']);
    assert.deepEqual(match('team/a/x'), ['team/a', 'upstream-app/x']);
  });

  it('covers nothing outside its prefix, the prefix itself included; ROOT covers the rest', () => {
    assert.equal(match('team'), undefined);
    assert.equal(match('teams/x'), undefined);
    putRule({ sql, account: '000000000000', region: 'us-east-1' }, rule('ROOT'));
    assert.deepEqual(match('other/x'), ['ROOT', 'other/x']);
    assert.deepEqual(match('team/b/x'), ['team', 'b/x']);
  });
});

describe('parseChallenge', () => {
  it('reads Bearer realm, service and scope, and Basic', () => {
    assert.deepEqual(
      parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"'),
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
    );
    assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
    assert.equal(parseChallenge('Negotiate'), undefined);
    assert.equal(parseChallenge(null), undefined);
  });
});

describe('destinationsFor', () => {
  const config = {
    rules: [
      { destinations: [{ region: 'us-west-2', registryId: '000000000000' }], repositoryFilters: [{ filter: 'prod', filterType: 'PREFIX_MATCH' as const }] },
      { destinations: [{ region: 'us-west-2', registryId: '000000000000' }, { region: 'eu-west-1', registryId: '111111111111' }] },
    ],
  };

  it('selects rules without filters or with a matching prefix, each destination once', () => {
    assert.deepEqual(destinationsFor(config, 'prod-api'), [
      { region: 'us-west-2', registryId: '000000000000' }, { region: 'eu-west-1', registryId: '111111111111' },
    ]);
    assert.deepEqual(destinationsFor({ rules: [config.rules[0]] }, 'dev-api'), []);
    assert.deepEqual(destinationsFor(undefined, 'x'), []);
  });
});
