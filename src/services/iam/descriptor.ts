/**
 * AWS IAM: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const IAM = defineService({
  id: 'iam',
  catalog: {
    // IAM is global: clients sign for us-east-1 and its ARNs have no region (state is keyed by account only).
    sdkPackage: '@aws-sdk/client-iam', clientName: 'IAMClient', protocol: 'awsQuery', apiVersion: '2010-05-08',
    signingNames: ['iam'], validationError: 'ValidationError',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['iam_'] },
  arnServices: ['iam'],
});

function migrations(): Migration[] {
  return [
    {
      version: 15,
      name: 'iam: roles, their inline and attached policies, customer managed policies',
      sql: `
      CREATE TABLE iam_roles (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, role_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE TABLE iam_role_policies (
        account TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_name TEXT NOT NULL,
        document TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, role_name, policy_name)
      );
      CREATE TABLE iam_role_attached_policies (
        account TEXT NOT NULL, role_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, role_name, policy_arn)
      );
      CREATE INDEX iam_role_attached_policies_arn ON iam_role_attached_policies (policy_arn);
      CREATE TABLE iam_policies (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, arn TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
        document TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
    `,
    },
    {
      version: 48,
      name: 'iam: managed policy versions (the v1 of every existing policy)',
      sql: `
      CREATE TABLE iam_policy_versions (
        policy_arn TEXT NOT NULL, version_id TEXT NOT NULL, number INTEGER NOT NULL, document TEXT NOT NULL, create_date TEXT NOT NULL,
        PRIMARY KEY (policy_arn, version_id)
      );
      -- Version ids are never reused: the highest number a policy ever had.
      ALTER TABLE iam_policies ADD COLUMN last_version INTEGER NOT NULL DEFAULT 1;
      INSERT INTO iam_policy_versions (policy_arn, version_id, number, document, create_date)
        SELECT arn, 'v1', 1, document, json_extract(doc, '$.CreateDate') FROM iam_policies;
    `,
    },
    {
      version: 50,
      name: 'iam: instance profiles (at most one role each)',
      sql: `
      CREATE TABLE iam_instance_profiles (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, profile_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL, role_name TEXT COLLATE NOCASE, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE INDEX iam_instance_profiles_role ON iam_instance_profiles (account, role_name);
    `,
    },
    {
      version: 64,
      name: 'iam: users and access keys with their secrets (issue 23)',
      sql: `
      CREATE TABLE iam_users (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, user_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE TABLE iam_access_keys (
        access_key_id TEXT PRIMARY KEY, account TEXT NOT NULL, user_name TEXT COLLATE NOCASE, secret TEXT NOT NULL,
        status TEXT NOT NULL, created_at REAL NOT NULL, last_used_at REAL, last_used_region TEXT, last_used_service TEXT
      );
      CREATE INDEX iam_access_keys_user ON iam_access_keys (account, user_name);
    `,
    },
    {
      version: 81,
      name: 'iam: users\' and groups\' inline and attached policies, group members; the policy stamp evaluation caches key on (issue 23)',
      sql: `
      CREATE TABLE iam_user_policies (
        account TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE, policy_name TEXT NOT NULL,
        document TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, user_name, policy_name)
      );
      CREATE TABLE iam_user_attached_policies (
        account TEXT NOT NULL, user_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, user_name, policy_arn)
      );
      CREATE INDEX iam_user_attached_policies_arn ON iam_user_attached_policies (policy_arn);
      CREATE TABLE iam_groups (
        account TEXT NOT NULL, name TEXT NOT NULL COLLATE NOCASE, group_id TEXT NOT NULL UNIQUE, arn TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
      CREATE TABLE iam_group_members (
        account TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE, user_name TEXT NOT NULL COLLATE NOCASE, seq INTEGER NOT NULL,
        PRIMARY KEY (account, group_name, user_name)
      );
      CREATE INDEX iam_group_members_user ON iam_group_members (account, user_name);
      CREATE TABLE iam_group_policies (
        account TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE, policy_name TEXT NOT NULL,
        document TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, group_name, policy_name)
      );
      CREATE TABLE iam_group_attached_policies (
        account TEXT NOT NULL, group_name TEXT NOT NULL COLLATE NOCASE, policy_arn TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, group_name, policy_arn)
      );
      CREATE INDEX iam_group_attached_policies_arn ON iam_group_attached_policies (policy_arn);
      CREATE TABLE iam_policy_stamp (id INTEGER PRIMARY KEY CHECK (id = 1), stamp INTEGER NOT NULL);
    `,
    },
  ];
}
