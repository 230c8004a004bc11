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
  // autoscaling.group: account/region/group name (the group controller converges it to its desired capacity);
  // autoscaling.scheduled-action: the action's ARN (the schedule controller runs it when due);
  // autoscaling.event: events were appended to the outbox (EventBridge drains it onto the default bus).
  changeKinds: ['autoscaling.group', 'autoscaling.scheduled-action', 'autoscaling.event'],
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
    {
      version: 65,
      name: 'ec2 auto scaling policies, activities, scheduled actions, lifecycle hooks, event outbox',
      sql: `
      CREATE TABLE autoscaling_policies (
        account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL, cooldowns TEXT NOT NULL DEFAULT '{}', seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, group_name, name)
      );
      CREATE TABLE autoscaling_activities (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL, activity_id TEXT NOT NULL UNIQUE,
        instance_id TEXT, kind TEXT NOT NULL, done INTEGER NOT NULL, ts REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX autoscaling_activities_group ON autoscaling_activities (account, region, group_name, ts);
      CREATE INDEX autoscaling_activities_instance ON autoscaling_activities (instance_id, kind, done);
      CREATE TABLE autoscaling_scheduled_actions (
        account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL, last_run REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, group_name, name)
      );
      CREATE TABLE autoscaling_lifecycle_hooks (
        account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, group_name, name)
      );
      CREATE TABLE autoscaling_lifecycle_actions (
        account TEXT NOT NULL, region TEXT NOT NULL, group_name TEXT NOT NULL, instance_id TEXT NOT NULL, hook TEXT NOT NULL,
        transition TEXT NOT NULL, token TEXT NOT NULL UNIQUE, deadline REAL NOT NULL, global_deadline REAL NOT NULL, result TEXT,
        PRIMARY KEY (account, region, instance_id, hook)
      );
      CREATE TABLE autoscaling_event_outbox (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, detail_type TEXT NOT NULL, resources TEXT NOT NULL,
        detail TEXT NOT NULL, at REAL NOT NULL
      );
    `,
    },
  ];
}
