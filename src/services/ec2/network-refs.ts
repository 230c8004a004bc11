/**
 * What other services (ECS awsvpc tasks, ELBv2 load balancers and target
 * groups) need from EC2 networking, callable without a RequestContext and
 * inside the caller's transaction: look references up (each creates the
 * account's default network first, so default subnets and groups always
 * resolve), and allocate / release task ENIs. Lookups never throw for a missing
 * id: callers answer with their own service's error (ELBv2 SubnetNotFound, ECS
 * InvalidParameterException…).
 *
 * @example
 *   const { found, missing } = findSubnets(sql, account, region, subnetIds);
 *   if (missing.length) throw new AwsError('SubnetNotFound', `The subnet ID '${missing[0]}' is not valid`);
 *   if (new Set(found.map((s) => s.vpcId)).size > 1) throw …; // subnets of two VPCs
 */
import type { SecurityGroup, Subnet } from '@aws-sdk/client-ec2';
import type { Statements } from '../../state/db.js';
import { ensureDefaultNetwork } from './defaults.js';
import { defaultVpc, groupByName } from './security-group-refs.js';
import { getDoc, listDocs, type Scope } from './store.js';
import type { VpcRecord } from './vpcs.js';

export { ensureDefaultNetwork } from './defaults.js';
export { allocateEni, releaseEni, type AllocateEniParams, type AllocatedEni } from './network-interfaces.js';

export interface SubnetRef {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
}

export interface SecurityGroupRef {
  groupId: string;
  groupName: string;
  vpcId: string;
}

export interface VpcRef {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
}

function scope(sql: Statements, account: string, region: string): Scope {
  ensureDefaultNetwork(sql, account, region);
  return { sql, account, region };
}

/** Subnets by id, in the order asked; ids that do not exist (or are malformed) are in `missing`. */
export function findSubnets(sql: Statements, account: string, region: string, ids: string[]): { found: SubnetRef[]; missing: string[] } {
  const s = scope(sql, account, region);
  const found: SubnetRef[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const x = getDoc<Subnet>(s, 'subnet', id);
    if (!x) missing.push(id);
    else {
      found.push({
        subnetId: x.SubnetId!, vpcId: x.VpcId!, availabilityZone: x.AvailabilityZone!, availabilityZoneId: x.AvailabilityZoneId!,
        cidrBlock: x.CidrBlock!, defaultForAz: !!x.DefaultForAz, mapPublicIpOnLaunch: !!x.MapPublicIpOnLaunch,
      });
    }
  }
  return { found, missing };
}

/** The default VPC's default subnets (one per zone), as `findSubnets` describes them. */
export function defaultSubnets(sql: Statements, account: string, region: string): SubnetRef[] {
  const s = scope(sql, account, region);
  const vpc = defaultVpc(s);
  if (!vpc) return [];
  const ids = listDocs<Subnet>(s, 'subnet', { vpcId: vpc.id }).filter((x) => x.DefaultForAz).map((x) => x.SubnetId!);
  return findSubnets(sql, account, region, ids).found;
}

/** Security groups by id, in the order asked; unknown ids are in `missing`. */
export function findSecurityGroups(sql: Statements, account: string, region: string, ids: string[]): { found: SecurityGroupRef[]; missing: string[] } {
  const s = scope(sql, account, region);
  const found: SecurityGroupRef[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const g = getDoc<SecurityGroup>(s, 'security-group', id);
    if (!g) missing.push(id);
    else found.push({ groupId: g.GroupId!, groupName: g.GroupName!, vpcId: g.VpcId! });
  }
  return { found, missing };
}

export function findVpc(sql: Statements, account: string, region: string, vpcId: string): VpcRef | undefined {
  const v = getDoc<VpcRecord>(scope(sql, account, region), 'vpc', vpcId);
  return v ? { vpcId: v.VpcId!, cidrBlock: v.CidrBlock!, isDefault: !!v.IsDefault } : undefined;
}

/** The default VPC's id, unless the account deleted it. */
export function defaultVpcId(sql: Statements, account: string, region: string): string | undefined {
  return defaultVpc(scope(sql, account, region))?.id;
}

/** The VPC's default security group (what ECS and ELB use when a request names none). */
export function defaultSecurityGroupId(sql: Statements, account: string, region: string, vpcId: string): string | undefined {
  return groupByName(scope(sql, account, region), vpcId, 'default')?.id;
}
