/**
 * Subnets: CreateSubnet, DeleteSubnet, DescribeSubnets, ModifySubnetAttribute.
 * A subnet's CIDR lies within its VPC's, between /16 and /28, and overlaps no
 * sibling; it lives in one availability zone of the region. The available
 * address count is the CIDR minus AWS's five reserved addresses minus the
 * addresses network interfaces hold.
 * https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html
 */
import type {
  CreateSubnetRequest,
  CreateSubnetResult,
  DeleteSubnetRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  ModifySubnetAttributeRequest,
  Subnet,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { arn } from '../../shared/arns.js';
import { contains, isCanonical, overlaps, parseCidr, usableAddressCount } from './cidr.js';
import { describeResources, requireDoc, requireStored } from './describe.js';
import { dependencyViolation, invalidCidrParameter, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.js';
import { bool, type FilterFields } from './filters.js';
import { newResourceId } from './ids.js';
import { associateDefaultAcl, dissociateAcls } from './network-acls.js';
import { dissociateSubnet } from './route-tables.js';
import { countAddresses, countKind, deleteDoc, insertDoc, listDocs, updateDoc, type Scope } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';
import type { VpcRecord } from './vpcs.js';
import { zoneById, zoneByName, zonesOf, type Zone } from './zones.js';

export interface NewSubnet {
  vpcId: string;
  cidr: string;
  zone: Zone;
  defaultForAz: boolean;
}

export function insertSubnet(s: Scope, p: NewSubnet): Subnet {
  const id = newResourceId('subnet');
  const subnet: Subnet = {
    AvailabilityZoneId: p.zone.id,
    MapCustomerOwnedIpOnLaunch: false,
    OwnerId: s.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    SubnetArn: arn('ec2', s.region, s.account, `subnet/${id}`),
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    SubnetId: id,
    State: 'available',
    VpcId: p.vpcId,
    CidrBlock: p.cidr,
    AvailabilityZone: p.zone.name,
    // Default subnets give instances public addresses; new subnets do not.
    DefaultForAz: p.defaultForAz,
    MapPublicIpOnLaunch: p.defaultForAz,
  };
  insertDoc(s, 'subnet', id, subnet, { vpcId: p.vpcId });
  associateDefaultAcl(s, p.vpcId, id);
  return subnet;
}

export function viewSubnet(s: Scope, subnet: Subnet): Subnet {
  const cidr = parseCidr(subnet.CidrBlock!)!;
  const available = usableAddressCount(cidr) - countAddresses(s, subnet.SubnetId!);
  return withTags(s, subnet.SubnetId!, { ...subnet, AvailableIpAddressCount: available });
}

function zoneFor(s: Scope, input: CreateSubnetRequest, vpcId: string): Zone {
  const zones = zonesOf(s.region);
  const names = zones.map((z) => z.name).join(', ');
  if (input.AvailabilityZone !== undefined) {
    const z = zoneByName(s.region, input.AvailabilityZone);
    if (!z) {
      throw invalidParameterValue(`Value (${input.AvailabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${names}.`);
    }
    if (input.AvailabilityZoneId !== undefined && input.AvailabilityZoneId !== z.id) {
      throw invalidParameterCombination('The parameters AvailabilityZone and AvailabilityZoneId name different zones.');
    }
    return z;
  }
  if (input.AvailabilityZoneId !== undefined) {
    const z = zoneById(s.region, input.AvailabilityZoneId);
    if (!z) {
      throw invalidParameterValue(`Value (${input.AvailabilityZoneId}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((x) => x.id).join(', ')}.`);
    }
    return z;
  }
  // EC2 picks a zone for you; Berth picks the one where this VPC has the fewest subnets.
  const used = listDocs<Subnet>(s, 'subnet', { vpcId }).map((x) => x.AvailabilityZone);
  return zones.reduce((best, z) => (used.filter((u) => u === z.name).length < used.filter((u) => u === best.name).length ? z : best));
}

export function createSubnet(s: Scope, input: CreateSubnetRequest): CreateSubnetResult {
  const vpc = requireDoc<VpcRecord>(s, 'vpc', input.VpcId);
  if (input.Ipv6CidrBlock || input.Ipv6Native || input.Ipv6IpamPoolId) {
    throw new AwsError('UnsupportedOperation', 'Berth does not support IPv6 subnets yet.');
  }
  if (input.OutpostArn) throw new AwsError('UnsupportedOperation', 'Berth does not support Outposts.');
  if (input.Ipv4IpamPoolId) throw new AwsError('UnsupportedOperation', 'Berth does not support IPAM pools.');
  const text = input.CidrBlock;
  if (text === undefined) throw missingParameter('cidrBlock');
  const cidr = parseCidr(text);
  if (!cidr || !isCanonical(cidr)) throw invalidCidrParameter(text);
  const vpcCidrs = (vpc.CidrBlockAssociationSet ?? []).map((a) => parseCidr(a.CidrBlock ?? '')).filter((c) => !!c);
  if (cidr.prefix < 16 || cidr.prefix > 28 || !vpcCidrs.some((v) => contains(v, cidr))) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${text}' is invalid.`);
  }
  const zone = zoneFor(s, input, vpc.VpcId!);
  const siblings = listDocs<Subnet>(s, 'subnet', { vpcId: vpc.VpcId });
  if (siblings.some((x) => overlaps(parseCidr(x.CidrBlock!)!, cidr))) {
    throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${text}' conflicts with another subnet`);
  }
  const tags = tagsFromSpecs(input.TagSpecifications, 'subnet');
  const subnet = insertSubnet(s, { vpcId: vpc.VpcId!, cidr: text, zone, defaultForAz: false });
  applyTags(s, subnet.SubnetId!, 'subnet', tags);
  return { Subnet: viewSubnet(s, subnet) };
}

export function deleteSubnet(s: Scope, input: DeleteSubnetRequest): Record<string, never> {
  const { id, doc } = requireStored<Subnet>(s, 'subnet', input.SubnetId);
  if (countKind(s, 'network-interface', { parentId: id }) > 0) {
    throw dependencyViolation(`The subnet '${id}' has dependencies and cannot be deleted.`);
  }
  dissociateSubnet(s, doc.VpcId!, id);
  dissociateAcls(s, doc.VpcId!, id);
  deleteDoc(s, id);
  return {};
}

type BooleanAttribute = 'MapPublicIpOnLaunch' | 'AssignIpv6AddressOnCreation' | 'EnableDns64' | 'MapCustomerOwnedIpOnLaunch'
  | 'EnableResourceNameDnsARecordOnLaunch' | 'EnableResourceNameDnsAAAARecordOnLaunch' | 'DisableLniAtDeviceIndex';

export function modifySubnetAttribute(s: Scope, input: ModifySubnetAttributeRequest): Record<string, never> {
  const { id, doc } = requireStored<Subnet>(s, 'subnet', input.SubnetId);
  const named = ([
    'MapPublicIpOnLaunch', 'AssignIpv6AddressOnCreation', 'EnableDns64', 'MapCustomerOwnedIpOnLaunch', 'PrivateDnsHostnameTypeOnLaunch',
    'EnableResourceNameDnsARecordOnLaunch', 'EnableResourceNameDnsAAAARecordOnLaunch', 'EnableLniAtDeviceIndex', 'DisableLniAtDeviceIndex',
  ] as const).filter((k) => input[k] !== undefined);
  // One attribute per call (ModifySubnetAttribute reference).
  if (!named.length) throw missingParameter('attribute');
  if (named.length > 1) throw invalidParameterCombination(`Fields for multiple attribute types specified: ${named.join(', ')}`);
  const name = named[0];
  const next: Subnet = { ...doc, PrivateDnsNameOptionsOnLaunch: { ...doc.PrivateDnsNameOptionsOnLaunch } };
  const flag = (k: BooleanAttribute) => {
    const v = input[k]?.Value;
    if (v === undefined) throw missingParameter(`${k}.Value`);
    return v;
  };
  switch (name) {
    case 'MapPublicIpOnLaunch': next.MapPublicIpOnLaunch = flag(name); break;
    case 'EnableDns64': next.EnableDns64 = flag(name); break;
    case 'AssignIpv6AddressOnCreation':
      if (flag(name)) throw invalidParameterValue(`Subnet ${id} has no IPv6 CIDR block: cannot assign IPv6 addresses on creation.`);
      next.AssignIpv6AddressOnCreation = false;
      break;
    case 'MapCustomerOwnedIpOnLaunch':
      if (flag(name)) throw invalidParameterValue('MapCustomerOwnedIpOnLaunch is only supported for Outposts subnets.');
      next.MapCustomerOwnedIpOnLaunch = false;
      break;
    case 'PrivateDnsHostnameTypeOnLaunch':
      if (!['ip-name', 'resource-name'].includes(input.PrivateDnsHostnameTypeOnLaunch!)) {
        throw invalidParameterValue(`Value (${input.PrivateDnsHostnameTypeOnLaunch}) for parameter PrivateDnsHostnameTypeOnLaunch is invalid.`);
      }
      next.PrivateDnsNameOptionsOnLaunch!.HostnameType = input.PrivateDnsHostnameTypeOnLaunch;
      break;
    case 'EnableResourceNameDnsARecordOnLaunch': next.PrivateDnsNameOptionsOnLaunch!.EnableResourceNameDnsARecord = flag(name); break;
    case 'EnableResourceNameDnsAAAARecordOnLaunch': next.PrivateDnsNameOptionsOnLaunch!.EnableResourceNameDnsAAAARecord = flag(name); break;
    case 'EnableLniAtDeviceIndex':
    case 'DisableLniAtDeviceIndex':
      throw new AwsError('UnsupportedOperation', 'Local network interfaces are only supported on Outposts subnets.');
  }
  updateDoc(s, id, next);
  return {};
}

const FIELDS: FilterFields<Subnet> = {
  'availability-zone': (x) => x.AvailabilityZone,
  'availability-zone-id': (x) => x.AvailabilityZoneId,
  'available-ip-address-count': (x) => x.AvailableIpAddressCount,
  cidr: (x) => x.CidrBlock,
  'cidr-block': (x) => x.CidrBlock,
  'customer-owned-ipv4-pool': (x) => x.CustomerOwnedIpv4Pool,
  'default-for-az': (x) => bool(x.DefaultForAz),
  'enable-dns64': (x) => bool(x.EnableDns64),
  'enable-lni-at-device-index': (x) => x.EnableLniAtDeviceIndex,
  'ipv6-cidr-block-association.ipv6-cidr-block': (x) => x.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
  'ipv6-cidr-block-association.association-id': (x) => x.Ipv6CidrBlockAssociationSet?.map((a) => a.AssociationId),
  'ipv6-cidr-block-association.state': (x) => x.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlockState?.State),
  'ipv6-native': (x) => bool(x.Ipv6Native),
  'map-customer-owned-ip-on-launch': (x) => bool(x.MapCustomerOwnedIpOnLaunch),
  'map-public-ip-on-launch': (x) => bool(x.MapPublicIpOnLaunch),
  'outpost-arn': (x) => x.OutpostArn,
  'owner-id': (x) => x.OwnerId,
  'private-dns-name-options-on-launch.hostname-type': (x) => x.PrivateDnsNameOptionsOnLaunch?.HostnameType,
  'private-dns-name-options-on-launch.enable-resource-name-dns-a-record': (x) => bool(x.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsARecord),
  'private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record': (x) => bool(x.PrivateDnsNameOptionsOnLaunch?.EnableResourceNameDnsAAAARecord),
  state: (x) => x.State,
  'subnet-arn': (x) => x.SubnetArn,
  'subnet-id': (x) => x.SubnetId,
  'vpc-id': (x) => x.VpcId,
  // Query-era spellings EC2 still accepts; the Terraform AWS provider sends them.
  availabilityZone: (x) => x.AvailabilityZone,
  cidrBlock: (x) => x.CidrBlock,
  defaultForAz: (x) => bool(x.DefaultForAz),
};

export function describeSubnets(s: Scope, input: DescribeSubnetsRequest): DescribeSubnetsResult {
  const { items, NextToken } = describeResources<Subnet, Subnet>(s, 'subnet', {
    ids: input.SubnetIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => viewSubnet(s, r.doc),
    page: input,
  });
  return { Subnets: items, NextToken };
}
