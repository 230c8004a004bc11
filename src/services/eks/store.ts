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
