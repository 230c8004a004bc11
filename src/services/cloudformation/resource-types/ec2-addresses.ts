/**
 * AWS::EC2::EIP, AWS::EC2::EIPAssociation and AWS::EC2::NatGateway, through EC2's operations. An EIP's Ref is its
 * public IP (its AllocationId an attribute); a NAT gateway is CREATE_COMPLETE once it is `available` and
 * DELETE_COMPLETE once `deleted`, as CloudFormation waits for both.
 */
import { retag, tagSpec } from './ec2.js';
import { gone, unlessGone, type Props, type ResourceContext, type ResourceType } from './types.js';

const ec2 = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('ec2', op, input);

async function associate(ctx: ResourceContext, allocationId: string, p: Props): Promise<string | undefined> {
  if (!p.InstanceId && !p.NetworkInterfaceId) return undefined;
  const out = await ec2(ctx, 'AssociateAddress', {
    AllocationId: allocationId, ...(p.InstanceId ? { InstanceId: p.InstanceId } : { NetworkInterfaceId: p.NetworkInterfaceId }),
    ...(p.PrivateIpAddress ? { PrivateIpAddress: p.PrivateIpAddress } : {}), AllowReassociation: true,
  });
  return out.AssociationId as string;
}

export const EIP: ResourceType = {
  replaceOn: ['Domain', 'NetworkBorderGroup', 'PublicIpv4Pool', 'Address', 'IpamPoolId', 'TransferAddress'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'AllocateAddress', {
      Domain: 'vpc', ...(p.PublicIpv4Pool ? { PublicIpv4Pool: p.PublicIpv4Pool } : {}), ...(p.NetworkBorderGroup ? { NetworkBorderGroup: p.NetworkBorderGroup } : {}),
      ...tagSpec(ctx, 'elastic-ip', p.Tags),
    });
    const associationId = await associate(ctx, out.AllocationId, p);
    return { physicalId: out.PublicIp, attributes: { AllocationId: out.AllocationId, PublicIp: out.PublicIp, ...(associationId ? { AssociationId: associationId } : {}) } };
  },
  async update(ctx, ip, p, old, attrs) {
    const allocationId = String(attrs.AllocationId);
    let associationId = attrs.AssociationId as string | undefined;
    if (p.InstanceId !== old.InstanceId || p.NetworkInterfaceId !== old.NetworkInterfaceId) {
      if (associationId) await gone(() => ec2(ctx, 'DisassociateAddress', { AssociationId: associationId }), 'InvalidAssociationID.NotFound');
      associationId = await associate(ctx, allocationId, p);
    }
    await retag(ctx, allocationId, p, old);
    const { AssociationId: _old, ...rest } = attrs;
    return { physicalId: ip, attributes: { ...rest, ...(associationId ? { AssociationId: associationId } : {}) } };
  },
  async delete(ctx, _ip, _p, attrs) {
    const allocationId = String(attrs.AllocationId);
    if (attrs.AssociationId) await gone(() => ec2(ctx, 'DisassociateAddress', { AssociationId: attrs.AssociationId }), 'InvalidAssociationID.NotFound');
    await gone(() => ec2(ctx, 'ReleaseAddress', { AllocationId: allocationId }), 'InvalidAllocationID.NotFound');
  },
};

export const EIP_ASSOCIATION: ResourceType = {
  replaceOn: ['AllocationId', 'EIP', 'InstanceId', 'NetworkInterfaceId', 'PrivateIpAddress'],
  async create(ctx, p) {
    const allocationId = p.AllocationId ?? (await ec2(ctx, 'DescribeAddresses', { PublicIps: [p.EIP] })).Addresses?.[0]?.AllocationId;
    const id = await associate(ctx, allocationId, p);
    if (!id) throw new Error('Either InstanceId or NetworkInterfaceId must be specified.');
    return { physicalId: id, attributes: { Id: id } };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DisassociateAddress', { AssociationId: id }), 'InvalidAssociationID.NotFound');
  },
};

const natGateway = async (ctx: ResourceContext, id: string): Promise<Props | undefined> =>
  (await unlessGone(() => ec2(ctx, 'DescribeNatGateways', { NatGatewayIds: [id] }), 'NatGatewayNotFound'))?.NatGateways?.[0];

export const NAT_GATEWAY: ResourceType = {
  replaceOn: ['SubnetId', 'AllocationId', 'ConnectivityType', 'PrivateIpAddress', 'SecondaryAllocationIds', 'SecondaryPrivateIpAddresses', 'SecondaryPrivateIpAddressCount'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateNatGateway', {
      SubnetId: p.SubnetId, ...(p.AllocationId ? { AllocationId: p.AllocationId } : {}), ...(p.ConnectivityType ? { ConnectivityType: p.ConnectivityType } : {}),
      ...(p.PrivateIpAddress ? { PrivateIpAddress: p.PrivateIpAddress } : {}), ...tagSpec(ctx, 'natgateway', p.Tags),
    });
    const g = out.NatGateway as Props;
    return { physicalId: g.NatGatewayId, attributes: { NatGatewayId: g.NatGatewayId } };
  },
  async update(ctx, id, p, old, attrs) {
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async stabilized(ctx, id) {
    const g = await natGateway(ctx, id);
    if (g?.State === 'failed') throw new Error(`NAT gateway ${id} failed: ${g.FailureCode}: ${g.FailureMessage}`);
    return g?.State === 'available';
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteNatGateway', { NatGatewayId: id }), 'NatGatewayNotFound');
  },
  async gone(ctx, id) {
    const g = await natGateway(ctx, id);
    return !g || g.State === 'deleted';
  },
};
