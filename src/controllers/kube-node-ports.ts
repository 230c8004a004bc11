/**
 * kube-node-ports: kube-proxy's node ports for EKS clusters' builtin Kubernetes API. Converges one Service (key =
 * <cluster>|services|<namespace>|<name>) of type NodePort or LoadBalancer: each TCP port's `nodePort` is listened on
 * at 127.0.0.1 on Berth's host (the nodes are local; kube-node-port-listener.ts) and forwards to the port's ready
 * endpoints, read from the Service's Endpoints (kube-endpoints writes them as pods become ready, unready or go), so
 * no polling: an Endpoints or Service change requeues the Service. A node port that is taken is not replaced by
 * another: a warning is logged and the Service gets a Warning Event (`FailedToBindNodePort`), and binding is tried
 * again every RETRY_MS until it succeeds or the Service changes.
 *
 * The sockets are the observed state: the Services are the desired state, so a restarted Berth binds them again
 * (the resync at start). A Service deleted, changed to another type, or whose cluster is deleted or deleting has
 * its listeners closed (a cluster's change requeues every Service this controller listens for).
 * https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
 */
import { eksTargetResolver, getObject, objectKey, parseObjectKey, recordEvent, allObjectKeys, type KubeObject } from '../services/eks/index.js';
import { clusterByUid } from '../services/eks/store.js';
import type { TargetResolver } from '../shared/target-resolution.js';
import { writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import type { Endpoint, NodePortListener } from './kube-node-port-listener.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

const RESYNC_MS = 300_000;
/** A taken node port is tried again this often (only while one is taken: an idle Berth does nothing). */
const RETRY_MS = 30_000;
/** Node ports are on the node's address: Berth's host, loopback (Berth listens on nothing else by default). */
const HOST = '127.0.0.1';

interface Bound {
  uid: string;
  listener: NodePortListener;
}

/** The ready endpoints of a Service port, (pod IP, target port), from its Endpoints (the port by name, or the only one). */
export function readyEndpoints(endpoints: KubeObject | undefined, port: { name?: string }): Endpoint[] {
  const out: Endpoint[] = [];
  for (const s of endpoints?.subsets ?? []) {
    const p = (s.ports ?? []).find((x: any) => (x.name ?? '') === (port.name ?? '') && (x.protocol ?? 'TCP') === 'TCP');
    if (!p) continue;
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, port: p.port });
  }
  return out;
}

export class KubeNodePorts implements Controller {
  readonly name = 'kube-node-ports';
  readonly watches: Watches = {
    changes: [
      {
        kind: 'eks.kube',
        keys: (key) => {
          const k = parseObjectKey(key);
          if (k?.resource === 'services') return [key];
          return k?.resource === 'endpoints' ? [objectKey(k.cluster, 'services', k.namespace, k.name)] : [];
        },
      },
      // A cluster deleted (or deleting): the Services this controller listens for are looked at again.
      { kind: 'eks.cluster', keys: () => [...this.bound.keys()] },
    ],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'services') }],
  };

  /** Per Service key, its listeners by node port. */
  private readonly bound = new Map<string, Map<number, Bound>>();
  /** Node ports found taken, per Service key (the Event is recorded once per port, not on every retry). */
  private readonly taken = new Map<string, Set<number>>();
  private readonly resolver: TargetResolver;
  private stopped = false;

  constructor(private readonly d: KubeWorkloadsDeps) {
    this.resolver = eksTargetResolver(d.sql);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'services' || this.stopped) return;
    const row = clusterByUid(this.d.sql, k.cluster);
    const store = { sql: this.d.sql, cluster: k.cluster };
    const svc = row && row.status !== 'DELETING' ? getObject(store, 'services', k.namespace, k.name) : undefined;
    const want = new Map<number, { name?: string }>();
    if (svc && (svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer')) {
      for (const p of svc.spec.ports ?? []) if ((p.protocol ?? 'TCP') === 'TCP' && p.nodePort) want.set(p.nodePort, p);
    }
    const mine = this.bound.get(key) ?? new Map<number, Bound>();
    for (const [port, b] of mine) {
      if (want.has(port) && b.uid === svc!.metadata.uid) continue;
      mine.delete(port);
      await b.listener.close();
      this.d.log.info('node port closed', { service: `${k.namespace}/${k.name}`, nodePort: port });
    }
    if (!svc || !want.size) {
      this.bound.delete(key);
      this.taken.delete(key);
      return;
    }
    this.bound.set(key, mine);
    const endpoints = getObject(store, 'endpoints', k.namespace, k.name);
    const resolve = (e: Endpoint) => {
      const r = this.resolver.resolve(row!.account, row!.region, 'ip', e.ip, e.port);
      return r && 'host' in r ? { host: r.host, port: r.port } : undefined;
    };
    let retry = false;
    for (const [port, p] of want) {
      let b = mine.get(port);
      if (!b) {
        const { NodePortListener } = await import('./kube-node-port-listener.js');
        const listener = new NodePortListener(HOST, port, resolve);
        try {
          await listener.listen();
        } catch (err) {
          retry = true;
          this.refused(key, k.cluster, svc, port, err as NodeJS.ErrnoException);
          continue;
        }
        if (this.stopped || this.bound.get(key) !== mine) {
          await listener.close();
          return;
        }
        b = { uid: svc.metadata.uid!, listener };
        mine.set(port, b);
        this.taken.get(key)?.delete(port);
        this.d.log.info('node port listening', { service: `${k.namespace}/${k.name}`, address: `${HOST}:${port}` });
      }
      b.listener.setEndpoints(readyEndpoints(endpoints, p));
    }
    if (retry) return { requeueAfterMs: RETRY_MS };
  }

  /** A node port Berth cannot listen on: logged, and said on the Service once (an Event, as kube-proxy's). */
  private refused(key: string, cluster: string, svc: KubeObject, port: number, err: NodeJS.ErrnoException) {
    const uid = svc.metadata.uid!;
    const seen = this.taken.get(key) ?? new Set<number>();
    this.taken.set(key, seen);
    if (seen.has(port)) return;
    seen.add(port);
    const why = err.code === 'EADDRINUSE' ? 'it is in use by another program' : (err.code ?? err.message);
    const message = `can't listen on node port ${HOST}:${port}: ${why}; the Service is not reachable on it (Berth binds no other port)`;
    this.d.log.warn('node port not bound', { service: `${svc.metadata.namespace}/${svc.metadata.name}`, nodePort: port, error: err.code ?? String(err) });
    writeObjects(this.d, cluster, (store, now) => {
      const fresh = getObject(store, 'services', svc.metadata.namespace!, svc.metadata.name!);
      if (fresh?.metadata.uid !== uid) return;
      recordEvent(store, { ...fresh, kind: 'Service', apiVersion: 'v1' }, { type: 'Warning', reason: 'FailedToBindNodePort', message }, now, 'kube-proxy');
    });
  }

  /** Closes every node port (Berth stopping): a restart binds them again from the Services. */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.bound.values()].flatMap((m) => [...m.values()]);
    this.bound.clear();
    await Promise.all(all.map((b) => b.listener.close()));
  }
}
