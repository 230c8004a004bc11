/**
 * AWS CloudFormation: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const CLOUDFORMATION = defineService({
  id: 'cloudformation',
  catalog: {
    sdkPackage: '@aws-sdk/client-cloudformation', clientName: 'CloudFormationClient', protocol: 'awsQuery', apiVersion: '2010-05-15',
    signingNames: ['cloudformation'], validationError: 'ValidationError',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['cfn'], tablePrefixes: ['cfn_'] },
  arnServices: ['cloudformation'],
  // key: account/region/stack id (the stacks controller runs the stack's operation).
  changeKinds: ['cloudformation.stack'],
});

function migrations(): Migration[] {
  return [
    {
      version: 83,
      name: 'cloudformation stacks, their resources, events, change sets and exports',
      sql: `
      CREATE TABLE cfn_stacks (
        account TEXT NOT NULL, region TEXT NOT NULL, stack_id TEXT PRIMARY KEY, name TEXT NOT NULL,
        status TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX cfn_stacks_name ON cfn_stacks (account, region, name, deleted);
      CREATE TABLE cfn_resources (
        stack_id TEXT NOT NULL, logical_id TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (stack_id, logical_id)
      );
      CREATE TABLE cfn_events (
        stack_id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (stack_id, seq)
      );
      CREATE TABLE cfn_change_sets (
        account TEXT NOT NULL, region TEXT NOT NULL, id TEXT PRIMARY KEY, stack_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX cfn_change_sets_stack ON cfn_change_sets (stack_id, name);
      CREATE TABLE cfn_exports (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, stack_id TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (account, region, name)
      );
    `,
    },
  ];
}
