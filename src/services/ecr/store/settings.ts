/**
 * ECR's registry-wide account settings (migration 23), per account and
 * region as ECR keeps them: GetAccountSetting / PutAccountSetting write them,
 * the registry reads BLOB_MOUNTING when a push asks to mount a blob.
 */
import type { Statements } from '../../../state/db.js';

/** Each setting ECR knows, its values and what a registry that never set it reports. */
export const ACCOUNT_SETTINGS: Record<string, { values: string[]; default: string }> = {
  // The basic scanning engine; Berth's scanner is its own whatever this says (recorded only).
  BASIC_SCAN_TYPE_VERSION: { values: ['AWS_NATIVE', 'CLAIR'], default: 'AWS_NATIVE' },
  // How the registry policy is read (recorded only: Berth evaluates registry policies one way).
  REGISTRY_POLICY_SCOPE: { values: ['V1', 'V2'], default: 'V2' },
  // Cross-repository blob mounts on push: off unless turned on, as on ECR.
  BLOB_MOUNTING: { values: ['ENABLED', 'DISABLED'], default: 'DISABLED' },
};

export function getAccountSetting(sql: Statements, account: string, region: string, name: string): string {
  const value = sql.get('SELECT value FROM ecr_account_settings WHERE account = ? AND region = ? AND name = ?').pluck().get(account, region, name) as string | undefined;
  return value ?? ACCOUNT_SETTINGS[name]?.default ?? '';
}

export function putAccountSetting(sql: Statements, account: string, region: string, name: string, value: string): void {
  sql.get(
    'INSERT INTO ecr_account_settings (account, region, name, value) VALUES (?, ?, ?, ?) ON CONFLICT (account, region, name) DO UPDATE SET value = excluded.value',
  ).run(account, region, name, value);
}

export const blobMountingEnabled = (sql: Statements, account: string, region: string) =>
  getAccountSetting(sql, account, region, 'BLOB_MOUNTING') === 'ENABLED';
