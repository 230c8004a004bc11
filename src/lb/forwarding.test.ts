import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Balancer } from './balancer.js';
import { chooseTarget, forwardedFor, hostOf, localizeRedirect } from './forwarding.js';
import { httpParserAvailable } from './http-parser.js';
import { buildSnapshot, type SnapshotData } from './snapshot.js';

function snapshot(lbAttributes: Record<string, string> = {}, tgAttributes: Record<string, string> = {}) {
  const data: SnapshotData = {
    generation: 1,
    engineHosts: [],
    targetGroups: [{
      arn: 'tg', account: '000000000000', region: 'us-east-1', doc: { Protocol: 'HTTP', TargetType: 'ip' }, attributes: tgAttributes, inUse: true,
      targets: ['a', 'b', 'c'].map((id, i) => ({
        id, port: 80, state: 'healthy' as const, reason: null, drainUntil: null, healthySince: 0, addr: { host: '127.0.0.1', port: 9000 + i },
      })),
    }],
    loadBalancers: [{
      arn: 'lb', account: '000000000000', region: 'us-east-1', name: 'web', type: 'application', dnsName: 'web.elb.localhost', attributes: lbAttributes,
      listeners: [
        { arn: 'http', port: 80, protocol: 'HTTP', attributes: {}, rules: [{ arn: 'r', priority: 'default', conditions: [], actions: [{ Type: 'forward', TargetGroupArn: 'tg' }] }] },
        { arn: 'https', port: 443, protocol: 'HTTPS', attributes: {}, rules: [] },
      ],
    }],
  };
  return buildSnapshot(data);
}

describe('what the load balancer decides for a forwarded request', () => {
  it('X-Forwarded-For appends the client, preserves what was sent, or is removed, by the load balancer attribute', () => {
    const l = (mode?: string, port?: string) => snapshot({
      ...(mode ? { 'routing.http.xff_header_processing.mode': mode } : {}), ...(port ? { 'routing.http.xff_client_port.enabled': port } : {}),
    }).listeners.get('http')!;
    assert.equal(forwardedFor(l(), undefined, '10.0.0.1', 5000), '10.0.0.1');
    assert.equal(forwardedFor(l(), '203.0.113.9', '10.0.0.1', 5000), '203.0.113.9, 10.0.0.1');
    assert.equal(forwardedFor(l('preserve'), '203.0.113.9', '10.0.0.1', 5000), '203.0.113.9');
    assert.equal(forwardedFor(l('preserve'), undefined, '10.0.0.1', 5000), '10.0.0.1');
    assert.equal(forwardedFor(l('remove'), '203.0.113.9', '10.0.0.1', 5000), undefined);
    assert.equal(forwardedFor(l(undefined, 'true'), undefined, '10.0.0.1', 5000), '10.0.0.1:5000');
  });

  it('the Host header is matched without its port, lower case', () => {
    assert.equal(hostOf('Shop.Example.com:8080'), 'shop.example.com');
    assert.equal(hostOf('[::1]:80'), '[::1]');
    assert.equal(hostOf(undefined), '');
  });

  it('balancers starting at different offsets spread turns taken in alternation over every target', () => {
    const s = snapshot();
    const action = s.listeners.get('http')!.rules[0].action;
    assert.equal(action.type, 'forward');
    if (action.type !== 'forward') return;
    const workers = [new Balancer(0), new Balancer(1)];
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(chooseTarget(workers[i % 2], 0, action.groups, undefined, undefined)!.target.id);
    assert.deepEqual([...seen].sort(), ['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it('lb_cookie stickiness returns the target its cookie names, and sets the cookie', () => {
    const s = snapshot({}, { 'stickiness.enabled': 'true', 'stickiness.type': 'lb_cookie' });
    const action = s.listeners.get('http')!.rules[0].action;
    if (action.type !== 'forward') return assert.fail('forward expected');
    const balancer = new Balancer();
    const first = chooseTarget(balancer, 0, action.groups, undefined, undefined)!;
    const cookie = first.setCookies.find((c) => c.startsWith('AWSALB='))!.split(';')[0];
    for (let i = 0; i < 4; i++) assert.equal(chooseTarget(balancer, 0, action.groups, undefined, `x=1; ${cookie}`)!.target.id, first.target.id);
  });

  it('a redirect to a sibling listener goes where Berth bound it', () => {
    const l = snapshot().listeners.get('http')!;
    const bound = (arn: string) => (arn === 'https' ? 8443 : undefined);
    assert.equal(localizeRedirect(l, 'https://shop.test/cart', 'shop.test', bound), 'https://shop.test:8443/cart');
    assert.equal(localizeRedirect(l, 'https://elsewhere.test/cart', 'shop.test', bound), 'https://elsewhere.test/cart');
  });

  it("Node's HTTP parser can be driven directly on this Node version", () => {
    assert.equal(httpParserAvailable(), true);
  });
});
