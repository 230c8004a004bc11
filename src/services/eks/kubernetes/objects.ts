/**
 * The object store of a cluster's Kubernetes API, in SQLite: one row per object (its JSON as the API
 * returns it) keyed by cluster, resource, namespace and name, and a log of every write. The log's rowid is
 * the written object's `resourceVersion`: one counter for every object of every cluster, always rising,
 * as etcd's revision is. Watches replay the log from a resourceVersion; it keeps the last LOG_KEEP writes
 * (an older resourceVersion answers 410 Gone, as the API server does once etcd compacted it).
 *
 * Every function runs inside the caller's transaction; `changed` publishes the written object's key
 * (`eks.kube`) once the caller commits.
 */
import type { Statements } from '../../../state/db.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeMeta;
  spec?: any;
  status?: any;
  [field: string]: any;
}

export interface KubeMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  finalizers?: string[];
  [field: string]: any;
}

export interface ObjectScope {
  sql: Statements;
  /** The cluster's uid. */
  cluster: string;
  /** Records a written object's change key (published on commit). */
  changed(key: string): void;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface LoggedEvent {
  rv: number;
  resource: string;
  namespace: string;
  type: WatchEventType;
  doc: string;
}

/** Writes kept for watches to resume from. */
const LOG_KEEP = 20_000;

/** The change-feed key of an object: `<cluster>|<resource>|<namespace>|<name>`. */
export const objectKey = (cluster: string, resource: string, namespace: string, name: string) => `${cluster}|${resource}|${namespace}|${name}`;

export function parseObjectKey(key: string): { cluster: string; resource: string; namespace: string; name: string } | undefined {
  const [cluster, resource, namespace, name] = key.split('|');
  return cluster && resource && name !== undefined ? { cluster, resource, namespace, name } : undefined;
}

export function getObject(s: Pick<ObjectScope, 'sql' | 'cluster'>, resource: string, namespace: string, name: string): KubeObject | undefined {
  const row = s.sql.get('SELECT doc FROM eks_kube_objects WHERE cluster = ? AND resource = ? AND namespace = ? AND name = ?')
    .get(s.cluster, resource, namespace, name) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as KubeObject) : undefined;
}

/** Objects of a resource (in one namespace, or all when `namespace` is undefined), by namespace and name. */
export function listObjects(s: Pick<ObjectScope, 'sql' | 'cluster'>, resource: string, namespace?: string): KubeObject[] {
  const rows = (namespace === undefined
    ? s.sql.get('SELECT doc FROM eks_kube_objects WHERE cluster = ? AND resource = ? ORDER BY namespace, name').all(s.cluster, resource)
    : s.sql.get('SELECT doc FROM eks_kube_objects WHERE cluster = ? AND resource = ? AND namespace = ? ORDER BY name').all(s.cluster, resource, namespace)) as { doc: string }[];
  return rows.map((r) => JSON.parse(r.doc) as KubeObject);
}

/** The latest resourceVersion (what a list is consistent with). */
export function currentRv(sql: Statements): number {
  return (sql.get('SELECT COALESCE(MAX(rv), 0) AS rv FROM eks_kube_log').get() as { rv: number }).rv;
}

/** The oldest resourceVersion a watch can still resume after. */
export function oldestRv(sql: Statements): number {
  return (sql.get('SELECT COALESCE(MIN(rv), 1) - 1 AS rv FROM eks_kube_log').get() as { rv: number }).rv;
}

function log(s: ObjectScope, resource: string, namespace: string, type: WatchEventType, obj: KubeObject): number {
  const rv = currentRv(s.sql) + 1;
  obj.metadata.resourceVersion = String(rv);
  s.sql.get('INSERT INTO eks_kube_log (rv, cluster, resource, namespace, type, doc) VALUES (?, ?, ?, ?, ?, ?)')
    .run(rv, s.cluster, resource, namespace, type, JSON.stringify(obj));
  if (rv % 1000 === 0) s.sql.get('DELETE FROM eks_kube_log WHERE rv <= ?').run(rv - LOG_KEEP);
  s.changed(objectKey(s.cluster, resource, namespace, obj.metadata.name!));
  return rv;
}

/** Stores a new or changed object under a fresh resourceVersion (set on `obj`), logging the write. */
export function putObject(s: ObjectScope, resource: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
  const namespace = obj.metadata.namespace ?? '';
  const rv = log(s, resource, namespace, type, obj);
  s.sql.get(`INSERT INTO eks_kube_objects (cluster, resource, namespace, name, uid, rv, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (cluster, resource, namespace, name) DO UPDATE SET uid = excluded.uid, rv = excluded.rv, doc = excluded.doc`)
    .run(s.cluster, resource, namespace, obj.metadata.name, obj.metadata.uid, rv, JSON.stringify(obj));
  return obj;
}

/** Removes an object for good, logging its DELETED event (the object as last stored, under a new resourceVersion). */
export function removeObject(s: ObjectScope, resource: string, obj: KubeObject): void {
  const namespace = obj.metadata.namespace ?? '';
  log(s, resource, namespace, 'DELETED', obj);
  s.sql.get('DELETE FROM eks_kube_objects WHERE cluster = ? AND resource = ? AND namespace = ? AND name = ?')
    .run(s.cluster, resource, namespace, obj.metadata.name);
}

/** Logged writes of a resource after `rv`, oldest first (at most `limit`). */
export function eventsSince(s: Pick<ObjectScope, 'sql' | 'cluster'>, resource: string, rv: number, limit = 500): LoggedEvent[] {
  return s.sql.get('SELECT rv, resource, namespace, type, doc FROM eks_kube_log WHERE cluster = ? AND resource = ? AND rv > ? ORDER BY rv LIMIT ?')
    .all(s.cluster, resource, rv, limit) as LoggedEvent[];
}

/** Every object and logged write of a cluster goes (DeleteCluster). */
export function dropClusterObjects(sql: Statements, cluster: string): void {
  sql.get('DELETE FROM eks_kube_objects WHERE cluster = ?').run(cluster);
  sql.get('DELETE FROM eks_kube_log WHERE cluster = ?').run(cluster);
}

/** Every object of every cluster of a resource: for controllers' resyncs (key per object). */
export function allObjectKeys(sql: Statements, resource: string): string[] {
  const rows = sql.get('SELECT cluster, namespace, name FROM eks_kube_objects WHERE resource = ?').all(resource) as { cluster: string; namespace: string; name: string }[];
  return rows.map((r) => objectKey(r.cluster, resource, r.namespace, r.name));
}

/** Keys of the objects (of one cluster and namespace, or every cluster) whose finalizers include `finalizer`. */
export function keysWithFinalizer(sql: Statements, finalizer: string, where?: { cluster: string; namespace: string }): string[] {
  const like = `%${JSON.stringify(finalizer)}%`;
  const rows = (where
    ? sql.get('SELECT cluster, resource, namespace, name, doc FROM eks_kube_objects WHERE cluster = ? AND namespace = ? AND doc LIKE ?').all(where.cluster, where.namespace, like)
    : sql.get('SELECT cluster, resource, namespace, name, doc FROM eks_kube_objects WHERE doc LIKE ?').all(like)) as { cluster: string; resource: string; namespace: string; name: string; doc: string }[];
  return rows.filter((r) => (JSON.parse(r.doc) as KubeObject).metadata.finalizers?.includes(finalizer)).map((r) => objectKey(r.cluster, r.resource, r.namespace, r.name));
}
