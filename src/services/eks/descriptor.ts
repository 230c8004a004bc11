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
  changeKinds: ['eks.cluster', 'eks.kube'],
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
  ];
}
