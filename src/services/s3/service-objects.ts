/**
 * Objects other parts of Berth write into a bucket on a user's behalf
 * (CloudWatch Logs export tasks), with the same rules as PutObject's: the body
 * is committed to its own file, the row written in the caller's transaction,
 * and a replaced body unlinked only after that transaction commits.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Statements } from '../../state/db.js';
import { ObjectFiles } from './files.js';
import { findBucket, putObjectRow } from './store.js';

export interface ServiceObject {
  bucket: string;
  key: string;
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  now: number;
}

/** A bucket's owner and region, or undefined when there is no such bucket. */
export function bucketOwner(sql: Statements, name: string): { account: string; region: string } | undefined {
  const b = findBucket(sql, name);
  return b && { account: b.account, region: b.region };
}

/**
 * Writes an object (inside the caller's transaction; the bucket must exist).
 * Call `committed()` after the transaction commits, `rolledBack()` if it does not.
 */
export function writeServiceObject(sql: Statements, files: ObjectFiles, o: ServiceObject): { committed(): void; rolledBack(): void } {
  const staged = files.stagingPath();
  writeFileSync(staged, o.body);
  const id = ObjectFiles.newId();
  files.commit(staged, id);
  const etag = `"${createHash('md5').update(o.body).digest('hex')}"`;
  const old = putObjectRow(sql, {
    bucket: o.bucket, key: o.key, file: id, size: o.body.length, etag, lastModified: o.now,
    doc: { ContentType: o.contentType ?? 'binary/octet-stream', ...(o.contentEncoding ? { ContentEncoding: o.contentEncoding } : {}) },
  });
  return {
    committed: () => { if (old !== undefined && old !== id) files.remove(old); },
    rolledBack: () => files.remove(id),
  };
}
