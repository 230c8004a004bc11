/**
 * Load balancers (application and network): CreateLoadBalancer,
 * DescribeLoadBalancers, DeleteLoadBalancer, Describe/ModifyLoadBalancerAttributes,
 * SetSecurityGroups, SetSubnets, SetIpAddressType.
 * A new load balancer answers `provisioning` once and is `active` from then
 * on: Berth's listeners are serving by the time CreateListener returns, and
 * `aws elbv2 wait load-balancer-available` returns on its first poll.
 */
import type {
  CreateLoadBalancerInput, CreateLoadBalancerOutput, DeleteLoadBalancerInput, DeleteLoadBalancerOutput,
  DescribeLoadBalancerAttributesInput, DescribeLoadBalancerAttributesOutput, DescribeLoadBalancersInput,
  DescribeLoadBalancersOutput, LoadBalancer, ModifyLoadBalancerAttributesInput, ModifyLoadBalancerAttributesOutput,
  SetIpAddressTypeInput, SetIpAddressTypeOutput, SetSecurityGroupsInput, SetSecurityGroupsOutput, SetSubnetsInput,
  SetSubnetsOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { randomHex } from '../../shared/ids.js';
import { elbArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { applyAttributes, attributeList, loadBalancerDefaults } from './attributes.js';
import { canonicalHostedZoneId, dnsNameFor } from './dns.js';
import { duplicateLoadBalancerName, invalidConfiguration, loadBalancerNotFound, notSupportedByBerth, operationNotPermitted, validationError } from './errors.js';
import { deleteListenerCascade } from './listeners.js';
import { requireLoadBalancer } from './lookup.js';
import { checkSecurityGroups, placeSubnets } from './network.js';
import { paginate } from './pagination.js';
import {
  deleteLoadBalancerRow, insertLoadBalancer, listenersOf, listLoadBalancers, loadBalancerByName, saveLoadBalancer,
} from './store.js';
import { applyTags, checkTags } from './tags.js';

const NAME_RE = /^[a-zA-Z0-9-]+$/;
const SCHEMES = ['internet-facing', 'internal'];
const IP_TYPES = ['ipv4', 'dualstack', 'dualstack-without-public-ipv4'];

function checkName(name: string) {
  if (name.length > 32) throw validationError(`Load balancer name '${name}' cannot be longer than '32' characters`);
  if (!NAME_RE.test(name)) throw validationError(`Load balancer name '${name}' can only contain characters that are alphanumeric characters and hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`Load balancer name '${name}' cannot begin or end with '-' character`);
  if (name.startsWith('internal-')) throw validationError(`Load balancer name '${name}' cannot begin with 'internal-'`);
}

function checkIpAddressType(type: string, value: string) {
  if (!IP_TYPES.includes(value)) throw validationError(`IP address type '${value}' is not valid`);
  if (type === 'network' && value === 'dualstack-without-public-ipv4') {
    throw validationError(`IP address type '${value}' is not supported for load balancers of type 'network'`);
  }
}

const sameSet = (a: string[] | undefined, b: string[] | undefined) => {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export function createLoadBalancer(ctx: RequestContext, input: CreateLoadBalancerInput): CreateLoadBalancerOutput {
  const name = input.Name ?? '';
  checkName(name);
  const type = input.Type ?? 'application';
  if (type === 'gateway') throw notSupportedByBerth('Gateway Load Balancers');
  if (type !== 'application' && type !== 'network') throw validationError(`Load balancer type '${type}' is not valid`);
  const scheme = input.Scheme ?? 'internet-facing';
  if (!SCHEMES.includes(scheme)) throw validationError(`Scheme '${scheme}' is not valid`);
  const ipType = input.IpAddressType ?? 'ipv4';
  checkIpAddressType(type, ipType);
  if (input.CustomerOwnedIpv4Pool) throw notSupportedByBerth('Customer-owned IPv4 pools');
  checkTags(input.Tags);
  const placement = placeSubnets(ctx, type, input.Subnets, input.SubnetMappings);
  // NLBs get security groups only when created with some; ALBs default to the VPC's default group.
  const groups = type === 'network' && !input.SecurityGroups?.length ? undefined : checkSecurityGroups(ctx, placement.vpcId, input.SecurityGroups);

  const existing = loadBalancerByName(ctx, name);
  if (existing) {
    // CreateLoadBalancer is idempotent for identical settings.
    const lb = existing.doc;
    const same = lb.Type === type && lb.Scheme === scheme && lb.IpAddressType === ipType
      && sameSet(lb.AvailabilityZones?.map((z) => z.SubnetId!), placement.zones.map((z) => z.SubnetId!))
      && (input.SecurityGroups === undefined || sameSet(lb.SecurityGroups, groups));
    if (!same) throw duplicateLoadBalancerName(name);
    return { LoadBalancers: [lb] };
  }

  const id = randomHex(8);
  const arn = elbArn.loadBalancer(ctx.region, ctx.account, type === 'network' ? 'net' : 'app', name, id);
  const lb: LoadBalancer = {
    LoadBalancerArn: arn,
    DNSName: dnsNameFor(type, scheme, name, ctx.region),
    CanonicalHostedZoneId: canonicalHostedZoneId(type, ctx.region),
    CreatedTime: new Date(ctx.clock.now()).toISOString() as unknown as Date,
    LoadBalancerName: name,
    Scheme: scheme as LoadBalancer['Scheme'],
    VpcId: placement.vpcId,
    State: { Code: 'active' },
    Type: type,
    AvailabilityZones: placement.zones,
    ...(groups ? { SecurityGroups: groups } : {}),
    IpAddressType: ipType as LoadBalancer['IpAddressType'],
    ...(type === 'network' ? { EnablePrefixForIpv6SourceNat: 'off' as const } : {}),
    ...(type === 'network' && groups ? { EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: 'on' } : {}),
  };
  insertLoadBalancer(ctx, lb, loadBalancerDefaults(type, lb.Scheme));
  applyTags(ctx, arn, input.Tags);
  ctx.changed('elbv2', arn);
  return { LoadBalancers: [{ ...lb, State: { Code: 'provisioning' } }] };
}

export function describeLoadBalancers(ctx: RequestContext, input: DescribeLoadBalancersInput): DescribeLoadBalancersOutput {
  const arns = input.LoadBalancerArns ?? [];
  const names = input.Names ?? [];
  if (arns.length && names.length) throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
  let all = listLoadBalancers(ctx);
  if (arns.length) {
    for (const arn of arns) requireLoadBalancer(ctx, arn);
    all = all.filter((lb) => arns.includes(lb.arn));
  }
  if (names.length) {
    const missing = names.filter((n) => !all.some((lb) => lb.doc.LoadBalancerName === n));
    if (missing.length) throw loadBalancerNotFound(`Load balancers '[${missing.join(', ')}]' not found`);
    all = all.filter((lb) => names.includes(lb.doc.LoadBalancerName!));
  }
  const { page, NextMarker } = paginate(all, (lb) => lb.seq, input.Marker, input.PageSize);
  return { LoadBalancers: page.map((lb) => lb.doc), NextMarker };
}

export function deleteLoadBalancer(ctx: RequestContext, input: DeleteLoadBalancerInput): DeleteLoadBalancerOutput {
  let lb;
  try {
    lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  } catch (err) {
    // Deleting a load balancer that does not exist (any more) succeeds.
    if ((err as { code?: string }).code === 'LoadBalancerNotFound') return {};
    throw err;
  }
  if (lb.attributes['deletion_protection.enabled'] === 'true') {
    throw operationNotPermitted(`Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
  }
  for (const l of listenersOf(ctx.sql, lb.arn)) deleteListenerCascade(ctx, l.arn);
  deleteLoadBalancerRow(ctx, lb.arn);
  dropAllTags(ctx, lb.arn);
  ctx.changed('elbv2', lb.arn);
  return {};
}

/** Stored attributes over the current defaults: a load balancer stored before a key was known still reports it. */
const withDefaults = (lb: LoadBalancer, attributes: Record<string, string>) => ({ ...loadBalancerDefaults(lb.Type!, lb.Scheme), ...attributes });

export function describeLoadBalancerAttributes(ctx: RequestContext, input: DescribeLoadBalancerAttributesInput): DescribeLoadBalancerAttributesOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  return { Attributes: attributeList(withDefaults(lb.doc, lb.attributes)) };
}

export function modifyLoadBalancerAttributes(ctx: RequestContext, input: ModifyLoadBalancerAttributesInput): ModifyLoadBalancerAttributesOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  const attributes = applyAttributes(withDefaults(lb.doc, lb.attributes), input.Attributes);
  if (lb.doc.Type === 'application' && attributes['load_balancing.cross_zone.enabled'] !== 'true') {
    throw invalidConfiguration('Cross-zone load balancing cannot be disabled for Application Load Balancers');
  }
  saveLoadBalancer(ctx, lb.doc, attributes);
  ctx.changed('elbv2', lb.arn);
  return { Attributes: attributeList(attributes) };
}

export function setSecurityGroups(ctx: RequestContext, input: SetSecurityGroupsInput): SetSecurityGroupsOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  if (lb.doc.Type === 'network' && !lb.doc.SecurityGroups?.length && input.SecurityGroups?.length) {
    throw invalidConfiguration('You cannot set security groups on a Network Load Balancer which was created without any security groups');
  }
  if (lb.doc.Type === 'application' && !input.SecurityGroups?.length) throw validationError('At least one security group must be specified');
  const groups = input.SecurityGroups?.length ? checkSecurityGroups(ctx, lb.doc.VpcId!, input.SecurityGroups) : [];
  const doc: LoadBalancer = { ...lb.doc, SecurityGroups: groups };
  if (lb.doc.Type === 'network' && input.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic) {
    doc.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic = input.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic;
  }
  saveLoadBalancer(ctx, doc, lb.attributes);
  const out: SetSecurityGroupsOutput = { SecurityGroupIds: groups };
  if (lb.doc.Type === 'network' && groups.length) {
    out.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic = (doc.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic ?? 'on') as SetSecurityGroupsOutput['EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic'];
  }
  return out;
}

export function setSubnets(ctx: RequestContext, input: SetSubnetsInput): SetSubnetsOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  const placement = placeSubnets(ctx, lb.doc.Type!, input.Subnets, input.SubnetMappings);
  if (placement.vpcId !== lb.doc.VpcId) throw invalidConfiguration(`The subnets must be in the load balancer's VPC '${lb.doc.VpcId}'`);
  const ipType = input.IpAddressType ?? lb.doc.IpAddressType!;
  checkIpAddressType(lb.doc.Type!, ipType);
  const doc: LoadBalancer = { ...lb.doc, AvailabilityZones: placement.zones, IpAddressType: ipType as LoadBalancer['IpAddressType'] };
  saveLoadBalancer(ctx, doc, lb.attributes);
  return { AvailabilityZones: placement.zones, IpAddressType: doc.IpAddressType };
}

export function setIpAddressType(ctx: RequestContext, input: SetIpAddressTypeInput): SetIpAddressTypeOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  const ipType = input.IpAddressType ?? '';
  checkIpAddressType(lb.doc.Type!, ipType);
  saveLoadBalancer(ctx, { ...lb.doc, IpAddressType: ipType as LoadBalancer['IpAddressType'] }, lb.attributes);
  return { IpAddressType: ipType as LoadBalancer['IpAddressType'] };
}
