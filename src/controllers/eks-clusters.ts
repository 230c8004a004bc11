/**
 * eks-clusters: converges one EKS cluster (key = account/region/name) with what serves it.
 *
 * CREATING or ACTIVE: the cluster has its PKI (made once, kept in state), its Kubernetes API listens
 * with it over HTTPS on 127.0.0.1 (on the port it had before, so kubeconfigs keep working across
 * restarts; a new one if that port is taken, and the endpoint says so), its bootstrap objects exist
 * (system namespaces, the node), and it is ACTIVE with its `endpoint` and `certificateAuthority`.
 * DELETING: the API stops listening, its pods' containers are removed, the Network Load Balancers its
 * LoadBalancer Services made are deleted (kube-services.ts; until that succeeds the cluster stays DELETING and is
 * tried again), then its security group, objects and row go.
 *
 * Level-triggered: a key whose row is gone closes whatever still listens for it.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Cluster } from '@aws-sdk/client-eks';
import type { RuntimeDriver } from '../runtime/driver.js';
import { deleteSecurityGroup } from '../services/ec2/index.js';
import type { Invoke } from '../services/provider.js';
import {
  bootstrapCluster, clusterAdmits, dropClusterObjects, issueClusterPki, kubernetesApi, listObjects, kubernetesVersion, type ClusterEndpoint, type KubernetesApiDeps,
  settleAddons, settleClusterUpdates, type ObjectScope, type PresignedCallerVerifier,
} from '../services/eks/index.js';
import {
  allClusterKeys, clusterDoc, countItems, deleteClusterRow, dropClusterItems, loadCluster, parseClusterKey, pkiOf, saveCluster, savePki, savePort, type ClusterRow, type Scope,
} from '../services/eks/store.js';
import type { ChangeFeed } from '../state/change-feed.js';
import { dropAllTags } from '../state/tags.js';
import { KUBE_LABELS, podLogs } from './kube-pod-spec.js';
import { removeClusterLoadBalancers } from './kube-services.js';
import { podExec } from './kube-pod-streams.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EksDeps {
  /** The address cluster APIs bind (Berth's own host); their endpoint names 127.0.0.1 when it is 0.0.0.0. */
  host: string;
  /** Who signed an `aws eks get-token` token: Berth's STS (gateway/presigned-caller.ts). */
  verify: PresignedCallerVerifier;
}

export interface EksClustersDeps extends StateDeps {
  changes: ChangeFeed;
  driver: RuntimeDriver;
  instanceId: string;
  eks: EksDeps;
  /** ELBv2's operations: a deleted cluster's LoadBalancer Services lose their load balancers. */
  invoke: Invoke;
}

const RESYNC_MS = 60_000;

interface Listening {
  server: Server;
  port: number;
  endpoint: ClusterEndpoint;
}

export class EksClusters implements Controller {
  readonly name = 'eks-clusters';
  readonly concurrency = 2;
  readonly watches: Watches = {
    changes: [{ kind: 'eks.cluster' }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allClusterKeys(this.d.sql) }],
  };

  private readonly listening = new Map<string, Listening>();
  private readonly handle: ReturnType<typeof kubernetesApi>;

  constructor(private readonly d: EksClustersDeps) {
    const api: KubernetesApiDeps = {
      db: d.db, sql: d.sql, clock: d.clock, log: d.log, changes: d.changes, verify: d.eks.verify,
      podLogs: (q) => podLogs(d.driver, q),
      podExec: (q) => podExec(d.driver, q),
    };
    this.handle = kubernetesApi(api);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseClusterKey(key);
    if (!k) return;
    const s: Scope = { sql: this.d.sql, account: k.account, region: k.region };
    const row = loadCluster(s, k.name);
    if (!row || row.status === 'DELETING') {
      await this.close(key);
      if (row) await this.forget(s, row);
      return;
    }
    let pki = pkiOf(row);
    if (!pki) {
      pki = await issueClusterPki(this.d.clock.now());
      this.d.db.transaction(() => savePki(s, k.name, pki!))();
    }
    const gitVersion = kubernetesVersion(clusterDoc(row).version ?? '')?.gitVersion ?? 'v1.32.9-eks-berth';
    const listening = await this.listen(key, row, pki.certificate, pki.key, gitVersion);
    const keys: string[] = [];
    this.d.db.transaction(() => {
      const fresh = loadCluster(s, k.name);
      if (!fresh || fresh.status === 'DELETING') return;
      if (fresh.port !== listening.port) savePort(s, k.name, listening.port);
      const store: ObjectScope = { sql: this.d.sql, cluster: fresh.uid, changed: (x) => keys.push(x) };
      bootstrapCluster({ store, now: this.d.clock.now() }, k.region, gitVersion, countItems(s, k.name, 'nodegroup') === 0);
      settleAddons(s, k.name);
      // An UPDATING cluster's updates are made (a new version: the API reports it from now on) and it is ACTIVE again.
      if (settleClusterUpdates(s, k.name)) {
        listening.endpoint.gitVersion = kubernetesVersion(clusterDoc(loadCluster(s, k.name)!).version ?? '')?.gitVersion ?? listening.endpoint.gitVersion;
      }
      const c: Cluster = clusterDoc(loadCluster(s, k.name)!);
      const endpoint = `https://${listening.endpoint.serverAddress}`;
      if (c.status === 'CREATING' || c.endpoint !== endpoint) {
        c.status = c.status === 'CREATING' ? 'ACTIVE' : c.status;
        c.endpoint = endpoint;
        c.certificateAuthority = { data: Buffer.from(pki!.caCertificate).toString('base64') };
        saveCluster(s, c);
      }
    })();
    for (const x of keys) this.d.changes.publish('eks.kube', x);
  }

  private async listen(key: string, row: ClusterRow, cert: string, privateKey: string, gitVersion: string): Promise<Listening> {
    const existing = this.listening.get(key);
    if (existing && existing.endpoint.uid === row.uid) return existing;
    if (existing) await this.close(key);
    const scope: Scope = { sql: this.d.sql, account: row.account, region: row.region };
    const endpoint: ClusterEndpoint = {
      uid: row.uid, name: row.name, creator: row.creator, gitVersion, serverAddress: '',
      admits: (identity) => clusterAdmits(scope, row.name, row.creator, identity),
    };
    const server = createServer({ key: privateKey, cert }, (req, res) => void this.handle(endpoint, req, res));
    server.on('upgrade', (req, socket, head) => void this.handle.upgrade(endpoint, req, socket, head));
    const bind = (port: number) => new Promise<number>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, this.d.eks.host, () => {
        server.off('error', fail);
        ok((server.address() as AddressInfo).port);
      });
    });
    let port: number;
    try {
      port = await bind(row.port ?? 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || !row.port) throw err;
      this.d.log.warn('eks cluster port taken; the cluster API moves to a new port', { cluster: row.name, port: row.port });
      port = await bind(0);
    }
    const host = this.d.eks.host === '0.0.0.0' || this.d.eks.host === '::' ? '127.0.0.1' : this.d.eks.host;
    endpoint.serverAddress = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const entry = { server, port, endpoint };
    this.listening.set(key, entry);
    this.d.log.info('eks cluster api listening', { cluster: row.name, endpoint: `https://${endpoint.serverAddress}` });
    return entry;
  }

  private async close(key: string) {
    const entry = this.listening.get(key);
    if (!entry) return;
    this.listening.delete(key);
    await new Promise<void>((ok) => {
      entry.server.close(() => ok());
      entry.server.closeAllConnections();
    });
  }

  private async forget(s: Scope, row: ClusterRow) {
    const containers = await this.d.driver.listContainers({ [KUBE_LABELS.cluster]: row.uid });
    await Promise.all(containers.map((c) => this.d.driver.removeContainer(c.id)));
    // What the Load Balancer Controller made for Services still there (a Service that is not a LoadBalancer any more has
    // lost its already): as its finalizers would have on a teardown that deleted the Services first.
    const services = listObjects({ sql: this.d.sql, cluster: row.uid }, 'services');
    await removeClusterLoadBalancers(this.d.invoke, { account: row.account, region: row.region }, row.uid, services);
    this.d.db.transaction(() => {
      const c = clusterDoc(row);
      const sg = c.resourcesVpcConfig?.clusterSecurityGroupId;
      if (sg) {
        try {
          deleteSecurityGroup(s, { GroupId: sg });
        } catch (err) {
          this.d.log.warn('eks cluster security group not deleted', { cluster: row.name, groupId: sg, error: String(err) });
        }
      }
      dropClusterObjects(this.d.sql, row.uid);
      // Its access entries, add-ons, pod identity associations and updates go with it (and their tags).
      dropClusterItems(s, row.name, (arn) => dropAllTags(s, arn));
      dropAllTags(s, c.arn!);
      deleteClusterRow(s, row.name);
    })();
    this.d.log.info('eks cluster deleted', { cluster: row.name });
  }

  async stop() {
    await Promise.all([...this.listening.keys()].map((k) => this.close(k)));
  }
}
