/**
 * A registry's own settings, per account and region as ECR keeps them: the
 * account settings (migration 23; GetAccountSetting / PutAccountSetting write
 * them, the registry reads BLOB_MOUNTING when a push asks to mount a blob),
 * pull time update exclusions, the registry policy and the signing
 * configuration.
 */
import type { SigningConfiguration } from '@aws-sdk/client-ecr';
import type { Scope } from '../../../state/scope.js';
import { bumpPolicyStamp } from '../../iam/store.js';

/** Each setting ECR knows, its values and what a registry that never set it reports. */
export const ACCOUNT_SETTINGS: Record<string, { values: string[]; default: string }> = {
  // The basic scanning engine; Berth's scanner is its own whatever this says (recorded only).
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE', 'CLAIR'], default: 'AWS_NATIVE' },
  // Which actions the registry policy governs (registryPolicyFor).
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V2' },
  // Cross-repository blob mounts on push: off unless turned on, as on ECR.
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], default: 'DISABLED' },
};

export function getAccountSetting({ sql, account, region }: Scope, name: string): string {
  const value = sql.get('SELECT value FROM ecr_account_settings WHERE account = ? AND region = ? AND name = ?').pluck().get(account, region, name) as string | undefined;
  return value ?? ACCOUNT_SETTINGS[name]?.default ?? '';
}

export function putAccountSetting({ sql, account, region }: Scope, name: string, value: string): void {
  sql.get(
    'INSERT INTO ecr_account_settings (account, region, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET value = excluded.value',
  ).run(account, region, name, value);
  if (name === 'REGISTRY_POLICY_SCOPE') bumpPolicyStamp(sql);
}

export const blobMountingEnabled = (scope: Scope) => getAccountSetting(scope, 'BLOB_MOUNTING') === 'ENABLED';

// --- pull time update exclusions ------------------------------------------------

/** The principals whose pulls leave lastRecordedPullTime alone, oldest first. */
export const pullTimeExclusions = ({ sql, account, region }: Scope): string[] =>
  sql.get('SELECT principal_arn FROM ecr_pull_time_exclusions WHERE account = ? AND region = ? ORDER BY seq').pluck().all(account, region) as string[];

export function addPullTimeExclusion({ sql, account, region }: Scope, principalArn: string): void {
  const seq = sql.get('SELECT COALESCE(MAX(seq), 0) + 1 FROM ecr_pull_time_exclusions').pluck().get() as number;
  sql.get('INSERT INTO ecr_pull_time_exclusions (account, region, principal_arn, seq) VALUES (?, ?, ?, ?)').run(account, region, principalArn, seq);
}

/** Whether there was such an exclusion. */
export function removePullTimeExclusion({ sql, account, region }: Scope, principalArn: string): boolean {
  return sql.get('DELETE FROM ecr_pull_time_exclusions WHERE account = ? AND region = ? AND principal_arn = ?').run(account, region, principalArn).changes > 0;
}

// --- registry policy ---------------------------------------------------------------

export const getRegistryPolicy = ({ sql, account, region }: Scope): string | undefined =>
  sql.get('SELECT policy FROM ecr_registry_policies WHERE account = ? AND region = ?').pluck().get(account, region) as string | undefined;

/**
 * The registry policy as it bears on `action` over the registry's repositories: under scope V2 (the default) it
 * governs every ECR action; under V1 only replication and pull-through cache imports (ReplicateImage,
 * BatchImportUpstreamImage, CreateRepository).
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html
 */
export function registryPolicyFor(scope: Scope, action: string): string | undefined {
  const policy = getRegistryPolicy(scope);
  if (!policy) return undefined;
  if (getAccountSetting(scope, 'REGISTRY_POLICY_SCOPE') === 'V2') return policy;
  return V1_ACTIONS.has(action) ? policy : undefined;
}
const V1_ACTIONS = new Set(['ecr:ReplicateImage', 'ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']);

export function putRegistryPolicy({ sql, account, region }: Scope, policy: string): void {
  sql.get('INSERT INTO ecr_registry_policies (account, region, policy) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET policy = excluded.policy')
    .run(account, region, policy);
  // What principals may do changed: IAM enforcement's memoized decisions (and its copy of this policy) start over.
  bumpPolicyStamp(sql);
}

export function deleteRegistryPolicy({ sql, account, region }: Scope): void {
  sql.get('DELETE FROM ecr_registry_policies WHERE account = ? AND region = ?').run(account, region);
  bumpPolicyStamp(sql);
}

// --- signing configuration -----------------------------------------------------------

export function getSigningConfig({ sql, account, region }: Scope): SigningConfiguration | undefined {
  const doc = sql.get('SELECT doc FROM ecr_signing_configs WHERE account = ? AND region = ?').pluck().get(account, region) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function putSigningConfig({ sql, account, region }: Scope, config: SigningConfiguration): void {
  sql.get('INSERT INTO ecr_signing_configs (account, region, doc) VALUES (?, ?, ?) ON CONFLICT (account, region) DO UPDATE SET doc = excluded.doc')
    .run(account, region, JSON.stringify(config));
}

export function deleteSigningConfig({ sql, account, region }: Scope): void {
  sql.get('DELETE FROM ecr_signing_configs WHERE account = ? AND region = ?').run(account, region);
}
