import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, type LoadBalancerData, type RuleData } from './snapshot.js';

const rule = (arn: string, ...hosts: string[]): RuleData => ({
  arn, priority: 1, conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: hosts } }], actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
});

const lb = (type: string, protocol: string, rules: RuleData[]): LoadBalancerData => ({
  arn: `lb-${type}-${protocol}`, account: '000000000000', region: 'us-east-1', name: 'x', type, dnsName: `x-${type}-${protocol}.us-east-1.elb.localhost`, attributes: {},
  listeners: [{ arn: `l-${type}-${protocol}`, port: 80, protocol, attributes: {}, rules }],
});

describe('host-header rule names Berth serves on its main port', () => {
  it('an ALB HTTP listener routes exact .localhost names; wildcards, other domains, NLBs and HTTPS listeners do not', () => {
    const s = buildSnapshot({
      generation: 1, targetGroups: [], engineHosts: [],
      loadBalancers: [
        lb('application', 'HTTP', [rule('r1', 'Web-1a2b3c.ecs.us-east-1.localhost', 'example.com'), rule('r2', '*.ecs.us-east-1.localhost')]),
        lb('application', 'HTTPS', [rule('r3', 'secure.ecs.us-east-1.localhost')]),
        lb('network', 'HTTP', [rule('r4', 'nlb.ecs.us-east-1.localhost')]),
      ],
    });
    assert.deepEqual([...s.byRuleHost.keys()], ['web-1a2b3c.ecs.us-east-1.localhost']);
    assert.equal(s.byRuleHost.get('web-1a2b3c.ecs.us-east-1.localhost')?.arn, 'l-application-HTTP');
  });
});
