/**
 * Amazon CloudWatch (metrics and alarms): Berth's descriptor of the service (see ../service-descriptor.ts).
 * Clients speak it three ways: botocore ≥ 1.40 rpc-v2-cbor, the SDK v3 JSON 1.0 (awsQueryCompatible;
 * CBOR when configured), awscli 2.9 query. The catalogue names JSON 1.0 (what the SDK's model declares);
 * the gateway reads the protocol each request speaks.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const CLOUDWATCH = defineService({
  id: 'cloudwatch',
  catalog: {
    sdkPackage: '@aws-sdk/client-cloudwatch', clientName: 'CloudWatchClient', protocol: 'awsJson1_0', apiVersion: '2010-08-01',
    signingNames: ['monitoring'], targetPrefix: 'GraniteServiceVersion20100801', validationError: 'InvalidParameterValue',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['monitoring'], tablePrefixes: ['cloudwatch_'] },
  arnServices: ['cloudwatch'],
  changeKinds: ['cloudwatch.alarm'],
});

/**
 * CloudWatch's schema, all in this one migration (issue 16). Its number is provisional: if another
 * service landed the same one first, give this the next free number (nothing released uses it yet).
 * Times are in metric seconds (metric-time.ts): real time divided by the compression factor.
 */
function migrations(): Migration[] {
  return [
    {
      version: 40,
      name: 'cloudwatch: metrics, rolled-up datapoints, alarms, alarm history and recorded actions',
      sql: `
      CREATE TABLE cloudwatch_metrics (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, namespace TEXT NOT NULL,
        name TEXT NOT NULL, dims TEXT NOT NULL, last_put REAL NOT NULL,
        UNIQUE (account, region, namespace, name, dims)
      );
      CREATE INDEX cloudwatch_metrics_last_put ON cloudwatch_metrics (last_put);
      CREATE TABLE cloudwatch_datapoints (
        metric_id INTEGER NOT NULL, ts INTEGER NOT NULL, resolution INTEGER NOT NULL, unit TEXT NOT NULL,
        count REAL NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, vals TEXT,
        PRIMARY KEY (metric_id, ts, resolution, unit)
      ) WITHOUT ROWID;
      CREATE INDEX cloudwatch_datapoints_age ON cloudwatch_datapoints (resolution, ts);
      CREATE TABLE cloudwatch_alarms (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
        doc TEXT NOT NULL, state TEXT NOT NULL, next_eval REAL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE cloudwatch_alarm_history (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, alarm_name TEXT NOT NULL,
        alarm_type TEXT NOT NULL, ts REAL NOT NULL, item_type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL
      );
      CREATE INDEX cloudwatch_alarm_history_alarm ON cloudwatch_alarm_history (account, region, alarm_name, ts);
      CREATE INDEX cloudwatch_alarm_history_ts ON cloudwatch_alarm_history (ts);
      CREATE TABLE cloudwatch_alarm_actions (
        id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, alarm_name TEXT NOT NULL,
        ts REAL NOT NULL, state TEXT NOT NULL, action TEXT NOT NULL, status TEXT NOT NULL
      );
      CREATE INDEX cloudwatch_alarm_actions_ts ON cloudwatch_alarm_actions (ts);
    `,
    },
  ];
}
