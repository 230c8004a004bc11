import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDefaultVpcCommand, DeleteVpcCommand, DescribeAccountAttributesCommand, DescribeAvailabilityZonesCommand,
  DescribeInternetGatewaysCommand, DescribeNetworkAclsCommand, DescribeRegionsCommand, DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, DescribeVpcsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

const ID = (prefix: string) => new RegExp(`^${prefix}-0[0-9a-f]{16}$`);

describe('EC2 default network', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });

  it('a fresh account has a default VPC 172.31.0.0/16 in its region', async () => {
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({}));
    assert.equal(Vpcs?.length, 1);
    const vpc = Vpcs![0];
    assert.match(vpc.VpcId!, ID('vpc'));
    assert.equal(vpc.CidrBlock, '172.31.0.0/16');
    assert.equal(vpc.IsDefault, true);
    assert.equal(vpc.State, 'available');
    assert.equal(vpc.OwnerId, '000000000000');
    assert.equal(vpc.InstanceTenancy, 'default');
    assert.match(vpc.DhcpOptionsId!, ID('dopt'));
    assert.equal(vpc.CidrBlockAssociationSet?.[0].CidrBlockState?.State, 'associated');
  });

  it('the default VPC has one default /20 subnet per availability zone, us-east-1a to f', async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const byZone = Object.fromEntries(Subnets!.map((s) => [s.AvailabilityZone, s]));
    assert.deepEqual(Object.keys(byZone).sort(), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    assert.deepEqual(Subnets!.map((s) => s.CidrBlock).sort(), [
      '172.31.0.0/20', '172.31.16.0/20', '172.31.32.0/20', '172.31.48.0/20', '172.31.64.0/20', '172.31.80.0/20',
    ]);
    for (const s of Subnets!) {
      assert.match(s.SubnetId!, ID('subnet'));
      assert.equal(s.DefaultForAz, true);
      assert.equal(s.MapPublicIpOnLaunch, true);
      assert.equal(s.AvailableIpAddressCount, 4091);
      assert.equal(s.State, 'available');
      assert.equal(s.SubnetArn, `arn:aws:ec2:us-east-1:000000000000:subnet/${s.SubnetId}`);
      assert.match(s.AvailabilityZoneId!, /^use1-az\d$/);
    }
  });

  it('the default security group allows all traffic from itself and all outbound traffic', async () => {
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }));
    assert.equal(SecurityGroups?.length, 1);
    const sg = SecurityGroups![0];
    assert.match(sg.GroupId!, ID('sg'));
    assert.equal(sg.Description, 'default VPC security group');
    assert.deepEqual(sg.IpPermissions, [{
      IpProtocol: '-1', IpRanges: [], Ipv6Ranges: [], PrefixListIds: [],
      UserIdGroupPairs: [{ GroupId: sg.GroupId, UserId: '000000000000' }],
    }]);
    assert.deepEqual(sg.IpPermissionsEgress, [{
      IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [],
    }]);
  });

  it('the main route table routes the VPC locally and 0.0.0.0/0 to the attached internet gateway', async () => {
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const vpcId = Vpcs![0].VpcId!;
    const { InternetGateways } = await berth.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }));
    assert.equal(InternetGateways?.length, 1);
    const igw = InternetGateways![0];
    assert.match(igw.InternetGatewayId!, ID('igw'));
    assert.deepEqual(igw.Attachments, [{ VpcId: vpcId, State: 'available' }]);
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({
      Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }],
    }));
    assert.equal(RouteTables?.length, 1);
    assert.deepEqual(RouteTables![0].Routes, [
      { DestinationCidrBlock: '172.31.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId, Origin: 'CreateRoute', State: 'active' },
    ]);
  });

  it('the default network ACL allows everything and every default subnet is associated with it', async () => {
    const { NetworkAcls } = await berth.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }));
    assert.equal(NetworkAcls?.length, 1);
    assert.equal(NetworkAcls![0].Associations?.length, 6);
    assert.deepEqual(NetworkAcls![0].Entries?.map((e) => [e.Egress, e.RuleNumber, e.RuleAction]), [
      [true, 100, 'allow'], [true, 32767, 'deny'], [false, 100, 'allow'], [false, 32767, 'deny'],
    ]);
  });

  it('the default VPC resolves DNS and gives DNS hostnames', async () => {
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({}));
    const vpcId = Vpcs![0].VpcId!;
    const support = await berth.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }));
    const hostnames = await berth.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
    assert.equal(support.EnableDnsSupport?.Value, true);
    assert.equal(hostnames.EnableDnsHostnames?.Value, true);
  });

  it('DescribeAccountAttributes names the default VPC', async () => {
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({}));
    const out = await berth.ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc', 'supported-platforms'] }));
    assert.deepEqual(out.AccountAttributes, [
      { AttributeName: 'default-vpc', AttributeValues: [{ AttributeValue: Vpcs![0].VpcId }] },
      { AttributeName: 'supported-platforms', AttributeValues: [{ AttributeValue: 'VPC' }] },
    ]);
  });

  it('DescribeAvailabilityZones lists the six us-east-1 zones as available', async () => {
    const { AvailabilityZones } = await berth.ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    assert.ok(AvailabilityZones!.every((z) => z.State === 'available' && z.RegionName === 'us-east-1' && z.ZoneType === 'availability-zone'));
    const one = await berth.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['*b'] }] }));
    assert.deepEqual(one.AvailabilityZones?.map((z) => z.ZoneName), ['us-east-1b']);
    await rejectsWith(berth.ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1z'] })), 'InvalidParameterValue');
  });

  it('DescribeRegions lists the enabled regions with their endpoints, and opt-in ones with AllRegions', async () => {
    const enabled = await berth.ec2.send(new DescribeRegionsCommand({}));
    const east = enabled.Regions?.find((r) => r.RegionName === 'us-east-1');
    assert.deepEqual(east, { RegionName: 'us-east-1', Endpoint: 'ec2.us-east-1.amazonaws.com', OptInStatus: 'opt-in-not-required' });
    assert.equal(enabled.Regions?.some((r) => r.RegionName === 'af-south-1'), false);
    const all = await berth.ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    assert.equal(all.Regions?.find((r) => r.RegionName === 'af-south-1')?.OptInStatus, 'not-opted-in');
    const named = await berth.ec2.send(new DescribeRegionsCommand({ RegionNames: ['eu-west-1'] }));
    assert.deepEqual(named.Regions?.map((r) => r.RegionName), ['eu-west-1']);
  });

  it('another region has its own default VPC with three default subnets', async () => {
    const west = ec2Client(berth.endpoint, 'eu-west-1');
    try {
      const { Vpcs } = await west.send(new DescribeVpcsCommand({}));
      const { Vpcs: east } = await berth.ec2.send(new DescribeVpcsCommand({}));
      assert.equal(Vpcs?.length, 1);
      assert.notEqual(Vpcs![0].VpcId, east![0].VpcId);
      const { Subnets } = await west.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'defaultForAz', Values: ['true'] }] }));
      assert.deepEqual(Subnets?.map((s) => s.AvailabilityZone).sort(), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
      assert.deepEqual(Subnets?.map((s) => s.AvailabilityZoneId).sort(), ['euw1-az1', 'euw1-az2', 'euw1-az3']);
      assert.ok(Subnets!.every((s) => s.SubnetArn?.startsWith('arn:aws:ec2:eu-west-1:000000000000:subnet/')));
    } finally {
      west.destroy();
    }
  });

  it('an account named by a 12-digit access key has its own default VPC', async () => {
    const other = ec2Client(berth.endpoint, 'us-east-1', '111122223333');
    try {
      const { Vpcs } = await other.send(new DescribeVpcsCommand({}));
      assert.equal(Vpcs?.length, 1);
      assert.equal(Vpcs![0].OwnerId, '111122223333');
      const { Vpcs: mine } = await berth.ec2.send(new DescribeVpcsCommand({}));
      assert.notEqual(Vpcs![0].VpcId, mine![0].VpcId);
      await rejectsWith(other.send(new DescribeVpcsCommand({ VpcIds: [mine![0].VpcId!] })), 'InvalidVpcID.NotFound');
    } finally {
      other.destroy();
    }
  });

  it('the default VPC cannot be deleted while it has subnets, and CreateDefaultVpc refuses a second one', async () => {
    const { Vpcs } = await berth.ec2.send(new DescribeVpcsCommand({}));
    const vpcId = Vpcs![0].VpcId!;
    await rejectsWith(berth.ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    await rejectsWith(berth.ec2.send(new CreateDefaultVpcCommand({})), 'DefaultVpcAlreadyExists', 'A Default VPC already exists for this account in this region.');
  });
});
