/**
 * AWS Secrets Manager: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const SECRETS_MANAGER = defineService({
  id: 'secrets-manager',
  catalog: {
    sdkPackage: '@aws-sdk/client-secrets-manager', clientName: 'SecretsManagerClient', protocol: 'awsJson1_1', apiVersion: '2017-10-17',
    signingNames: ['secretsmanager'], targetPrefix: 'secretsmanager',
    // Its frontend answers model violations with the common ValidationException ("1 validation error detected: …").
    validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['secretsmanager'], tablePrefixes: ['secretsmanager_', 'secrets_'] },
  arnServices: ['secretsmanager'],
});

function migrations(): Migration[] {
  return [
    {
      version: 11,
      name: 'secrets manager: secrets and their versions',
      sql: `
      CREATE TABLE secretsmanager_secrets (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL, deleted_at REAL, purge_at REAL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE secretsmanager_secret_versions (
        arn TEXT NOT NULL, version_id TEXT NOT NULL, string_value TEXT, binary_value BLOB,
        stages TEXT NOT NULL, created_at REAL NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (arn, version_id)
      );
    `,
    },
  ];
}
