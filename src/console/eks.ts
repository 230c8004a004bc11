/**
 * The console's EKS views, read through EKS's door (services/eks/store.ts) over the rows DescribeCluster,
 * DescribeNodegroup and DescribeFargateProfile read, and the cluster's Kubernetes objects for its pods counted by
 * phase (what `kubectl get pods -A` would list). Bounded: 200 clusters, 100 node groups and profiles each.
 */
import type { Cluster, FargateProfile, Nodegroup } from '@aws-sdk/client-eks';
import { allClusterKeys, clusterDoc, countItems, listItems, loadCluster, parseClusterKey, podPhases, type ClusterRow } from '../services/eks/store.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import type { EksClusterSummary, EksClusterView, EksView } from './views.js';

const MAX_CLUSTERS = 200;
const MAX_ITEMS = 100;

/** EKS stores its times as the wire carries them: epoch seconds (clusters.ts). */
const isoSeconds = (d: Date | number | undefined) => (d === undefined ? null : new Date(Number(d) * 1000).toISOString());

function summary(scope: Scope, row: ClusterRow, c: Cluster): EksClusterSummary {
  return {
    name: row.name,
    arn: c.arn ?? '',
    status: c.status ?? row.status,
    version: c.version ?? null,
    platformVersion: c.platformVersion ?? null,
    endpoint: c.endpoint ?? null,
    createdAt: isoSeconds(c.createdAt),
    nodegroups: countItems(scope, row.name, 'nodegroup'),
    fargateProfiles: countItems(scope, row.name, 'fargateprofile'),
    pods: podPhases(scope.sql, row.uid),
  };
}

export function eksView(sql: Statements): EksView {
  const scopes = new Map<string, EksView['scopes'][number]>();
  for (const key of allClusterKeys(sql).sort().slice(0, MAX_CLUSTERS)) {
    const k = parseClusterKey(key);
    if (!k) continue;
    const scope = { sql, account: k.account, region: k.region };
    const row = loadCluster(scope, k.name);
    if (!row) continue;
    const id = `${k.account}/${k.region}`;
    let s = scopes.get(id);
    if (!s) scopes.set(id, (s = { account: k.account, region: k.region, clusters: [] }));
    s.clusters.push(summary(scope, row, clusterDoc(row)));
  }
  return { scopes: [...scopes.values()] };
}

export function eksClusterView(scope: Scope, name: string): EksClusterView | undefined {
  const row = loadCluster(scope, name);
  if (!row) return undefined;
  const c = clusterDoc(row);
  return {
    account: scope.account,
    region: scope.region,
    cluster: summary(scope, row, c),
    roleArn: c.roleArn ?? null,
    nodegroups: listItems<Nodegroup>(scope, name, 'nodegroup', { limit: MAX_ITEMS }).map(({ doc: ng }) => ({
      name: ng.nodegroupName ?? '',
      arn: ng.nodegroupArn ?? '',
      status: ng.status ?? '',
      desired: ng.scalingConfig?.desiredSize ?? 0,
      min: ng.scalingConfig?.minSize ?? 0,
      max: ng.scalingConfig?.maxSize ?? 0,
      instanceTypes: ng.instanceTypes ?? [],
      capacityType: ng.capacityType ?? null,
      amiType: ng.amiType ?? null,
      version: ng.version ?? null,
      health: (ng.health?.issues ?? []).map((i) => `${i.code ?? ''}: ${i.message ?? ''}`),
    })),
    fargateProfiles: listItems<FargateProfile>(scope, name, 'fargateprofile', { limit: MAX_ITEMS }).map(({ doc: p }) => ({
      name: p.fargateProfileName ?? '',
      arn: p.fargateProfileArn ?? '',
      status: p.status ?? '',
      selectors: (p.selectors ?? []).map((s) => [`namespace ${s.namespace ?? ''}`, ...Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`)].join(', ')),
      subnets: p.subnets?.length ?? 0,
    })),
  };
}
