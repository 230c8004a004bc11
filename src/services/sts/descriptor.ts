/**
 * AWS STS: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const STS = defineService({
  id: 'sts',
  catalog: {
    sdkPackage: '@aws-sdk/client-sts', clientName: 'STSClient', protocol: 'awsQuery', apiVersion: '2011-06-15',
    signingNames: ['sts'], validationError: 'ValidationError',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['sts_'] },
  arnServices: [],
});

function migrations(): Migration[] {
  return [
    {
      version: 16,
      name: 'sts: temporary credentials (sessions) and task role credential ids',
      sql: `
      CREATE TABLE sts_sessions (
        access_key_id TEXT PRIMARY KEY, secret_access_key TEXT NOT NULL, session_token TEXT NOT NULL,
        account TEXT NOT NULL, arn TEXT NOT NULL, user_id TEXT NOT NULL, role_arn TEXT, source TEXT,
        created_at REAL NOT NULL, expires_at REAL NOT NULL
      );
      CREATE INDEX sts_sessions_source ON sts_sessions (source, expires_at);
      CREATE INDEX sts_sessions_expiry ON sts_sessions (expires_at);
      CREATE TABLE sts_task_credentials (
        id TEXT PRIMARY KEY, task_arn TEXT NOT NULL UNIQUE, account TEXT NOT NULL, role_arn TEXT NOT NULL,
        token TEXT NOT NULL, created_at REAL NOT NULL
      );
    `,
    },
    {
      version: 82,
      name: 'sts: session policies (AssumeRole Policy and PolicyArns), evaluated with --enforce-iam (issue 23)',
      sql: `
      ALTER TABLE sts_sessions ADD COLUMN session_policy TEXT;
      ALTER TABLE sts_sessions ADD COLUMN session_policy_arns TEXT;
    `,
    },
    {
      version: 92,
      name: 'sts: a task credential may be its EC2 instance\'s role, whose sessions are named after the instance (issue 17)',
      sql: 'ALTER TABLE sts_task_credentials ADD COLUMN session_name TEXT;',
    },
  ];
}
