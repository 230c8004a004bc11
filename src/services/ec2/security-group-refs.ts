/**
 * Finding security groups the way EC2 requests name them: by id anywhere in the
 * region, or by name, which (outside EC2-Classic) only ever means the default
 * VPC's groups.
 */
import type { SecurityGroup, Vpc } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { requireStored } from './describe.js';
import { missingParameter } from './errors.js';
import { listStored, type Scope, type Stored } from './store.js';

export function defaultVpc(s: Scope): Stored<Vpc> | undefined {
  return listStored<Vpc>(s, 'vpc').find((v) => v.doc.IsDefault);
}

export function groupByName(s: Scope, vpcId: string, name: string): Stored<SecurityGroup> | undefined {
  return listStored<SecurityGroup>(s, 'security-group', { vpcId }).find((g) => g.doc.GroupName === name);
}

/** A group named only by name: looked up in the default VPC. */
export function requireGroupByName(s: Scope, name: string): Stored<SecurityGroup> {
  const vpc = defaultVpc(s);
  if (!vpc) throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
  const group = groupByName(s, vpc.id, name);
  if (!group) throw new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpc.id}'`);
  return group;
}

export function requireGroup(s: Scope, ref: { GroupId?: string; GroupName?: string }): Stored<SecurityGroup> {
  if (ref.GroupId) return requireStored<SecurityGroup>(s, 'security-group', ref.GroupId);
  if (ref.GroupName) return requireGroupByName(s, ref.GroupName);
  throw missingParameter('groupId');
}
