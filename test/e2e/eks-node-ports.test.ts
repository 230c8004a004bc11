/**
 * EKS NodePort Services on real Docker, with kubectl 1.32 only: a Deployment of two busybox httpd pods (each page
 * names its pod's hostname) and a `type: NodePort` Service with a fixed nodePort; 127.0.0.1:<nodePort> on Berth's
 * host reaches both pods (Berth forwards to the ports their sandboxes published on loopback); scaled to 0 the node
 * port rejects connections, as a node whose Service has no ready endpoint; the Service deleted, nothing listens.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ensureBusyboxImage } from '../helpers/images.js';
import { createKubeCluster, until, type KubeCluster } from '../helpers/kubectl.js';
import { useBerth } from '../helpers/use-berth.js';

/** Whether nothing listens on 127.0.0.1:port now. */
const isFree = (port: number) => new Promise<boolean>((ok) => {
  const s = net.createServer().once('error', () => ok(false));
  s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => ok(true)));
});

/** An HTTP/1.0 GET over its own connection: the body, or `refused`/`reset`/`closed` (bounded by 3 s). */
function get(port: number): Promise<string> {
  return new Promise((ok) => {
    let data = '';
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write('GET / HTTP/1.0\r\nHost: node\r\n\r\n'));
    s.setTimeout(3_000, () => { s.destroy(); ok('timeout'); });
    s.on('data', (b) => { data += b; });
    s.on('end', () => ok(data ? data.slice(data.indexOf('\r\n\r\n') + 4).trim() : 'closed'));
    s.on('error', (err: NodeJS.ErrnoException) => ok(err.code === 'ECONNREFUSED' ? 'refused' : err.code === 'ECONNRESET' ? 'reset' : String(err.code)));
  });
}

describe('EKS on Docker: a NodePort Service answers on 127.0.0.1:<nodePort>', () => {
  let image = '';
  // A node port unlikely to be in use (a high one, chosen at random), checked free before the cluster is made.
  let nodePort = 0;
  before(async () => {
    image = ensureBusyboxImage();
    for (let i = 0; i < 5 && !nodePort; i++) {
      const p = 32000 + Math.floor(Math.random() * 700);
      if (await isFree(p)) nodePort = p;
    }
  });
  const berth = useBerth({ runtime: 'docker', clients: { ec2: EC2Client } });
  let k: KubeCluster;
  let clusterUid = '';

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
  });
  after(() => {
    k?.cleanup();
    if (!clusterUid) return;
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.kube-cluster=${clusterUid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (left.length) execFileSync('docker', ['rm', '-f', ...left]);
  });

  it('curl 127.0.0.1:<nodePort> reaches both pods; scaled to 0 it is refused or reset; the Service deleted, nothing listens', async (t) => {
    if (!nodePort) {
      t.skip('no free port found in 32000–32699 on 127.0.0.1 (five tries): the node port would be taken');
      return;
    }
    await k.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $(hostname)\\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: http, nodePort: ${nodePort}}]
`);
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=90s');
    const pods = JSON.parse(await k.ok('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];
    assert.equal(pods.length, 2);
    clusterUid = execFileSync('docker', ['inspect', '-f', '{{index .Config.Labels "berth.kube-cluster"}}', pods[0].status.containerStatuses[0].containerID.replace('docker://', '')], { encoding: 'utf8' }).trim();
    const names = pods.map((p) => `hello from ${p.metadata.name}`).sort();

    const seen = new Set<string>();
    await until('both pods answering on the node port', async () => {
      seen.add(await get(nodePort));
      return names.every((n) => seen.has(n)) ? true : undefined;
    }, 30_000, 100);
    const six: string[] = [];
    for (let i = 0; i < 6; i++) six.push(await get(nodePort));
    assert.ok(six.every((x) => names.includes(x)), six.join(' | '));
    assert.deepEqual([...new Set(six)].sort(), names, 'round robin spreads six connections over both pods');

    await k.ok('scale', 'deployment', 'web', '--replicas=0');
    const none = await until('no ready endpoint: the node port rejects', async () => {
      const got = await get(nodePort);
      return ['reset', 'closed', 'refused'].includes(got) ? got : undefined;
    }, 30_000, 200);
    assert.ok(['reset', 'closed', 'refused'].includes(none));

    await k.ok('delete', 'svc', 'web');
    await until('nothing listening on the node port', async () => (await get(nodePort)) === 'refused' ? true : undefined, 30_000, 200);
    assert.ok(await isFree(nodePort), 'the node port is free again');
  });
});
