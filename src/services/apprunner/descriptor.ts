/**
 * AWS App Runner: Berth's descriptor of the service (see ../service-descriptor.ts). App Runner is a thin layer over
 * ECS Express Mode: each App Runner service is one Express service (its ECS service, target group and Host rule on
 * the shared load balancer), and what App Runner adds — its states and operations, auto scaling configurations,
 * scaling by concurrency, pause, auto deployments — is kept in these tables.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const APPRUNNER = defineService({
  id: 'apprunner',
  catalog: {
    sdkPackage: '@aws-sdk/client-apprunner', clientName: 'AppRunnerClient', protocol: 'awsJson1_0', apiVersion: '2020-05-15',
    signingNames: ['apprunner'], targetPrefix: 'AppRunner', validationError: 'InvalidRequestException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['apprunner_'] },
  arnServices: ['apprunner'],
  // An App Runner service's desired state moved (key: its ARN): the apprunner-services controller converges it.
  changeKinds: [
    // A service was created, updated, paused, resumed, deployed or deleted through the API (key: its ARN).
    'apprunner.service',
    // The apprunner-services controller moved a service on (an operation ended or began rolling back, an auto
    // deployment began; key: its ARN). No controller watches it (the controller must not wake itself): the console's
    // pages refetch on it.
    'apprunner.service-status',
  ],
});

function migrations(): Migration[] {
  return [
    {
      version: 75,
      name: 'apprunner services, operations and auto scaling configurations',
      // A service's row points at its Express service (express_arn, the ECS service's ARN) and, by host, at the URL
      // the data plane serves; operations are App Runner's asynchronous calls, newest first per service.
      sql: `
      CREATE TABLE apprunner_services (
        account TEXT NOT NULL, region TEXT NOT NULL, arn TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
        status TEXT NOT NULL, express_arn TEXT, host TEXT NOT NULL UNIQUE, asc_arn TEXT NOT NULL,
        doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX apprunner_services_list ON apprunner_services (account, region, seq);
      CREATE INDEX apprunner_services_name ON apprunner_services (account, region, name, status);
      CREATE INDEX apprunner_services_express ON apprunner_services (express_arn);
      CREATE INDEX apprunner_services_asc ON apprunner_services (asc_arn, status);
      CREATE INDEX apprunner_services_status ON apprunner_services (status);
      CREATE TABLE apprunner_operations (
        id TEXT NOT NULL PRIMARY KEY, service_arn TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
        doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX apprunner_operations_service ON apprunner_operations (service_arn, seq);
      CREATE TABLE apprunner_auto_scaling_configurations (
        account TEXT NOT NULL, region TEXT NOT NULL, arn TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
        revision INTEGER NOT NULL, status TEXT NOT NULL, is_default INTEGER NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        UNIQUE (account, region, name, revision)
      );
      CREATE INDEX apprunner_asc_list ON apprunner_auto_scaling_configurations (account, region, seq);
    `,
    },
    {
      version: 90,
      name: 'apprunner connections, observability configurations, vpc connectors, vpc ingress connections, custom domains',
      // One table for App Runner's named side resources (kind: connection, observabilityconfiguration, vpcconnector,
      // vpcingressconnection; revision 0 where the kind has none) and one for custom domains, each a host the data
      // plane serves for its service.
      sql: `
      CREATE TABLE apprunner_resources (
        account TEXT NOT NULL, region TEXT NOT NULL, arn TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL,
        revision INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX apprunner_resources_list ON apprunner_resources (account, region, kind, seq);
      CREATE INDEX apprunner_resources_name ON apprunner_resources (account, region, kind, name, revision);
      CREATE TABLE apprunner_custom_domains (
        service_arn TEXT NOT NULL, domain TEXT NOT NULL, host TEXT NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (service_arn, domain)
      );
      CREATE INDEX apprunner_custom_domains_host ON apprunner_custom_domains (host);
    `,
    },
  ];
}
