/**
 * AWS Systems Manager Parameter Store: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const SSM = defineService({
  id: 'ssm',
  catalog: {
    sdkPackage: '@aws-sdk/client-ssm', clientName: 'SSMClient', protocol: 'awsJson1_1', apiVersion: '2014-11-06',
    signingNames: ['ssm'], targetPrefix: 'AmazonSSM', validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['ssm_'] },
  arnServices: ['ssm'],
});

function migrations(): Migration[] {
  return [
    {
      version: 10,
      name: 'ssm parameter store: parameters and their versions',
      sql: `
      CREATE TABLE ssm_parameters (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        version INTEGER NOT NULL, doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE TABLE ssm_parameter_versions (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,
        value TEXT NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region, name, version)
      );
    `,
    },
  ];
}
