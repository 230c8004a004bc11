/**
 * Amazon EC2 Auto Scaling: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const AUTO_SCALING = defineService({
  id: 'auto-scaling',
  catalog: {
    sdkPackage: '@aws-sdk/client-auto-scaling', clientName: 'AutoScalingClient', protocol: 'awsQuery', apiVersion: '2011-01-01',
    signingNames: ['autoscaling'], validationError: 'ValidationError',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['autoscaling', 'asg'], tablePrefixes: ['autoscaling_'] },
  arnServices: ['autoscaling'],
  // key: account/region/group name (the group controller converges it to its desired capacity).
  changeKinds: ['autoscaling.group'],
});

function migrations(): Migration[] {
  return [
    {
      version: 51,
      name: 'ec2 auto scaling groups',
      sql: `
      CREATE TABLE autoscaling_groups (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
    `,
    },
  ];
}
