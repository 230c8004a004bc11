/**
 * Amazon EventBridge Scheduler: Berth's descriptor of the service (see ../service-descriptor.ts).
 * rest-json, signing name `scheduler`; model from `@aws-sdk/client-scheduler`.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const SCHEDULER = defineService({
  id: 'scheduler',
  catalog: {
    sdkPackage: '@aws-sdk/client-scheduler', clientName: 'SchedulerClient', protocol: 'restJson1',
    apiVersion: '2021-06-30', signingNames: ['scheduler'], validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['scheduler_'] },
  arnServices: ['scheduler'],
  // A schedule was created, updated or deleted (key: its ARN): the scheduler-schedules controller looks at it again.
  changeKinds: ['scheduler.schedule'],
});

/** Issue 18 (versions 59 and 80). Times are real epoch ms. */
function migrations(): Migration[] {
  return [
    {
      version: 59,
      name: 'eventbridge scheduler: schedule groups and schedules',
      sql: `
      CREATE TABLE scheduler_groups (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL, modified_at REAL NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE scheduler_schedules (
        account TEXT NOT NULL, region TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE, doc TEXT NOT NULL,
        created_at REAL NOT NULL, modified_at REAL NOT NULL, origin REAL NOT NULL, last_fire REAL,
        PRIMARY KEY (account, region, grp, name)
      );
    `,
    },
    {
      // A failed invocation waiting for its retry (firing.ts): the target as it fired, its execution id and scheduled
      // time (what the dead-letter event reports), failures so far, when it first fired and when it is tried again.
      version: 80,
      name: 'eventbridge scheduler: invocations waiting for a retry',
      sql: `
      CREATE TABLE scheduler_retries (
        id INTEGER PRIMARY KEY, schedule_arn TEXT NOT NULL, execution_id TEXT NOT NULL, target TEXT NOT NULL,
        scheduled_time TEXT NOT NULL, failures INTEGER NOT NULL, first_at REAL NOT NULL, due_at REAL NOT NULL
      );
      CREATE INDEX scheduler_retries_due ON scheduler_retries (schedule_arn, due_at);
    `,
    },
  ];
}
