import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateNetworkInterfaceCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DeleteNetworkInterfaceCommand,
  DeleteSubnetCommand, DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

const ipNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('EC2 network interfaces through the v3 SDK', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });
  let vpcId: string;
  let subnetId: string;
  before(async () => {
    vpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.4.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.4.8.0/28', AvailabilityZone: 'us-east-1d' }))).Subnet!.SubnetId!;
  });

  it('CreateNetworkInterface draws a usable address from the subnet, with a MAC, a DNS name and the default group', async () => {
    const { NetworkInterface: eni } = await berth.ec2.send(new CreateNetworkInterfaceCommand({
      SubnetId: subnetId, Description: 'test eni', TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'app', Value: 'api' }] }],
    }));
    assert.match(eni!.NetworkInterfaceId!, /^eni-0[0-9a-f]{16}$/);
    const ip = ipNumber(eni!.PrivateIpAddress!);
    // 10.4.8.0/28: .0–.3 and .15 are reserved.
    assert.ok(ip >= ipNumber('10.4.8.4') && ip <= ipNumber('10.4.8.14'), eni!.PrivateIpAddress);
    assert.match(eni!.MacAddress!, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.equal(eni!.PrivateDnsName, `ip-${eni!.PrivateIpAddress!.replaceAll('.', '-')}.ec2.internal`);
    assert.equal(eni!.AvailabilityZone, 'us-east-1d');
    assert.equal(eni!.VpcId, vpcId);
    assert.equal(eni!.InterfaceType, 'interface');
    assert.deepEqual(eni!.TagSet, [{ Key: 'app', Value: 'api' }]);
    const { SecurityGroups } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'group-name', Values: ['default'] }] }));
    assert.deepEqual(eni!.Groups, [{ GroupId: SecurityGroups![0].GroupId, GroupName: 'default' }]);
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni!.NetworkInterfaceId!] }));
    assert.equal(NetworkInterfaces![0].Status, 'available');
    assert.equal(NetworkInterfaces![0].PrivateIpAddresses?.[0].Primary, true);
  });

  it('each interface takes a distinct address and the subnet reports fewer available addresses', async () => {
    // Addresses are drawn at random: ask for one the first interface did not get.
    const { NetworkInterfaces: existing } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] }));
    const wanted = ['10.4.8.10', '10.4.8.11'].find((a) => !existing!.some((e) => e.PrivateIpAddress === a))!;
    await berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: wanted }));
    await rejectsWith(berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: wanted })), 'InvalidIPAddress.InUse');
    await rejectsWith(berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.4.8.1' })), 'InvalidParameterValue');
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    assert.equal(Subnets![0].AvailableIpAddressCount, 11 - 2);
  });

  it('a full subnet refuses another interface with InsufficientFreeAddressesInSubnet', async () => {
    for (let i = 0; i < 9; i++) await berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }));
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] }));
    assert.equal(new Set(NetworkInterfaces!.map((e) => e.PrivateIpAddress)).size, 11);
    await rejectsWith(berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })), 'InsufficientFreeAddressesInSubnet');
  });

  it('DescribeNetworkInterfaces filters by address, group, tag and description', async () => {
    const byIp = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'private-ip-address', Values: ['10.4.8.10'] }] }));
    assert.equal(byIp.NetworkInterfaces?.length, 1);
    const byTag = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'tag:app', Values: ['api'] }] }));
    assert.deepEqual(byTag.NetworkInterfaces?.map((e) => e.Description), ['test eni']);
    const byDescription = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: ['test *'] }] }));
    assert.equal(byDescription.NetworkInterfaces?.length, 1);
    const paged = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ MaxResults: 5 }));
    assert.equal(paged.NetworkInterfaces?.length, 5);
    assert.ok(paged.NextToken);
    await rejectsWith(berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000000e'] })), 'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-0000000000000000e' does not exist");
    await rejectsWith(berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['nic-1'] })), 'InvalidNetworkInterfaceId.Malformed');
  });

  it('a group from another VPC cannot be given to an interface', async () => {
    const { GroupId } = await berth.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'elsewhere', Description: 'default vpc group' }));
    await rejectsWith(berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [GroupId!] })), 'InvalidParameter',
      `Security group ${GroupId} and subnet ${subnetId} belong to different networks.`);
  });

  it('a subnet with interfaces cannot be deleted until they are gone', async () => {
    await rejectsWith(berth.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation', `The subnet '${subnetId}' has dependencies and cannot be deleted.`);
    const { NetworkInterfaces } = await berth.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [subnetId] }] }));
    for (const e of NetworkInterfaces!) await berth.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: e.NetworkInterfaceId }));
    await rejectsWith(berth.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: NetworkInterfaces![0].NetworkInterfaceId })), 'InvalidNetworkInterfaceID.NotFound');
    await berth.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
  });
});
