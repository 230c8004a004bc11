/**
 * S3 rows: buckets (names are global, as in AWS; each belongs to one account
 * and records its region), objects (metadata; the body is a file named by
 * `file`, see files.ts), multipart uploads and their parts.
 */
import type { Statements } from '../../state/db.js';
import type { Scope as StateScope } from '../../state/scope.js';
import type { ChecksumAlgorithm } from './checksums.js';
import { accessDenied, noSuchBucket, noSuchKey } from './errors.js';

/** A bucket's document: where it is, and its configurations as they were put (bucket-config.ts). */
export interface BucketDoc {
  LocationConstraint?: string;
  ObjectOwnership?: string;
  /** The policy document as the owner sent it. */
  Policy?: string;
  /** Undefined: S3's default (all four blocks on); null: deleted. */
  PublicAccessBlock?: { BlockPublicAcls: boolean; IgnorePublicAcls: boolean; BlockPublicPolicy: boolean; RestrictPublicBuckets: boolean } | null;
  Acl?: { Owner: unknown; Grants: unknown };
  Versioning?: { Status?: string; MFADelete?: string };
  TagSet?: { Key: string; Value: string }[];
  Lifecycle?: { Rules: unknown[]; TransitionDefaultMinimumObjectSize: string };
  CORSRules?: unknown[];
  Encryption?: { Rules: unknown[] };
  Website?: Record<string, unknown>;
  Accelerate?: string;
  Payer?: string;
  Logging?: Record<string, unknown>;
  Notifications?: Record<string, unknown>;
  Replication?: Record<string, unknown>;
}

export interface BucketRow {
  name: string;
  account: string;
  region: string;
  createdAt: number;
  doc: BucketDoc;
}

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** What an object keeps besides its body, size and ETag: the headers it was written with. */
export interface ObjectDoc {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  /** ISO 8601. */
  Expires?: string;
  WebsiteRedirectLocation?: string;
  StorageClass?: string;
  Metadata?: Record<string, string>;
  Checksum?: StoredChecksum;
  /** Set for an object made by CompleteMultipartUpload. */
  PartsCount?: number;
  /** Each part's size, in order (GetObject partNumber). */
  PartSizes?: number[];
}

export interface ObjectRow {
  bucket: string;
  key: string;
  file: string;
  size: number;
  etag: string;
  lastModified: number;
  doc: ObjectDoc;
}

interface RawObject {
  bucket: string;
  key: string;
  file: string;
  size: number;
  etag: string;
  last_modified: number;
  doc: string;
}

const toObject = (r: RawObject): ObjectRow => ({
  bucket: r.bucket, key: r.key, file: r.file, size: r.size, etag: r.etag, lastModified: r.last_modified, doc: JSON.parse(r.doc),
});

/** Buckets belong to an account; their names are global, their region a property. */
export type Scope = Pick<StateScope, 'sql' | 'account'>;

// --- buckets -------------------------------------------------------------------

export function findBucket(sql: Statements, name: string): BucketRow | undefined {
  const r = sql.get('SELECT name, account, region, created_at, doc FROM s3_buckets WHERE name = ?').get(name) as
    | { name: string; account: string; region: string; created_at: number; doc: string }
    | undefined;
  return r && { name: r.name, account: r.account, region: r.region, createdAt: r.created_at, doc: JSON.parse(r.doc) };
}

/**
 * The caller's bucket: NoSuchBucket when no account has it, AccessDenied when
 * another account does (Berth has no bucket policies), or when the caller
 * names an expected owner that is not the owner.
 */
export function ownBucket(s: Scope, name: string, expectedOwner?: string): BucketRow {
  const b = findBucket(s.sql, name);
  if (!b) throw noSuchBucket(name);
  if (b.account !== s.account || (expectedOwner !== undefined && expectedOwner !== b.account)) throw accessDenied();
  return b;
}

export function insertBucket(sql: Statements, b: BucketRow): void {
  sql.get('INSERT INTO s3_buckets (name, account, region, created_at, doc) VALUES (?, ?, ?, ?, ?)')
    .run(b.name, b.account, b.region, b.createdAt, JSON.stringify(b.doc));
}

export function updateBucketDoc(sql: Statements, name: string, doc: BucketDoc): void {
  sql.get('UPDATE s3_buckets SET doc = ? WHERE name = ?').run(JSON.stringify(doc), name);
}

export function deleteBucketRow(sql: Statements, name: string): void {
  sql.get('DELETE FROM s3_buckets WHERE name = ?').run(name);
}

export function bucketsOf(sql: Statements, account: string): BucketRow[] {
  return (sql.get('SELECT name FROM s3_buckets WHERE account = ? ORDER BY name').pluck().all(account) as string[])
    .map((n) => findBucket(sql, n)!);
}

export function bucketHasObjects(sql: Statements, bucket: string): boolean {
  return !!sql.get('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(bucket);
}

// --- objects -------------------------------------------------------------------

export function findObject(sql: Statements, bucket: string, key: string): ObjectRow | undefined {
  const r = sql.get('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?').get(bucket, key) as RawObject | undefined;
  return r && toObject(r);
}

export function requireObject(sql: Statements, bucket: string, key: string): ObjectRow {
  const o = findObject(sql, bucket, key);
  if (!o) throw noSuchKey(key);
  return o;
}

/** Writes the object row; returns the body file of the object it replaced, if any. */
export function putObjectRow(sql: Statements, o: ObjectRow): string | undefined {
  const old = sql.get('SELECT file FROM s3_objects WHERE bucket = ? AND key = ?').pluck().get(o.bucket, o.key) as string | undefined;
  sql.get(`INSERT INTO s3_objects (bucket, key, file, size, etag, last_modified, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (bucket, key) DO UPDATE SET file = excluded.file, size = excluded.size, etag = excluded.etag,
             last_modified = excluded.last_modified, doc = excluded.doc`)
    .run(o.bucket, o.key, o.file, o.size, o.etag, o.lastModified, JSON.stringify(o.doc));
  return old;
}

/** Deletes the object row; returns its body file, if there was one. */
export function deleteObjectRow(sql: Statements, bucket: string, key: string): string | undefined {
  const old = sql.get('SELECT file FROM s3_objects WHERE bucket = ? AND key = ?').pluck().get(bucket, key) as string | undefined;
  if (old !== undefined) sql.get('DELETE FROM s3_objects WHERE bucket = ? AND key = ?').run(bucket, key);
  return old;
}

const PAGE = 500;

/**
 * Objects of a bucket in key order (SQLite's BINARY order of UTF-8 text is the
 * byte order S3 lists in), from the first key ≥ `from`. Read a page at a time
 * with .all(): an open iterator would lock the connection for other statements.
 */
export function* objectsFrom(sql: Statements, bucket: string, from: string): Generator<ObjectRow> {
  let rows = sql.get('SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? ORDER BY key LIMIT ?').all(bucket, from, PAGE) as RawObject[];
  while (rows.length) {
    for (const r of rows) yield toObject(r);
    if (rows.length < PAGE) return;
    rows = sql.get('SELECT * FROM s3_objects WHERE bucket = ? AND key > ? ORDER BY key LIMIT ?').all(bucket, rows[rows.length - 1].key, PAGE) as RawObject[];
  }
}

// --- multipart uploads ---------------------------------------------------------

export interface UploadDoc extends Omit<ObjectDoc, 'Checksum' | 'PartsCount' | 'PartSizes'> {
  ChecksumAlgorithm?: ChecksumAlgorithm;
  ChecksumType?: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface UploadRow {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  doc: UploadDoc;
}

export interface PartRow {
  uploadId: string;
  partNumber: number;
  file: string;
  size: number;
  etag: string;
  lastModified: number;
  doc: { Checksum?: StoredChecksum };
}

export function insertUpload(sql: Statements, u: UploadRow): void {
  sql.get('INSERT INTO s3_uploads (upload_id, bucket, key, initiated, doc) VALUES (?, ?, ?, ?, ?)')
    .run(u.uploadId, u.bucket, u.key, u.initiated, JSON.stringify(u.doc));
}

export function findUpload(sql: Statements, uploadId: string): UploadRow | undefined {
  const r = sql.get('SELECT * FROM s3_uploads WHERE upload_id = ?').get(uploadId) as
    | { upload_id: string; bucket: string; key: string; initiated: number; doc: string }
    | undefined;
  return r && { uploadId: r.upload_id, bucket: r.bucket, key: r.key, initiated: r.initiated, doc: JSON.parse(r.doc) };
}

export function uploadsOf(sql: Statements, bucket: string): UploadRow[] {
  return (sql.get('SELECT upload_id FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated').pluck().all(bucket) as string[])
    .map((id) => findUpload(sql, id)!);
}

export function partsOf(sql: Statements, uploadId: string): PartRow[] {
  const rows = sql.get('SELECT * FROM s3_upload_parts WHERE upload_id = ? ORDER BY part_number').all(uploadId) as {
    upload_id: string; part_number: number; file: string; size: number; etag: string; last_modified: number; doc: string;
  }[];
  return rows.map((r) => ({
    uploadId: r.upload_id, partNumber: r.part_number, file: r.file, size: r.size, etag: r.etag, lastModified: r.last_modified, doc: JSON.parse(r.doc),
  }));
}

/** Writes a part row; returns the body file of the part it replaced, if any. */
export function putPartRow(sql: Statements, p: PartRow): string | undefined {
  const old = sql.get('SELECT file FROM s3_upload_parts WHERE upload_id = ? AND part_number = ?').pluck().get(p.uploadId, p.partNumber) as string | undefined;
  sql.get(`INSERT INTO s3_upload_parts (upload_id, part_number, file, size, etag, last_modified, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (upload_id, part_number) DO UPDATE SET file = excluded.file, size = excluded.size, etag = excluded.etag,
             last_modified = excluded.last_modified, doc = excluded.doc`)
    .run(p.uploadId, p.partNumber, p.file, p.size, p.etag, p.lastModified, JSON.stringify(p.doc));
  return old;
}

/** Deletes an upload and its parts; returns the parts' body files. */
export function deleteUploadRows(sql: Statements, uploadId: string): string[] {
  const files = sql.get('SELECT file FROM s3_upload_parts WHERE upload_id = ?').pluck().all(uploadId) as string[];
  sql.get('DELETE FROM s3_upload_parts WHERE upload_id = ?').run(uploadId);
  sql.get('DELETE FROM s3_uploads WHERE upload_id = ?').run(uploadId);
  return files;
}
