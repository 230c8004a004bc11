/**
 * Elastic IP addresses: AllocateAddress, ReleaseAddress, DescribeAddresses,
 * AssociateAddress, DisassociateAddress. An address is a record: its public IP is
 * a label drawn from 198.18.0.0/15 (RFC 2544's benchmarking range, never routed),
 * which Berth never connects to. Associated with a network interface, it shows on
 * the interface as its Association, as EC2 shows it.
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html
 */
import type {
  Address,
  AllocateAddressRequest,
  AllocateAddressResult,
  AssociateAddressRequest,
  AssociateAddressResult,
  DescribeAddressesRequest,
  DescribeAddressesResult,
  DisassociateAddressRequest,
  Instance,
  NetworkInterface,
  ReleaseAddressRequest,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { randomHex } from '../../shared/ids.js';
import { formatIpv4, parseIpv4 } from './cidr.js';
import { checkIds, requireDoc, requireStored } from './describe.js';
import { invalidParameterCombination, invalidParameterValue, missingParameter, notFound } from './errors.js';
import { compileFilters, type FilterFields } from './filters.js';
import { newId, newResourceId } from './ids.js';
import { gatewayOf } from './internet-gateways.js';
import { getDoc, getStored, insertDoc, listStored, updateDoc, deleteDoc, type Scope, type Stored } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

const LABEL_BASE = parseIpv4('198.18.0.0')!;
const LABEL_SIZE = 1 << 17;

/** A public address label not held by another allocation of this scope. */
function publicIp(s: Scope): string {
  const taken = new Set(listStored<Address>(s, 'elastic-ip').map((a) => a.doc.PublicIp));
  for (;;) {
    const ip = formatIpv4(LABEL_BASE + (parseInt(randomHex(4), 16) % LABEL_SIZE));
    if (!taken.has(ip) && !ip.endsWith('.0') && !ip.endsWith('.255')) return ip;
  }
}

/** EC2's public DNS name for an address (ec2-198-18-0-1.compute-1.amazonaws.com in us-east-1). */
function publicDnsName(region: string, ip: string): string {
  const host = `ec2-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${host}.compute-1.amazonaws.com` : `${host}.${region}.compute.amazonaws.com`;
}

export function allocateAddress(s: Scope, input: AllocateAddressRequest): AllocateAddressResult {
  if (input.Domain && input.Domain !== 'vpc') throw invalidParameterValue('EC2-Classic addresses no longer exist; Domain must be vpc.');
  if (input.Address || input.CustomerOwnedIpv4Pool || input.IpamPoolId || (input.PublicIpv4Pool && input.PublicIpv4Pool !== 'amazon')) {
    throw new AwsError('UnsupportedOperation', 'Berth allocates addresses from the Amazon pool only (no BYOIP, customer-owned or IPAM pools).');
  }
  if (input.NetworkBorderGroup && input.NetworkBorderGroup !== s.region) {
    throw invalidParameterValue(`The network border group ${input.NetworkBorderGroup} is invalid.`);
  }
  const tags = tagsFromSpecs(input.TagSpecifications, 'elastic-ip');
  const address: Address = {
    AllocationId: newResourceId('elastic-ip'), Domain: 'vpc', NetworkBorderGroup: s.region, PublicIp: publicIp(s), PublicIpv4Pool: 'amazon',
  };
  insertDoc(s, 'elastic-ip', address.AllocationId!, address);
  applyTags(s, address.AllocationId!, 'elastic-ip', tags);
  return { AllocationId: address.AllocationId, Domain: 'vpc', NetworkBorderGroup: s.region, PublicIp: address.PublicIp, PublicIpv4Pool: 'amazon' };
}

/** The allocation an operation names by AllocationId or (as the CLI allows) by PublicIp. */
function requireAllocation(s: Scope, allocationId: string | undefined, publicIp: string | undefined): Stored<Address> {
  if (allocationId) return requireStored<Address>(s, 'elastic-ip', allocationId);
  if (!publicIp) throw missingParameter('allocationId');
  const found = listStored<Address>(s, 'elastic-ip').find((a) => a.doc.PublicIp === publicIp);
  // The VPC form of EC2's answer for an unknown public IP.
  if (!found) throw new AwsError('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
  return found;
}

export function releaseAddress(s: Scope, input: ReleaseAddressRequest): Record<string, never> {
  const address = requireAllocation(s, input.AllocationId, input.PublicIp);
  if (address.doc.AssociationId) throw new AwsError('InvalidIPAddress.InUse', `Address ${address.id} is in use.`);
  deleteDoc(s, address.id);
  return {};
}

/** The network interface an association names directly, or an instance's primary one. */
function targetInterface(s: Scope, input: AssociateAddressRequest): NetworkInterface {
  if (input.NetworkInterfaceId && input.InstanceId) {
    throw invalidParameterCombination('Only one of instanceId or networkInterfaceId may be specified');
  }
  if (input.NetworkInterfaceId) return requireDoc<NetworkInterface>(s, 'network-interface', input.NetworkInterfaceId);
  if (!input.InstanceId) throw missingParameter('instanceId or networkInterfaceId');
  const instance = requireDoc<Instance>(s, 'instance', input.InstanceId);
  const primary = instance.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0) ?? instance.NetworkInterfaces?.[0];
  const eni = primary?.NetworkInterfaceId ? getDoc<NetworkInterface>(s, 'network-interface', primary.NetworkInterfaceId) : undefined;
  if (!eni) throw new AwsError('IncorrectInstanceState', `The instance '${input.InstanceId}' is not in a valid state for this operation.`);
  return eni;
}

/**
 * Maps an address to an interface (the interface's Association and the address's association fields). The VPC must
 * have an internet gateway attached, as EC2 requires of a public address. Returns the association id.
 */
export function mapAddress(s: Scope, address: Stored<Address>, eni: NetworkInterface, allowReassociation: boolean): string {
  if (!gatewayOf(s, eni.VpcId!)) throw new AwsError('Gateway.NotAttached', `Network ${eni.VpcId} is not attached to any internet gateway`);
  if (address.doc.AssociationId) {
    if (!allowReassociation) {
      throw new AwsError('Resource.AlreadyAssociated', `resource ${address.id} is already associated with associate-id ${address.doc.AssociationId}`);
    }
    unmapAddress(s, address);
  }
  if (eni.Association?.PublicIp) {
    const held = eni.Association.AllocationId ? getStored<Address>(s, 'elastic-ip', eni.Association.AllocationId) : undefined;
    if (held && !allowReassociation) throw new AwsError('Resource.AlreadyAssociated', `resource ${eni.NetworkInterfaceId} is already associated with associate-id ${held.doc.AssociationId}`);
    if (held) unmapAddress(s, held);
  }
  const associationId = newId('eipassoc');
  const fresh = getDoc<NetworkInterface>(s, 'network-interface', eni.NetworkInterfaceId!)!;
  // Read again: an earlier association of the address was just removed from it.
  const current = getDoc<Address>(s, 'elastic-ip', address.id)!;
  updateDoc(s, eni.NetworkInterfaceId!, {
    ...fresh,
    Association: {
      AllocationId: address.id, AssociationId: associationId, IpOwnerId: s.account, PublicDnsName: publicDnsName(s.region, address.doc.PublicIp!),
      PublicIp: address.doc.PublicIp,
    },
  });
  updateDoc(s, address.id, {
    ...current, AssociationId: associationId, NetworkInterfaceId: eni.NetworkInterfaceId, NetworkInterfaceOwnerId: s.account,
    PrivateIpAddress: eni.PrivateIpAddress, ...(eni.Attachment?.InstanceId ? { InstanceId: eni.Attachment.InstanceId } : {}),
  } satisfies Address);
  return associationId;
}

/** Removes an address's association (from the address and its interface). */
export function unmapAddress(s: Scope, address: Stored<Address>): void {
  const eniId = address.doc.NetworkInterfaceId;
  const eni = eniId ? getDoc<NetworkInterface>(s, 'network-interface', eniId) : undefined;
  if (eni?.Association?.AllocationId === address.id) {
    const { Association: _gone, ...rest } = eni;
    updateDoc(s, eniId!, rest);
  }
  const { AssociationId: _a, NetworkInterfaceId: _n, NetworkInterfaceOwnerId: _o, PrivateIpAddress: _p, InstanceId: _i, ...kept } = address.doc;
  updateDoc(s, address.id, kept);
}

export function associateAddress(s: Scope, input: AssociateAddressRequest): AssociateAddressResult {
  const address = requireAllocation(s, input.AllocationId, input.PublicIp);
  const eni = targetInterface(s, input);
  if (input.PrivateIpAddress && input.PrivateIpAddress !== eni.PrivateIpAddress) {
    throw invalidParameterValue(`The private IP address ${input.PrivateIpAddress} is not associated with network interface ${eni.NetworkInterfaceId}.`);
  }
  if (natGatewayOwns(eni)) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${eni.NetworkInterfaceId}' does not exist`);
  return { AssociationId: mapAddress(s, address, eni, !!input.AllowReassociation) };
}

/** A NAT gateway's interface: its address is the gateway's, managed by it. */
const natGatewayOwns = (eni: NetworkInterface) => eni.InterfaceType === 'natGateway';

export function disassociateAddress(s: Scope, input: DisassociateAddressRequest): Record<string, never> {
  const all = listStored<Address>(s, 'elastic-ip');
  const address = input.AssociationId
    ? all.find((a) => a.doc.AssociationId === input.AssociationId)
    : all.find((a) => a.doc.PublicIp === input.PublicIp && a.doc.AssociationId);
  if (!address) {
    if (!input.AssociationId && !input.PublicIp) throw missingParameter('associationId');
    throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? input.PublicIp}' does not exist`);
  }
  const eni = address.doc.NetworkInterfaceId ? getDoc<NetworkInterface>(s, 'network-interface', address.doc.NetworkInterfaceId) : undefined;
  // A NAT gateway's address stays with it until the gateway is deleted.
  if (eni && natGatewayOwns(eni)) throw new AwsError('AuthFailure', 'You do not have permission to access the specified resource.');
  unmapAddress(s, address);
  return {};
}

/** Whether any address is mapped to an interface in the VPC (an internet gateway cannot be detached then). */
export function vpcHasMappedAddresses(s: Scope, vpcId: string): boolean {
  return listStored<Address>(s, 'elastic-ip').some((a) => {
    const eniId = a.doc.NetworkInterfaceId;
    return !!eniId && getDoc<NetworkInterface>(s, 'network-interface', eniId)?.VpcId === vpcId;
  });
}

const FIELDS: FilterFields<Address> = {
  'allocation-id': (a) => a.AllocationId,
  'association-id': (a) => a.AssociationId,
  domain: (a) => a.Domain,
  'instance-id': (a) => a.InstanceId,
  'network-border-group': (a) => a.NetworkBorderGroup,
  'network-interface-id': (a) => a.NetworkInterfaceId,
  'network-interface-owner-id': (a) => a.NetworkInterfaceOwnerId,
  'private-ip-address': (a) => a.PrivateIpAddress,
  'public-ip': (a) => a.PublicIp,
};

/** DescribeAddresses has no pagination; unknown allocation ids and public IPs are errors naming them. */
export function describeAddresses(s: Scope, input: DescribeAddressesRequest): DescribeAddressesResult {
  const all = listStored<Address>(s, 'elastic-ip');
  let chosen = all;
  if (input.AllocationIds?.length) {
    checkIds('elastic-ip', input.AllocationIds);
    const missing = input.AllocationIds.filter((id) => !all.some((a) => a.id === id));
    if (missing.length) throw notFound('elastic-ip', missing);
    chosen = chosen.filter((a) => input.AllocationIds!.includes(a.id));
  }
  if (input.PublicIps?.length) {
    const missing = input.PublicIps.filter((ip) => !all.some((a) => a.doc.PublicIp === ip));
    if (missing.length) throw new AwsError('InvalidAddress.NotFound', `Address '${missing[0]}' not found.`);
    chosen = chosen.filter((a) => input.PublicIps!.includes(a.doc.PublicIp!));
  }
  const match = compileFilters(input.Filters, FIELDS, (a: Address) => a.Tags);
  return { Addresses: chosen.map((a) => withTags(s, a.id, a.doc)).filter(match) };
}
