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
  // An export task was created (key: its task id); the export-tasks controller writes it to S3.
  changeKinds: ['logs.export-task'],
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
    {
      version: 30,
      name: 'cloudwatch logs metric and subscription filters, destinations, metric datapoints, insights queries, export tasks, policies, deliveries',
      sql: `
      CREATE TABLE logs_metric_filters (
        group_id INTEGER NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, transformations TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, name)
      );
      CREATE TABLE logs_metric_datapoints (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        dimensions TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL
      );
      CREATE INDEX logs_metric_datapoints_metric ON logs_metric_datapoints (account, region, namespace, name, ts);
      CREATE TABLE logs_subscription_filters (
        group_id INTEGER NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, destination_arn TEXT NOT NULL,
        role_arn TEXT, distribution TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, name)
      );
      CREATE TABLE logs_destinations (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, target_arn TEXT NOT NULL, role_arn TEXT NOT NULL,
        access_policy TEXT, created_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE logs_queries (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, query_string TEXT NOT NULL, groups TEXT NOT NULL,
        start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, max_rows INTEGER, status TEXT NOT NULL,
        created_at INTEGER NOT NULL, results TEXT, statistics TEXT
      );
      CREATE INDEX logs_queries_scope ON logs_queries (account, region, created_at);
      CREATE TABLE logs_export_tasks (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT, group_name TEXT NOT NULL,
        stream_prefix TEXT, from_ts INTEGER NOT NULL, to_ts INTEGER NOT NULL, bucket TEXT NOT NULL, prefix TEXT NOT NULL,
        status TEXT NOT NULL, status_message TEXT, created_at INTEGER NOT NULL, completed_at INTEGER
      );
      CREATE INDEX logs_export_tasks_status ON logs_export_tasks (status);
      CREATE TABLE logs_resource_policies (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, document TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE logs_delivery_objects (
        account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region, kind, name)
      );
    `,
    },
    {
      // Metric filters record into CloudWatch's tables (issue 13). The rows of the old table were never shown by
      // any API (CloudWatch did not read them), so nothing a user saw goes with it.
      version: 49,
      name: 'metric filters record into cloudwatch: drop logs_metric_datapoints',
      sql: 'DROP TABLE logs_metric_datapoints;',
    },
  ];
}
