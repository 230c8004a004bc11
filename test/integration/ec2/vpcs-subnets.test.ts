import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSubnetCommand, CreateVpcCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeRouteTablesCommand, DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, ModifySubnetAttributeCommand, ModifyVpcAttributeCommand,
  paginateDescribeVpcs, EC2Client, type Vpc,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

describe('EC2 VPCs and subnets through the v3 SDK', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });
  let vpc: Vpc;

  it('CreateVpc returns a pending VPC with its tags, and DescribeVpcs shows it available', async () => {
    const out = await berth.ec2.send(new CreateVpcCommand({
      CidrBlock: '10.0.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'prod' }, { Key: 'team', Value: 'web' }] }],
    }));
    vpc = out.Vpc!;
    assert.match(vpc.VpcId!, /^vpc-0[0-9a-f]{16}$/);
    assert.equal(vpc.State, 'pending');
    assert.equal(vpc.IsDefault, false);
    assert.deepEqual(vpc.Tags, [{ Key: 'Name', Value: 'prod' }, { Key: 'team', Value: 'web' }]);
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] }));
    assert.equal(Vpcs![0].State, 'available');
    assert.equal(Vpcs![0].CidrBlock, '10.0.0.0/16');
  });

  it('a new VPC comes with its own default security group and main route table', async () => {
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.deepEqual(SecurityGroups?.map((g) => g.GroupName), ['default']);
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.equal(RouteTables?.length, 1);
    assert.equal(RouteTables![0].Associations?.[0].Main, true);
    assert.deepEqual(RouteTables![0].Routes, [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);
  });

  it('DescribeVpcs filters by tag, tag-key, cidr with wildcards and is-default, ANDing filters', async () => {
    const ids = async (Filters: { Name: string; Values: string[] }[]) =>
      (await berth.ec2.send(new DescribeVpcsCommand({ Filters }))).Vpcs!.map((v) => v.VpcId);
    assert.deepEqual(await ids([{ Name: 'tag:Name', Values: ['prod', 'staging'] }]), [vpc.VpcId]);
    assert.deepEqual(await ids([{ Name: 'tag-key', Values: ['team'] }]), [vpc.VpcId]);
    assert.deepEqual(await ids([{ Name: 'cidr', Values: ['10.0.*'] }]), [vpc.VpcId]);
    assert.deepEqual(await ids([{ Name: 'is-default', Values: ['false'] }, { Name: 'tag:Name', Values: ['p?od'] }]), [vpc.VpcId]);
    assert.deepEqual(await ids([{ Name: 'is-default', Values: ['true'] }, { Name: 'tag:Name', Values: ['prod'] }]), []);
  });

  it('DescribeVpcs refuses an unknown filter name with InvalidParameterValue', async () => {
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['blue'] }] })), 'InvalidParameterValue', "The filter 'colour' is invalid");
  });

  it('DescribeVpcs with an unknown id is InvalidVpcID.NotFound and with a malformed one InvalidVpcID.Malformed', async () => {
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })), 'InvalidVpcID.NotFound', "The vpc ID 'vpc-0123456789abcdef0' does not exist");
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0', 'vpc-0123456789abcdef1'] })), 'InvalidVpcID.NotFound', "The vpc IDs 'vpc-0123456789abcdef0, vpc-0123456789abcdef1' do not exist");
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ VpcIds: ['my-vpc'] })), 'InvalidVpcID.Malformed', 'Invalid id: "my-vpc" (expecting "vpc-...")');
  });

  it('CreateVpc refuses CIDRs outside /16–/28 with InvalidVpc.Range and unparsable ones with InvalidParameterValue', async () => {
    await rejectsWith(berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid.");
    await rejectsWith(berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/29' })), 'InvalidVpc.Range');
    await rejectsWith(berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/33' })), 'InvalidParameterValue',
      'Value (10.0.0.0/33) for parameter cidrBlock is invalid. This is not a valid CIDR block.');
    await rejectsWith(berth.ec2.send(new CreateVpcCommand({ CidrBlock: 'ten/16' })), 'InvalidParameterValue');
  });

  it('CreateVpc with DryRun answers DryRunOperation (412) and creates nothing', async () => {
    const before = (await berth.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length;
    await rejectsWith(berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16', DryRun: true })), 'DryRunOperation',
      'Request would have succeeded, but DryRun flag is set.', 412);
    assert.equal((await berth.ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, before);
  });

  it('ModifyVpcAttribute turns DNS hostnames on, one attribute per call', async () => {
    const read = async () => (await berth.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute: 'enableDnsHostnames' }))).EnableDnsHostnames?.Value;
    assert.equal(await read(), false);
    await berth.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true } }));
    assert.equal(await read(), true);
    await rejectsWith(berth.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.VpcId, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } })), 'InvalidParameterCombination');
    await rejectsWith(berth.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId, Attribute: 'colour' as any })), 'InvalidParameterValue');
  });

  it('CreateSubnet places a subnet in the zone asked for, with 251 usable addresses in a /24', async () => {
    const { Subnet } = await berth.ec2.send(new CreateSubnetCommand({
      VpcId: vpc.VpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1b',
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'tier', Value: 'private' }] }],
    }));
    assert.match(Subnet!.SubnetId!, /^subnet-0[0-9a-f]{16}$/);
    assert.equal(Subnet!.AvailabilityZone, 'us-east-1b');
    assert.equal(Subnet!.AvailabilityZoneId, 'use1-az2');
    assert.equal(Subnet!.AvailableIpAddressCount, 251);
    assert.equal(Subnet!.DefaultForAz, false);
    assert.equal(Subnet!.MapPublicIpOnLaunch, false);
    assert.deepEqual(Subnet!.Tags, [{ Key: 'tier', Value: 'private' }]);
  });

  it('CreateSubnet refuses a CIDR outside the VPC with InvalidSubnet.Range and an overlapping one with InvalidSubnet.Conflict', async () => {
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.1.0.0/24' })), 'InvalidSubnet.Range', "The CIDR '10.1.0.0/24' is invalid.");
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.0.0/29' })), 'InvalidSubnet.Range');
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.1.128/25' })), 'InvalidSubnet.Conflict',
      "The CIDR '10.0.1.128/25' conflicts with another subnet");
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.2.7/24' })), 'InvalidParameterValue',
      'Value (10.0.2.7/24) for parameter cidrBlock is invalid. This is not a valid CIDR block.');
  });

  it('CreateSubnet refuses an unknown zone and an unknown VPC', async () => {
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1z' })), 'InvalidParameterValue',
      'Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.');
    await rejectsWith(berth.ec2.send(new CreateSubnetCommand({ VpcId: 'vpc-0000000000000000f', CidrBlock: '10.0.2.0/24' })), 'InvalidVpcID.NotFound');
  });

  it('CreateSubnet without a zone picks one where the VPC has no subnet yet', async () => {
    const { Subnet } = await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.2.0/24' }));
    assert.equal(Subnet!.AvailabilityZone, 'us-east-1a');
    const { Subnet: third } = await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: '10.0.3.0/24', AvailabilityZoneId: 'use1-az3' }));
    assert.equal(third!.AvailabilityZone, 'us-east-1c');
  });

  it('DescribeSubnets filters by vpc-id, availability-zone and tag', async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.deepEqual(Subnets!.map((s) => s.CidrBlock), ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']);
    const b = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }, { Name: 'availability-zone', Values: ['us-east-1b'] }] }));
    assert.deepEqual(b.Subnets!.map((s) => s.CidrBlock), ['10.0.1.0/24']);
    const tagged = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:tier', Values: ['private'] }] }));
    assert.deepEqual(tagged.Subnets!.map((s) => s.CidrBlock), ['10.0.1.0/24']);
    await rejectsWith(berth.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0000000000000000a'] })), 'InvalidSubnetID.NotFound', "The subnet ID 'subnet-0000000000000000a' does not exist");
    await rejectsWith(berth.ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['sn-1'] })), 'InvalidSubnetID.Malformed');
  });

  it('ModifySubnetAttribute turns MapPublicIpOnLaunch on', async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.0.2.0/24'] }] }));
    const id = Subnets![0].SubnetId!;
    await berth.ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }));
    const after = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'map-public-ip-on-launch', Values: ['true'] }, { Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.deepEqual(after.Subnets!.map((s) => s.SubnetId), [id]);
  });

  it('DeleteVpc with subnets is a DependencyViolation; after the subnets go it succeeds and the VPC is gone', async () => {
    await rejectsWith(berth.ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId })), 'DependencyViolation', `The vpc '${vpc.VpcId}' has dependencies and cannot be deleted.`);
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    for (const s of Subnets!) await berth.ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId }));
    await rejectsWith(berth.ec2.send(new DeleteSubnetCommand({ SubnetId: Subnets![0].SubnetId })), 'InvalidSubnetID.NotFound');
    await berth.ec2.send(new DeleteVpcCommand({ VpcId: vpc.VpcId }));
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] })), 'InvalidVpcID.NotFound');
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.VpcId!] }] }));
    assert.deepEqual(SecurityGroups, []);
  });

  it('DescribeVpcs pages with MaxResults and NextToken, and refuses MaxResults below 5', async () => {
    for (let i = 0; i < 6; i++) {
      await berth.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${20 + i}.0.0/16`, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'batch', Value: 'paging' }] }] }));
    }
    const filter = [{ Name: 'tag:batch', Values: ['paging'] }];
    const first = await berth.ec2.send(new DescribeVpcsCommand({ Filters: filter, MaxResults: 5 }));
    assert.equal(first.Vpcs?.length, 5);
    assert.ok(first.NextToken);
    const second = await berth.ec2.send(new DescribeVpcsCommand({ Filters: filter, MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Vpcs?.length, 1);
    assert.equal(second.NextToken, undefined);
    const all: string[] = [];
    for await (const page of paginateDescribeVpcs({ client: berth.ec2, pageSize: 5 }, { Filters: filter })) all.push(...page.Vpcs!.map((v) => v.CidrBlock!));
    assert.deepEqual(all, ['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/16', '10.23.0.0/16', '10.24.0.0/16', '10.25.0.0/16']);
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ MaxResults: 2 })), 'InvalidParameterValue',
      'Value ( 2 ) for parameter maxResults is invalid. Expecting a value greater than 5.');
    await rejectsWith(berth.ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: 'garbage' })), 'InvalidPaginationToken');
  });
});
