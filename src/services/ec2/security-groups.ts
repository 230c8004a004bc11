/**
 * Security groups: CreateSecurityGroup, DeleteSecurityGroup,
 * DescribeSecurityGroups. Every VPC has a `default` group (all traffic from
 * itself in, everything out) that cannot be deleted; a new group allows all
 * outbound traffic and nothing inbound.
 * https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
 */
import type {
  CreateSecurityGroupRequest,
  CreateSecurityGroupResult,
  DeleteSecurityGroupRequest,
  DeleteSecurityGroupResult,
  DescribeSecurityGroupsRequest,
  DescribeSecurityGroupsResult,
  NetworkInterface,
  SecurityGroup,
  SecurityGroupRule,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { arn } from '../../shared/arns.js';
import { describeResources, requireDoc } from './describe.js';
import { dependencyViolation, invalidParameterValue } from './errors.js';
import type { FilterFields } from './filters.js';
import { newResourceId } from './ids.js';
import { defaultVpc, groupByName, requireGroup, requireGroupByName } from './security-group-refs.js';
import { deleteRulesOf, insertRules, isReferenced, permissionsOf, rulesOf } from './security-group-rules.js';
import { deleteDoc, getDoc, insertDoc, listDocs, listStored, type Scope } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

/** Characters EC2 allows in VPC security group names and descriptions. */
const NAME_CHARS = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

export interface NewGroup {
  vpcId: string;
  name: string;
  description: string;
}

export function insertSecurityGroup(s: Scope, p: NewGroup): SecurityGroup {
  const id = newResourceId('security-group');
  const group: SecurityGroup = {
    GroupId: id,
    VpcId: p.vpcId,
    SecurityGroupArn: arn('ec2', s.region, s.account, `security-group/${id}`),
    OwnerId: s.account,
    GroupName: p.name,
    Description: p.description,
  };
  insertDoc(s, 'security-group', id, group, { vpcId: p.vpcId });
  const egressAll = { IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '0.0.0.0/0' };
  if (p.name === 'default') {
    insertRules(s, group, [
      { IsEgress: false, IpProtocol: '-1', FromPort: -1, ToPort: -1, ReferencedGroupInfo: { GroupId: id, UserId: s.account } },
      egressAll,
    ]);
  } else {
    insertRules(s, group, [egressAll]);
  }
  return group;
}

function checkText(value: string, parameter: 'GroupName' | 'GroupDescription'): void {
  if (value.length > 255) throw invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid. Length exceeds maximum of 255 characters.`);
  if (/[^\x20-\x7e]/.test(value)) throw invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid. Character sets beyond ASCII are not supported.`);
  if (!NAME_CHARS.test(value)) {
    throw invalidParameterValue(`Value (${value}) for parameter ${parameter} is invalid. Valid characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*`);
  }
}

export function createSecurityGroup(s: Scope, input: CreateSecurityGroupRequest): CreateSecurityGroupResult {
  const name = input.GroupName ?? '';
  const description = input.Description ?? '';
  checkText(name, 'GroupName');
  checkText(description, 'GroupDescription');
  if (name.startsWith('sg-')) throw invalidParameterValue('Group names may not be in the format sg-*.');
  const tags = tagsFromSpecs(input.TagSpecifications, 'security-group');
  let vpcId = input.VpcId;
  if (vpcId) requireDoc<Vpc>(s, 'vpc', vpcId);
  else {
    vpcId = defaultVpc(s)?.id;
    if (!vpcId) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
  }
  if (name === 'default') throw new AwsError('InvalidGroup.Reserved', "The security group 'default' is reserved");
  if (groupByName(s, vpcId, name)) {
    throw new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  }
  const group = insertSecurityGroup(s, { vpcId, name, description });
  applyTags(s, group.GroupId!, 'security-group', tags);
  return { GroupId: group.GroupId, SecurityGroupArn: group.SecurityGroupArn, ...(tags.length ? { Tags: tags } : {}) };
}

export function deleteSecurityGroup(s: Scope, input: DeleteSecurityGroupRequest): DeleteSecurityGroupResult {
  const { id, doc } = requireGroup(s, input);
  if (doc.GroupName === 'default') {
    throw new AwsError('CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`);
  }
  const usedByEni = listDocs<NetworkInterface>(s, 'network-interface', { vpcId: doc.VpcId }).some((e) => e.Groups?.some((g) => g.GroupId === id));
  if (usedByEni || isReferenced(s, id, doc.VpcId!)) throw dependencyViolation(`resource ${id} has a dependent object`);
  deleteRulesOf(s, id);
  deleteDoc(s, id);
  return { Return: true, GroupId: id };
}

/** Removes a VPC's default group (the only one left when a VPC may be deleted). */
export function deleteVpcGroups(s: Scope, vpcId: string): void {
  for (const g of listStored<SecurityGroup>(s, 'security-group', { vpcId })) {
    deleteRulesOf(s, g.id);
    deleteDoc(s, g.id);
  }
}

interface GroupView extends SecurityGroup {
  rules: SecurityGroupRule[];
}

export function viewGroup(s: Scope, group: SecurityGroup): SecurityGroup & { rules: SecurityGroupRule[] } {
  const rules = rulesOf(s, group.GroupId!).map((r) => r.doc);
  return {
    ...withTags(s, group.GroupId!, group),
    IpPermissions: permissionsOf(rules.filter((r) => !r.IsEgress)),
    IpPermissionsEgress: permissionsOf(rules.filter((r) => r.IsEgress)),
    rules,
  };
}

function permissionFields(prefix: string, egress: boolean, s: Scope): FilterFields<GroupView> {
  const of = (g: GroupView) => g.rules.filter((r) => r.IsEgress === egress);
  const groupName = (id: string | undefined) => (id ? getDoc<SecurityGroup>(s, 'security-group', id)?.GroupName : undefined);
  return {
    [`${prefix}.cidr`]: (g) => of(g).map((r) => r.CidrIpv4),
    [`${prefix}.from-port`]: (g) => of(g).map((r) => r.FromPort),
    [`${prefix}.to-port`]: (g) => of(g).map((r) => r.ToPort),
    [`${prefix}.group-id`]: (g) => of(g).map((r) => r.ReferencedGroupInfo?.GroupId),
    [`${prefix}.group-name`]: (g) => of(g).map((r) => groupName(r.ReferencedGroupInfo?.GroupId)),
    [`${prefix}.ipv6-cidr`]: (g) => of(g).map((r) => r.CidrIpv6),
    [`${prefix}.prefix-list-id`]: (g) => of(g).map((r) => r.PrefixListId),
    [`${prefix}.protocol`]: (g) => of(g).map((r) => r.IpProtocol),
    [`${prefix}.user-id`]: (g) => of(g).map((r) => r.ReferencedGroupInfo?.UserId),
  };
}

export function describeSecurityGroups(s: Scope, input: DescribeSecurityGroupsRequest): DescribeSecurityGroupsResult {
  const fields: FilterFields<GroupView> = {
    description: (g) => g.Description,
    'group-id': (g) => g.GroupId,
    'group-name': (g) => g.GroupName,
    'owner-id': (g) => g.OwnerId,
    'vpc-id': (g) => g.VpcId,
    ...permissionFields('ip-permission', false, s),
    ...permissionFields('egress.ip-permission', true, s),
  };
  // GroupNames name groups of the default VPC; they join GroupIds as ids.
  const ids = [...(input.GroupIds ?? []), ...(input.GroupNames ?? []).map((n) => requireGroupByName(s, n).id)];
  const { items, NextToken } = describeResources<SecurityGroup, GroupView>(s, 'security-group', {
    ids: ids.length ? ids : undefined,
    filters: input.Filters,
    fields,
    view: (r) => viewGroup(s, r.doc),
    page: input,
  });
  return { SecurityGroups: items.map(({ rules: _rules, ...g }) => g), NextToken };
}
