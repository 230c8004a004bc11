/**
 * Security group rules: AuthorizeSecurityGroupIngress/Egress,
 * RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules. Each rule is
 * stored on its own (one protocol, port range and peer, with its sgr- id), and
 * a group's IpPermissions are the rules grouped by protocol and ports, as EC2
 * reports them.
 * https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
 */
import type {
  AuthorizeSecurityGroupEgressRequest,
  AuthorizeSecurityGroupEgressResult,
  AuthorizeSecurityGroupIngressRequest,
  AuthorizeSecurityGroupIngressResult,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupRulesResult,
  IpPermission,
  ModifySecurityGroupRulesRequest,
  ModifySecurityGroupRulesResult,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressRequest,
  RevokeSecurityGroupEgressResult,
  RevokeSecurityGroupIngressRequest,
  RevokeSecurityGroupIngressResult,
  SecurityGroup,
  SecurityGroupRule,
  Vpc,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { arn } from '../../shared/arns.js';
import { isIpv6Cidr, parseCidr } from './cidr.js';
import { checkIds, describeResources } from './describe.js';
import { invalidParameterValue, missingParameter, notFound } from './errors.js';
import type { FilterFields } from './filters.js';
import { newResourceId } from './ids.js';
import { requireGroup, requireGroupByName } from './security-group-refs.js';
import { deleteDoc, getDoc, insertDoc, listStored, updateDoc, type Scope, type Stored } from './store.js';
import { applyTags, tagsFromSpecs, withTags } from './tags.js';

/** Rules per group and direction (the default quota). */
export const MAX_RULES = 60;

const PROTOCOLS: Record<string, string> = {
  tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', icmpv6: 'icmpv6', '58': 'icmpv6', '-1': '-1', all: '-1',
};

export function normalizeProtocol(p: string | undefined): string {
  const lower = (p ?? '').toLowerCase();
  if (PROTOCOLS[lower]) return PROTOCOLS[lower];
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  throw invalidParameterValue(`Invalid value '${p ?? 'null'}' for IP protocol. Unknown protocol.`);
}

/** The ports a rule keeps: tcp/udp need both, ICMP type/code default to -1, others have none. */
export function normalizePorts(protocol: string, from: number | undefined, to: number | undefined): [number, number] {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) {
      throw invalidParameterValue('Invalid value for portRange. Must specify both from and to ports with TCP/UDP.');
    }
    for (const port of [from, to]) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidParameterValue(`Invalid value '${port}' for portRange. Ports must be between 0 and 65535.`);
    }
    if (from > to) throw invalidParameterValue(`Invalid TCP/UDP port range: from port ${from} is greater than to port ${to}.`);
    return [from, to];
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    const type = from ?? -1;
    const code = to ?? -1;
    if (type < -1 || type > 255) throw invalidParameterValue(`Invalid value '${type}' for ICMP type.`);
    if (code < -1 || code > 255) throw invalidParameterValue(`Invalid value '${code}' for ICMP code.`);
    return [type, code];
  }
  return [-1, -1];
}

const DESCRIPTION_RE = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

function checkDescription(d: string | undefined): void {
  if (d !== undefined && !DESCRIPTION_RE.test(d)) {
    throw invalidParameterValue('Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*');
  }
}

/** One rule a request asks for, before it has an id. */
type RuleSpec = Omit<SecurityGroupRule, 'SecurityGroupRuleId' | 'GroupId' | 'GroupOwnerId' | 'Tags' | 'SecurityGroupRuleArn'> & {
  IsEgress: boolean;
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
};

const peerOf = (r: SecurityGroupRule | RuleSpec) =>
  r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId ?? '';

const keyOf = (r: SecurityGroupRule | RuleSpec) => `${r.IsEgress}|${r.IpProtocol}|${r.FromPort}|${r.ToPort}|${peerOf(r)}`;

function describeRule(r: RuleSpec): string {
  const peer = `peer: ${peerOf(r)}`;
  if (r.IpProtocol === '-1') return `${peer}, ALL, ALLOW`;
  if (r.IpProtocol === 'icmp' || r.IpProtocol === 'icmpv6') return `${peer}, ${r.IpProtocol.toUpperCase()}, type: ${r.FromPort}, code: ${r.ToPort}, ALLOW`;
  return `${peer}, ${r.IpProtocol.toUpperCase()}, from port: ${r.FromPort}, to port: ${r.ToPort}, ALLOW`;
}

/**
 * The rules of one IpPermission. `resolve` false (revoke) keeps unknown group
 * references as given instead of failing, so they come back as unknown.
 */
function expand(s: Scope, p: IpPermission, egress: boolean, group: Stored<SecurityGroup>, resolve: boolean): RuleSpec[] {
  const IpProtocol = normalizeProtocol(p.IpProtocol);
  const [FromPort, ToPort] = normalizePorts(IpProtocol, p.FromPort, p.ToPort);
  const base = { IsEgress: egress, IpProtocol, FromPort, ToPort };
  const out: RuleSpec[] = [];
  for (const r of p.IpRanges ?? []) {
    const cidr = r.CidrIp ?? '';
    if (!parseCidr(cidr)) throw invalidParameterValue(`CIDR block ${cidr} is malformed`);
    checkDescription(r.Description);
    out.push({ ...base, CidrIpv4: cidr, ...(r.Description !== undefined ? { Description: r.Description } : {}) });
  }
  for (const r of p.Ipv6Ranges ?? []) {
    const cidr = r.CidrIpv6 ?? '';
    if (!isIpv6Cidr(cidr)) throw invalidParameterValue(`CIDR block ${cidr} is malformed`);
    checkDescription(r.Description);
    out.push({ ...base, CidrIpv6: cidr, ...(r.Description !== undefined ? { Description: r.Description } : {}) });
  }
  for (const r of p.PrefixListIds ?? []) {
    // Berth has no managed or customer prefix lists.
    if (resolve) throw new AwsError('InvalidPrefixListID.NotFound', `The prefix list ID '${r.PrefixListId}' does not exist`);
    out.push({ ...base, PrefixListId: r.PrefixListId });
  }
  for (const pair of p.UserIdGroupPairs ?? []) {
    checkDescription(pair.Description);
    let groupId = pair.GroupId;
    if (!groupId && pair.GroupName) {
      if (resolve) groupId = requireGroupByName(s, pair.GroupName).id;
      else groupId = listStored<SecurityGroup>(s, 'security-group', { vpcId: group.doc.VpcId }).find((g) => g.doc.GroupName === pair.GroupName)?.id ?? pair.GroupName;
    }
    if (!groupId) throw missingParameter('groupId');
    if (resolve) {
      const ref = getDoc<SecurityGroup>(s, 'security-group', groupId);
      if (!ref) throw notFound('security-group', groupId);
      if (ref.VpcId !== group.doc.VpcId) {
        throw new AwsError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.');
      }
    }
    out.push({
      ...base,
      ReferencedGroupInfo: { GroupId: groupId, UserId: s.account },
      ...(pair.Description !== undefined ? { Description: pair.Description } : {}),
    });
  }
  if (!out.length && resolve) throw missingParameter('ipPermissions.N.ipRanges, ipv6Ranges, prefixListIds or groups');
  return out;
}

type LegacyRequest = Pick<AuthorizeSecurityGroupIngressRequest, 'IpPermissions' | 'IpProtocol' | 'FromPort' | 'ToPort' | 'CidrIp' | 'SourceSecurityGroupName'>;

/** IpPermissions plus the pre-2011 flat parameters (IpProtocol, CidrIp, SourceSecurityGroupName…). */
function permissionsIn(input: LegacyRequest): IpPermission[] {
  const perms = [...(input.IpPermissions ?? [])];
  if (input.CidrIp !== undefined || input.SourceSecurityGroupName !== undefined || input.IpProtocol !== undefined) {
    perms.push({
      IpProtocol: input.IpProtocol ?? '-1',
      FromPort: input.FromPort,
      ToPort: input.ToPort,
      IpRanges: input.CidrIp !== undefined ? [{ CidrIp: input.CidrIp }] : [],
      UserIdGroupPairs: input.SourceSecurityGroupName !== undefined ? [{ GroupName: input.SourceSecurityGroupName }] : [],
    });
  }
  return perms;
}

export function rulesOf(s: Scope, groupId: string): Stored<SecurityGroupRule>[] {
  return listStored<SecurityGroupRule>(s, 'security-group-rule', { parentId: groupId });
}

/** Stores rules for a group (no duplicate or quota checks: callers do those). */
export function insertRules(s: Scope, group: { GroupId?: string; VpcId?: string }, specs: RuleSpec[]): SecurityGroupRule[] {
  return specs.map((spec) => {
    const id = newResourceId('security-group-rule');
    const rule: SecurityGroupRule = {
      SecurityGroupRuleId: id,
      GroupId: group.GroupId,
      GroupOwnerId: s.account,
      ...spec,
      SecurityGroupRuleArn: arn('ec2', s.region, s.account, `security-group-rule/${id}`),
    };
    insertDoc(s, 'security-group-rule', id, rule, { vpcId: group.VpcId, parentId: group.GroupId });
    return rule;
  });
}

export function deleteRulesOf(s: Scope, groupId: string): void {
  for (const r of rulesOf(s, groupId)) deleteDoc(s, r.id);
}

/** Rules grouped into IpPermissions by protocol and port range, in rule order. */
export function permissionsOf(rules: SecurityGroupRule[]): IpPermission[] {
  const byKey = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.IpProtocol}|${r.FromPort}|${r.ToPort}`;
    let perm = byKey.get(key);
    if (!perm) {
      const ported = r.IpProtocol !== '-1' && !(r.FromPort === -1 && r.ToPort === -1 && !['icmp', 'icmpv6'].includes(r.IpProtocol!));
      perm = {
        IpProtocol: r.IpProtocol,
        ...(ported ? { FromPort: r.FromPort, ToPort: r.ToPort } : {}),
        IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [],
      };
      byKey.set(key, perm);
    }
    const d = r.Description !== undefined ? { Description: r.Description } : {};
    if (r.CidrIpv4) perm.IpRanges!.push({ CidrIp: r.CidrIpv4, ...d });
    else if (r.CidrIpv6) perm.Ipv6Ranges!.push({ CidrIpv6: r.CidrIpv6, ...d });
    else if (r.PrefixListId) perm.PrefixListIds!.push({ PrefixListId: r.PrefixListId, ...d });
    else if (r.ReferencedGroupInfo) perm.UserIdGroupPairs!.push({ GroupId: r.ReferencedGroupInfo.GroupId, UserId: r.ReferencedGroupInfo.UserId, ...d });
  }
  return [...byKey.values()];
}

function authorize(
  s: Scope,
  input: AuthorizeSecurityGroupIngressRequest | AuthorizeSecurityGroupEgressRequest,
  egress: boolean,
): AuthorizeSecurityGroupIngressResult {
  const group = egress ? requireGroup(s, { GroupId: input.GroupId ?? '' }) : requireGroup(s, input as AuthorizeSecurityGroupIngressRequest);
  const tags = tagsFromSpecs(input.TagSpecifications, 'security-group-rule');
  const specs = permissionsIn(input).flatMap((p) => expand(s, p, egress, group, true));
  if (!specs.length) throw missingParameter('ipPermissions');
  const existing = rulesOf(s, group.id).map((r) => r.doc);
  const seen = new Set(existing.map(keyOf));
  for (const spec of specs) {
    if (seen.has(keyOf(spec))) {
      throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(spec)}" already exists`);
    }
    seen.add(keyOf(spec));
  }
  if (existing.filter((r) => r.IsEgress === egress).length + specs.length > MAX_RULES) {
    throw new AwsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.');
  }
  const rules = insertRules(s, group.doc, specs);
  for (const r of rules) applyTags(s, r.SecurityGroupRuleId!, 'security-group-rule', tags);
  return { Return: true, SecurityGroupRules: rules.map((r) => withTags(s, r.SecurityGroupRuleId!, r)) };
}

export const authorizeSecurityGroupIngress = (s: Scope, input: AuthorizeSecurityGroupIngressRequest): AuthorizeSecurityGroupIngressResult =>
  authorize(s, input, false);

export const authorizeSecurityGroupEgress = (s: Scope, input: AuthorizeSecurityGroupEgressRequest): AuthorizeSecurityGroupEgressResult =>
  authorize(s, input, true);

function revoked(r: SecurityGroupRule): RevokedSecurityGroupRule {
  return {
    SecurityGroupRuleId: r.SecurityGroupRuleId, GroupId: r.GroupId, IsEgress: r.IsEgress, IpProtocol: r.IpProtocol,
    FromPort: r.FromPort, ToPort: r.ToPort, CidrIpv4: r.CidrIpv4, CidrIpv6: r.CidrIpv6, PrefixListId: r.PrefixListId,
    ReferencedGroupId: r.ReferencedGroupInfo?.GroupId, Description: r.Description,
  };
}

function revoke(
  s: Scope,
  input: RevokeSecurityGroupIngressRequest | RevokeSecurityGroupEgressRequest,
  egress: boolean,
): RevokeSecurityGroupIngressResult {
  const group = egress ? requireGroup(s, { GroupId: input.GroupId ?? '' }) : requireGroup(s, input as RevokeSecurityGroupIngressRequest);
  const current = rulesOf(s, group.id).map((r) => r.doc).filter((r) => r.IsEgress === egress);
  if (input.SecurityGroupRuleIds?.length) {
    checkIds('security-group-rule', input.SecurityGroupRuleIds);
    const rules = input.SecurityGroupRuleIds.map((id) => {
      const rule = current.find((r) => r.SecurityGroupRuleId === id);
      if (!rule) throw notFound('security-group-rule', id);
      return rule;
    });
    for (const r of rules) deleteDoc(s, r.SecurityGroupRuleId!);
    return { Return: true, RevokedSecurityGroupRules: rules.map(revoked) };
  }
  const byKey = new Map(current.map((r) => [keyOf(r), r]));
  const matched: SecurityGroupRule[] = [];
  const unknown: IpPermission[] = [];
  for (const p of permissionsIn(input)) {
    const specs = expand(s, p, egress, group, false);
    const missing = specs.filter((spec) => !byKey.has(keyOf(spec)));
    matched.push(...specs.map((spec) => byKey.get(keyOf(spec))).filter((r): r is SecurityGroupRule => !!r));
    if (missing.length || !specs.length) unknown.push(p);
  }
  if (unknown.length) {
    // Only the default VPC reports unknown rules instead of failing (RevokeSecurityGroupIngress reference).
    const vpc = getDoc<Vpc>(s, 'vpc', group.doc.VpcId ?? '');
    if (!vpc?.IsDefault) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
  }
  for (const r of matched) deleteDoc(s, r.SecurityGroupRuleId!);
  return {
    Return: !unknown.length,
    ...(unknown.length ? { UnknownIpPermissions: unknown } : {}),
    RevokedSecurityGroupRules: matched.map(revoked),
  };
}

export const revokeSecurityGroupIngress = (s: Scope, input: RevokeSecurityGroupIngressRequest): RevokeSecurityGroupIngressResult =>
  revoke(s, input, false);

export const revokeSecurityGroupEgress = (s: Scope, input: RevokeSecurityGroupEgressRequest): RevokeSecurityGroupEgressResult =>
  revoke(s, input, true);

/**
 * Replaces rules in place, keeping their ids (and tags): each new rule is a
 * protocol, ports and exactly one peer, checked as Authorize checks it.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
 */
export function modifySecurityGroupRules(s: Scope, input: ModifySecurityGroupRulesRequest): ModifySecurityGroupRulesResult {
  const group = requireGroup(s, { GroupId: input.GroupId ?? '' });
  const updates = input.SecurityGroupRules ?? [];
  if (!updates.length) throw missingParameter('SecurityGroupRules');
  checkIds('security-group-rule', updates.map((u) => u.SecurityGroupRuleId ?? ''));
  const current = new Map(rulesOf(s, group.id).map((r) => [r.id, r.doc]));
  const changed = updates.map((u) => {
    const rule = current.get(u.SecurityGroupRuleId ?? '');
    if (!rule) throw notFound('security-group-rule', u.SecurityGroupRuleId ?? '');
    const req = u.SecurityGroupRule;
    if (!req) throw missingParameter('SecurityGroupRule');
    const peers = [req.CidrIpv4, req.CidrIpv6, req.PrefixListId, req.ReferencedGroupId].filter((v) => v !== undefined);
    if (peers.length !== 1) {
      throw invalidParameterValue('Exactly one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId must be specified.');
    }
    const [spec] = expand(s, {
      IpProtocol: req.IpProtocol, FromPort: req.FromPort, ToPort: req.ToPort,
      ...(req.CidrIpv4 !== undefined ? { IpRanges: [{ CidrIp: req.CidrIpv4, Description: req.Description }] } : {}),
      ...(req.CidrIpv6 !== undefined ? { Ipv6Ranges: [{ CidrIpv6: req.CidrIpv6, Description: req.Description }] } : {}),
      ...(req.PrefixListId !== undefined ? { PrefixListIds: [{ PrefixListId: req.PrefixListId, Description: req.Description }] } : {}),
      ...(req.ReferencedGroupId !== undefined ? { UserIdGroupPairs: [{ GroupId: req.ReferencedGroupId, Description: req.Description }] } : {}),
    }, rule.IsEgress!, group, true);
    const { CidrIpv4: _4, CidrIpv6: _6, PrefixListId: _p, ReferencedGroupInfo: _g, Description: _d, ...kept } = rule;
    const next: SecurityGroupRule = { ...kept, ...spec, IsEgress: rule.IsEgress };
    current.set(rule.SecurityGroupRuleId!, next);
    return next;
  });
  const keys = new Set<string>();
  for (const r of current.values()) {
    if (keys.has(keyOf(r))) throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${describeRule(r as RuleSpec)}" already exists`);
    keys.add(keyOf(r));
  }
  for (const r of changed) updateDoc(s, r.SecurityGroupRuleId!, r);
  return { Return: true };
}

const RULE_FIELDS: FilterFields<SecurityGroupRule> = {
  'group-id': (r) => r.GroupId,
  'security-group-rule-id': (r) => r.SecurityGroupRuleId,
};

export function describeSecurityGroupRules(s: Scope, input: DescribeSecurityGroupRulesRequest): DescribeSecurityGroupRulesResult {
  const { items, NextToken } = describeResources<SecurityGroupRule, SecurityGroupRule>(s, 'security-group-rule', {
    ids: input.SecurityGroupRuleIds,
    filters: input.Filters,
    fields: RULE_FIELDS,
    view: (r) => withTags(s, r.id, r.doc),
    page: input,
  });
  return { SecurityGroupRules: items, NextToken };
}

/** True when any other group's rule references `groupId`. */
export function isReferenced(s: Scope, groupId: string, vpcId: string): boolean {
  return listStored<SecurityGroupRule>(s, 'security-group-rule', { vpcId })
    .some((r) => r.doc.GroupId !== groupId && r.doc.ReferencedGroupInfo?.GroupId === groupId);
}

