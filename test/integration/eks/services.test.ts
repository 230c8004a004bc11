/**
 * Kubernetes Services on an EKS cluster, through kubectl 1.32 (the fake runtime: the pods' sandboxes get bridge
 * addresses and publish their container ports): a cluster IP from the cluster's service CIDR, node ports in
 * 30000–32767, Endpoints and EndpointSlices that follow the selected pods, and a LoadBalancer Service served by a
 * Network Load Balancer that ELBv2 lists, with a TCP listener on the Service's port and the pods as ip targets;
 * deleting the Service removes it, and so does deleting the cluster with its Services still there.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteClusterCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { createKubeCluster, until, type KubeCluster } from '../../helpers/kubectl.js';
import { useBerth } from '../../helpers/use-berth.js';

const PORT = 20000 + Math.floor(Math.random() * 9000);

/** A port nothing listens on now, in [lo, hi) (0: any the system picks). */
async function freePort(lo = 0, hi = 0): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const want = lo ? lo + Math.floor(Math.random() * (hi - lo)) : 0;
    const got = await new Promise<number | undefined>((ok) => {
      const s = net.createServer().once('error', () => ok(undefined));
      s.listen({ host: '127.0.0.1', port: want, exclusive: true }, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => ok(p));
      });
    });
    if (got) return got;
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

/** What a TCP connection to 127.0.0.1:port reads until the peer ends it, or `refused`/`reset` (bounded by 3 s). */
function ask(port: number): Promise<string> {
  return new Promise((ok) => {
    let data = '';
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(3_000, () => { s.destroy(); ok('timeout'); });
    s.on('data', (b) => { data += b; });
    s.on('end', () => ok(data || 'closed'));
    s.on('error', (err: NodeJS.ErrnoException) => ok(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' ? 'reset' : String(err.code)));
  });
}

/** A stand-in for a pod's published port (the fake runtime publishes at the pod's hostPort): answers its name. */
async function podServer(name: string, port: number): Promise<net.Server> {
  const s = net.createServer((c) => c.end(`hello from ${name}`));
  await new Promise<void>((ok) => s.listen({ host: '127.0.0.1', port }, ok));
  return s;
}

const nodePortPod = (name: string, hostPort: number) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: np}}
spec:
  containers:
  - name: main
    image: busybox:stable
    imagePullPolicy: IfNotPresent
    ports: [{containerPort: 8080, hostPort: ${hostPort}}]
`;

const manifest = (replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: main
        image: busybox:stable
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: web, labels: {tier: front}}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: ${PORT}, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: a, port: 80, targetPort: 8080}, {name: b, port: 81, targetPort: 8080, nodePort: 31999}]
`;

describe('EKS Services, Endpoints and LoadBalancer Services through kubectl', () => {
  const berth = useBerth({ runtime: 'fake', clients: { ec2: EC2Client, elb: ElasticLoadBalancingV2Client, eks: EKSClient } });
  let k: KubeCluster;

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
  });
  after(() => k?.cleanup());

  it('every cluster has the kubernetes Service at the first address of its service CIDR', async () => {
    const svc = JSON.parse(await k.ok('get', 'svc', 'kubernetes', '-o', 'json'));
    assert.equal(svc.spec.clusterIP, '10.100.0.1');
    assert.deepEqual(svc.spec.ports.map((p: any) => p.port), [443]);
  });

  it('a LoadBalancer Service gets a cluster IP, node ports, endpoints of its ready pods and an NLB with the pods as targets', async () => {
    await k.apply(manifest(2));
    const svc = JSON.parse(await k.ok('get', 'svc', 'web', '-o', 'json'));
    assert.match(svc.spec.clusterIP, /^10\.100\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.equal(svc.spec.ports[0].protocol, 'TCP');
    assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767, String(svc.spec.ports[0].nodePort));
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
    const np = JSON.parse(await k.ok('get', 'svc', 'web-np', '-o', 'json'));
    assert.equal(np.spec.ports[1].nodePort, 31999, 'a requested node port is kept');
    assert.notEqual(np.spec.clusterIP, svc.spec.clusterIP);

    const endpoints = await until('two ready endpoints', async () => {
      const ep = await k.get('/api/v1/namespaces/default/endpoints/web');
      return ep.subsets?.[0]?.addresses?.length === 2 ? ep : undefined;
    });
    assert.deepEqual(endpoints.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }], 'the named target port resolved on the pods');
    const pods = JSON.parse(await k.ok('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];
    const ips = pods.map((p) => p.status.podIP).sort();
    assert.deepEqual(endpoints.subsets[0].addresses.map((a: any) => a.ip).sort(), ips);
    assert.equal(endpoints.subsets[0].addresses[0].targetRef.kind, 'Pod');
    const slices = JSON.parse(await k.ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json')).items as any[];
    assert.equal(slices.length, 1);
    assert.equal(slices[0].addressType, 'IPv4');
    assert.deepEqual(slices[0].endpoints.map((e: any) => e.addresses[0]).sort(), ips);
    assert.ok(slices[0].endpoints.every((e: any) => e.conditions.ready === true));
    assert.equal(slices[0].metadata.ownerReferences[0].kind, 'Service');

    const hostname = await until('the load balancer hostname', async () => {
      const s = await k.get('/api/v1/namespaces/default/services/web');
      return s.status.loadBalancer?.ingress?.[0]?.hostname as string | undefined;
    });
    const { LoadBalancers } = await berth.elb.send(new DescribeLoadBalancersCommand({}));
    const lb = LoadBalancers!.find((l) => l.DNSName === hostname);
    assert.ok(lb, `an ELBv2 load balancer named by ${hostname}`);
    assert.equal(lb!.Type, 'network');
    assert.match(lb!.LoadBalancerName!, /^k8s-default-web-[0-9a-f]{10}$/);
    const { Listeners } = await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn }));
    assert.deepEqual(Listeners!.map((l) => [l.Protocol, l.Port]), [['TCP', PORT]]);
    const { TargetGroups } = await berth.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb!.LoadBalancerArn }));
    assert.equal(TargetGroups![0].TargetType, 'ip');
    const targets = await until('both pods registered', async () => {
      const h = await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: TargetGroups![0].TargetGroupArn }));
      return h.TargetHealthDescriptions!.length === 2 ? h.TargetHealthDescriptions! : undefined;
    });
    assert.deepEqual(targets.map((t) => `${t.Target!.Id}:${t.Target!.Port}`).sort(), ips.map((ip) => `${ip}:8080`));

    const table = await k.ok('get', 'svc', 'web');
    assert.match(table, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/m);
    assert.ok(table.includes(`web    LoadBalancer   ${svc.spec.clusterIP}`) || table.includes(hostname), table);
    assert.ok(table.includes(`${PORT}:${svc.spec.ports[0].nodePort}/TCP`), table);
  });

  it('scaling the Deployment down shrinks the endpoints; deleting the Service removes its load balancer and endpoints', async () => {
    await k.ok('scale', 'deployment', 'web', '--replicas=1');
    await until('one endpoint', async () => {
      const ep = await k.get('/api/v1/namespaces/default/endpoints/web');
      return ep.subsets?.[0]?.addresses?.length === 1 && !ep.subsets[0].notReadyAddresses ? ep : undefined;
    });
    const hostname = JSON.parse(await k.ok('get', 'svc', 'web', '-o', 'json')).status.loadBalancer.ingress[0].hostname;
    await k.ok('delete', 'svc', 'web');
    await until('the load balancer gone', async () => {
      const { LoadBalancers } = await berth.elb.send(new DescribeLoadBalancersCommand({}));
      return LoadBalancers!.some((l) => l.DNSName === hostname) ? undefined : true;
    });
    const gone = await k.kubectl(['get', 'endpoints', 'web']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /not found/);
    const slices = JSON.parse(await k.ok('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json')).items;
    assert.deepEqual(slices, []);
  });

  it('an invalid Service is refused 422 as the API server refuses it', async () => {
    const r = await k.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 80}]}\n',
    });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range/);
  });

  it('a NodePort Service listens on 127.0.0.1:<nodePort>, spreads connections over its ready pods, follows them, stops as another type and with the Service', async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const servers = [await podServer('np-a', portA), await podServer('np-b', portB)];
    const nodePort = await freePort(30000, 32768);
    const holder = net.createServer();
    const heldPort = await freePort(30000, 32768);
    await new Promise<void>((ok) => holder.listen({ host: '127.0.0.1', port: heldPort }, ok));
    try {
      await k.apply(`${nodePortPod('np-a', portA)}---
${nodePortPod('np-b', portB)}---
apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: np}
  ports: [{port: 80, targetPort: 8080, nodePort: ${nodePort}}]
---
apiVersion: v1
kind: Service
metadata: {name: np-taken}
spec:
  type: NodePort
  selector: {app: np}
  ports: [{port: 80, targetPort: 8080, nodePort: ${heldPort}}]
`);
      const seen = new Set<string>();
      await until('both pods answering on the node port', async () => {
        seen.add(await ask(nodePort));
        return seen.has('hello from np-a') && seen.has('hello from np-b') ? true : undefined;
      }, 20_000, 50);
      const six = await Promise.all([0, 1, 2, 3, 4, 5].map(() => ask(nodePort)));
      assert.ok(six.every((x) => /^hello from np-[ab]$/.test(x)), six.join());

      // The port held by another program: not bound elsewhere, said on the Service as a Warning Event.
      const event = await until('the FailedToBindNodePort event', async () => {
        const events = JSON.parse(await k.ok('get', 'events', '--field-selector', 'involvedObject.name=np-taken', '-o', 'json')).items as any[];
        return events.find((e) => e.reason === 'FailedToBindNodePort');
      });
      assert.equal(event.type, 'Warning');
      assert.equal(event.involvedObject.kind, 'Service');
      assert.match(event.message, new RegExp(`127\\.0\\.0\\.1:${heldPort}.*in use`));

      await k.ok('delete', 'pod', 'np-a', '--wait=false');
      await until('only np-b answering', async () => {
        const got = await Promise.all([0, 1, 2, 3].map(() => ask(nodePort)));
        return got.every((x) => x === 'hello from np-b') ? true : undefined;
      }, 20_000, 100);
      await k.ok('delete', 'pod', 'np-b', '--wait=false');
      const none = await until('no ready endpoint: the connection is reset', async () => {
        const got = await ask(nodePort);
        return got === 'reset' || got === 'closed' ? got : undefined;
      }, 20_000, 100);
      assert.ok(['reset', 'closed'].includes(none));

      // Another type: the node port closes; NodePort again: it listens again.
      await k.ok('patch', 'svc', 'np', '-p', '{"spec":{"type":"ClusterIP","ports":[{"port":80,"targetPort":8080}]}}');
      await until('the node port closed as a ClusterIP Service', async () => (await ask(nodePort)) === 'refused' ? true : undefined, 20_000, 100);
      await k.ok('patch', 'svc', 'np', '-p', `{"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":8080,"nodePort":${nodePort}}]}}`);
      await until('the node port listening again', async () => (await ask(nodePort)) !== 'refused' ? true : undefined, 20_000, 100);

      await k.ok('delete', 'svc', 'np', 'np-taken');
      await until('nothing listening on the node port', async () => (await ask(nodePort)) === 'refused' ? true : undefined, 20_000, 100);
    } finally {
      holder.close();
      for (const s of servers) s.close();
    }
  });

  it('deleting the cluster with LoadBalancer Services still there deletes their NLBs, listeners and target groups', async () => {
    await k.apply(manifest(1));
    await k.apply(`apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: ${PORT + 1}, targetPort: 8080}]
`);
    const made = await until('two Service load balancers', async () => {
      const { LoadBalancers } = await berth.elb.send(new DescribeLoadBalancersCommand({}));
      const mine = LoadBalancers!.filter((l) => l.LoadBalancerName!.startsWith('k8s-default-'));
      return mine.length === 2 ? mine : undefined;
    });
    const groups = (await Promise.all(made.map(async (lb) => (await berth.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups!)))
      .flat();
    assert.equal(groups.length, 2);
    const nodePort = JSON.parse(await k.ok('get', 'svc', 'api', '-o', 'json')).spec.ports[0].nodePort as number;
    await until('the api Service\'s node port listening', async () => (await ask(nodePort)) !== 'refused' ? true : undefined);
    await berth.eks.send(new DeleteClusterCommand({ name: 'demo' }));
    await until('the cluster gone', async () => {
      try {
        await berth.eks.send(new DescribeClusterCommand({ name: 'demo' }));
        return undefined;
      } catch (err) {
        return (err as Error).name === 'ResourceNotFoundException' ? true : undefined;
      }
    }, 30_000);
    const { LoadBalancers } = await berth.elb.send(new DescribeLoadBalancersCommand({}));
    assert.deepEqual(LoadBalancers!.map((l) => l.LoadBalancerName), [], 'no load balancer of the cluster left');
    for (const g of groups) {
      await assert.rejects(berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [g.TargetGroupArn!] })), { name: 'TargetGroupNotFoundException' });
    }
    await assert.rejects(berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: made[0].LoadBalancerArn })), { name: 'LoadBalancerNotFoundException' });
    await until('the node port closed with the cluster', async () => (await ask(nodePort)) === 'refused' ? true : undefined);
  });
});
