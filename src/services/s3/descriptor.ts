/**
 * Amazon S3: Berth's descriptor of the service (see ../service-descriptor.ts).
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const S3 = defineService({
  id: 's3',
  catalog: {
    // S3 requests never reach the buffered AWS pipeline: the gateway hands them to its S3 streaming
    // handler (gateway/s3.ts: object bodies go to disk), which uses this entry's model and codec.
    // Its model's URIs leave the bucket out ("/{Key+}"): the front door takes it from the path or Host.
    sdkPackage: '@aws-sdk/client-s3', clientName: 'S3Client', protocol: 'restXml', apiVersion: '2006-03-01',
    signingNames: ['s3'], validationError: 'InvalidArgument',
  },
  migrations: migrations(),
  reset: { tablePrefixes: ['s3_'] },
  arnServices: ['s3'],
});

function migrations(): Migration[] {
  return [
    {
      version: 22,
      name: 's3 buckets, objects and multipart uploads (bodies are files under s3/objects)',
      sql: `
      CREATE TABLE s3_buckets (
        name TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, created_at REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX s3_buckets_account ON s3_buckets (account, name);
      CREATE TABLE s3_objects (
        bucket TEXT NOT NULL, key TEXT NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        last_modified REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (bucket, key)
      ) WITHOUT ROWID;
      CREATE TABLE s3_uploads (
        upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated REAL NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, initiated);
      CREATE TABLE s3_upload_parts (
        upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, file TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
        last_modified REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (upload_id, part_number)
      );
    `,
    },
  ];
}
