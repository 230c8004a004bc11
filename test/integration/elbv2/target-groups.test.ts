import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElasticLoadBalancingV2Client, CreateTargetGroupCommand, DescribeTargetGroupsCommand, ModifyTargetGroupCommand,
  DeleteTargetGroupCommand, DescribeTargetGroupAttributesCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand,
  DeregisterTargetsCommand, DescribeTargetHealthCommand, CreateLoadBalancerCommand, CreateListenerCommand, DeleteListenerCommand,
  AddTagsCommand, DescribeTagsCommand, paginateDescribeTargetGroups, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, freePort, rejectsWith } from '../../helpers/elbv2.js';

describe('ELBv2 target groups and targets through the v3 SDK', () => {
  const berth = useBerth({ clients: { elb: ElasticLoadBalancingV2Client } });
  let vpcId: string;
  let subnetIds: string[];
  let web: TargetGroup;
  const attrsOf = async (arn: string) =>
    Object.fromEntries((await berth.elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))).Attributes!.map((a) => [a.Key, a.Value]));
  const healthOf = async (arn: string) => (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }))).TargetHealthDescriptions!;

  before(async () => {
    ({ vpcId, ids: subnetIds } = await defaultSubnets(berth.endpoint));
  });

  it('CreateTargetGroup for HTTP takes the ALB health check defaults', async () => {
    web = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip', Tags: [{ Key: 'app', Value: 'web' }] }))).TargetGroups![0];
    assert.match(web.TargetGroupArn!, /^arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup\/web\/[0-9a-f]{16}$/);
    assert.deepEqual(
      { ...web, TargetGroupArn: undefined },
      {
        TargetGroupArn: undefined, TargetGroupName: 'web', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, HealthCheckProtocol: 'HTTP',
        HealthCheckPort: 'traffic-port', HealthCheckEnabled: true, HealthCheckIntervalSeconds: 30, HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 5, UnhealthyThresholdCount: 2, HealthCheckPath: '/', Matcher: { HttpCode: '200' }, LoadBalancerArns: [],
        TargetType: 'ip', ProtocolVersion: 'HTTP1', IpAddressType: 'ipv4',
      },
    );
    const tags = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [web.TargetGroupArn!] }));
    assert.deepEqual(tags.TagDescriptions![0].Tags, [{ Key: 'app', Value: 'web' }]);
  });

  it('CreateTargetGroup for TCP takes the NLB defaults: TCP checks with a 10 s timeout', async () => {
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 5432, VpcId: vpcId }))).TargetGroups![0];
    assert.equal(tg.TargetType, 'instance');
    assert.equal(tg.HealthCheckProtocol, 'TCP');
    assert.equal(tg.HealthCheckTimeoutSeconds, 10);
    assert.equal(tg.HealthCheckPath, undefined);
    assert.equal(tg.Matcher, undefined);
    assert.equal(tg.ProtocolVersion, undefined);
    const httpCheck = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'tcp-http', Protocol: 'TCP', Port: 80, VpcId: vpcId, HealthCheckProtocol: 'HTTP' }))).TargetGroups![0];
    assert.equal(httpCheck.HealthCheckTimeoutSeconds, 6);
    assert.deepEqual(httpCheck.Matcher, { HttpCode: '200-399' });
    const attrs = await attrsOf(tg.TargetGroupArn!);
    assert.equal(attrs['stickiness.type'], 'source_ip');
    assert.equal(attrs['proxy_protocol_v2.enabled'], 'false');
    assert.equal(attrs['preserve_client_ip.enabled'], 'true');
  });

  it('CreateTargetGroup with an empty ProtocolVersion (as Terraform sends it) takes it as absent', async () => {
    const http = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'pv-empty', Protocol: 'HTTP', Port: 80, VpcId: vpcId, ProtocolVersion: '' }))).TargetGroups![0];
    assert.equal(http.ProtocolVersion, 'HTTP1');
    const tcp = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'pv-empty-tcp', Protocol: 'TCP', Port: 81, VpcId: vpcId, ProtocolVersion: '' }))).TargetGroups![0];
    assert.equal(tcp.ProtocolVersion, undefined);
    for (const tg of [http, tcp]) await berth.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
  });

  it('CreateTargetGroup is idempotent for the same settings and fails with DuplicateTargetGroupName otherwise', async () => {
    const again = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    assert.equal(again.TargetGroupArn, web.TargetGroupArn);
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 9090, VpcId: vpcId, TargetType: 'ip' })), 'DuplicateTargetGroupNameException');
  });

  it('CreateTargetGroup validates protocol, port, VPC and health check settings', async () => {
    const base = { Name: 'v', Protocol: 'HTTP' as const, Port: 80, VpcId: vpcId };
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, Protocol: undefined })), 'ValidationError', 'A protocol must be specified');
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, Port: 70000 })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, VpcId: 'vpc-0123456789abcdef0' })), 'ValidationError', "The VPC ID 'vpc-0123456789abcdef0' is not found");
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, HealthCheckIntervalSeconds: 5 })), 'ValidationError', "Health check timeout '5' must be smaller than the interval '5'");
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, HealthyThresholdCount: 11 })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, Matcher: { HttpCode: '600' } })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, HealthCheckPath: 'health' })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateTargetGroupCommand({ ...base, Name: 'bad_name' })), 'ValidationError');
  });

  it('DescribeTargetGroups finds groups by name, ARN and load balancer, and pages', async () => {
    assert.equal((await berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['web'] }))).TargetGroups![0].TargetGroupArn, web.TargetGroupArn);
    assert.equal((await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [web.TargetGroupArn!] }))).TargetGroups![0].TargetGroupName, 'web');
    await rejectsWith(berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['nope'] })), 'TargetGroupNotFoundException');
    const names: string[] = [];
    for await (const page of paginateDescribeTargetGroups({ client: berth.elb, pageSize: 1 }, {})) names.push(...page.TargetGroups!.map((t) => t.TargetGroupName!));
    assert.deepEqual(names, ['web', 'tcp', 'tcp-http']);
  });

  it('ModifyTargetGroup changes health check settings and keeps them valid', async () => {
    const out = await berth.elb.send(new ModifyTargetGroupCommand({
      TargetGroupArn: web.TargetGroupArn, HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 3,
      HealthyThresholdCount: 2, Matcher: { HttpCode: '200-299' },
    }));
    const tg = out.TargetGroups![0];
    assert.equal(tg.HealthCheckPath, '/health');
    assert.equal(tg.HealthCheckIntervalSeconds, 10);
    assert.equal(tg.HealthyThresholdCount, 2);
    assert.deepEqual(tg.Matcher, { HttpCode: '200-299' });
    await rejectsWith(berth.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn, HealthCheckTimeoutSeconds: 20 })), 'ValidationError');
  });

  it('target group attributes have AWS defaults and ModifyTargetGroupAttributes validates them', async () => {
    const attrs = await attrsOf(web.TargetGroupArn!);
    assert.equal(attrs['deregistration_delay.timeout_seconds'], '300');
    assert.equal(attrs['slow_start.duration_seconds'], '0');
    assert.equal(attrs['stickiness.enabled'], 'false');
    assert.equal(attrs['stickiness.type'], 'lb_cookie');
    assert.equal(attrs['stickiness.lb_cookie.duration_seconds'], '86400');
    assert.equal(attrs['load_balancing.algorithm.type'], 'round_robin');
    const out = await berth.elb.send(new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: web.TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }, { Key: 'stickiness.enabled', Value: 'true' }],
    }));
    assert.equal(out.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value, '5');
    await rejectsWith(berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'slow_start.duration_seconds', Value: '10' }] })), 'ValidationError');
    await rejectsWith(berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'stickiness.type', Value: 'source_ip' }] })), 'ValidationError');
    await rejectsWith(berth.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'proxy_protocol_v2.enabled', Value: 'true' }] })), 'ValidationError');
  });

  it('targets of a group no load balancer uses are unused with Target.NotInUse', async () => {
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: 1 }, { Id: '127.0.0.2' }] }));
    const health = await healthOf(web.TargetGroupArn!);
    assert.deepEqual(health.map((h) => [h.Target?.Id, h.Target?.Port, h.HealthCheckPort, h.TargetHealth?.State, h.TargetHealth?.Reason]), [
      ['127.0.0.1', 1, '1', 'unused', 'Target.NotInUse'],
      ['127.0.0.2', 8080, '8080', 'unused', 'Target.NotInUse'],
    ]);
  });

  it('DescribeTargetHealth reports a target that is not registered as unused with Target.NotRegistered', async () => {
    const out = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '10.0.0.9', Port: 80 }] }));
    assert.equal(out.TargetHealthDescriptions![0].TargetHealth?.State, 'unused');
    assert.equal(out.TargetHealthDescriptions![0].TargetHealth?.Reason, 'Target.NotRegistered');
  });

  it('RegisterTargets validates target ids for the target type', async () => {
    await rejectsWith(berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })), 'InvalidTargetException');
    const tcp = (await berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['tcp'] }))).TargetGroups![0];
    await rejectsWith(berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: [{ Id: '10.0.0.1' }] })), 'InvalidTargetException');
    await rejectsWith(berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn!.replace(/[0-9a-f]{16}$/, '0000000000000000'), Targets: [{ Id: '10.0.0.1' }] })), 'TargetGroupNotFoundException');
  });

  it('a group a listener forwards to starts its targets initial, lists the load balancer, and cannot be deleted', async () => {
    const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'tg-lb', Subnets: subnetIds.slice(0, 2) }))).LoadBalancers![0];
    const listener = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: await freePort(), DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }))).Listeners![0];
    const health = await healthOf(web.TargetGroupArn!);
    assert.deepEqual(health.map((h) => h.TargetHealth?.State), ['initial', 'initial']);
    // Registration in progress until the first health check answers (which may already have happened: checks start with the listener).
    assert.ok(['Elb.RegistrationInProgress', 'Elb.InitialHealthChecking'].includes(health[0].TargetHealth!.Reason!), health[0].TargetHealth?.Reason);
    const tg = (await berth.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups!;
    assert.deepEqual(tg.map((t) => t.TargetGroupArn), [web.TargetGroupArn]);
    assert.deepEqual(tg[0].LoadBalancerArns, [lb.LoadBalancerArn]);
    await rejectsWith(berth.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn })), 'ResourceInUseException',
      `Target group '${web.TargetGroupArn}' is currently in use by a listener or a rule`);

    // Deregistering from a group in use drains for the deregistration delay (5 s here), then the target is gone.
    await berth.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '127.0.0.2' }] }));
    const draining = (await healthOf(web.TargetGroupArn!)).find((h) => h.Target?.Id === '127.0.0.2');
    assert.equal(draining?.TargetHealth?.State, 'draining');
    assert.equal(draining?.TargetHealth?.Reason, 'Target.DeregistrationInProgress');
    await rejectsWith(berth.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '10.1.1.1' }] })), 'InvalidTargetException');

    await berth.elb.send(new DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
    await berth.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn }));
    await rejectsWith(berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [web.TargetGroupArn!] })), 'TargetGroupNotFoundException');
    // Deleting it again succeeds, as on AWS.
    await berth.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn }));
  });

  it('deregistering from a group no load balancer uses removes the target at once', async () => {
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'idle', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.0.0.1' }] }));
    await berth.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '10.0.0.1' }] }));
    assert.deepEqual(await healthOf(tg.TargetGroupArn!), []);
  });

  it('target groups can be tagged', async () => {
    const tg = (await berth.elb.send(new DescribeTargetGroupsCommand({ Names: ['tcp'] }))).TargetGroups![0];
    await berth.elb.send(new AddTagsCommand({ ResourceArns: [tg.TargetGroupArn!], Tags: [{ Key: 'db', Value: 'pg' }] }));
    const out = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [tg.TargetGroupArn!] }));
    assert.deepEqual(out.TagDescriptions![0].Tags, [{ Key: 'db', Value: 'pg' }]);
  });
});
