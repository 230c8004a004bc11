/**
 * Subnets, VPCs and security groups of a load balancer, checked against
 * Berth's EC2 state (the account's default network is made on first use, as
 * every AWS account has one). ELB's rules: every subnet exists (SubnetNotFound),
 * all are in one VPC and at most one per Availability Zone
 * (InvalidConfigurationRequest), an Application Load Balancer spans at least
 * two zones (ValidationError), security groups belong to that VPC.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer
 */
import type { AvailabilityZone, SubnetMapping } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import { ensureDefaultNetwork, getDoc, groupByName } from '../ec2/index.js';
import { invalidConfiguration, invalidSecurityGroup, subnetNotFound, validationError } from './errors.js';
import type { Scope } from './store.js';

export interface Placement {
  vpcId: string;
  zones: AvailabilityZone[];
}

/** Subnets (ids or mappings) → the VPC and one AvailabilityZone entry per subnet. */
export function placeSubnets(s: Scope, type: string, subnets: string[] | undefined, mappings: SubnetMapping[] | undefined): Placement {
  if (subnets?.length && mappings?.length) throw validationError('You can specify subnets or subnet mappings, but not both');
  const ids = subnets?.length ? subnets : (mappings ?? []).map((m) => m.SubnetId ?? '');
  if (!ids.length) {
    throw validationError(type === 'network' ? 'At least one subnet must be specified' : 'At least two subnets in two different Availability Zones must be specified');
  }
  ensureDefaultNetwork(s.sql, s.account, s.region);
  const found: Subnet[] = [];
  for (const id of ids) {
    const subnet = getDoc<Subnet>(s, 'subnet', id);
    if (!subnet) throw subnetNotFound(`The subnet ID '${id}' is not valid`);
    found.push(subnet);
  }
  const vpcs = new Set(found.map((x) => x.VpcId));
  if (vpcs.size > 1) throw invalidConfiguration('The subnets must all be in the same VPC');
  const zones = new Set<string>();
  for (const x of found) {
    if (zones.has(x.AvailabilityZone!)) throw invalidConfiguration(`You cannot specify multiple subnets in the same Availability Zone '${x.AvailabilityZone}'`);
    zones.add(x.AvailabilityZone!);
  }
  if (type === 'application' && zones.size < 2) throw validationError('At least two subnets in two different Availability Zones must be specified');
  return {
    vpcId: found[0].VpcId!,
    zones: found.map((x) => ({
      ZoneName: x.AvailabilityZone,
      SubnetId: x.SubnetId,
      LoadBalancerAddresses: [],
    })),
  };
}

/** Security groups of the load balancer's VPC; none given means the VPC's default group. */
export function checkSecurityGroups(s: Scope, vpcId: string, groups: string[] | undefined): string[] {
  if (!groups?.length) {
    const dflt = groupByName(s, vpcId, 'default');
    return dflt ? [dflt.id] : [];
  }
  for (const id of groups) {
    const group = getDoc<SecurityGroup>(s, 'security-group', id);
    if (!group || group.VpcId !== vpcId) throw invalidSecurityGroup(`One or more security groups are invalid`);
  }
  return [...new Set(groups)];
}

/** A target group's VpcId must name an existing VPC. */
export function checkVpc(s: Scope, vpcId: string): void {
  ensureDefaultNetwork(s.sql, s.account, s.region);
  if (!getDoc(s, 'vpc', vpcId)) throw validationError(`The VPC ID '${vpcId}' is not found`);
}
