/**
 * EKS's tables and queries, its front door for the cluster controller: clusters keyed by
 * (account, region, name) with the SDK-shaped description in `doc`, the principal that
 * created each (its first admin), the cluster's PKI (its CA and the API server's serving
 * certificate, JSON in `pki`, made by the controller) and the port its API listens on.
 * The Kubernetes objects of a cluster are keyed by the cluster's `uid` (kubernetes/objects.ts),
 * so a cluster made again under the same name starts empty.
 */
import type { Cluster } from '@aws-sdk/client-eks';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

export type { Scope };

export interface ClusterRow {
  account: string;
  region: string;
  name: string;
  uid: string;
  status: string;
  doc: string;
  creator: string;
  pki: string | null;
  port: number | null;
  seq: number;
}

/** A cluster's certificate authority and its API server's certificate (PEM). */
export interface ClusterPki {
  caCertificate: string;
  caKey: string;
  certificate: string;
  key: string;
}

const COLUMNS = 'account, region, name, uid, status, doc, creator, pki, port, seq';

/** The change-feed key of a cluster: the controller reconciles one cluster per key. */
export const clusterKey = (s: Pick<Scope, 'account' | 'region'>, name: string) => `${s.account}/${s.region}/${name}`;

export function parseClusterKey(key: string): { account: string; region: string; name: string } | undefined {
  const [account, region, name] = key.split('/');
  return account && region && name ? { account, region, name } : undefined;
}

export function loadCluster(s: Scope, name: string): ClusterRow | undefined {
  return s.sql.get(`SELECT ${COLUMNS} FROM eks_clusters WHERE account = ? AND region = ? AND name = ?`).get(s.account, s.region, name) as
    | ClusterRow
    | undefined;
}

export function clusterByUid(sql: Statements, uid: string): ClusterRow | undefined {
  return sql.get(`SELECT ${COLUMNS} FROM eks_clusters WHERE uid = ?`).get(uid) as ClusterRow | undefined;
}

export const clusterDoc = (row: ClusterRow): Cluster => JSON.parse(row.doc) as Cluster;

export function saveCluster(s: Scope, c: Cluster) {
  s.sql.get('UPDATE eks_clusters SET status = ?, doc = ? WHERE account = ? AND region = ? AND name = ?')
    .run(c.status, JSON.stringify(c), s.account, s.region, c.name);
}

export function savePki(s: Scope, name: string, pki: ClusterPki) {
  s.sql.get('UPDATE eks_clusters SET pki = ? WHERE account = ? AND region = ? AND name = ?').run(JSON.stringify(pki), s.account, s.region, name);
}

export function savePort(s: Scope, name: string, port: number) {
  s.sql.get('UPDATE eks_clusters SET port = ? WHERE account = ? AND region = ? AND name = ?').run(port, s.account, s.region, name);
}

export const pkiOf = (row: ClusterRow): ClusterPki | undefined => (row.pki ? (JSON.parse(row.pki) as ClusterPki) : undefined);

export function deleteClusterRow(s: Scope, name: string) {
  s.sql.get('DELETE FROM eks_clusters WHERE account = ? AND region = ? AND name = ?').run(s.account, s.region, name);
}

/** Every cluster (the controller serves every ACTIVE one's API and settles the rest). */
export function allClusterKeys(sql: Statements): string[] {
  const rows = sql.get('SELECT account, region, name FROM eks_clusters').all() as { account: string; region: string; name: string }[];
  return rows.map((r) => clusterKey(r, r.name));
}

export function nextSeq(sql: Statements): number {
  return (sql.get('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM eks_clusters').get() as { n: number }).n;
}

/**
 * What belongs to a cluster (eks_cluster_items): node groups, Fargate profiles, updates, access entries, pod
 * identity associations and add-ons, each its SDK-shaped description in `doc`, keyed by (cluster, kind, name).
 * `ref` is a second handle: a node group's Auto Scaling group, an update's node group or add-on ('' for the
 * cluster's own), an access entry's principal, a pod identity association's namespace/service account.
 */
export type ItemKind = 'nodegroup' | 'fargateprofile' | 'update' | 'accessentry' | 'podidentity' | 'addon';

export interface Item<T> {
  cluster: string;
  name: string;
  ref: string;
  status: string;
  doc: T;
  seq: number;
}

interface ItemRow { cluster: string; name: string; ref: string; status: string; doc: string; seq: number }

const asItem = <T>(r: ItemRow): Item<T> => ({ ...r, doc: JSON.parse(r.doc) as T });

export function getItem<T>(s: Scope, cluster: string, kind: ItemKind, name: string): Item<T> | undefined {
  const r = s.sql.get('SELECT cluster, name, ref, status, doc, seq FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ? AND kind = ? AND name = ?')
    .get(s.account, s.region, cluster, kind, name) as ItemRow | undefined;
  return r && asItem<T>(r);
}

/** A cluster's items of one kind in creation order, after `afterSeq`, at most `limit`; `ref` narrows to one handle. */
export function listItems<T>(s: Scope, cluster: string, kind: ItemKind, o: { ref?: string; afterSeq?: number; limit?: number } = {}): Item<T>[] {
  const rows = s.sql.get(
    `SELECT cluster, name, ref, status, doc, seq FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ? AND kind = ? AND seq > ?
     ${o.ref !== undefined ? 'AND ref = ?' : "AND ? = ''"} ORDER BY seq LIMIT ?`,
  ).all(s.account, s.region, cluster, kind, o.afterSeq ?? 0, o.ref ?? '', o.limit ?? -1) as ItemRow[];
  return rows.map((r) => asItem<T>(r));
}

export function countItems(s: Scope, cluster: string, kind: ItemKind): number {
  return (s.sql.get('SELECT COUNT(*) AS n FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ? AND kind = ?')
    .get(s.account, s.region, cluster, kind) as { n: number }).n;
}

export function putItem<T>(s: Scope, cluster: string, kind: ItemKind, name: string, doc: T, o: { ref?: string; status?: string } = {}): void {
  const seq = (s.sql.get('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM eks_cluster_items').get() as { n: number }).n;
  s.sql.get(
    `INSERT INTO eks_cluster_items (account, region, cluster, kind, name, ref, status, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account, region, cluster, kind, name) DO UPDATE SET ref = excluded.ref, status = excluded.status, doc = excluded.doc`,
  ).run(s.account, s.region, cluster, kind, name, o.ref ?? '', o.status ?? '', JSON.stringify(doc), seq);
}

export function deleteItem(s: Scope, cluster: string, kind: ItemKind, name: string): void {
  s.sql.get('DELETE FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ? AND kind = ? AND name = ?').run(s.account, s.region, cluster, kind, name);
}

/** Everything of a cluster that goes with it (access entries, add-ons, updates…). */
export function dropClusterItems(s: Scope, cluster: string, forEachArn: (arn: string) => void = () => {}): void {
  const docs = s.sql.get('SELECT doc FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ?').all(s.account, s.region, cluster) as { doc: string }[];
  for (const d of docs) {
    const doc = JSON.parse(d.doc) as Record<string, unknown>;
    const arn = Object.entries(doc).find(([k, v]) => k.endsWith('Arn') && typeof v === 'string' && (v as string).startsWith('arn:aws:eks:'))?.[1];
    if (arn) forEachArn(arn as string);
  }
  s.sql.get('DELETE FROM eks_cluster_items WHERE account = ? AND region = ? AND cluster = ?').run(s.account, s.region, cluster);
}

/** Items of one kind anywhere, by their second handle (the node group an Auto Scaling group backs). */
export function itemsByRef(sql: Statements, kind: ItemKind, ref: string): { account: string; region: string; cluster: string; name: string }[] {
  return sql.get('SELECT account, region, cluster, name FROM eks_cluster_items WHERE kind = ? AND ref = ?').all(kind, ref) as never[];
}

/** Every item of one kind (the node-group controller's resync). */
export function allItems(sql: Statements, kind: ItemKind): { account: string; region: string; cluster: string; name: string }[] {
  return sql.get('SELECT account, region, cluster, name FROM eks_cluster_items WHERE kind = ?').all(kind) as never[];
}

/** The change-feed key of a node group: account/region/cluster/nodegroup. */
export const nodegroupKey = (s: Pick<Scope, 'account' | 'region'>, cluster: string, name: string) => `${s.account}/${s.region}/${cluster}/${name}`;

export function parseNodegroupKey(key: string): { account: string; region: string; cluster: string; name: string } | undefined {
  const [account, region, cluster, name] = key.split('/');
  return account && region && cluster && name ? { account, region, cluster, name } : undefined;
}

/** The load balancer's resolver of pod IPs to their published loopback ports (app.ts registers it at start-up). */
export { eksTargetResolver } from './kubernetes/target-resolver.js';

/** A cluster's pods (its uid) counted by `status.phase` as the API reports it (a pod without one yet is Pending). */
export function podPhases(sql: Statements, clusterUid: string): Record<string, number> {
  const rows = sql.get(`SELECT COALESCE(json_extract(doc, '$.status.phase'), 'Pending') AS phase, COUNT(*) AS n FROM eks_kube_objects
      WHERE cluster = ? AND resource = 'pods' GROUP BY phase`).all(clusterUid) as { phase: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.phase, r.n]));
}
