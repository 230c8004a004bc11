/**
 * kube-services: the service controller of EKS clusters' builtin Kubernetes API (the cloud provider's part).
 * Converges one Service (key = <cluster>|services|<namespace>|<name>) of type LoadBalancer with a Network Load
 * Balancer in the cluster's account, region and subnets, made through ELBv2's own operations (the internal
 * door, as Express makes its load balancer): one TCP listener per Service port, on that port — Berth binds it on
 * 127.0.0.1 as it binds every listener — forwarding to a target group of `ip` targets: the Service's ready
 * endpoints (pod IP, target port), which Berth reaches through the ports the pods published on 127.0.0.1 (the EKS
 * target resolver). `status.loadBalancer.ingress[0].hostname` is the load balancer's DNS name.
 *
 * Names are derived from the cluster, namespace and Service (`k8s-<ns>-<name>-<hash>`, as the AWS Load Balancer
 * Controller names them), so the controller finds what it made without keeping state: a Service deleted, or no
 * longer of type LoadBalancer, loses its load balancer and target groups; a deleted cluster's Services lose theirs
 * before the cluster goes (removeClusterLoadBalancers, called by eks-clusters).
 * https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html
 */
import { createHash } from 'node:crypto';
import type {
  DescribeListenersOutput, DescribeLoadBalancersOutput, DescribeTargetGroupsOutput, DescribeTargetHealthOutput, Listener, LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { allObjectKeys, getObject, objectKey, parseObjectKey, putObject, type KubeObject } from '../services/eks/index.js';
import { clusterByUid, clusterDoc } from '../services/eks/store.js';
import type { Invoke, InternalCaller } from '../services/provider.js';
import { writeObjects, type KubeWorkloadsDeps } from './kube-replica-sets.js';
import type { Controller, ReconcileResult, Watches } from './runtime.js';

export interface KubeServicesDeps extends KubeWorkloadsDeps {
  invoke: Invoke;
}

const ELB = 'elastic-load-balancing-v2';
const RESYNC_MS = 300_000;
const RETRY_MS = 5_000;

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 10);
const short = (s: string) => s.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);

/** The load balancer's name (at most 32 characters, letters, digits and hyphens). */
export const loadBalancerName = (cluster: string, ns: string, name: string) => `k8s-${short(ns)}-${short(name)}-${hash(cluster, ns, name)}`;
const targetGroupName = (cluster: string, ns: string, name: string, port: number) => `k8s-${short(ns)}-${short(name)}-${hash(cluster, ns, name, String(port))}`;

const notFound = (err: unknown) => ['LoadBalancerNotFound', 'TargetGroupNotFound', 'ListenerNotFound'].includes((err as { code?: string }).code ?? '');

export class KubeServices implements Controller {
  readonly name = 'kube-services';
  readonly concurrency = 2;
  readonly watches: Watches = {
    changes: [{
      kind: 'eks.kube',
      keys: (key) => {
        const k = parseObjectKey(key);
        if (k?.resource === 'services') return [key];
        return k?.resource === 'endpoints' ? [objectKey(k.cluster, 'services', k.namespace, k.name)] : [];
      },
    }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allObjectKeys(this.d.sql, 'services') }],
  };

  constructor(private readonly d: KubeServicesDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseObjectKey(key);
    if (!k || k.resource !== 'services') return;
    const row = clusterByUid(this.d.sql, k.cluster);
    if (!row) return;
    const caller: InternalCaller = { account: row.account, region: row.region };
    const store = { sql: this.d.sql, cluster: k.cluster };
    const svc = getObject(store, 'services', k.namespace, k.name);
    const lbName = loadBalancerName(k.cluster, k.namespace, k.name);
    const existing = await findLoadBalancer(this.d.invoke, caller, lbName);
    if (!svc || svc.spec?.type !== 'LoadBalancer') {
      if (existing) await removeLoadBalancer(this.d.invoke, caller, existing);
      if (svc?.status?.loadBalancer?.ingress) this.writeIngress(k.cluster, svc, undefined);
      return;
    }
    try {
      const lb = existing ?? await this.create(caller, row.name, svc, lbName, clusterDoc(row).resourcesVpcConfig?.subnetIds ?? []);
      await this.converge(caller, k.cluster, clusterDoc(row).resourcesVpcConfig?.vpcId, svc, lb);
      this.writeIngress(k.cluster, svc, lb.DNSName);
    } catch (err) {
      this.d.log.warn('kube service load balancer not converged', { service: `${k.namespace}/${k.name}`, error: String(err) });
      return { requeueAfterMs: RETRY_MS };
    }
  }

  private async create(caller: InternalCaller, clusterName: string, svc: KubeObject, name: string, subnets: string[]): Promise<LoadBalancer> {
    const internal = svc.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-scheme'] === 'internal'
      || svc.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-internal'] === 'true';
    const out = await this.d.invoke<DescribeLoadBalancersOutput>(caller, ELB, 'CreateLoadBalancer', {
      Name: name, Type: 'network', Scheme: internal ? 'internal' : 'internet-facing', Subnets: subnets,
      // The tags the AWS cloud provider and Load Balancer Controller put on what they make for a Service.
      Tags: [
        { Key: `kubernetes.io/cluster/${clusterName}`, Value: 'owned' },
        { Key: 'kubernetes.io/service-name', Value: `${svc.metadata.namespace}/${svc.metadata.name}` },
      ],
    });
    return out.LoadBalancers![0];
  }

  /** Listeners and target groups for the Service's TCP ports, targets for its ready endpoints; the rest removed. */
  private async converge(caller: InternalCaller, cluster: string, vpcId: string | undefined, svc: KubeObject, lb: LoadBalancer) {
    const ns = svc.metadata.namespace!;
    const name = svc.metadata.name!;
    const ports: any[] = (svc.spec.ports ?? []).filter((p: any) => (p.protocol ?? 'TCP') === 'TCP');
    const listeners = (await this.d.invoke<DescribeListenersOutput>(caller, ELB, 'DescribeListeners', { LoadBalancerArn: lb.LoadBalancerArn })).Listeners ?? [];
    const groups = (await this.d.invoke<DescribeTargetGroupsOutput>(caller, ELB, 'DescribeTargetGroups', { LoadBalancerArn: lb.LoadBalancerArn })).TargetGroups ?? [];
    const endpoints = getObject({ sql: this.d.sql, cluster }, 'endpoints', ns, name);
    const keep = new Set<string>();
    for (const p of ports) {
      const tgName = targetGroupName(cluster, ns, name, p.port);
      let tg = groups.find((g) => g.TargetGroupName === tgName);
      if (!tg) {
        const made = await this.d.invoke<DescribeTargetGroupsOutput>(caller, ELB, 'CreateTargetGroup', {
          Name: tgName, Protocol: 'TCP', Port: typeof p.targetPort === 'number' ? p.targetPort : p.port, VpcId: vpcId, TargetType: 'ip',
          HealthCheckProtocol: 'TCP', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
        });
        tg = made.TargetGroups![0];
      }
      keep.add(tg.TargetGroupArn!);
      let listener: Listener | undefined = listeners.find((l) => l.Port === p.port);
      if (listener && listener.DefaultActions?.[0]?.TargetGroupArn !== tg.TargetGroupArn) {
        await this.d.invoke(caller, ELB, 'DeleteListener', { ListenerArn: listener.ListenerArn });
        listener = undefined;
      }
      if (!listener) {
        await this.d.invoke(caller, ELB, 'CreateListener', {
          LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'TCP', Port: p.port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
        });
      }
      await this.syncTargets(caller, tg.TargetGroupArn!, wantedTargets(endpoints, p));
    }
    for (const l of listeners) {
      if (!ports.some((p) => p.port === l.Port)) await this.d.invoke(caller, ELB, 'DeleteListener', { ListenerArn: l.ListenerArn });
    }
    for (const g of groups) if (!keep.has(g.TargetGroupArn!)) await this.d.invoke(caller, ELB, 'DeleteTargetGroup', { TargetGroupArn: g.TargetGroupArn });
  }

  private async syncTargets(caller: InternalCaller, arn: string, want: { Id: string; Port: number }[]) {
    const health = (await this.d.invoke<DescribeTargetHealthOutput>(caller, ELB, 'DescribeTargetHealth', { TargetGroupArn: arn })).TargetHealthDescriptions ?? [];
    const id = (t: { Id?: string; Port?: number }) => `${t.Id}:${t.Port}`;
    const live = health.filter((h) => h.TargetHealth?.State !== 'draining').map((h) => h.Target!);
    const add = want.filter((t) => !live.some((l) => id(l) === id(t)));
    const drop = live.filter((l) => !want.some((t) => id(t) === id(l)));
    if (add.length) await this.d.invoke(caller, ELB, 'RegisterTargets', { TargetGroupArn: arn, Targets: add });
    if (drop.length) await this.d.invoke(caller, ELB, 'DeregisterTargets', { TargetGroupArn: arn, Targets: drop.map((t) => ({ Id: t.Id, Port: t.Port })) });
  }

  private writeIngress(cluster: string, svc: KubeObject, hostname: string | undefined) {
    writeObjects(this.d, cluster, (store) => {
      const fresh = getObject(store, 'services', svc.metadata.namespace!, svc.metadata.name!);
      if (!fresh || fresh.metadata.uid !== svc.metadata.uid) return;
      const loadBalancer = hostname ? { ingress: [{ hostname }] } : {};
      if (JSON.stringify(fresh.status?.loadBalancer ?? {}) === JSON.stringify(loadBalancer)) return;
      putObject(store, 'services', { ...fresh, status: { ...(fresh.status ?? {}), loadBalancer } }, 'MODIFIED');
    });
  }
}

async function findLoadBalancer(invoke: Invoke, caller: InternalCaller, name: string): Promise<LoadBalancer | undefined> {
  try {
    const out = await invoke<DescribeLoadBalancersOutput>(caller, ELB, 'DescribeLoadBalancers', { Names: [name] });
    return out.LoadBalancers?.[0];
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
}

/** The load balancer (its listeners go with it) and its target groups. */
async function removeLoadBalancer(invoke: Invoke, caller: InternalCaller, lb: LoadBalancer) {
  try {
    const groups = (await invoke<DescribeTargetGroupsOutput>(caller, ELB, 'DescribeTargetGroups', { LoadBalancerArn: lb.LoadBalancerArn })).TargetGroups ?? [];
    await invoke(caller, ELB, 'DeleteLoadBalancer', { LoadBalancerArn: lb.LoadBalancerArn });
    for (const g of groups) await invoke(caller, ELB, 'DeleteTargetGroup', { TargetGroupArn: g.TargetGroupArn });
  } catch (err) {
    if (!notFound(err)) throw err;
  }
}

/**
 * Removes the load balancers (listeners, target groups) of a deleted cluster's LoadBalancer Services, as the AWS Load
 * Balancer Controller's finalizers do when the Services go before the cluster; answers how many it removed. The cluster
 * controller calls it before the cluster's objects are dropped, so a failure leaves the cluster DELETING to try again.
 */
export async function removeClusterLoadBalancers(invoke: Invoke, caller: InternalCaller, clusterUid: string, services: KubeObject[]): Promise<number> {
  let removed = 0;
  for (const svc of services) {
    const lb = await findLoadBalancer(invoke, caller, loadBalancerName(clusterUid, svc.metadata.namespace!, svc.metadata.name!));
    if (!lb) continue;
    await removeLoadBalancer(invoke, caller, lb);
    removed++;
  }
  return removed;
}

/** The ready addresses of a Service port, as (pod IP, target port) from its Endpoints (the port by name, or the only one). */
function wantedTargets(endpoints: KubeObject | undefined, port: { name?: string; port: number }): { Id: string; Port: number }[] {
  const out: { Id: string; Port: number }[] = [];
  for (const s of endpoints?.subsets ?? []) {
    const p = (s.ports ?? []).find((x: any) => (x.name ?? '') === (port.name ?? ''));
    if (!p) continue;
    for (const a of s.addresses ?? []) out.push({ Id: a.ip, Port: p.port });
  }
  return out;
}
