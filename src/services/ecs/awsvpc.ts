/**
 * awsvpc networking for ECS tasks: the subnets and security groups a task or
 * service names must exist (EC2's default VPC is always there), and each task
 * gets its own ENI in one of its subnets, released when it stops.
 */
import type { AwsVpcConfiguration, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { Scope } from '../../state/scope.js';
import { allocateEni, findSecurityGroups, findSubnets, releaseEni, type AllocatedEni } from '../ec2/index.js';
import { invalidParameter } from './errors.js';

/** Validates an awsvpcConfiguration as ECS does when a task or service is created. */
export function validateAwsvpc(s: Scope, network: NetworkConfiguration | undefined) {
  const cfg = network?.awsvpcConfiguration;
  if (!cfg) return;
  const subnets = cfg.subnets ?? [];
  if (!subnets.length) throw invalidParameter('subnets can not be empty.');
  if (subnets.length > 16) throw invalidParameter('At most 16 subnets can be specified.');
  const { found, missing } = findSubnets(s.sql, s.account, s.region, subnets);
  if (missing.length) {
    throw invalidParameter(`Error retrieving subnet information for [${missing.join(', ')}]: The subnet ID '${missing[0]}' does not exist`);
  }
  if (new Set(found.map((f) => f.vpcId)).size > 1) throw invalidParameter('The subnets provided must all belong to the same VPC.');
  const groups = cfg.securityGroups ?? [];
  if (groups.length > 5) throw invalidParameter('At most 5 security groups can be specified.');
  const sg = findSecurityGroups(s.sql, s.account, s.region, groups);
  if (sg.missing.length) {
    throw invalidParameter(`Error retrieving security group information for [${sg.missing.join(', ')}]: The security group '${sg.missing[0]}' does not exist`);
  }
  if (sg.found.some((g) => g.vpcId !== found[0].vpcId)) throw invalidParameter('The security groups and subnets must belong to the same VPC.');
}

/** Creates the task's ENI in one of its subnets (spread at random, as ECS spreads tasks over subnets). */
export function allocateTaskEni(s: Scope, cfg: AwsVpcConfiguration, description: string): AllocatedEni {
  const subnets = cfg.subnets ?? [];
  const subnetId = subnets[Math.floor(Math.random() * subnets.length)];
  return allocateEni(s.sql, {
    account: s.account, region: s.region, subnetId, securityGroups: cfg.securityGroups, description,
    requesterId: 'amazon-ecs', attachment: { deviceIndex: 1, attachTime: new Date() },
  });
}

export function releaseTaskEni(s: Scope, networkInterfaceId: string) {
  releaseEni(s.sql, { account: s.account, region: s.region, networkInterfaceId });
}
