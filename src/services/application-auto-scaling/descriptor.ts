/**
 * Application Auto Scaling: Berth's descriptor of the service (see ../service-descriptor.ts).
 * JSON 1.1, `X-Amz-Target: AnyScaleFrontendService.<Op>`, signing name `application-autoscaling`.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const APPLICATION_AUTO_SCALING = defineService({
  id: 'application-auto-scaling',
  catalog: {
    sdkPackage: '@aws-sdk/client-application-auto-scaling', clientName: 'ApplicationAutoScalingClient', protocol: 'awsJson1_1', apiVersion: '2016-02-06',
    signingNames: ['application-autoscaling'], targetPrefix: 'AnyScaleFrontendService', validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['application-autoscaling'], tablePrefixes: ['appscaling_'] },
  arnServices: ['application-autoscaling'],
  changeKinds: ['appscaling.scheduled-action'],
});

/** Its schema (issue 16; 42: SQS landed 41 first). Times are real epoch ms. */
function migrations(): Migration[] {
  return [
    {
      version: 42,
      name: 'application auto scaling: scalable targets, scaling policies, scheduled actions, scaling activities',
      sql: `
      CREATE TABLE appscaling_targets (
        account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, resource_id TEXT NOT NULL, dimension TEXT NOT NULL,
        arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, namespace, resource_id, dimension)
      );
      CREATE TABLE appscaling_policies (
        account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, resource_id TEXT NOT NULL, dimension TEXT NOT NULL,
        name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, cooldowns TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, namespace, resource_id, dimension, name)
      );
      CREATE TABLE appscaling_scheduled_actions (
        account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, resource_id TEXT NOT NULL, dimension TEXT NOT NULL,
        name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, last_run REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, namespace, resource_id, dimension, name)
      );
      CREATE TABLE appscaling_activities (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, resource_id TEXT NOT NULL,
        dimension TEXT NOT NULL, ts REAL NOT NULL, scaled INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX appscaling_activities_target ON appscaling_activities (account, region, namespace, resource_id, dimension, ts);
    `,
    },
  ];
}
