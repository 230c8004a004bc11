/**
 * EC2 state: every resource is a row of `ec2_resources` keyed by (account,
 * region, id) with its SDK-shaped document (without Tags, which live in
 * `ec2_tags` keyed by resource id) and the references queries follow: the VPC
 * and a parent (a subnet for an ENI, a group for a rule). Functions take a
 * Scope rather than a RequestContext so controllers and other services can call
 * them inside their own transactions.
 */
import type { Tag } from '@aws-sdk/client-ec2';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import type { ResourceKind } from './ids.js';

export type { Scope };

export interface Stored<T> {
  id: string;
  seq: number;
  doc: T;
}

export interface Refs {
  vpcId?: string;
  parentId?: string;
}

interface Row {
  id: string;
  seq: number;
  doc: string;
}

const toStored = <T>(r: Row): Stored<T> => ({ id: r.id, seq: r.seq, doc: JSON.parse(r.doc) as T });

function nextSeq(s: Scope, table: 'ec2_resources' | 'ec2_tags'): number {
  return (s.sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;
}

export function getStored<T>(s: Scope, kind: ResourceKind, id: string): Stored<T> | undefined {
  const row = s.sql
    .get('SELECT id, seq, doc FROM ec2_resources WHERE account = ? AND region = ? AND id = ? AND kind = ?')
    .get(s.account, s.region, id, kind) as Row | undefined;
  return row ? toStored<T>(row) : undefined;
}

export function getDoc<T>(s: Scope, kind: ResourceKind, id: string): T | undefined {
  return getStored<T>(s, kind, id)?.doc;
}

/** Resources of a kind in creation order, optionally within one VPC or under one parent. */
export function listStored<T>(s: Scope, kind: ResourceKind, where: Refs = {}): Stored<T>[] {
  let rows: Row[];
  if (where.parentId !== undefined) {
    rows = s.sql
      .get('SELECT id, seq, doc FROM ec2_resources WHERE account = ? AND region = ? AND parent_id = ? AND kind = ? ORDER BY seq')
      .all(s.account, s.region, where.parentId, kind) as Row[];
  } else if (where.vpcId !== undefined) {
    rows = s.sql
      .get('SELECT id, seq, doc FROM ec2_resources WHERE account = ? AND region = ? AND vpc_id = ? AND kind = ? ORDER BY seq')
      .all(s.account, s.region, where.vpcId, kind) as Row[];
  } else {
    rows = s.sql
      .get('SELECT id, seq, doc FROM ec2_resources WHERE account = ? AND region = ? AND kind = ? ORDER BY seq')
      .all(s.account, s.region, kind) as Row[];
  }
  return rows.map((r) => toStored<T>(r));
}

export function listDocs<T>(s: Scope, kind: ResourceKind, where: Refs = {}): T[] {
  return listStored<T>(s, kind, where).map((r) => r.doc);
}

export function countKind(s: Scope, kind: ResourceKind, where: Refs): number {
  const column = where.parentId !== undefined ? 'parent_id' : 'vpc_id';
  const value = where.parentId ?? where.vpcId;
  return (s.sql
    .get(`SELECT COUNT(*) AS n FROM ec2_resources WHERE account = ? AND region = ? AND ${column} = ? AND kind = ?`)
    .get(s.account, s.region, value, kind) as { n: number }).n;
}

export function insertDoc(s: Scope, kind: ResourceKind, id: string, doc: object, refs: Refs = {}): void {
  s.sql
    .get('INSERT INTO ec2_resources (account, region, id, kind, vpc_id, parent_id, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, id, kind, refs.vpcId ?? null, refs.parentId ?? null, JSON.stringify(doc), nextSeq(s, 'ec2_resources'));
}

/** Rewrites a document; `refs` (when given) replaces the stored references. */
export function updateDoc(s: Scope, id: string, doc: object, refs?: Refs): void {
  if (refs) {
    s.sql
      .get('UPDATE ec2_resources SET doc = ?, vpc_id = ?, parent_id = ? WHERE account = ? AND region = ? AND id = ?')
      .run(JSON.stringify(doc), refs.vpcId ?? null, refs.parentId ?? null, s.account, s.region, id);
  } else {
    s.sql.get('UPDATE ec2_resources SET doc = ? WHERE account = ? AND region = ? AND id = ?').run(JSON.stringify(doc), s.account, s.region, id);
  }
}

/** Deletes a resource and its tags. */
export function deleteDoc(s: Scope, id: string): void {
  s.sql.get('DELETE FROM ec2_resources WHERE account = ? AND region = ? AND id = ?').run(s.account, s.region, id);
  s.sql.get('DELETE FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ?').run(s.account, s.region, id);
}

/** The kind of a stored resource id, if it exists in this scope. */
export function kindOfStored(s: Scope, id: string): ResourceKind | undefined {
  const row = s.sql.get('SELECT kind FROM ec2_resources WHERE account = ? AND region = ? AND id = ?').get(s.account, s.region, id) as
    | { kind: ResourceKind }
    | undefined;
  return row?.kind;
}

// ---- tags ----

export interface TagRow {
  resource_id: string;
  resource_type: ResourceKind;
  key: string;
  value: string;
  seq: number;
}

export function getTags(s: Scope, id: string): Tag[] {
  return (s.sql
    .get('SELECT key, value FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ? ORDER BY seq')
    .all(s.account, s.region, id) as { key: string; value: string }[]).map((t) => ({ Key: t.key, Value: t.value }));
}

export function countTags(s: Scope, id: string): number {
  return (s.sql.get('SELECT COUNT(*) AS n FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ?').get(s.account, s.region, id) as { n: number }).n;
}

export function hasTag(s: Scope, id: string, key: string): boolean {
  return !!s.sql.get('SELECT 1 FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ? AND key = ?').get(s.account, s.region, id, key);
}

export function putTag(s: Scope, id: string, kind: ResourceKind, key: string, value: string): void {
  s.sql
    .get(
      `INSERT INTO ec2_tags (account, region, resource_id, resource_type, key, value, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account, region, resource_id, key) DO UPDATE SET value = excluded.value`,
    )
    .run(s.account, s.region, id, kind, key, value, nextSeq(s, 'ec2_tags'));
}

export function removeTag(s: Scope, id: string, key: string, value?: string): void {
  if (value === undefined) {
    s.sql.get('DELETE FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ? AND key = ?').run(s.account, s.region, id, key);
  } else {
    s.sql
      .get('DELETE FROM ec2_tags WHERE account = ? AND region = ? AND resource_id = ? AND key = ? AND value = ?')
      .run(s.account, s.region, id, key, value);
  }
}

export function allTagRows(s: Scope): TagRow[] {
  return s.sql
    .get('SELECT resource_id, resource_type, key, value, seq FROM ec2_tags WHERE account = ? AND region = ? ORDER BY resource_id, key')
    .all(s.account, s.region) as TagRow[];
}

// ---- private IPv4 addresses in use, per subnet ----

export function usedAddresses(s: Scope, subnetId: string): Set<string> {
  const rows = s.sql.get('SELECT ip FROM ec2_addresses WHERE account = ? AND region = ? AND subnet_id = ?').all(s.account, s.region, subnetId) as { ip: string }[];
  return new Set(rows.map((r) => r.ip));
}

export function countAddresses(s: Scope, subnetId: string): number {
  return (s.sql.get('SELECT COUNT(*) AS n FROM ec2_addresses WHERE account = ? AND region = ? AND subnet_id = ?').get(s.account, s.region, subnetId) as { n: number }).n;
}

export function claimAddress(s: Scope, subnetId: string, ip: string, eniId: string): void {
  s.sql.get('INSERT INTO ec2_addresses (account, region, subnet_id, ip, eni_id) VALUES (?, ?, ?, ?, ?)').run(s.account, s.region, subnetId, ip, eniId);
}

export function releaseAddresses(s: Scope, eniId: string): void {
  s.sql.get('DELETE FROM ec2_addresses WHERE account = ? AND region = ? AND eni_id = ?').run(s.account, s.region, eniId);
}
