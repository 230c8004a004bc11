/**
 * Elastic network interfaces: DescribeNetworkInterfaces,
 * CreateNetworkInterface, DeleteNetworkInterface, and allocateEni/releaseEni,
 * which the ECS task controller calls for awsvpc tasks (no RequestContext
 * needed). An ENI holds one private IPv4 address drawn from its subnet's CIDR
 * (never one of the five AWS reserves), a MAC and a private DNS name.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-eni.html
 */
import type {
  CreateNetworkInterfaceRequest,
  CreateNetworkInterfaceResult,
  DeleteNetworkInterfaceRequest,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  NetworkInterface,
  NetworkInterfaceStatus,
  SecurityGroup,
  Subnet,
  Tag,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { randomHex } from '../../shared/ids.js';
import type { Statements } from '../../state/db.js';
import { containsIp, formatIpv4, parseCidr, parseIpv4, usableAddress, usableAddressCount } from './cidr.js';
import { ensureDefaultNetwork } from './defaults.js';
import { describeResources, requireDoc, requireStored } from './describe.js';
import { invalidParameter, invalidParameterCombination, invalidParameterValue } from './errors.js';
import { bool, type FilterFields } from './filters.js';
import { newId, newResourceId } from './ids.js';
import { groupByName } from './security-group-refs.js';
import { claimAddress, deleteDoc, getStored, getTags, insertDoc, releaseAddresses, updateDoc, usedAddresses, type Scope } from './store.js';
import { applyTags, tagsFromSpecs, validateTags } from './tags.js';
import { zoneByName } from './zones.js';

/** Security groups per network interface (the default quota). */
export const MAX_GROUPS_PER_ENI = 5;

export interface AllocateEniParams {
  account: string;
  region: string;
  subnetId: string;
  /** Group ids; empty or absent means the VPC's default group. */
  securityGroups?: string[];
  description?: string;
  /** The AWS principal that manages the interface (ECS uses its own account); makes it requester-managed. */
  requesterId?: string;
  /** A specific address in the subnet; by default one is drawn at random. */
  privateIpAddress?: string;
  tags?: Tag[];
  /** Present for an interface attached on creation (an awsvpc task's): it is then "in-use". */
  attachment?: { instanceOwnerId?: string; deviceIndex?: number; attachTime?: Date };
}

export interface AllocatedEni {
  networkInterfaceId: string;
  privateIpAddress: string;
  macAddress: string;
  privateDnsName: string;
  availabilityZone: string;
  availabilityZoneId: string;
  subnetId: string;
  vpcId: string;
  securityGroups: string[];
  attachmentId?: string;
}

function macAddress(): string {
  const b = Buffer.from(randomHex(6), 'hex');
  // Locally administered, unicast: what EC2's MACs are.
  b[0] = (b[0] & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function privateDnsName(region: string, ip: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

function pickAddress(s: Scope, subnet: Subnet, wanted: string | undefined): string {
  const cidr = parseCidr(subnet.CidrBlock!)!;
  const used = usedAddresses(s, subnet.SubnetId!);
  if (wanted !== undefined) {
    const ip = parseIpv4(wanted);
    if (ip === undefined) throw invalidParameterValue(`Value (${wanted}) for parameter privateIpAddress is invalid. Not a valid IPv4 address.`);
    const first = usableAddress(cidr, 0)!;
    const last = usableAddress(cidr, usableAddressCount(cidr) - 1)!;
    if (!containsIp(cidr, ip) || ip < first || ip > last) {
      throw invalidParameterValue(`Address ${wanted} does not fall within the subnet's address range`);
    }
    if (used.has(wanted)) throw new AwsError('InvalidIPAddress.InUse', `The specified address is already in use: ${wanted}`);
    return wanted;
  }
  const count = usableAddressCount(cidr);
  if (used.size >= count) {
    throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
  }
  // Like EC2, hand out addresses in no particular order: start at a random offset and probe.
  const start = parseInt(randomHex(4), 16) % count;
  for (let i = 0; i < count; i++) {
    const ip = formatIpv4(usableAddress(cidr, (start + i) % count)!);
    if (!used.has(ip)) return ip;
  }
  throw new Error('unreachable: a free address was counted but not found');
}

function resolveGroups(s: Scope, subnet: Subnet, ids: string[] | undefined): SecurityGroup[] {
  const list = ids?.length ? [...new Set(ids)] : [];
  if (list.length > MAX_GROUPS_PER_ENI) {
    throw new AwsError('SecurityGroupsPerInterfaceLimitExceeded', 'The maximum number of security groups per interface has been reached.');
  }
  if (!list.length) {
    const def = groupByName(s, subnet.VpcId!, 'default');
    return def ? [def.doc] : [];
  }
  return list.map((id) => {
    const g = requireDoc<SecurityGroup>(s, 'security-group', id);
    if (g.VpcId !== subnet.VpcId) throw invalidParameter(`Security group ${id} and subnet ${subnet.SubnetId} belong to different networks.`);
    return g;
  });
}

/** Creates an interface in a subnet within the caller's transaction (Scope-level). */
export function insertEni(s: Scope, p: Omit<AllocateEniParams, 'account' | 'region'>): NetworkInterface {
  const subnet = requireDoc<Subnet>(s, 'subnet', p.subnetId);
  const groups = resolveGroups(s, subnet, p.securityGroups);
  const tags = validateTags(p.tags);
  const ip = pickAddress(s, subnet, p.privateIpAddress);
  const id = newResourceId('network-interface');
  const dns = privateDnsName(s.region, ip);
  const eni: NetworkInterface = {
    AvailabilityZone: subnet.AvailabilityZone,
    AvailabilityZoneId: subnet.AvailabilityZoneId ?? zoneByName(s.region, subnet.AvailabilityZone!)?.id,
    Description: p.description ?? '',
    Groups: groups.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName })),
    InterfaceType: 'interface',
    Ipv6Addresses: [],
    MacAddress: macAddress(),
    NetworkInterfaceId: id,
    OwnerId: s.account,
    PrivateDnsName: dns,
    PrivateIpAddress: ip,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip, PrivateDnsName: dns }],
    ...(p.requesterId ? { RequesterId: p.requesterId } : {}),
    RequesterManaged: !!p.requesterId,
    SourceDestCheck: true,
    Status: p.attachment ? 'in-use' : 'available',
    SubnetId: subnet.SubnetId,
    VpcId: subnet.VpcId,
    ...(p.attachment
      ? {
          Attachment: {
            AttachmentId: newId('ela-attach'),
            DeviceIndex: p.attachment.deviceIndex ?? 1,
            NetworkCardIndex: 0,
            InstanceOwnerId: p.attachment.instanceOwnerId ?? 'amazon-aws',
            Status: 'attached',
            DeleteOnTermination: false,
            ...(p.attachment.attachTime ? { AttachTime: p.attachment.attachTime } : {}),
          },
        }
      : {}),
  };
  insertDoc(s, 'network-interface', id, eni, { vpcId: subnet.VpcId, parentId: subnet.SubnetId });
  claimAddress(s, subnet.SubnetId!, ip, id);
  applyTags(s, id, 'network-interface', tags);
  return eni;
}

/** Attaches an interface to an instance (its primary one at device index 0): in-use, with an eni-attach- attachment. */
export function attachEniToInstance(
  s: Scope, id: string, p: { instanceId: string; deviceIndex: number; deleteOnTermination: boolean; attachTime: string },
): NetworkInterface {
  const eni = requireDoc<NetworkInterface>(s, 'network-interface', id);
  if (eni.Attachment || eni.Status !== 'available') throw invalidParameterValue(`Interface: [${id}] in use.`);
  eni.Status = 'in-use';
  eni.Attachment = {
    AttachmentId: newId('eni-attach'), AttachTime: p.attachTime as unknown as Date, DeleteOnTermination: p.deleteOnTermination,
    DeviceIndex: p.deviceIndex, NetworkCardIndex: 0, InstanceId: p.instanceId, InstanceOwnerId: s.account, Status: 'attached',
  };
  updateDoc(s, id, eni);
  return eni;
}

/** An instance's interface once the instance is terminated: deleted (DeleteOnTermination) or available again. */
export function detachEniFromInstance(s: Scope, id: string): void {
  const eni = getStored<NetworkInterface>(s, 'network-interface', id)?.doc;
  if (!eni) return;
  if (eni.Attachment?.DeleteOnTermination) {
    removeEni(s, id);
    return;
  }
  delete eni.Attachment;
  eni.Status = 'available';
  updateDoc(s, id, eni);
}

export function removeEni(s: Scope, id: string): boolean {
  if (!getStored(s, 'network-interface', id)) return false;
  releaseAddresses(s, id);
  deleteDoc(s, id);
  return true;
}

function summary(eni: NetworkInterface): AllocatedEni {
  return {
    networkInterfaceId: eni.NetworkInterfaceId!,
    privateIpAddress: eni.PrivateIpAddress!,
    macAddress: eni.MacAddress!,
    privateDnsName: eni.PrivateDnsName!,
    availabilityZone: eni.AvailabilityZone!,
    availabilityZoneId: eni.AvailabilityZoneId!,
    subnetId: eni.SubnetId!,
    vpcId: eni.VpcId!,
    securityGroups: (eni.Groups ?? []).map((g) => g.GroupId!),
    ...(eni.Attachment?.AttachmentId ? { attachmentId: eni.Attachment.AttachmentId } : {}),
  };
}

/**
 * Creates an ENI for an awsvpc task (or any caller outside a request) in one
 * transaction. Throws the AwsError EC2 would give (InvalidSubnetID.NotFound,
 * InvalidGroup.NotFound, InsufficientFreeAddressesInSubnet…); callers map it to
 * their own service's error.
 */
export function allocateEni(sql: Statements, p: AllocateEniParams): AllocatedEni {
  return sql.db.transaction(() => {
    ensureDefaultNetwork(sql, p.account, p.region);
    return summary(insertEni({ sql, account: p.account, region: p.region }, p));
  })();
}

/** Deletes an ENI and frees its address; false if it was already gone (idempotent). */
export function releaseEni(sql: Statements, p: { account: string; region: string; networkInterfaceId: string }): boolean {
  return sql.db.transaction(() => removeEni({ sql, account: p.account, region: p.region }, p.networkInterfaceId))();
}

export function createNetworkInterface(s: Scope, input: CreateNetworkInterfaceRequest): CreateNetworkInterfaceResult {
  const unsupported = [
    input.Ipv6Addresses?.length, input.Ipv6AddressCount, input.Ipv4Prefixes?.length, input.Ipv4PrefixCount, input.Ipv6Prefixes?.length,
    input.Ipv6PrefixCount, input.SecondaryPrivateIpAddressCount, input.EnablePrimaryIpv6,
  ].some((v) => !!v);
  if (unsupported || (input.PrivateIpAddresses?.length ?? 0) > 1) {
    throw new AwsError('UnsupportedOperation', 'Berth network interfaces have one private IPv4 address and no IPv6 addresses or prefixes.');
  }
  if (input.InterfaceType && input.InterfaceType !== 'interface' as string) {
    throw new AwsError('UnsupportedOperation', `Berth does not support network interfaces of type ${input.InterfaceType}.`);
  }
  const tags = tagsFromSpecs(input.TagSpecifications, 'network-interface');
  const eni = insertEni(s, {
    subnetId: input.SubnetId!,
    securityGroups: input.Groups,
    description: input.Description,
    privateIpAddress: input.PrivateIpAddress ?? input.PrivateIpAddresses?.[0]?.PrivateIpAddress,
    tags,
  });
  // CreateNetworkInterface answers "pending", outside the NetworkInterfaceStatus enum (create-network-interface example).
  return { NetworkInterface: { ...viewEni(s, eni), Status: 'pending' as NetworkInterfaceStatus }, ClientToken: input.ClientToken };
}

export function deleteNetworkInterface(s: Scope, input: DeleteNetworkInterfaceRequest): Record<string, never> {
  const { id, doc } = requireStored<NetworkInterface>(s, 'network-interface', input.NetworkInterfaceId);
  if (doc.Attachment || doc.Status === 'in-use') throw invalidParameterValue(`Network interface '${id}' is currently in use.`);
  removeEni(s, id);
  return {};
}

export function viewEni(s: Scope, eni: NetworkInterface): NetworkInterface {
  // Network interfaces always carry a TagSet, even an empty one.
  return { ...eni, TagSet: getTags(s, eni.NetworkInterfaceId!) };
}

const FIELDS: FilterFields<NetworkInterface> = {
  'addresses.private-ip-address': (e) => e.PrivateIpAddresses?.map((a) => a.PrivateIpAddress),
  'addresses.primary': (e) => e.PrivateIpAddresses?.map((a) => bool(a.Primary)),
  'addresses.association.public-ip': (e) => e.PrivateIpAddresses?.map((a) => a.Association?.PublicIp),
  'addresses.association.owner-id': (e) => e.PrivateIpAddresses?.map((a) => a.Association?.IpOwnerId),
  'association.public-ip': (e) => e.Association?.PublicIp,
  'association.public-dns-name': (e) => e.Association?.PublicDnsName,
  'association.ip-owner-id': (e) => e.Association?.IpOwnerId,
  'association.allocation-id': (e) => e.Association?.AllocationId,
  'association.association-id': (e) => e.Association?.AssociationId,
  'attachment.attachment-id': (e) => e.Attachment?.AttachmentId,
  'attachment.attach-time': (e) => (e.Attachment?.AttachTime ? new Date(e.Attachment.AttachTime).toISOString() : undefined),
  'attachment.delete-on-termination': (e) => (e.Attachment ? bool(e.Attachment.DeleteOnTermination) : undefined),
  'attachment.device-index': (e) => e.Attachment?.DeviceIndex,
  'attachment.instance-id': (e) => e.Attachment?.InstanceId,
  'attachment.instance-owner-id': (e) => e.Attachment?.InstanceOwnerId,
  'attachment.status': (e) => e.Attachment?.Status,
  'availability-zone': (e) => e.AvailabilityZone,
  description: (e) => e.Description,
  'group-id': (e) => e.Groups?.map((g) => g.GroupId),
  'group-name': (e) => e.Groups?.map((g) => g.GroupName),
  'ipv6-addresses.ipv6-address': (e) => e.Ipv6Addresses?.map((a) => a.Ipv6Address),
  'interface-type': (e) => e.InterfaceType,
  'mac-address': (e) => e.MacAddress,
  'network-interface-id': (e) => e.NetworkInterfaceId,
  'owner-id': (e) => e.OwnerId,
  'private-dns-name': (e) => e.PrivateDnsName,
  'private-ip-address': (e) => e.PrivateIpAddress,
  'requester-id': (e) => e.RequesterId,
  'requester-managed': (e) => bool(e.RequesterManaged),
  'source-dest-check': (e) => bool(e.SourceDestCheck),
  status: (e) => e.Status,
  'subnet-id': (e) => e.SubnetId,
  'vpc-id': (e) => e.VpcId,
};

export function describeNetworkInterfaces(s: Scope, input: DescribeNetworkInterfacesRequest): DescribeNetworkInterfacesResult {
  if (input.NetworkInterfaceIds?.length && input.MaxResults !== undefined) {
    // "You cannot specify this parameter and the network interface IDs parameter in the same request."
    throw invalidParameterCombination('The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults');
  }
  const { items, NextToken } = describeResources<NetworkInterface, NetworkInterface>(s, 'network-interface', {
    ids: input.NetworkInterfaceIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => viewEni(s, r.doc),
    tagsOf: (e) => e.TagSet,
    page: input,
  });
  return { NetworkInterfaces: items, NextToken };
}

