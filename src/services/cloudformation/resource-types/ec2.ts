/**
 * EC2 networking: AWS::EC2::VPC, Subnet, InternetGateway, VPCGatewayAttachment, RouteTable, Route,
 * SubnetRouteTableAssociation, SecurityGroup, SecurityGroupIngress and SecurityGroupEgress, through EC2's operations.
 */
import { bool, gone, shortId, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const ec2 = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('ec2', op, input);
export const tagSpec = (ctx: ResourceContext, type: string, given: unknown) => {
  const tags = tagsOf(ctx, given);
  return tags.length ? { TagSpecifications: [{ ResourceType: type, Tags: tags }] } : {};
};
/** The resource's tags brought from `old` to `p` (CreateTags/DeleteTags: EC2 tags every resource the same way). */
export async function retag(ctx: ResourceContext, id: string, p: Props, old: Props) {
  const tags = tagsOf(ctx, p.Tags);
  const keys = new Set(tags.map((t) => t.Key));
  const dropped = tagsOf(ctx, old.Tags).filter((t) => !keys.has(t.Key)).map((t) => ({ Key: t.Key }));
  if (dropped.length) await ec2(ctx, 'DeleteTags', { Resources: [id], Tags: dropped });
  if (tags.length) await ec2(ctx, 'CreateTags', { Resources: [id], Tags: tags });
}

export const VPC: ResourceType = {
  replaceOn: ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateVpc', { CidrBlock: p.CidrBlock, ...(p.InstanceTenancy ? { InstanceTenancy: p.InstanceTenancy } : {}), ...tagSpec(ctx, 'vpc', p.Tags) });
    const id = out.Vpc.VpcId as string;
    await vpcAttributes(ctx, id, p, {});
    const groups = await ec2(ctx, 'DescribeSecurityGroups', { Filters: [{ Name: 'vpc-id', Values: [id] }, { Name: 'group-name', Values: ['default'] }] });
    const acls = await ec2(ctx, 'DescribeNetworkAcls', { Filters: [{ Name: 'vpc-id', Values: [id] }] });
    return {
      physicalId: id,
      attributes: {
        VpcId: id, CidrBlock: p.CidrBlock, CidrBlockAssociations: (out.Vpc.CidrBlockAssociationSet ?? []).map((a: Props) => a.AssociationId),
        DefaultSecurityGroup: groups.SecurityGroups?.[0]?.GroupId, DefaultNetworkAcl: (acls.NetworkAcls ?? []).find((a: Props) => a.IsDefault)?.NetworkAclId, Ipv6CidrBlocks: [],
      },
    };
  },
  async update(ctx, id, p, old, attrs) {
    await vpcAttributes(ctx, id, p, old);
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteVpc', { VpcId: id }), 'InvalidVpcID.NotFound');
  },
};

async function vpcAttributes(ctx: ResourceContext, id: string, p: Props, old: Props) {
  // A new VPC resolves DNS and gives no host names, unless asked (EnableDnsSupport true, EnableDnsHostnames false).
  if (bool(p.EnableDnsSupport) !== bool(old.EnableDnsSupport) && p.EnableDnsSupport !== undefined) {
    await ec2(ctx, 'ModifyVpcAttribute', { VpcId: id, EnableDnsSupport: { Value: bool(p.EnableDnsSupport) } });
  }
  if (bool(p.EnableDnsHostnames) !== bool(old.EnableDnsHostnames) && p.EnableDnsHostnames !== undefined) {
    await ec2(ctx, 'ModifyVpcAttribute', { VpcId: id, EnableDnsHostnames: { Value: bool(p.EnableDnsHostnames) } });
  }
}

export const SUBNET: ResourceType = {
  replaceOn: ['VpcId', 'CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateSubnet', {
      VpcId: p.VpcId, CidrBlock: p.CidrBlock, ...(p.AvailabilityZone ? { AvailabilityZone: p.AvailabilityZone } : {}),
      ...(p.AvailabilityZoneId ? { AvailabilityZoneId: p.AvailabilityZoneId } : {}), ...tagSpec(ctx, 'subnet', p.Tags),
    });
    const s = out.Subnet as Props;
    if (bool(p.MapPublicIpOnLaunch)) await ec2(ctx, 'ModifySubnetAttribute', { SubnetId: s.SubnetId, MapPublicIpOnLaunch: { Value: true } });
    return {
      physicalId: s.SubnetId,
      attributes: { SubnetId: s.SubnetId, VpcId: s.VpcId, AvailabilityZone: s.AvailabilityZone, AvailabilityZoneId: s.AvailabilityZoneId, CidrBlock: s.CidrBlock, Ipv6CidrBlocks: [], NetworkAclAssociationId: '' },
    };
  },
  async update(ctx, id, p, old, attrs) {
    if (bool(p.MapPublicIpOnLaunch) !== bool(old.MapPublicIpOnLaunch)) await ec2(ctx, 'ModifySubnetAttribute', { SubnetId: id, MapPublicIpOnLaunch: { Value: bool(p.MapPublicIpOnLaunch) ?? false } });
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteSubnet', { SubnetId: id }), 'InvalidSubnetID.NotFound');
  },
};

export const INTERNET_GATEWAY: ResourceType = {
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateInternetGateway', tagSpec(ctx, 'internet-gateway', p.Tags));
    const id = out.InternetGateway.InternetGatewayId as string;
    return { physicalId: id, attributes: { InternetGatewayId: id } };
  },
  async update(ctx, id, p, old, attrs) {
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteInternetGateway', { InternetGatewayId: id }), 'InvalidInternetGatewayID.NotFound');
  },
};

export const GATEWAY_ATTACHMENT: ResourceType = {
  replaceOn: ['VpcId', 'InternetGatewayId', 'VpnGatewayId'],
  async create(ctx, p) {
    if (!p.InternetGatewayId) throw new Error('Berth attaches internet gateways only (VPN gateways are not modelled).');
    await ec2(ctx, 'AttachInternetGateway', { InternetGatewayId: p.InternetGatewayId, VpcId: p.VpcId });
    return { physicalId: shortId(ctx) };
  },
  async delete(ctx, _id, p) {
    await gone(() => ec2(ctx, 'DetachInternetGateway', { InternetGatewayId: p.InternetGatewayId, VpcId: p.VpcId }), 'Gateway.NotAttached', 'InvalidInternetGatewayID.NotFound', 'InvalidVpcID.NotFound');
  },
};

export const ROUTE_TABLE: ResourceType = {
  replaceOn: ['VpcId'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateRouteTable', { VpcId: p.VpcId, ...tagSpec(ctx, 'route-table', p.Tags) });
    const id = out.RouteTable.RouteTableId as string;
    return { physicalId: id, attributes: { RouteTableId: id } };
  },
  async update(ctx, id, p, old, attrs) {
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteRouteTable', { RouteTableId: id }), 'InvalidRouteTableID.NotFound');
  },
};

const TARGETS = ['GatewayId', 'NatGatewayId', 'InstanceId', 'NetworkInterfaceId', 'VpcPeeringConnectionId', 'TransitGatewayId', 'EgressOnlyInternetGatewayId', 'VpcEndpointId', 'CarrierGatewayId', 'LocalGatewayId'];

export const ROUTE: ResourceType = {
  replaceOn: ['RouteTableId', 'DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId'],
  async create(ctx, p) {
    const target = Object.fromEntries(TARGETS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
    await ec2(ctx, 'CreateRoute', { RouteTableId: p.RouteTableId, DestinationCidrBlock: p.DestinationCidrBlock, ...target });
    return { physicalId: `${shortId(ctx)}` };
  },
  async update(ctx, id, p) {
    const target = Object.fromEntries(TARGETS.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
    await ec2(ctx, 'ReplaceRoute', { RouteTableId: p.RouteTableId, DestinationCidrBlock: p.DestinationCidrBlock, ...target });
    return { physicalId: id };
  },
  async delete(ctx, _id, p) {
    await gone(() => ec2(ctx, 'DeleteRoute', { RouteTableId: p.RouteTableId, DestinationCidrBlock: p.DestinationCidrBlock }), 'InvalidRoute.NotFound', 'InvalidRouteTableID.NotFound');
  },
};

export const SUBNET_ROUTE_TABLE_ASSOCIATION: ResourceType = {
  replaceOn: ['SubnetId', 'RouteTableId'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'AssociateRouteTable', { SubnetId: p.SubnetId, RouteTableId: p.RouteTableId });
    return { physicalId: out.AssociationId, attributes: { Id: out.AssociationId } };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DisassociateRouteTable', { AssociationId: id }), 'InvalidAssociationID.NotFound');
  },
};

/** A CloudFormation rule (Ingress/Egress item or resource) as the IpPermissions EC2 takes. */
function permission(r: Props, direction: 'in' | 'out'): Props {
  const protocol = String(r.IpProtocol);
  const ports = protocol === '-1' || protocol === 'all' ? {} : { FromPort: Number(r.FromPort), ToPort: Number(r.ToPort) };
  const description = r.Description ? { Description: r.Description } : {};
  const peer = direction === 'in' ? r.SourceSecurityGroupId : r.DestinationSecurityGroupId;
  const prefixList = direction === 'in' ? r.SourcePrefixListId : r.DestinationPrefixListId;
  return {
    IpProtocol: protocol, ...ports,
    ...(r.CidrIp ? { IpRanges: [{ CidrIp: r.CidrIp, ...description }] } : {}),
    ...(r.CidrIpv6 ? { Ipv6Ranges: [{ CidrIpv6: r.CidrIpv6, ...description }] } : {}),
    ...(peer ? { UserIdGroupPairs: [{ GroupId: peer, ...description }] } : {}),
    ...(prefixList ? { PrefixListIds: [{ PrefixListId: prefixList, ...description }] } : {}),
  };
}

const ALL_EGRESS = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

export const SECURITY_GROUP: ResourceType = {
  replaceOn: ['GroupName', 'GroupDescription', 'VpcId'],
  async create(ctx, p) {
    const out = await ec2(ctx, 'CreateSecurityGroup', {
      GroupName: p.GroupName ?? `${ctx.stackName}-${ctx.logicalId}-${shortId(ctx).slice(-12)}`.slice(0, 255), Description: p.GroupDescription,
      ...(p.VpcId ? { VpcId: p.VpcId } : {}), ...tagSpec(ctx, 'security-group', p.Tags),
    });
    const id = out.GroupId as string;
    await rules(ctx, id, p, {}, true);
    return { physicalId: id, attributes: { GroupId: id, VpcId: p.VpcId } };
  },
  async update(ctx, id, p, old, attrs) {
    await rules(ctx, id, p, old, false);
    await retag(ctx, id, p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    await gone(() => ec2(ctx, 'DeleteSecurityGroup', { GroupId: id }), 'InvalidGroup.NotFound');
  },
};

/**
 * The group's inline rules brought from `old` to `p`. A group given egress rules loses the allow-all egress rule a
 * new group has; one given none keeps (or gets back) it, as CloudFormation does.
 */
async function rules(ctx: ResourceContext, id: string, p: Props, old: Props, created: boolean) {
  const key = (x: Props) => JSON.stringify(x);
  const sync = async (want: Props[], had: Props[], authorize: string, revoke: string) => {
    const wanted = new Set(want.map(key));
    const gone = had.filter((x) => !wanted.has(key(x)));
    const have = new Set(had.map(key));
    const added = want.filter((x) => !have.has(key(x)));
    if (gone.length) await ec2(ctx, revoke, { GroupId: id, IpPermissions: gone });
    if (added.length) await ec2(ctx, authorize, { GroupId: id, IpPermissions: added });
  };
  const ingress = (x: Props) => ((x.SecurityGroupIngress ?? []) as Props[]).map((r) => permission(r, 'in'));
  const egress = (x: Props) => (x.SecurityGroupEgress?.length ? (x.SecurityGroupEgress as Props[]).map((r) => permission(r, 'out')) : [ALL_EGRESS]);
  await sync(ingress(p), created ? [] : ingress(old), 'AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress');
  if (!p.VpcId) return;
  await sync(egress(p), created ? [ALL_EGRESS] : egress(old), 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupEgress');
}

function standaloneRule(direction: 'in' | 'out'): ResourceType {
  const [authorize, revoke] = direction === 'in' ? ['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress'] : ['AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupEgress'];
  return {
    async create(ctx, p) {
      await ec2(ctx, authorize, { GroupId: p.GroupId, IpPermissions: [permission(p, direction)] });
      return { physicalId: shortId(ctx) };
    },
    async delete(ctx, _id, p) {
      await gone(() => ec2(ctx, revoke, { GroupId: p.GroupId, IpPermissions: [permission(p, direction)] }), 'InvalidPermission.NotFound', 'InvalidGroup.NotFound');
    },
  };
}

export const SECURITY_GROUP_INGRESS = standaloneRule('in');
export const SECURITY_GROUP_EGRESS = standaloneRule('out');
