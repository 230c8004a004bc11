/**
 * Amazon SQS: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Served over JSON 1.0 (current SDKs) and query (older CLIs), which the wire layer tells apart.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const SQS = defineService({
  id: 'sqs',
  catalog: {
    sdkPackage: '@aws-sdk/client-sqs', clientName: 'SQSClient', protocol: 'awsJson1_0', apiVersion: '2012-11-05',
    signingNames: ['sqs'], targetPrefix: 'AmazonSQS', validationError: 'InvalidParameterValue', queryUrlMember: 'QueueUrl',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['sqs_'] },
  arnServices: ['sqs'],
  changeKinds: [
    // Messages of a queue may have become receivable (key: the queue's row id): waiting receivers wake on it.
    'sqs.messages',
    // A queue or its counts moved otherwise: created, attributes set, deleted, purged, messages received or deleted
    // (key: the queue's row id). No controller watches it; the console's queue pages refetch on it. Kept apart from
    // sqs.messages so that a receive never wakes the queue's other long polls for nothing.
    'sqs.queue',
  ],
});

function migrations(): Migration[] {
  return [
    {
      version: 41,
      name: 'sqs queues, messages, deduplication ids, receive attempts, message move tasks',
      sql: `
      CREATE TABLE sqs_queues (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        attributes TEXT NOT NULL, created_at INTEGER NOT NULL, modified_at INTEGER NOT NULL,
        purged_at INTEGER, next_seq INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account, region, name)
      );
      CREATE TABLE sqs_deleted_queues (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, deleted_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE sqs_messages (
        id INTEGER PRIMARY KEY, queue_id INTEGER NOT NULL, message_id TEXT NOT NULL, body TEXT NOT NULL,
        attributes TEXT, md5_body TEXT NOT NULL, md5_attributes TEXT, system_attributes TEXT,
        sender_id TEXT NOT NULL, sent_at INTEGER NOT NULL, visible_at INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0, first_received_at INTEGER, receipt TEXT,
        group_id TEXT, dedup_id TEXT, sequence_number TEXT, dead_letter_source TEXT
      );
      CREATE INDEX sqs_messages_queue_visible ON sqs_messages (queue_id, visible_at, id);
      CREATE UNIQUE INDEX sqs_messages_message_id ON sqs_messages (message_id);
      CREATE TABLE sqs_dedup_ids (
        queue_id INTEGER NOT NULL, dedup_id TEXT NOT NULL, message_id TEXT NOT NULL, sequence_number TEXT,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (queue_id, dedup_id)
      );
      CREATE TABLE sqs_receive_attempts (
        queue_id INTEGER NOT NULL, attempt_id TEXT NOT NULL, response TEXT NOT NULL, expires_at INTEGER NOT NULL,
        PRIMARY KEY (queue_id, attempt_id)
      );
      CREATE TABLE sqs_move_tasks (
        handle TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, source_arn TEXT NOT NULL,
        destination_arn TEXT, max_per_second INTEGER, status TEXT NOT NULL, moved INTEGER NOT NULL,
        to_move INTEGER NOT NULL, started_at INTEGER NOT NULL, failure_reason TEXT
      );
      CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks (account, region, source_arn, started_at);
    `,
    },
    {
      // Issue 18: AWS/SQS activity metrics count on the queue row between publications (metrics.ts).
      version: 57,
      name: 'sqs queue activity counts for AWS/SQS metrics',
      sql: `
      ALTER TABLE sqs_queues ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sqs_queues ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sqs_queues ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sqs_queues ADD COLUMN empty_receives INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sqs_queues ADD COLUMN metrics_live INTEGER NOT NULL DEFAULT 0;
    `,
    },
  ];
}
