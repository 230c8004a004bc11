/**
 * Amazon ECR Public: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Its images live in the registry's tables (`registry_*`, ECR's) under a namespace of their own (store.ts), so
 * a public repository and a private one of the same name never meet.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const ECR_PUBLIC = defineService({
  id: 'ecr-public',
  catalog: {
    sdkPackage: '@aws-sdk/client-ecr-public', clientName: 'ECRPUBLICClient', protocol: 'awsJson1_1', apiVersion: '2020-10-30',
    signingNames: ['ecr-public'], targetPrefix: 'SpencerFrontendService',
    validationError: 'InvalidParameterException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  // Not `ecr_`: ECR's reset deletes every table starting with that.
  reset: { aliases: ['ecrpublic', 'public-registry'], tablePrefixes: ['ecrpublic_'] },
  arnServices: ['ecr-public'],
});

function migrations(): Migration[] {
  return [
    {
      // Issue 23: ECR Public is global (no region), one registry per account with the alias Berth gives it.
      version: 93,
      name: 'ecr public registries (alias, catalog data) and repositories (catalog data, logo, policy)',
      sql: `
      CREATE TABLE ecrpublic_registries (
        account TEXT PRIMARY KEY, alias TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, created_at REAL NOT NULL
      );
      CREATE TABLE ecrpublic_repositories (
        account TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, created_at REAL NOT NULL,
        catalog TEXT NOT NULL, logo BLOB, policy TEXT, seq INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      );
    `,
    },
  ];
}
