import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, DescribeLoadBalancersCommand, DeleteLoadBalancerCommand,
  DescribeLoadBalancerAttributesCommand, ModifyLoadBalancerAttributesCommand, SetSecurityGroupsCommand, SetSubnetsCommand,
  SetIpAddressTypeCommand, AddTagsCommand, RemoveTagsCommand, DescribeTagsCommand, DescribeAccountLimitsCommand,
  paginateDescribeLoadBalancers, type LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EC2Client, CreateSecurityGroupCommand, CreateVpcCommand, CreateSubnetCommand } from '@aws-sdk/client-ec2';
import { clientConfig } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, rejectsWith } from '../../helpers/elbv2.js';

describe('ELBv2 load balancers through the v3 SDK', () => {
  const berth = useBerth({ clients: { elb: ElasticLoadBalancingV2Client } });
  let subnets: { ids: string[]; vpcId: string; zones: string[] };
  let web: LoadBalancer;

  before(async () => {
    subnets = await defaultSubnets(berth.endpoint);
  });

  it('CreateLoadBalancer returns a provisioning application load balancer with an AWS-shaped DNS name under .localhost', async () => {
    const out = await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnets.ids.slice(0, 2), Tags: [{ Key: 'env', Value: 'test' }] }));
    web = out.LoadBalancers![0];
    assert.match(web.LoadBalancerArn!, /^arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.match(web.DNSName!, /^web-\d+\.us-east-1\.elb\.localhost$/);
    assert.equal(web.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K');
    assert.equal(web.State?.Code, 'provisioning');
    assert.equal(web.Type, 'application');
    assert.equal(web.Scheme, 'internet-facing');
    assert.equal(web.IpAddressType, 'ipv4');
    assert.equal(web.VpcId, subnets.vpcId);
    assert.deepEqual(web.AvailabilityZones?.map((z) => z.ZoneName), subnets.zones.slice(0, 2));
    assert.equal(web.SecurityGroups?.length, 1, 'the VPC default security group');
    assert.ok(web.CreatedTime instanceof Date);
  });

  it('DescribeLoadBalancers reports the load balancer active', async () => {
    const out = await berth.elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }));
    assert.equal(out.LoadBalancers?.length, 1);
    assert.equal(out.LoadBalancers![0].State?.Code, 'active');
    assert.equal(out.LoadBalancers![0].DNSName, web.DNSName);
    const byArn = await berth.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [web.LoadBalancerArn!] }));
    assert.equal(byArn.LoadBalancers![0].LoadBalancerName, 'web');
  });

  it('CreateLoadBalancer with the same name and settings returns the existing load balancer', async () => {
    const out = await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnets.ids.slice(0, 2) }));
    assert.equal(out.LoadBalancers![0].LoadBalancerArn, web.LoadBalancerArn);
  });

  it('CreateLoadBalancer with the same name and other settings fails with DuplicateLoadBalancerName', async () => {
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: subnets.ids.slice(1, 3) })), 'DuplicateLoadBalancerNameException',
      "A load balancer with the same name 'web' exists, but with different settings");
  });

  it('an internal network load balancer gets the NLB DNS shape, hosted zone and no security groups', async () => {
    const out = await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network', Scheme: 'internal', SubnetMappings: [{ SubnetId: subnets.ids[0] }] }));
    const nlb = out.LoadBalancers![0];
    assert.match(nlb.LoadBalancerArn!, /:loadbalancer\/net\/tcp\/[0-9a-f]{16}$/);
    assert.match(nlb.DNSName!, /^tcp-[0-9a-f]{16}\.elb\.us-east-1\.localhost$/);
    assert.equal(nlb.CanonicalHostedZoneId, 'Z26RNL4JYFTOTI');
    assert.equal(nlb.Scheme, 'internal');
    assert.equal(nlb.SecurityGroups, undefined);
  });

  it('an internal application load balancer DNS name starts with internal-', async () => {
    const out = await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'private', Scheme: 'internal', Subnets: subnets.ids.slice(0, 2) }));
    assert.match(out.LoadBalancers![0].DNSName!, /^internal-private-\d+\.us-east-1\.elb\.localhost$/);
  });

  it('CreateLoadBalancer validates names, subnets, zones and security groups as ELB does', async () => {
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'internal-x', Subnets: subnets.ids.slice(0, 2) })), 'ValidationError', /cannot begin with 'internal-'/);
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'a'.repeat(33), Subnets: subnets.ids.slice(0, 2) })), 'ValidationError', /longer than '32'/);
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'bad_name', Subnets: subnets.ids.slice(0, 2) })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: '-x', Subnets: subnets.ids.slice(0, 2) })), 'ValidationError');
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'one-az', Subnets: [subnets.ids[0]] })), 'ValidationError',
      'At least two subnets in two different Availability Zones must be specified');
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'nosub', Subnets: ['subnet-0123456789abcdef0', subnets.ids[0]] })), 'SubnetNotFoundException');
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'badsg', Subnets: subnets.ids.slice(0, 2), SecurityGroups: ['sg-0123456789abcdef0'] })), 'InvalidSecurityGroupException');
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'badtype', Type: 'classic' as 'application', Subnets: subnets.ids.slice(0, 2) })), 'ValidationError');
  });

  it('CreateLoadBalancer refuses subnets from two VPCs with InvalidConfigurationRequest', async () => {
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const other = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.9.1.0/24', AvailabilityZone: subnets.zones[1] }));
    ec2.destroy();
    await rejectsWith(berth.elb.send(new CreateLoadBalancerCommand({ Name: 'twovpc', Subnets: [subnets.ids[0], other.Subnet!.SubnetId!] })), 'InvalidConfigurationRequestException');
  });

  it('DescribeLoadBalancers pages with PageSize and Marker', async () => {
    for (let i = 0; i < 5; i++) await berth.elb.send(new CreateLoadBalancerCommand({ Name: `page-${i}`, Subnets: subnets.ids.slice(0, 2) }));
    const first = await berth.elb.send(new DescribeLoadBalancersCommand({ PageSize: 3 }));
    assert.equal(first.LoadBalancers?.length, 3);
    assert.ok(first.NextMarker);
    const names: string[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client: berth.elb, pageSize: 2 }, {})) names.push(...page.LoadBalancers!.map((l) => l.LoadBalancerName!));
    assert.deepEqual(names.filter((n) => n.startsWith('page-')), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    assert.equal(new Set(names).size, names.length);
    await rejectsWith(berth.elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })), 'ValidationError');
  });

  it('DescribeLoadBalancers with an unknown name or ARN fails with LoadBalancerNotFound', async () => {
    await rejectsWith(berth.elb.send(new DescribeLoadBalancersCommand({ Names: ['web', 'nope'] })), 'LoadBalancerNotFoundException', "Load balancers '[nope]' not found");
    await rejectsWith(berth.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [web.LoadBalancerArn!.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'LoadBalancerNotFoundException');
    await rejectsWith(berth.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['not-an-arn'] })), 'ValidationError');
  });

  it('load balancer attributes have AWS defaults and ModifyLoadBalancerAttributes changes and validates them', async () => {
    const attrs = await berth.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: web.LoadBalancerArn }));
    const map = Object.fromEntries(attrs.Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(map['idle_timeout.timeout_seconds'], '60');
    assert.equal(map['deletion_protection.enabled'], 'false');
    assert.equal(map['routing.http2.enabled'], 'true');
    assert.equal(map['routing.http.xff_header_processing.mode'], 'append');
    assert.equal(map['access_logs.s3.enabled'], 'false');
    const out = await berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: web.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '120' }] }));
    assert.equal(out.Attributes?.find((a) => a.Key === 'idle_timeout.timeout_seconds')?.Value, '120');
    await rejectsWith(berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: web.LoadBalancerArn, Attributes: [{ Key: 'no.such.key', Value: 'x' }] })), 'ValidationError');
    await rejectsWith(berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: web.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: 'abc' }] })), 'ValidationError');
  });

  it('DeleteLoadBalancer is refused while deletion protection is on', async () => {
    const lb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'protected', Subnets: subnets.ids.slice(0, 2) }))).LoadBalancers![0];
    await berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }] }));
    await rejectsWith(berth.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn })), 'OperationNotPermittedException');
    await berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
    await berth.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
    await rejectsWith(berth.elb.send(new DescribeLoadBalancersCommand({ Names: ['protected'] })), 'LoadBalancerNotFoundException');
  });

  it('DeleteLoadBalancer of a load balancer that is gone succeeds', async () => {
    await berth.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: web.LoadBalancerArn!.replace(/[0-9a-f]{16}$/, 'ffffffffffffffff') }));
  });

  it('SetSecurityGroups, SetSubnets and SetIpAddressType change the load balancer', async () => {
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'lb', Description: 'lb', VpcId: subnets.vpcId }));
    ec2.destroy();
    const groups = await berth.elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: web.LoadBalancerArn, SecurityGroups: [sg.GroupId!] }));
    assert.deepEqual(groups.SecurityGroupIds, [sg.GroupId]);
    const sub = await berth.elb.send(new SetSubnetsCommand({ LoadBalancerArn: web.LoadBalancerArn, Subnets: subnets.ids.slice(0, 3) }));
    assert.equal(sub.AvailabilityZones?.length, 3);
    const ip = await berth.elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: web.LoadBalancerArn, IpAddressType: 'dualstack' }));
    assert.equal(ip.IpAddressType, 'dualstack');
    const lb = (await berth.elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }))).LoadBalancers![0];
    assert.deepEqual(lb.SecurityGroups, [sg.GroupId]);
    assert.equal(lb.AvailabilityZones?.length, 3);
    assert.equal(lb.IpAddressType, 'dualstack');
  });

  it('AddTags, DescribeTags and RemoveTags manage load balancer tags', async () => {
    await berth.elb.send(new AddTagsCommand({ ResourceArns: [web.LoadBalancerArn!], Tags: [{ Key: 'team', Value: 'web' }, { Key: 'env', Value: 'prod' }] }));
    let out = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [web.LoadBalancerArn!] }));
    assert.deepEqual(out.TagDescriptions![0].Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }]);
    await berth.elb.send(new RemoveTagsCommand({ ResourceArns: [web.LoadBalancerArn!], TagKeys: ['env'] }));
    out = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [web.LoadBalancerArn!] }));
    assert.deepEqual(out.TagDescriptions![0].Tags, [{ Key: 'team', Value: 'web' }]);
  });

  it('tagging rejects duplicate keys, reserved keys, more than 50 tags and unknown resources', async () => {
    await rejectsWith(berth.elb.send(new AddTagsCommand({ ResourceArns: [web.LoadBalancerArn!], Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'DuplicateTagKeysException');
    await rejectsWith(berth.elb.send(new AddTagsCommand({ ResourceArns: [web.LoadBalancerArn!], Tags: [{ Key: 'aws:x', Value: '1' }] })), 'ValidationError');
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejectsWith(berth.elb.send(new AddTagsCommand({ ResourceArns: [web.LoadBalancerArn!], Tags: many })), 'TooManyTagsException');
    await rejectsWith(berth.elb.send(new DescribeTagsCommand({ ResourceArns: [web.LoadBalancerArn!.replace(/[0-9a-f]{16}$/, '0000000000000000')] })), 'LoadBalancerNotFoundException');
  });

  it('DescribeAccountLimits lists the ELB quotas', async () => {
    const out = await berth.elb.send(new DescribeAccountLimitsCommand({}));
    assert.equal(out.Limits?.find((l) => l.Name === 'application-load-balancers')?.Max, '50');
  });

  it('load balancers are scoped to their region', async () => {
    const west = new ElasticLoadBalancingV2Client(clientConfig(berth.endpoint, 'us-west-2'));
    const westSubnets = await defaultSubnets(berth.endpoint, 'us-west-2');
    const out = await west.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: westSubnets.ids.slice(0, 2) }));
    assert.match(out.LoadBalancers![0].DNSName!, /\.us-west-2\.elb\.localhost$/);
    assert.equal(out.LoadBalancers![0].CanonicalHostedZoneId, 'Z1H1FL5HABSF5');
    await rejectsWith(west.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [web.LoadBalancerArn!] })), 'LoadBalancerNotFoundException');
    west.destroy();
  });
});
