import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrMatcher, compileConditions, normalizeIp, wildcard, type RequestFacts } from './rule-matcher.js';

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  method: 'GET', host: 'api.example.com', path: '/img/cat.png', query: '', headers: {}, sourceIp: '127.0.0.1', ...over,
});

describe('listener rule conditions', () => {
  it('path-pattern wildcards match case-sensitively over the whole path', () => {
    const match = compileConditions([{ Field: 'path-pattern', Values: ['/img/*'] }]);
    assert.equal(match(facts()), true);
    assert.equal(match(facts({ path: '/IMG/cat.png' })), false);
    assert.equal(match(facts({ path: '/api/img/x' })), false);
    assert.equal(compileConditions([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a?c'] } }])(facts({ path: '/abc' })), true);
    assert.equal(compileConditions([{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a?c'] } }])(facts({ path: '/abbc' })), false);
  });

  it('host-header matches case-insensitively with wildcards, any of several values', () => {
    const match = compileConditions([{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com', 'other.org'] } }]);
    assert.equal(match(facts({ host: 'API.example.com'.toLowerCase() })), true);
    assert.equal(match(facts({ host: 'other.org' })), true);
    assert.equal(match(facts({ host: 'example.net' })), false);
  });

  it('http-header compares values case-insensitively under a case-insensitive name', () => {
    const match = compileConditions([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'User-Agent', Values: ['*mobile*'] } }]);
    assert.equal(match(facts({ headers: { 'user-agent': 'Foo Mobile Safari' } })), true);
    assert.equal(match(facts({ headers: { 'user-agent': 'desktop' } })), false);
    assert.equal(match(facts()), false);
  });

  it('http-request-method is exact', () => {
    const match = compileConditions([{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST', 'PUT'] } }]);
    assert.equal(match(facts({ method: 'POST' })), true);
    assert.equal(match(facts({ method: 'GET' })), false);
  });

  it('query-string matches decoded pairs, with or without a key', () => {
    const match = compileConditions([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'version', Value: 'v2*' }, { Value: 'beta' }] } }]);
    assert.equal(match(facts({ query: 'a=1&version=V2.1' })), true);
    assert.equal(match(facts({ query: 'flag=beta' })), true);
    assert.equal(match(facts({ query: 'version=v1' })), false);
    assert.equal(match(facts({ query: 'q=hello%20world' })), false);
    assert.equal(compileConditions([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'q', Value: 'hello world' }] } }])(facts({ query: 'q=hello%20world' })), true);
  });

  it('source-ip matches IPv4 and IPv6 CIDRs against the client address', () => {
    const match = compileConditions([{ Field: 'source-ip', SourceIpConfig: { Values: ['127.0.0.0/8', '2001:db8::/32'] } }]);
    assert.equal(match(facts({ sourceIp: '127.0.0.1' })), true);
    assert.equal(match(facts({ sourceIp: '10.0.0.1' })), false);
    assert.equal(match(facts({ sourceIp: '2001:db8::1' })), true);
    assert.equal(match(facts({ sourceIp: '::1' })), false);
    assert.equal(cidrMatcher('0.0.0.0/0')('192.168.1.1'), true);
    assert.equal(normalizeIp('::ffff:10.1.2.3'), '10.1.2.3');
  });

  it('all conditions must hold and an empty list always matches', () => {
    const match = compileConditions([
      { Field: 'path-pattern', Values: ['/api/*'] },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
    ]);
    assert.equal(match(facts({ path: '/api/x' })), true);
    assert.equal(match(facts({ path: '/api/x', method: 'POST' })), false);
    assert.equal(compileConditions([])(facts()), true);
  });

  it('wildcards escape regular-expression characters', () => {
    assert.equal(wildcard('/a.b', false).test('/aXb'), false);
    assert.equal(wildcard('/a(b)*', false).test('/a(b)c'), true);
  });
});
