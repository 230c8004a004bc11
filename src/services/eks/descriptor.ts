/**
 * Amazon EKS: Berth's descriptor of the service (see ../service-descriptor.ts).
 * Clusters are served (README.md); each ACTIVE cluster has a Kubernetes API of
 * its own (kubernetes/), whose objects live in the eks_kube_* tables.
 */
import type { Migration } from '../../state/migrations.js';
import { defineService } from '../service-descriptor.js';

export const EKS = defineService({
  id: 'eks',
  catalog: {
    sdkPackage: '@aws-sdk/client-eks', clientName: 'EKSClient', protocol: 'restJson1', apiVersion: '2017-11-01',
    signingNames: ['eks'], validationError: 'InvalidParameterException',
  },
  provider: () => import('./provider.js'),
  migrations: migrations(),
  reset: { tablePrefixes: ['eks_'] },
  arnServices: ['eks'],
  // eks.cluster — key: account/region/name of a cluster the cluster controller converges (CREATING, ACTIVE, DELETING).
  // eks.kube — key: <cluster uid>/<resource>/<namespace>/<name> of a Kubernetes object written through a cluster's API.
  // eks.nodegroup — key: account/region/cluster/nodegroup of a managed node group the node-group controller converges.
  // eks.fargateprofile — key: account/region/cluster/profile of a Fargate profile the Fargate controller converges.
  changeKinds: ['eks.cluster', 'eks.kube', 'eks.nodegroup', 'eks.fargateprofile'],
});

function migrations(): Migration[] {
  return [
    {
      version: 70,
      name: 'eks clusters and their Kubernetes objects',
      sql: `
      CREATE TABLE eks_clusters (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL, doc TEXT NOT NULL, creator TEXT NOT NULL, pki TEXT, port INTEGER, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
      );
      CREATE INDEX eks_clusters_list ON eks_clusters (account, region, seq);
      CREATE TABLE eks_kube_objects (
        cluster TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        uid TEXT NOT NULL, rv INTEGER NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (cluster, resource, namespace, name)
      );
      -- Every write, in order: rv (the rowid, one more than the last) is the written object's resourceVersion.
      CREATE TABLE eks_kube_log (
        rv INTEGER PRIMARY KEY, cluster TEXT NOT NULL, resource TEXT NOT NULL, namespace TEXT NOT NULL,
        type TEXT NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX eks_kube_log_cluster ON eks_kube_log (cluster, resource, rv);
    `,
    },
    {
      version: 91,
      name: 'eks node groups, Fargate profiles, updates, access entries, pod identity associations, add-ons',
      sql: `
      -- What belongs to a cluster, one row each: kind is nodegroup, fargateprofile, update, accessentry,
      -- podidentity or addon; doc is the SDK-shaped description. ref is what a row is looked up by besides its
      -- name: a node group's Auto Scaling group, an update's node group or add-on, an access entry's principal.
      CREATE TABLE eks_cluster_items (
        account TEXT NOT NULL, region TEXT NOT NULL, cluster TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
        ref TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '', doc TEXT NOT NULL, seq INTEGER NOT NULL,
        PRIMARY KEY (account, region, cluster, kind, name)
      );
      CREATE INDEX eks_cluster_items_ref ON eks_cluster_items (kind, ref);
      CREATE INDEX eks_cluster_items_seq ON eks_cluster_items (account, region, cluster, kind, seq);
    `,
    },
  ];
}
