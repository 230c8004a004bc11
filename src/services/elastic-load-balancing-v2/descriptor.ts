/**
 * Elastic Load Balancing (v2: application and network load balancers): Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const ELASTIC_LOAD_BALANCING_V2 = defineService({
  id: 'elastic-load-balancing-v2',
  catalog: {
    sdkPackage: '@aws-sdk/client-elastic-load-balancing-v2',
    clientName: 'ElasticLoadBalancingV2Client', protocol: 'awsQuery', apiVersion: '2015-12-01',
    signingNames: ['elasticloadbalancing'], validationError: 'ValidationError',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['elbv2', 'elb'], tablePrefixes: ['elbv2_'] },
  arnServices: ['elasticloadbalancing'],
  // key: the ARN of the load balancer, listener, rule or target group that changed (lb/ rebinds and re-reads).
  // 'elbv2.target-health', key: a target group whose target's health verdict changed (the data plane's health
  // checks write them; the ECS scheduler re-plans the services registered in that group).
  changeKinds: ['elbv2', 'elbv2.target-health'],
});

function migrations(): Migration[] {
  return [
    {
      version: 7,
      name: 'elastic load balancing v2: load balancers, target groups, listeners, rules, targets',
      sql: `
      CREATE TABLE elbv2_load_balancers (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        type TEXT NOT NULL, dns_name TEXT NOT NULL, doc TEXT NOT NULL, attributes TEXT NOT NULL, seq INTEGER NOT NULL,
        UNIQUE (account, region, name)
      );
      CREATE INDEX elbv2_load_balancers_list ON elbv2_load_balancers (account, region, seq);
      CREATE TABLE elbv2_target_groups (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        doc TEXT NOT NULL, attributes TEXT NOT NULL, seq INTEGER NOT NULL,
        UNIQUE (account, region, name)
      );
      CREATE INDEX elbv2_target_groups_list ON elbv2_target_groups (account, region, seq);
      CREATE TABLE elbv2_listeners (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, lb_arn TEXT NOT NULL,
        port INTEGER NOT NULL, protocol TEXT NOT NULL, doc TEXT NOT NULL, attributes TEXT NOT NULL,
        bound_port INTEGER, seq INTEGER NOT NULL,
        UNIQUE (lb_arn, port)
      );
      CREATE TABLE elbv2_rules (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, listener_arn TEXT NOT NULL,
        priority INTEGER, doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX elbv2_rules_listener ON elbv2_rules (listener_arn, priority);
      CREATE TABLE elbv2_forwards (
        owner_arn TEXT NOT NULL, tg_arn TEXT NOT NULL, lb_arn TEXT NOT NULL,
        PRIMARY KEY (owner_arn, tg_arn)
      );
      CREATE INDEX elbv2_forwards_tg ON elbv2_forwards (tg_arn);
      CREATE TABLE elbv2_targets (
        tg_arn TEXT NOT NULL, id TEXT NOT NULL, port INTEGER NOT NULL, az TEXT,
        state TEXT NOT NULL, reason TEXT, description TEXT, registered_at REAL NOT NULL,
        healthy_since REAL, drain_until REAL, seq INTEGER NOT NULL,
        PRIMARY KEY (tg_arn, id, port)
      );
      CREATE TABLE elbv2_generation (id INTEGER PRIMARY KEY CHECK (id = 1), gen INTEGER NOT NULL);
      INSERT INTO elbv2_generation (id, gen) VALUES (1, 0);
    `,
    },
    {
      version: 21,
      name: 'elastic load balancing v2 listener certificates',
      sql: `
      CREATE TABLE elbv2_listener_certificates (
        listener_arn TEXT NOT NULL, lb_arn TEXT NOT NULL, certificate_arn TEXT NOT NULL,
        is_default INTEGER NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (listener_arn, certificate_arn)
      );
      CREATE INDEX elbv2_listener_certificates_cert ON elbv2_listener_certificates (certificate_arn);
    `,
    },
    {
      version: 26,
      name: 'elastic load balancing v2 capacity reservations',
      sql: `
      CREATE TABLE elbv2_capacity_reservations (
        lb_arn TEXT NOT NULL PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, doc TEXT NOT NULL
      );
    `,
    },
  ];
}
