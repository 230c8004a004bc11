/**
 * EKS Services and pod streams on real Docker, with kubectl 1.32 only: a Deployment of two busybox httpd pods and a
 * LoadBalancer Service; `kubectl rollout status` (an httpGet readiness probe through the published port); the Service's NLB answers on 127.0.0.1:<service port> with the
 * pods' pages (Berth reaches the pods through their published loopback ports); `kubectl logs` shows the pods'
 * output; `kubectl exec` runs commands in a pod over the v5 WebSocket protocol (stdout, stdin, the exit code).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ensureBusyboxImage } from '../helpers/images.js';
import { createKubeCluster, until, type KubeCluster } from '../helpers/kubectl.js';
import { useBerth } from '../helpers/use-berth.js';

const PORT = 20000 + Math.floor(Math.random() * 9000);

describe('EKS on Docker: a LoadBalancer Service answers on loopback; kubectl logs and exec', () => {
  let image = '';
  before(() => {
    image = ensureBusyboxImage();
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

  it('apply a Deployment and a LoadBalancer Service, rollout status, curl the load balancer on 127.0.0.1', async () => {
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
        command: ["sh", "-c", "mkdir -p /www && echo \\"hello from $(hostname)\\" > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: ${PORT}, targetPort: http}]
`);
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const pods = JSON.parse(await k.ok('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];
    assert.equal(pods.length, 2);
    clusterUid = execFileSync('docker', ['inspect', '-f', '{{index .Config.Labels "berth.kube-cluster"}}', pods[0].status.containerStatuses[0].containerID.replace('docker://', '')], { encoding: 'utf8' }).trim();
    const hostname = await until('the load balancer hostname', async () => {
      const s = await k.get('/api/v1/namespaces/default/services/web');
      return s.status.loadBalancer?.ingress?.[0]?.hostname as string | undefined;
    }, 30_000, 250);
    assert.match(hostname, /\.elb\..*amazonaws\.com$|localhost/);
    const body = await until('the load balancer answering', async () => {
      const res = await fetch(`http://127.0.0.1:${PORT}/`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200 ? res.text() : undefined;
    }, 30_000, 250);
    assert.match(body, /^hello from /);
  });

  it('kubectl logs shows the pod output; kubectl exec runs commands with stdin and reports the exit code', async () => {
    const pod = (await k.ok('get', 'pods', '-l', 'app=web', '-o', 'name')).split('\n')[0].trim();
    assert.equal((await k.ok('logs', pod)).trim(), 'serving');
    const out = await k.ok('exec', pod, '--', 'sh', '-c', 'echo out; echo err >&2; cat /www/index.html');
    assert.match(out, /^out\nhello from /);
    const input = await k.kubectl(['exec', '-i', pod, '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'through stdin\n' });
    assert.equal(input.code, 0, input.stderr);
    assert.equal(input.stdout, 'THROUGH STDIN\n');
    const failed = await k.kubectl(['exec', pod, '--', 'sh', '-c', 'exit 3']);
    assert.equal(failed.code, 3, `${failed.stderr}`);
    const stderr = await k.kubectl(['exec', pod, '--', 'sh', '-c', 'echo oops >&2']);
    assert.equal(stderr.stderr.trim(), 'oops');
  });

  it('kubectl logs --previous shows the instance before a restart, logs the current one', async () => {
    await k.apply(`apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "echo run-$(cut -d\\" \\" -f1 /proc/uptime); sleep 1; exit 1"]
`);
    await until('a restart', async () => {
      const p = await k.get('/api/v1/namespaces/default/pods/crash');
      const s = p.status.containerStatuses?.[0];
      return s?.restartCount >= 1 ? true : undefined;
    }, 30_000, 200);
    const previous = (await k.ok('logs', 'crash', '--previous')).trim().split('\n');
    const current = (await k.ok('logs', 'crash')).trim().split('\n');
    assert.equal(previous.length, 1, previous.join('|'));
    assert.equal(current.length, 1, current.join('|'));
    assert.match(previous[0], /^run-[\d.]+$/);
    assert.notEqual(previous[0], current[0]);
    // The current instance's output (on a busy machine the pod may have restarted again since: a later one).
    const since = (await k.ok('logs', 'crash', '--since=1h')).trim();
    assert.match(since, /^run-[\d.]+$/);
    assert.ok(Number(since.slice(4)) >= Number(current[0].slice(4)), `${since} is not ${current[0]} or a later instance's`);
  });

  it('a container whose liveness httpGet fails is killed and restarted: Unhealthy and Killing events, RESTARTS ≥ 1', async () => {
    // /healthz answers for 3 s after each start, then 404s: the liveness probe fails twice in a row and the kubelet kills it.
    await k.apply(`apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "mkdir -p /www; echo ok > /www/healthz; (sleep 3; rm /www/healthz) & exec httpd -f -p 8080 -h /www"]
    ports: [{containerPort: 8080}]
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 2}
`);
    const status = await until('a restart after a failed liveness probe', async () => {
      const p = await k.get('/api/v1/namespaces/default/pods/live');
      const s = p.status?.containerStatuses?.[0];
      return s?.restartCount >= 1 ? s : undefined;
    }, 60_000, 250);
    assert.ok(status.lastState.terminated, JSON.stringify(status));
    assert.match(status.lastState.terminated.reason, /^(Error|Completed)$/);
    const row = (await k.ok('get', 'pod', 'live', '--no-headers')).trim().split(/\s+/);
    assert.ok(Number(row[3]) >= 1, `RESTARTS column: ${row.join(' ')}`);
    // A busy machine may first kill it for probes that found no listener yet ("other side closed"): the 404s come by
    // the next cycle at the latest.
    let events: any[] = [];
    const unhealthy = await until('an Unhealthy event for the 404s', async () => {
      events = JSON.parse(await k.ok('get', 'events', '--field-selector', 'involvedObject.name=live', '-o', 'json')).items as any[];
      return events.find((e) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 404' && e.count >= 2);
    }, 30_000, 500).catch(() => undefined);
    assert.equal(unhealthy?.type, 'Warning', JSON.stringify(events.map((e) => [e.reason, e.message, e.count])));
    assert.ok(unhealthy.count >= 2, 'failureThreshold 2: two failures in a row before the kill');
    const killing = events.find((e) => e.reason === 'Killing');
    assert.equal(killing?.message, 'Container main failed liveness probe, will be restarted');
    assert.equal(killing?.involvedObject.fieldPath, 'spec.containers{main}');
  });
});
