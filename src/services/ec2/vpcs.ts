/**
 * VPCs: CreateVpc, DeleteVpc, DescribeVpcs, ModifyVpcAttribute,
 * DescribeVpcAttribute. A new VPC comes with its default security group, main
 * route table and default network ACL, which DeleteVpc removes with it; any
 * other dependency (subnets, gateways, groups, tables) is a DependencyViolation.
 * https://docs.aws.amazon.com/vpc/latest/userguide/create-vpc.html
 */
import type {
  CreateVpcRequest,
  CreateVpcResult,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  ModifyVpcAttributeRequest,
  RouteTable,
  SecurityGroup,
  Tenancy,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { isCanonical, overlaps, parseCidr } from './cidr.js';
import { describeResources, requireStored } from './describe.js';
import { dependencyViolation, invalidCidrParameter, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.js';
import { bool, type FilterFields } from './filters.js';
import { newId, newResourceId } from './ids.js';
import { gatewayOf } from './internet-gateways.js';
import { deleteVpcAcls, insertDefaultAcl } from './network-acls.js';
import { deleteVpcRouteTables, insertRouteTable } from './route-tables.js';
import { deleteVpcGroups, insertSecurityGroup } from './security-groups.js';
import { countKind, deleteDoc, insertDoc, listStored, updateDoc, type Scope } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

/** The VPC attributes DescribeVpcAttribute reads, kept beside the SDK document. */
export interface VpcAttributes {
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
}

export interface VpcRecord extends Vpc {
  Attributes: VpcAttributes;
}

/** Address ranges EC2 refuses for a VPC (this network, loopback, link-local, multicast and above). */
const RESTRICTED = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3'].map((c) => parseCidr(c)!);

export function checkVpcCidr(cidr: string): void {
  const c = parseCidr(cidr);
  if (!c || !isCanonical(c)) throw invalidCidrParameter(cidr);
  if (c.prefix < 16 || c.prefix > 28 || RESTRICTED.some((r) => overlaps(r, c))) {
    throw new AwsError('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`);
  }
}

/** The region's DHCP options set (domain name and AmazonProvidedDNS), created once. */
function dhcpOptionsId(s: Scope): string {
  const existing = listStored(s, 'dhcp-options')[0];
  if (existing) return existing.id;
  const id = newResourceId('dhcp-options');
  const domain = s.region === 'us-east-1' ? 'ec2.internal' : `${s.region}.compute.internal`;
  insertDoc(s, 'dhcp-options', id, {
    DhcpOptionsId: id,
    OwnerId: s.account,
    DhcpConfigurations: [
      { Key: 'domain-name', Values: [{ Value: domain }] },
      { Key: 'domain-name-servers', Values: [{ Value: 'AmazonProvidedDNS' }] },
    ],
  });
  return id;
}

export interface NewVpc {
  cidr: string;
  isDefault: boolean;
  tenancy?: Tenancy;
}

/** Stores a VPC with its default security group, main route table and default network ACL. */
export function insertVpc(s: Scope, p: NewVpc): VpcRecord {
  const vpc: VpcRecord = {
    OwnerId: s.account,
    InstanceTenancy: p.tenancy ?? 'default',
    CidrBlockAssociationSet: [{ AssociationId: newId('vpc-cidr-assoc'), CidrBlock: p.cidr, CidrBlockState: { State: 'associated' } }],
    IsDefault: p.isDefault,
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    VpcId: newResourceId('vpc'),
    State: 'available',
    CidrBlock: p.cidr,
    DhcpOptionsId: dhcpOptionsId(s),
    // The default VPC resolves public DNS hostnames; a new VPC only DNS (VPC DNS attributes).
    Attributes: { enableDnsSupport: true, enableDnsHostnames: p.isDefault, enableNetworkAddressUsageMetrics: false },
  };
  insertDoc(s, 'vpc', vpc.VpcId!, vpc, { vpcId: vpc.VpcId });
  insertSecurityGroup(s, { vpcId: vpc.VpcId!, name: 'default', description: 'default VPC security group' });
  insertRouteTable(s, vpc, true);
  insertDefaultAcl(s, vpc.VpcId!);
  return vpc;
}

export function viewVpc(s: Scope, vpc: VpcRecord): Vpc {
  const { Attributes: _attributes, ...doc } = vpc;
  return withTags(s, vpc.VpcId!, doc);
}

export function createVpc(s: Scope, input: CreateVpcRequest): CreateVpcResult {
  if (input.AmazonProvidedIpv6CidrBlock || input.Ipv6CidrBlock || input.Ipv6Pool || input.Ipv6IpamPoolId) {
    throw new AwsError('UnsupportedOperation', 'Berth does not support IPv6 CIDR blocks for VPCs yet.');
  }
  if (input.Ipv4IpamPoolId) throw new AwsError('UnsupportedOperation', 'Berth does not support IPAM pools.');
  if (input.CidrBlock === undefined) throw missingParameter('cidrBlock');
  checkVpcCidr(input.CidrBlock);
  const tenancy = input.InstanceTenancy ?? 'default';
  if (tenancy !== 'default' && tenancy !== 'dedicated') {
    throw invalidParameterValue(`Value (${tenancy}) for parameter instanceTenancy is invalid. Valid values: default, dedicated`);
  }
  const tags = tagsFromSpecs(input.TagSpecifications, 'vpc');
  const vpc = insertVpc(s, { cidr: input.CidrBlock, isDefault: false, tenancy });
  applyTags(s, vpc.VpcId!, 'vpc', tags);
  // CreateVpc answers while the VPC is still "pending"; describing it shows "available".
  return { Vpc: { ...viewVpc(s, vpc), State: 'pending', Ipv6CidrBlockAssociationSet: [] } };
}

export function deleteVpc(s: Scope, input: DeleteVpcRequest): Record<string, never> {
  const { id } = requireStored<VpcRecord>(s, 'vpc', input.VpcId);
  const groups = listStored<SecurityGroup>(s, 'security-group', { vpcId: id });
  const tables = listStored<RouteTable>(s, 'route-table', { vpcId: id });
  const blocked =
    countKind(s, 'subnet', { vpcId: id }) > 0 ||
    countKind(s, 'network-interface', { vpcId: id }) > 0 ||
    !!gatewayOf(s, id) ||
    groups.some((g) => g.doc.GroupName !== 'default') ||
    tables.some((t) => !t.doc.Associations?.some((a) => a.Main));
  if (blocked) throw dependencyViolation(`The vpc '${id}' has dependencies and cannot be deleted.`);
  deleteVpcGroups(s, id);
  deleteVpcRouteTables(s, id);
  deleteVpcAcls(s, id);
  deleteDoc(s, id);
  return {};
}

const FIELDS: FilterFields<Vpc> = {
  cidr: (v) => v.CidrBlock,
  'cidr-block-association.cidr-block': (v) => v.CidrBlockAssociationSet?.map((a) => a.CidrBlock),
  'cidr-block-association.association-id': (v) => v.CidrBlockAssociationSet?.map((a) => a.AssociationId),
  'cidr-block-association.state': (v) => v.CidrBlockAssociationSet?.map((a) => a.CidrBlockState?.State),
  'dhcp-options-id': (v) => v.DhcpOptionsId,
  'ipv6-cidr-block-association.ipv6-cidr-block': (v) => v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlock),
  'ipv6-cidr-block-association.ipv6-pool': (v) => v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6Pool),
  'ipv6-cidr-block-association.association-id': (v) => v.Ipv6CidrBlockAssociationSet?.map((a) => a.AssociationId),
  'ipv6-cidr-block-association.state': (v) => v.Ipv6CidrBlockAssociationSet?.map((a) => a.Ipv6CidrBlockState?.State),
  'is-default': (v) => bool(v.IsDefault),
  // EC2 also answers to the query-era spelling, which the Terraform AWS provider still sends.
  isDefault: (v) => bool(v.IsDefault),
  'owner-id': (v) => v.OwnerId,
  state: (v) => v.State,
  'vpc-id': (v) => v.VpcId,
};

export function describeVpcs(s: Scope, input: DescribeVpcsRequest): DescribeVpcsResult {
  const { items, NextToken } = describeResources<VpcRecord, Vpc>(s, 'vpc', {
    ids: input.VpcIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => viewVpc(s, r.doc),
    page: input,
  });
  return { Vpcs: items, NextToken };
}

const ATTRIBUTES = ['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'] as const;

export function modifyVpcAttribute(s: Scope, input: ModifyVpcAttributeRequest): Record<string, never> {
  const { id, doc } = requireStored<VpcRecord>(s, 'vpc', input.VpcId);
  const given = {
    enableDnsSupport: input.EnableDnsSupport,
    enableDnsHostnames: input.EnableDnsHostnames,
    enableNetworkAddressUsageMetrics: input.EnableNetworkAddressUsageMetrics,
  };
  const named = ATTRIBUTES.filter((a) => given[a] !== undefined);
  // One attribute per call (ModifyVpcAttribute reference).
  if (named.length === 0) throw missingParameter('enableDnsSupport, enableDnsHostnames or enableNetworkAddressUsageMetrics');
  if (named.length > 1) throw invalidParameterCombination(`Fields for multiple attribute types specified: ${named.join(', ')}`);
  const name = named[0];
  const value = given[name]!.Value;
  if (value === undefined) throw missingParameter(`${name}.value`);
  updateDoc(s, id, { ...doc, Attributes: { ...doc.Attributes, [name]: value } });
  return {};
}

export function describeVpcAttribute(s: Scope, input: DescribeVpcAttributeRequest): DescribeVpcAttributeResult {
  const { id, doc } = requireStored<VpcRecord>(s, 'vpc', input.VpcId);
  const name = input.Attribute as (typeof ATTRIBUTES)[number];
  if (!ATTRIBUTES.includes(name)) throw invalidParameterValue(`Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
  const key = (name.charAt(0).toUpperCase() + name.slice(1)) as 'EnableDnsSupport';
  return { VpcId: id, [key]: { Value: doc.Attributes[name] } };
}
