/**
 * The role an instance's IAM instance profile holds: what IMDS serves on EC2 (sessions named after the instance id),
 * and what ECS's agent on that instance uses where a task names no role of its own (its credentials for a task
 * without a task role, its image pulls without an execution role).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/instance_IAM_role.html
 */
import { findInstanceProfileByArn, findRole } from '../iam/store.js';
import { getInstance } from './instance-records.js';
import type { Scope } from './store.js';

export interface InstanceRole {
  roleArn: string;
  roleName: string;
  instanceId: string;
}

/** Undefined when the instance is unknown, has no profile, or its profile holds no role (now). */
export function instanceRole(s: Scope, instanceId: string): InstanceRole | undefined {
  const profileArn = getInstance(s, instanceId)?.doc.instance.IamInstanceProfile?.Arn;
  const profile = profileArn ? findInstanceProfileByArn(s.sql, profileArn) : undefined;
  const role = profile?.RoleName ? findRole({ sql: s.sql, account: s.account }, profile.RoleName) : undefined;
  return role ? { roleArn: role.Arn, roleName: role.RoleName, instanceId } : undefined;
}
