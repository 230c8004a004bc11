import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, CreateListenerCommand, DescribeListenersCommand,
  ModifyListenerCommand, DeleteListenerCommand, CreateRuleCommand, DescribeRulesCommand, ModifyRuleCommand, DeleteRuleCommand,
  SetRulePrioritiesCommand, DeleteLoadBalancerCommand, DescribeListenerAttributesCommand, ModifyListenerAttributesCommand,
  DescribeTargetGroupsCommand, AddTagsCommand, DescribeTagsCommand, type LoadBalancer, type TargetGroup, type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, freePort, rejectsWith } from '../../helpers/elbv2.js';

describe('ELBv2 listeners and rules through the v3 SDK', () => {
  const berth = useBerth({ clients: { elb: ElasticLoadBalancingV2Client } });
  let alb: LoadBalancer;
  let nlb: LoadBalancer;
  let blue: TargetGroup;
  let green: TargetGroup;
  let tcp: TargetGroup;
  let http: Listener;
  let port: number;
  const forward = (tg: TargetGroup) => [{ Type: 'forward' as const, TargetGroupArn: tg.TargetGroupArn }];

  before(async () => {
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'alb', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'nlb', Type: 'network', Subnets: ids.slice(0, 1) }))).LoadBalancers![0];
    const tg = async (Name: string, Protocol: 'HTTP' | 'TCP') =>
      (await berth.elb.send(new CreateTargetGroupCommand({ Name, Protocol, Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    blue = await tg('blue', 'HTTP');
    green = await tg('green', 'HTTP');
    tcp = await tg('tcp', 'TCP');
    port = await freePort();
  });

  it('CreateListener makes an HTTP listener whose default action forwards with a ForwardConfig', async () => {
    http = (await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward(blue) }))).Listeners![0];
    assert.match(http.ListenerArn!, /^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener\/app\/alb\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.deepEqual(http.DefaultActions, [{
      Type: 'forward', TargetGroupArn: blue.TargetGroupArn,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: blue.TargetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
    }]);
    const tg = (await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [blue.TargetGroupArn!] }))).TargetGroups![0];
    assert.deepEqual(tg.LoadBalancerArns, [alb.LoadBalancerArn]);
  });

  it('CreateListener on a taken port of the same load balancer fails with DuplicateListener unless identical', async () => {
    const same = await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward(blue) }));
    assert.equal(same.Listeners![0].ListenerArn, http.ListenerArn);
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: forward(green) })), 'DuplicateListenerException');
  });

  it('CreateListener checks protocols against the load balancer type and target group', async () => {
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'TCP', Port: 81, DefaultActions: forward(tcp) })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: 81, DefaultActions: forward(blue) })), 'IncompatibleProtocolsException');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, DefaultActions: forward(blue) })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, DefaultActions: forward(blue),
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc' }],
    })), 'CertificateNotFoundException');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 0, DefaultActions: forward(blue) })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 82, DefaultActions: [{ Type: 'forward', TargetGroupArn: blue.TargetGroupArn!.replace(/[0-9a-f]{16}$/, '0000000000000000') }] })), 'TargetGroupNotFoundException');
  });

  it('a target group forwarded to by one load balancer cannot serve another', async () => {
    const other = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'other', Subnets: alb.AvailabilityZones!.map((z) => z.SubnetId!) }))).LoadBalancers![0];
    await rejectsWith(berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: other.LoadBalancerArn, Protocol: 'HTTP', Port: await freePort(), DefaultActions: forward(blue) })), 'TargetGroupAssociationLimitException');
    await berth.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: other.LoadBalancerArn }));
  });

  it('an NLB gets a TCP listener', async () => {
    const l = (await berth.elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: await freePort(), DefaultActions: forward(tcp) }))).Listeners![0];
    assert.equal(l.Protocol, 'TCP');
    const attrs = await berth.elb.send(new DescribeListenerAttributesCommand({ ListenerArn: l.ListenerArn }));
    assert.deepEqual(attrs.Attributes, [{ Key: 'tcp.idle_timeout.seconds', Value: '350' }]);
    await rejectsWith(berth.elb.send(new CreateRuleCommand({ ListenerArn: l.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward(tcp) })), 'ValidationError');
  });

  it('DescribeListeners lists by load balancer or by ARN and requires one of them', async () => {
    const byLb = await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.LoadBalancerArn }));
    assert.deepEqual(byLb.Listeners?.map((l) => l.ListenerArn), [http.ListenerArn]);
    const byArn = await berth.elb.send(new DescribeListenersCommand({ ListenerArns: [http.ListenerArn!] }));
    assert.equal(byArn.Listeners![0].Port, port);
    await rejectsWith(berth.elb.send(new DescribeListenersCommand({})), 'ValidationError');
    await rejectsWith(berth.elb.send(new DescribeListenersCommand({ ListenerArns: [http.ListenerArn!.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'ListenerNotFoundException');
  });

  it('a listener has a default rule that DescribeRules lists last', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    assert.equal(rules.length, 1);
    assert.equal(rules[0].Priority, 'default');
    assert.equal(rules[0].IsDefault, true);
    assert.deepEqual(rules[0].Conditions, []);
    assert.deepEqual(rules[0].Actions, http.DefaultActions);
  });

  it('CreateRule stores conditions in the shape AWS describes them', async () => {
    const out = await berth.elb.send(new CreateRuleCommand({
      ListenerArn: http.ListenerArn, Priority: 10,
      Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }, { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } }],
      Actions: forward(green), Tags: [{ Key: 'rule', Value: 'api' }],
    }));
    const rule = out.Rules![0];
    assert.match(rule.RuleArn!, /:listener-rule\/app\/alb\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.equal(rule.Priority, '10');
    assert.equal(rule.IsDefault, false);
    assert.deepEqual(rule.Conditions, [
      { Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET'] } },
    ]);
    const tags = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [rule.RuleArn!] }));
    assert.deepEqual(tags.TagDescriptions![0].Tags, [{ Key: 'rule', Value: 'api' }]);
  });

  it('CreateRule supports every condition type and weighted forwards with group stickiness', async () => {
    const out = await berth.elb.send(new CreateRuleCommand({
      ListenerArn: http.ListenerArn, Priority: 5,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } },
        { Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }] } },
        { Field: 'source-ip', SourceIpConfig: { Values: ['127.0.0.0/8'] } },
      ],
      Actions: [{ Type: 'forward', ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: blue.TargetGroupArn, Weight: 80 }, { TargetGroupArn: green.TargetGroupArn, Weight: 20 }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
      } }],
    }));
    const rule = out.Rules![0];
    assert.equal(rule.Conditions?.length, 4);
    assert.deepEqual(rule.Conditions![0], { Field: 'host-header', Values: ['*.example.com'], HostHeaderConfig: { Values: ['*.example.com'] } });
    assert.equal(rule.Actions![0].TargetGroupArn, undefined);
    assert.deepEqual(rule.Actions![0].ForwardConfig?.TargetGroupStickinessConfig, { Enabled: true, DurationSeconds: 60 });
  });

  it('CreateRule with a priority in use fails with PriorityInUse', async () => {
    await rejectsWith(berth.elb.send(new CreateRuleCommand({ ListenerArn: http.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: forward(blue) })),
      'PriorityInUseException', "Priority '10' is currently in use");
  });

  it('CreateRule validates conditions and actions', async () => {
    const rule = (Conditions: any, Actions: any = forward(blue), Priority = 99) => berth.elb.send(new CreateRuleCommand({ ListenerArn: http.ListenerArn, Priority, Conditions, Actions }));
    await rejectsWith(rule([]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'cookie', Values: ['x'] }]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/a'] }, { Field: 'path-pattern', Values: ['/b'] }]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/1', '/2', '/3', '/4', '/5', '/6'] }]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'source-ip', SourceIpConfig: { Values: ['300.0.0.0/8'] } }]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/a'] }], forward(blue), 0), 'ValidationError');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/a'] }], [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }]), 'InvalidLoadBalancerActionException',
      'The redirect configuration is not valid because it creates a loop.');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/a'] }], [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }]), 'ValidationError');
    await rejectsWith(rule([{ Field: 'path-pattern', Values: ['/a'] }], [...forward(blue), { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }]), 'TooManyActionsException');
  });

  it('redirect and fixed-response actions are stored with their defaults', async () => {
    const redirect = (await berth.elb.send(new CreateRuleCommand({
      ListenerArn: http.ListenerArn, Priority: 20, Conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }],
      Actions: [{ Type: 'redirect', RedirectConfig: { Path: '/new/#{path}', StatusCode: 'HTTP_301' } }],
    }))).Rules![0];
    assert.deepEqual(redirect.Actions![0].RedirectConfig, { Protocol: '#{protocol}', Port: '#{port}', Host: '#{host}', Path: '/new/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' });
    const fixed = (await berth.elb.send(new CreateRuleCommand({
      ListenerArn: http.ListenerArn, Priority: 30, Conditions: [{ Field: 'path-pattern', Values: ['/ping'] }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'pong' } }],
    }))).Rules![0];
    assert.deepEqual(fixed.Actions![0].FixedResponseConfig, { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'pong' });
  });

  it('DescribeRules lists rules by priority with the default last, and pages', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    assert.deepEqual(rules.map((r) => r.Priority), ['5', '10', '20', '30', 'default']);
    const first = await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn, PageSize: 2 }));
    assert.deepEqual(first.Rules?.map((r) => r.Priority), ['5', '10']);
    const second = await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn, PageSize: 2, Marker: first.NextMarker }));
    assert.deepEqual(second.Rules?.map((r) => r.Priority), ['20', '30']);
    const byArn = await berth.elb.send(new DescribeRulesCommand({ RuleArns: [rules[1].RuleArn!] }));
    assert.equal(byArn.Rules![0].Priority, '10');
  });

  it('SetRulePriorities reorders rules and refuses collisions and the default rule', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    const out = await berth.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: rules[0].RuleArn, Priority: 40 }, { RuleArn: rules[1].RuleArn, Priority: 1 }] }));
    assert.deepEqual(out.Rules?.map((r) => r.Priority).sort(), ['1', '40']);
    await rejectsWith(berth.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: rules[2].RuleArn, Priority: 30 }] })), 'PriorityInUseException');
    await rejectsWith(berth.elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: rules[4].RuleArn, Priority: 7 }] })), 'OperationNotPermittedException');
  });

  it('ModifyRule replaces conditions and actions; the default rule keeps its conditions', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    const api = rules.find((r) => r.Priority === '1')!;
    const out = await berth.elb.send(new ModifyRuleCommand({ RuleArn: api.RuleArn, Conditions: [{ Field: 'path-pattern', Values: ['/v2/*'] }], Actions: forward(blue) }));
    assert.deepEqual(out.Rules![0].Conditions![0].Values, ['/v2/*']);
    assert.equal(out.Rules![0].Actions![0].TargetGroupArn, blue.TargetGroupArn);
    const dflt = rules.find((r) => r.IsDefault)!;
    await rejectsWith(berth.elb.send(new ModifyRuleCommand({ RuleArn: dflt.RuleArn, Conditions: [{ Field: 'path-pattern', Values: ['/'] }] })), 'OperationNotPermittedException');
    await berth.elb.send(new ModifyRuleCommand({ RuleArn: dflt.RuleArn, Actions: forward(green) }));
    const listener = (await berth.elb.send(new DescribeListenersCommand({ ListenerArns: [http.ListenerArn!] }))).Listeners![0];
    assert.equal(listener.DefaultActions![0].TargetGroupArn, green.TargetGroupArn);
  });

  it('DeleteRule removes a rule and refuses the default rule', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    await berth.elb.send(new DeleteRuleCommand({ RuleArn: rules[0].RuleArn }));
    await rejectsWith(berth.elb.send(new DescribeRulesCommand({ RuleArns: [rules[0].RuleArn!] })), 'RuleNotFoundException');
    await rejectsWith(berth.elb.send(new DeleteRuleCommand({ RuleArn: rules[rules.length - 1].RuleArn })), 'OperationNotPermittedException');
  });

  it('ModifyListener changes the port and default actions', async () => {
    const newPort = await freePort();
    const out = await berth.elb.send(new ModifyListenerCommand({ ListenerArn: http.ListenerArn, Port: newPort, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] }));
    assert.equal(out.Listeners![0].Port, newPort);
    assert.equal(out.Listeners![0].DefaultActions![0].Type, 'fixed-response');
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    assert.equal(rules[rules.length - 1].Actions![0].Type, 'fixed-response');
  });

  it('listener attributes and tags can be read and changed', async () => {
    const attrs = await berth.elb.send(new ModifyListenerAttributesCommand({ ListenerArn: http.ListenerArn, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'false' }] }));
    assert.deepEqual(attrs.Attributes, [{ Key: 'routing.http.response.server.enabled', Value: 'false' }]);
    await berth.elb.send(new AddTagsCommand({ ResourceArns: [http.ListenerArn!], Tags: [{ Key: 'l', Value: '1' }] }));
    assert.deepEqual((await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [http.ListenerArn!] }))).TagDescriptions![0].Tags, [{ Key: 'l', Value: '1' }]);
  });

  it('DeleteListener removes the listener and its rules; DeleteLoadBalancer removes the rest', async () => {
    const rules = (await berth.elb.send(new DescribeRulesCommand({ ListenerArn: http.ListenerArn }))).Rules!;
    await berth.elb.send(new DeleteListenerCommand({ ListenerArn: http.ListenerArn }));
    await rejectsWith(berth.elb.send(new DescribeListenersCommand({ ListenerArns: [http.ListenerArn!] })), 'ListenerNotFoundException');
    await rejectsWith(berth.elb.send(new DescribeRulesCommand({ RuleArns: [rules[0].RuleArn!] })), 'RuleNotFoundException');
    await rejectsWith(berth.elb.send(new DeleteListenerCommand({ ListenerArn: http.ListenerArn })), 'ListenerNotFoundException');
    await berth.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.LoadBalancerArn }));
    const tg = (await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tcp.TargetGroupArn!] }))).TargetGroups![0];
    assert.deepEqual(tg.LoadBalancerArns, [], 'deleting the load balancer deleted its listeners');
  });
});
