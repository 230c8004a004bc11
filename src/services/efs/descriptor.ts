/**
 * Amazon EFS: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const EFS = defineService({
  id: 'efs',
  catalog: {
    sdkPackage: '@aws-sdk/client-efs', clientName: 'EFSClient', protocol: 'restJson1', apiVersion: '2015-02-01',
    // EFS answers malformed requests with BadRequest (HTTP 400, with an ErrorCode member).
    signingNames: ['elasticfilesystem'], validationError: 'BadRequest',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['elasticfilesystem'], tablePrefixes: ['efs_'] },
  arnServices: ['elasticfilesystem'],
  // key: account|region|id of the file system or access point whose directory the EFS controller keeps.
  changeKinds: ['efs'],
});

function migrations(): Migration[] {
  return [
    {
      version: 12,
      name: 'efs file systems, access points and mount targets',
      sql: `
      CREATE TABLE efs_file_systems (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, creation_token TEXT NOT NULL,
        state TEXT NOT NULL, doc TEXT NOT NULL, policy TEXT, lifecycle TEXT, backup TEXT, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id),
        UNIQUE (account, region, creation_token)
      );
      CREATE INDEX efs_file_systems_list ON efs_file_systems (account, region, seq);
      CREATE TABLE efs_access_points (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, fs_id TEXT NOT NULL, client_token TEXT NOT NULL,
        state TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id),
        UNIQUE (account, region, client_token)
      );
      CREATE INDEX efs_access_points_fs ON efs_access_points (account, region, fs_id, seq);
      CREATE TABLE efs_mount_targets (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, fs_id TEXT NOT NULL, subnet_id TEXT NOT NULL,
        vpc_id TEXT NOT NULL, az TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE INDEX efs_mount_targets_fs ON efs_mount_targets (account, region, fs_id, seq);
    `,
    },
  ];
}
