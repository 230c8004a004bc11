/**
 * Amazon CloudWatch Logs: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const LOGS = defineService({
  id: 'logs',
  catalog: {
    sdkPackage: '@aws-sdk/client-cloudwatch-logs', clientName: 'CloudWatchLogsClient', protocol: 'awsJson1_1', apiVersion: '2014-03-28',
    signingNames: ['logs'], targetPrefix: 'Logs_20140328', validationError: 'InvalidParameterException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['cloudwatch-logs'], tablePrefixes: ['logs_'] },
  arnServices: ['logs'],
});

function migrations(): Migration[] {
  return [
    {
      version: 6,
      name: 'cloudwatch logs (groups, streams, events) and the awslogs shipper cursors',
      sql: `
      CREATE TABLE logs_groups (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created_at INTEGER NOT NULL, retention_days INTEGER, kms_key_id TEXT, log_group_class TEXT NOT NULL,
        deletion_protection INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0,
        next_seq INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account, region, name)
      );
      CREATE TABLE logs_streams (
        id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, created_at INTEGER NOT NULL,
        first_event_ts INTEGER, last_event_ts INTEGER, last_ingestion_time INTEGER,
        stored_bytes INTEGER NOT NULL DEFAULT 0,
        UNIQUE (group_id, name)
      );
      CREATE INDEX logs_streams_last_event ON logs_streams (group_id, last_event_ts, name);
      CREATE TABLE logs_events (
        group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL,
        ingested_at INTEGER NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (group_id, stream_id, ts, seq)
      ) WITHOUT ROWID;
      CREATE INDEX logs_events_group_time ON logs_events (group_id, ts, seq);
      CREATE TABLE logs_shipper_cursors (
        container_id TEXT PRIMARY KEY, task_arn TEXT NOT NULL,
        last_ts INTEGER NOT NULL, count_at_ts INTEGER NOT NULL
      );
      CREATE INDEX logs_shipper_cursors_task ON logs_shipper_cursors (task_arn);
    `,
    },
  ];
}
