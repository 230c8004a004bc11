/**
 * Network ACLs: every VPC has a default ACL (allow all in and out, then the
 * catch-all deny) that every subnet is associated with. Berth has no custom
 * ACLs, so DescribeNetworkAcls is read-only; Terraform and CDK read the default
 * ACL when they manage a VPC.
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-network-acl.html
 */
import type { DescribeNetworkAclsRequest, DescribeNetworkAclsResult, NetworkAcl, NetworkAclEntry } from '@aws-sdk/client-ec2';
import { describeResources } from './describe.js';
import { bool, type FilterFields } from './filters.js';
import { newId, newResourceId } from './ids.js';
import { deleteDoc, insertDoc, listStored, updateDoc, type Scope } from './store.js';
import { withTags } from './tags.js';

const entries = (egress: boolean): NetworkAclEntry[] => [
  { CidrBlock: '0.0.0.0/0', Egress: egress, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
  { CidrBlock: '0.0.0.0/0', Egress: egress, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
];

export function insertDefaultAcl(s: Scope, vpcId: string): NetworkAcl {
  const acl: NetworkAcl = {
    Associations: [],
    Entries: [...entries(true), ...entries(false)],
    IsDefault: true,
    NetworkAclId: newResourceId('network-acl'),
    VpcId: vpcId,
    OwnerId: s.account,
  };
  insertDoc(s, 'network-acl', acl.NetworkAclId!, acl, { vpcId });
  return acl;
}

function defaultAcl(s: Scope, vpcId: string) {
  return listStored<NetworkAcl>(s, 'network-acl', { vpcId }).find((a) => a.doc.IsDefault);
}

export function associateDefaultAcl(s: Scope, vpcId: string, subnetId: string): void {
  const acl = defaultAcl(s, vpcId);
  if (!acl) return;
  acl.doc.Associations = [...(acl.doc.Associations ?? []), {
    NetworkAclAssociationId: newId('aclassoc'), NetworkAclId: acl.id, SubnetId: subnetId,
  }];
  updateDoc(s, acl.id, acl.doc);
}

export function dissociateAcls(s: Scope, vpcId: string, subnetId: string): void {
  for (const acl of listStored<NetworkAcl>(s, 'network-acl', { vpcId })) {
    const kept = (acl.doc.Associations ?? []).filter((a) => a.SubnetId !== subnetId);
    if (kept.length !== acl.doc.Associations?.length) updateDoc(s, acl.id, { ...acl.doc, Associations: kept });
  }
}

export function deleteVpcAcls(s: Scope, vpcId: string): void {
  for (const acl of listStored<NetworkAcl>(s, 'network-acl', { vpcId })) deleteDoc(s, acl.id);
}

const FIELDS: FilterFields<NetworkAcl> = {
  'association.association-id': (a) => a.Associations?.map((x) => x.NetworkAclAssociationId),
  'association.network-acl-id': (a) => a.Associations?.map((x) => x.NetworkAclId),
  'association.subnet-id': (a) => a.Associations?.map((x) => x.SubnetId),
  'default': (a) => bool(a.IsDefault),
  'entry.cidr': (a) => a.Entries?.map((e) => e.CidrBlock),
  'entry.egress': (a) => a.Entries?.map((e) => bool(e.Egress)),
  'entry.icmp.code': (a) => a.Entries?.map((e) => e.IcmpTypeCode?.Code),
  'entry.icmp.type': (a) => a.Entries?.map((e) => e.IcmpTypeCode?.Type),
  'entry.ipv6-cidr': (a) => a.Entries?.map((e) => e.Ipv6CidrBlock),
  'entry.port-range.from': (a) => a.Entries?.map((e) => e.PortRange?.From),
  'entry.port-range.to': (a) => a.Entries?.map((e) => e.PortRange?.To),
  'entry.protocol': (a) => a.Entries?.map((e) => e.Protocol),
  'entry.rule-action': (a) => a.Entries?.map((e) => e.RuleAction),
  'entry.rule-number': (a) => a.Entries?.map((e) => e.RuleNumber),
  'network-acl-id': (a) => a.NetworkAclId,
  'owner-id': (a) => a.OwnerId,
  'vpc-id': (a) => a.VpcId,
};

export function describeNetworkAcls(s: Scope, input: DescribeNetworkAclsRequest): DescribeNetworkAclsResult {
  const { items, NextToken } = describeResources<NetworkAcl, NetworkAcl>(s, 'network-acl', {
    ids: input.NetworkAclIds,
    filters: input.Filters,
    fields: FIELDS,
    view: (r) => withTags(s, r.id, r.doc),
    page: input,
  });
  return { NetworkAcls: items, NextToken };
}
