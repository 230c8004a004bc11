/**
 * What a file system carries besides its data: the resource policy
 * (Put/Describe/DeleteFileSystemPolicy), lifecycle management
 * (Put/DescribeLifecycleConfiguration) and automatic backups
 * (Put/DescribeBackupPolicy). Berth records and returns them; it does not
 * enforce the policy on mounts nor move data between storage classes.
 */
import type {
  BackupPolicyDescription,
  DeleteFileSystemPolicyRequest,
  DescribeBackupPolicyRequest,
  DescribeFileSystemPolicyRequest,
  DescribeLifecycleConfigurationRequest,
  FileSystemPolicyDescription,
  LifecycleConfigurationDescription,
  LifecyclePolicy,
  PutBackupPolicyRequest,
  PutFileSystemPolicyRequest,
  PutLifecycleConfigurationRequest,
} from '@aws-sdk/client-efs';
import type { RequestContext } from '../provider.js';
import { badRequest, invalidPolicy, policyNotFound } from './errors.js';
import { requireAvailableFileSystem, requireFileSystem } from './file-systems.js';
import { setFileSystemColumn } from './store.js';

const MAX_POLICY_BYTES = 20_000;

function validatePolicy(text: string) {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw invalidPolicy(`The policy exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidPolicy('The policy is not valid JSON.');
  }
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
  if (!statements.length) throw invalidPolicy('The policy must contain at least one Statement.');
  for (const s of statements) {
    if (s?.Effect !== 'Allow' && s?.Effect !== 'Deny') throw invalidPolicy('Each policy statement needs an Effect of Allow or Deny.');
    if (!s.Action && !s.NotAction) throw invalidPolicy('Each policy statement needs an Action.');
  }
}

export function putFileSystemPolicy(ctx: RequestContext, input: PutFileSystemPolicyRequest): FileSystemPolicyDescription {
  const fs = requireAvailableFileSystem(ctx, input.FileSystemId!);
  validatePolicy(input.Policy ?? '');
  setFileSystemColumn(ctx, fs.id, 'policy', input.Policy!);
  return { FileSystemId: fs.id, Policy: input.Policy };
}

export function describeFileSystemPolicy(ctx: RequestContext, input: DescribeFileSystemPolicyRequest): FileSystemPolicyDescription {
  const fs = requireFileSystem(ctx, input.FileSystemId!);
  if (!fs.policy) throw policyNotFound(`File system '${fs.id}' does not have a file system policy.`);
  return { FileSystemId: fs.id, Policy: fs.policy };
}

export function deleteFileSystemPolicy(ctx: RequestContext, input: DeleteFileSystemPolicyRequest): Record<string, never> {
  const fs = requireAvailableFileSystem(ctx, input.FileSystemId!);
  setFileSystemColumn(ctx, fs.id, 'policy', null);
  return {};
}

const TRANSITIONS: (keyof LifecyclePolicy)[] = ['TransitionToIA', 'TransitionToPrimaryStorageClass', 'TransitionToArchive'];

export function putLifecycleConfiguration(ctx: RequestContext, input: PutLifecycleConfigurationRequest): LifecycleConfigurationDescription {
  const fs = requireAvailableFileSystem(ctx, input.FileSystemId!);
  const policies = input.LifecyclePolicies ?? [];
  const seen = new Set<string>();
  for (const p of policies) {
    const keys = TRANSITIONS.filter((k) => p[k] !== undefined);
    // Each LifecyclePolicy object holds exactly one transition, and each transition appears once.
    if (keys.length !== 1) throw badRequest('Each LifecyclePolicy object must have exactly one transition.');
    if (seen.has(keys[0])) throw badRequest(`${keys[0]} appears more than once.`);
    seen.add(keys[0]);
  }
  setFileSystemColumn(ctx, fs.id, 'lifecycle', JSON.stringify(policies));
  return { LifecyclePolicies: policies };
}

export function describeLifecycleConfiguration(ctx: RequestContext, input: DescribeLifecycleConfigurationRequest): LifecycleConfigurationDescription {
  const fs = requireFileSystem(ctx, input.FileSystemId!);
  return { LifecyclePolicies: fs.lifecycle ? (JSON.parse(fs.lifecycle) as LifecyclePolicy[]) : [] };
}

export function putBackupPolicy(ctx: RequestContext, input: PutBackupPolicyRequest): BackupPolicyDescription {
  const fs = requireAvailableFileSystem(ctx, input.FileSystemId!);
  const status = input.BackupPolicy?.Status;
  if (status !== 'ENABLED' && status !== 'DISABLED') throw badRequest('BackupPolicy.Status must be ENABLED or DISABLED.');
  setFileSystemColumn(ctx, fs.id, 'backup', status);
  return { BackupPolicy: { Status: status } };
}

export function describeBackupPolicy(ctx: RequestContext, input: DescribeBackupPolicyRequest): BackupPolicyDescription {
  const fs = requireFileSystem(ctx, input.FileSystemId!);
  if (!fs.backup) throw policyNotFound(`File system '${fs.id}' does not have a backup policy.`);
  return { BackupPolicy: { Status: fs.backup as 'ENABLED' | 'DISABLED' } };
}
