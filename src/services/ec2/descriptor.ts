/**
 * Amazon EC2 (the networking Berth models: VPCs, subnets, security groups, ENIs): Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const EC2 = defineService({
  id: 'ec2',
  catalog: {
    sdkPackage: '@aws-sdk/client-ec2', clientName: 'EC2Client', protocol: 'ec2Query', apiVersion: '2016-11-15',
    signingNames: ['ec2'], validationError: 'InvalidParameterValue',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['ec2_'] },
  arnServices: ['ec2'],
  changeKinds: [
    // key: account/region/instance id (the instance controller moves it through its states).
    'ec2.instance',
  ],
});

function migrations(): Migration[] {
  return [
    {
      version: 4,
      name: 'ec2 networking (vpcs, subnets, security groups, enis, gateways, route tables, acls, tags)',
      sql: `
      CREATE TABLE ec2_networks (
        account TEXT NOT NULL, region TEXT NOT NULL,
        PRIMARY KEY (account, region)
      );
      CREATE TABLE ec2_resources (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL, kind TEXT NOT NULL,
        vpc_id TEXT, parent_id TEXT, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, id)
      );
      CREATE INDEX ec2_resources_kind ON ec2_resources (account, region, kind, seq);
      CREATE INDEX ec2_resources_vpc ON ec2_resources (account, region, vpc_id, kind);
      CREATE INDEX ec2_resources_parent ON ec2_resources (account, region, parent_id, kind);
      CREATE INDEX ec2_resources_seq ON ec2_resources (seq);
      CREATE TABLE ec2_tags (
        account TEXT NOT NULL, region TEXT NOT NULL, resource_id TEXT NOT NULL, resource_type TEXT NOT NULL,
        key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, resource_id, key)
      );
      CREATE INDEX ec2_tags_seq ON ec2_tags (seq);
      CREATE TABLE ec2_addresses (
        account TEXT NOT NULL, region TEXT NOT NULL, subnet_id TEXT NOT NULL, ip TEXT NOT NULL, eni_id TEXT NOT NULL,
        PRIMARY KEY (account, region, subnet_id, ip)
      );
      CREATE INDEX ec2_addresses_eni ON ec2_addresses (account, region, eni_id);
    `,
    },
  ];
}
