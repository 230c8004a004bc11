import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AssociateRouteTableCommand, AttachInternetGatewayCommand, CreateInternetGatewayCommand, CreateRouteCommand, CreateRouteTableCommand,
  CreateSubnetCommand, CreateVpcCommand, DeleteInternetGatewayCommand, DeleteRouteCommand, DeleteRouteTableCommand, DeleteVpcCommand,
  DescribeInternetGatewaysCommand, DescribeRouteTablesCommand, DetachInternetGatewayCommand, DisassociateRouteTableCommand,
  ReplaceRouteTableAssociationCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { useBerth } from '../../helpers/use-berth.js';
import { ec2Client, rejectsWith } from './support.js';

describe('EC2 internet gateways and route tables through the v3 SDK', () => {
  const berth = useBerth({ clients: { ec2: EC2Client } });
  let vpcId: string;
  let otherVpcId: string;
  let subnetId: string;
  let igwId: string;
  let rtbId: string;
  let assocId: string;
  before(async () => {
    vpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.5.0.0/16' }))).Vpc!.VpcId!;
    otherVpcId = (await berth.ec2.send(new CreateVpcCommand({ CidrBlock: '10.6.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await berth.ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.5.1.0/24' }))).Subnet!.SubnetId!;
  });

  it('CreateInternetGateway returns a detached igw- with its tags', async () => {
    const { InternetGateway } = await berth.ec2.send(new CreateInternetGatewayCommand({
      TagSpecifications: [{ ResourceType: 'internet-gateway', Tags: [{ Key: 'Name', Value: 'edge' }] }],
    }));
    igwId = InternetGateway!.InternetGatewayId!;
    assert.match(igwId, /^igw-0[0-9a-f]{16}$/);
    assert.deepEqual(InternetGateway!.Attachments, []);
    assert.deepEqual(InternetGateway!.Tags, [{ Key: 'Name', Value: 'edge' }]);
    await rejectsWith(berth.ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }] })),
      'InvalidParameterValue', "'vpc' is not a valid taggable resource type for this operation.");
  });

  it('AttachInternetGateway attaches once; attaching again is Resource.AlreadyAssociated', async () => {
    await berth.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const { InternetGateways } = await berth.ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(InternetGateways!.map((g) => g.InternetGatewayId), [igwId]);
    await rejectsWith(berth.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: otherVpcId })), 'Resource.AlreadyAssociated',
      `resource ${igwId} is already attached to network ${vpcId}`);
    await rejectsWith(berth.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: 'igw-0000000000000000a', VpcId: vpcId })), 'InvalidInternetGatewayID.NotFound',
      "The internetGateway ID 'igw-0000000000000000a' does not exist");
  });

  it('CreateRouteTable starts with the local route and no associations', async () => {
    const { RouteTable } = await berth.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    rtbId = RouteTable!.RouteTableId!;
    assert.match(rtbId, /^rtb-0[0-9a-f]{16}$/);
    assert.deepEqual(RouteTable!.Associations, []);
    assert.deepEqual(RouteTable!.Routes, [{ DestinationCidrBlock: '10.5.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);
  });

  it('CreateRoute sends 0.0.0.0/0 to the attached gateway; a duplicate is RouteAlreadyExists', async () => {
    const out = await berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    assert.equal(out.Return, true);
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })), 'RouteAlreadyExists',
      'The route identified by 0.0.0.0/0 already exists.');
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.gateway-id', Values: [igwId] }] }));
    assert.deepEqual(RouteTables!.map((t) => t.RouteTableId), [rtbId]);
  });

  it('CreateRoute refuses gateways of another VPC, targets Berth has no such resource for, and bad CIDRs', async () => {
    const other = (await berth.ec2.send(new CreateRouteTableCommand({ VpcId: otherVpcId }))).RouteTable!.RouteTableId!;
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: other, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })), 'InvalidParameterValue',
      `route table ${other} and network gateway ${igwId} belong to different networks`);
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '10.9.0.0/16', NatGatewayId: 'nat-0123456789abcdef0' })), 'InvalidNatGatewayID.NotFound');
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '10.9.0.0/33', GatewayId: igwId })), 'InvalidParameterValue',
      'Value (10.9.0.0/33) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.');
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '10.5.3.0/24', GatewayId: igwId })), 'InvalidParameterValue');
    await rejectsWith(berth.ec2.send(new CreateRouteCommand({ RouteTableId: 'rtb-0000000000000000f', DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId })),
      'InvalidRouteTableID.NotFound', "The routeTable ID 'rtb-0000000000000000f' does not exist");
    await berth.ec2.send(new DeleteRouteTableCommand({ RouteTableId: other }));
  });

  it('AssociateRouteTable gives a subnet a rtbassoc- association; a second explicit association is refused', async () => {
    const out = await berth.ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnetId }));
    assocId = out.AssociationId!;
    assert.match(assocId, /^rtbassoc-0[0-9a-f]{16}$/);
    assert.equal(out.AssociationState?.State, 'associated');
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
    assert.deepEqual(RouteTables!.map((t) => t.RouteTableId), [rtbId]);
    await rejectsWith(berth.ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbId, SubnetId: subnetId })), 'Resource.AlreadyAssociated');
  });

  it('a route table with associations cannot be deleted, nor the main one', async () => {
    await rejectsWith(berth.ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtbId })), 'DependencyViolation', `The routeTable '${rtbId}' has dependencies and cannot be deleted.`);
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    const main = RouteTables![0];
    await rejectsWith(berth.ec2.send(new DeleteRouteTableCommand({ RouteTableId: main.RouteTableId })), 'DependencyViolation');
    await rejectsWith(berth.ec2.send(new DisassociateRouteTableCommand({ AssociationId: main.Associations![0].RouteTableAssociationId })), 'InvalidParameterValue');
  });

  it('ReplaceRouteTableAssociation makes another table the main one', async () => {
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    const main = RouteTables![0];
    const spare = (await berth.ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    const out = await berth.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: main.Associations![0].RouteTableAssociationId, RouteTableId: spare }));
    assert.match(out.NewAssociationId!, /^rtbassoc-/);
    const now = await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    assert.deepEqual(now.RouteTables!.map((t) => t.RouteTableId), [spare]);
    await berth.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: out.NewAssociationId, RouteTableId: main.RouteTableId }));
    await berth.ec2.send(new DeleteRouteTableCommand({ RouteTableId: spare }));
  });

  it('a gateway attached to a VPC blocks deleting either; detached, its routes turn blackhole', async () => {
    await rejectsWith(berth.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })), 'DependencyViolation',
      `The internetGateway '${igwId}' has dependencies and cannot be deleted.`);
    await rejectsWith(berth.ec2.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
    await rejectsWith(berth.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: otherVpcId })), 'Gateway.NotAttached',
      `resource ${igwId} is not attached to network ${otherVpcId}`);
    await berth.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const { RouteTables } = await berth.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbId] }));
    assert.equal(RouteTables![0].Routes!.find((r) => r.GatewayId === igwId)?.State, 'blackhole');
    await rejectsWith(berth.ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })), 'Gateway.NotAttached',
      `resource ${igwId} is not attached to network ${vpcId}`);
    await berth.ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId }));
    await rejectsWith(berth.ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [igwId] })), 'InvalidInternetGatewayID.NotFound');
  });

  it('DeleteRoute, DisassociateRouteTable and DeleteRouteTable clean up', async () => {
    await rejectsWith(berth.ec2.send(new DeleteRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '10.5.0.0/16' })), 'InvalidParameterValue');
    await berth.ec2.send(new DeleteRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0' }));
    await rejectsWith(berth.ec2.send(new DeleteRouteCommand({ RouteTableId: rtbId, DestinationCidrBlock: '0.0.0.0/0' })), 'InvalidRoute.NotFound');
    await berth.ec2.send(new DisassociateRouteTableCommand({ AssociationId: assocId }));
    await rejectsWith(berth.ec2.send(new DisassociateRouteTableCommand({ AssociationId: assocId })), 'InvalidAssociationID.NotFound',
      `The association ID '${assocId}' does not exist`);
    await berth.ec2.send(new DeleteRouteTableCommand({ RouteTableId: rtbId }));
    await rejectsWith(berth.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbId] })), 'InvalidRouteTableID.NotFound');
  });
});
