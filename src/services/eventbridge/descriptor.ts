/**
 * Amazon EventBridge (CloudWatch Events): Berth's descriptor of the service (see ../service-descriptor.ts).
 * JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`, signing name `events`; model from `@aws-sdk/client-eventbridge`.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const EVENTBRIDGE = defineService({
  id: 'eventbridge',
  catalog: {
    sdkPackage: '@aws-sdk/client-eventbridge', clientName: 'EventBridgeClient', protocol: 'awsJson1_1',
    apiVersion: '2015-10-07', signingNames: ['events'], targetPrefix: 'AWSEvents', validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['events'], tablePrefixes: ['events_'] },
  arnServices: ['events'],
  changeKinds: [
    // A scheduled rule was put, enabled, disabled or deleted (key: its ARN): its schedule is looked at again.
    'events.rule',
    // Deliveries wait for a rule's target (key: `<rule ARN> <target id>`).
    'events.delivery',
    // A bus was created, updated or deleted (key: its ARN). No controller watches it: the console's pages refetch.
    'events.bus',
    // A rule's targets were put or removed, or a delivery to one was made, retried or dropped (key: the rule's ARN).
    // No controller watches it (the delivery controller's own kind is events.delivery): the console's pages refetch.
    'events.targets',
  ],
});

/** Issue 18 (versions 55–59 and 79–80 are this work's). Times are real epoch ms. */
function migrations(): Migration[] {
  return [
    {
      version: 55,
      name: 'eventbridge: event buses, rules, targets, deliveries',
      sql: `
      CREATE TABLE events_buses (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL,
        created_at REAL NOT NULL, modified_at REAL NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE events_rules (
        account TEXT NOT NULL, region TEXT NOT NULL, bus TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL,
        origin REAL, last_tick REAL,
        PRIMARY KEY (account, region, bus, name)
      );
      CREATE TABLE events_targets (
        rule_arn TEXT NOT NULL, id TEXT NOT NULL, arn TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (rule_arn, id)
      );
      CREATE INDEX events_targets_arn ON events_targets (arn);
      CREATE TABLE events_deliveries (
        id INTEGER PRIMARY KEY, rule_arn TEXT NOT NULL, target_id TEXT NOT NULL, event TEXT NOT NULL,
        attempts INTEGER NOT NULL, due_at REAL NOT NULL, accepted_at REAL NOT NULL
      );
      CREATE INDEX events_deliveries_target ON events_deliveries (rule_arn, target_id, id);
    `,
    },
    {
      // A delivery remembers the buses its event came through before the rule's (JSON array of ARNs; NULL: put on
      // the rule's bus), so an event is not sent from bus to bus more than once (delivery.ts).
      version: 79,
      name: 'eventbridge: the buses each delivery\'s event came through',
      sql: 'ALTER TABLE events_deliveries ADD COLUMN chain TEXT;',
    },
  ];
}
