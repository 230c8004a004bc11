/**
 * Elastic IPs and NAT gateways through the v3 SDK (what a CDK Vpc with NAT gateways or Terraform's aws_eip and
 * aws_nat_gateway make): allocation, the gateway's interface and address, its states, routes to it, and the
 * dependencies EC2 enforces (an address in use, a gateway that cannot be detached while an address is mapped).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocateAddressCommand, AssociateAddressCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, DeleteNatGatewayCommand,
  DeleteSubnetCommand, DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeNetworkInterfacesCommand, DescribeRouteTablesCommand,
  DetachInternetGatewayCommand, DisassociateAddressCommand, EC2Client, ReleaseAddressCommand, type NatGateway,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { rejectsWith } from './support.js';

describe('EC2 Elastic IPs and NAT gateways through the v3 SDK', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client } });
  let vpcId: string;
  let subnetId: string;
  let igwId: string;
  before(async () => {
    vpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.7.1.0/24' }))).Subnet!.SubnetId!;
    igwId = (await berth.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  });

  const natState = async (id: string, want: string): Promise<NatGateway> => {
    for (const end = Date.now() + 10_000; ;) {
      const g = (await berth.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }))).NatGateways![0];
      if (g.State === want || Date.now() > end) return g;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('AllocateAddress gives a vpc address with its tags; an interface in a VPC without a gateway cannot take it', async () => {
    const eip = await berth.ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [{ ResourceType: 'elastic-ip', Tags: [{ Key: 'Name', Value: 'edge' }] }] }));
    assert.match(eip.AllocationId!, /^eipalloc-0[0-9a-f]{16}$/);
    assert.equal(eip.Domain, 'vpc');
    assert.match(eip.PublicIp!, /^198\.1[89]\.\d+\.\d+$/);
    const [described] = (await berth.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'tag:Name', Values: ['edge'] }] }))).Addresses!;
    assert.deepEqual([described.AllocationId, described.PublicIpv4Pool, described.NetworkBorderGroup], [eip.AllocationId, 'amazon', 'us-east-1']);
    const eni = (await berth.ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId }))).NetworkInterface!.NetworkInterfaceId!;
    await rejectsWith(berth.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: eni })), 'Gateway.NotAttached',
      `Network ${vpcId} is not attached to any internet gateway`);
    await rejectsWith(berth.ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000000a'] })), 'InvalidAllocationID.NotFound',
      "The allocation ID 'eipalloc-0000000000000000a' does not exist");

    await berth.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const { AssociationId } = await berth.ec2.send(new AssociateAddressCommand({ AllocationId: eip.AllocationId, NetworkInterfaceId: eni }));
    assert.match(AssociationId!, /^eipassoc-0[0-9a-f]{16}$/);
    const [iface] = (await berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] }))).NetworkInterfaces!;
    assert.equal(iface.Association?.PublicIp, eip.PublicIp);
    await rejectsWith(berth.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId })), 'InvalidIPAddress.InUse', `Address ${eip.AllocationId} is in use.`);
    await rejectsWith(berth.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'DependencyViolation',
      `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
    await berth.ec2.send(new DisassociateAddressCommand({ AssociationId }));
    await berth.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
    assert.deepEqual((await berth.ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
  });

  it('a public NAT gateway is pending, then available with its address on a natGateway interface; routes to it; deleting frees both', async () => {
    const eip = await berth.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await rejectsWith(berth.ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId })), 'InvalidParameterValue', /AllocationId/);
    const created = (await berth.ec2.send(new CreateNatGatewayCommand({
      SubnetId: subnetId, AllocationId: eip.AllocationId, TagSpecifications: [{ ResourceType: 'natgateway', Tags: [{ Key: 'Name', Value: 'nat' }] }],
    }))).NatGateway!;
    assert.match(created.NatGatewayId!, /^nat-0[0-9a-f]{16}$/);
    assert.deepEqual([created.State, created.VpcId, created.ConnectivityType], ['pending', vpcId, 'public']);
    const nat = await natState(created.NatGatewayId!, 'available');
    assert.equal(nat.State, 'available');
    const address = nat.NatGatewayAddresses![0];
    assert.equal(address.PublicIp, eip.PublicIp);
    const [iface] = (await berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [address.NetworkInterfaceId!] }))).NetworkInterfaces!;
    assert.deepEqual([iface.InterfaceType, iface.Status, iface.RequesterManaged, iface.PrivateIpAddress, iface.Association?.PublicIp],
      ['natGateway', 'in-use', true, address.PrivateIp, eip.PublicIp]);
    await rejectsWith(berth.ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId })), 'Resource.AlreadyAssociated',
      `Elastic IP address [${eip.AllocationId}] is already associated`);
    await rejectsWith(berth.ec2.send(new DisassociateAddressCommand({ AssociationId: address.AssociationId })), 'AuthFailure');

    const rtb = (await berth.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId }));
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '10.9.0.0/16', NatGatewayId: 'nat-0000000000000000a' })),
      'InvalidNatGatewayID.NotFound', "The natGateway ID 'nat-0000000000000000a' does not exist");
    await rejectsWith(berth.ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation');

    await berth.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }));
    const routes = (await berth.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0].Routes!;
    assert.equal(routes.find((r) => r.NatGatewayId)?.State, 'blackhole');
    const deleted = await natState(nat.NatGatewayId!, 'deleted');
    assert.equal(deleted.State, 'deleted');
    assert.ok(deleted.DeleteTime instanceof Date);
    const [freed] = (await berth.ec2.send(new DescribeAddressesCommand({ AllocationIds: [eip.AllocationId!] }))).Addresses!;
    assert.equal(freed.AssociationId, undefined);
    await rejectsWith(berth.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [address.NetworkInterfaceId!] })), 'InvalidNetworkInterfaceID.NotFound');
    await rejectsWith(berth.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId })), 'NatGatewayNotFound');
    await berth.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  });

  it('a public NAT gateway in a VPC without an internet gateway fails with Gateway.NotAttached', async () => {
    const bare = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.8.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: bare, CidrBlock: '10.8.1.0/24' }))).Subnet!.SubnetId!;
    const eip = await berth.ec2.send(new AllocateAddressCommand({}));
    const created = (await berth.ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eip.AllocationId }))).NatGateway!;
    const failed = await natState(created.NatGatewayId!, 'failed');
    assert.deepEqual([failed.State, failed.FailureCode, failed.FailureMessage], ['failed', 'Gateway.NotAttached', `Network ${bare} has no Internet gateway attached`]);
    await berth.ec2.send(new ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  });
});
