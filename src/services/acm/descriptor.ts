/**
 * AWS Certificate Manager: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const ACM = defineService({
  id: 'acm',
  catalog: {
    sdkPackage: '@aws-sdk/client-acm', clientName: 'ACMClient', protocol: 'awsJson1_1', apiVersion: '2015-12-08',
    signingNames: ['acm'], targetPrefix: 'CertificateManager', validationError: 'ValidationException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { aliases: ['certificate-manager'], tablePrefixes: ['acm_'] },
  arnServices: ['acm'],
});

function migrations(): Migration[] {
  return [
    {
      version: 20,
      name: 'acm certificates',
      sql: `
      CREATE TABLE acm_certificates (
        arn TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, type TEXT NOT NULL,
        doc TEXT NOT NULL, certificate TEXT NOT NULL, private_key TEXT NOT NULL, chain TEXT,
        issue_at REAL, idempotency_token TEXT, request_hash TEXT, created_at REAL NOT NULL,
        version INTEGER NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX acm_certificates_list ON acm_certificates (account, region, seq);
    `,
    },
  ];
}
