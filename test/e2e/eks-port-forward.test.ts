/**
 * `kubectl port-forward` on real Docker with kubectl 1.32: to a pod (SPDY/3.1 tunnelled in a WebSocket, kubectl's
 * default; and plain SPDY/3.1, its fallback, with KUBECTL_PORT_FORWARD_WEBSOCKETS=false), to `svc/<name>` and
 * `deploy/<name>` (kubectl picks a pod and the target port); curl through the local port gets the pod's answer, on
 * several connections, a body larger than SPDY's 64 KiB window included. A port the pod does not declare fails as
 * an unreachable port does on Kubernetes, with Berth's reason on the error stream.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ensureBusyboxImage } from '../helpers/images.js';
import { createKubeCluster, type KubeCluster } from '../helpers/kubectl.js';
import { useBerth } from '../helpers/use-berth.js';

const LOCAL = 21000 + Math.floor(Math.random() * 8000);
const BIG = 300_000;

/** curl with bounded time; the body and exit code (a fresh connection each call). */
function curl(url: string, ...args: string[]): Promise<{ code: number; body: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args, url], { maxBuffer: 4 * BIG }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, body: stdout, stderr });
    });
  });
}

/** Waits for kubectl's "Forwarding from 127.0.0.1:<port>" (bounded), collecting its output. */
function forwarding(child: ChildProcess, port: number): Promise<{ out: () => string }> {
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubectl port-forward did not start within 30 s: ${out}`)), 30_000);
    const check = () => {
      if (out.includes(`Forwarding from 127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve({ out: () => out });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward exited (${code}): ${out}`));
    });
  });
}

describe('EKS on Docker: kubectl port-forward to a pod, a Service and a Deployment', () => {
  let image = '';
  before(() => {
    image = ensureBusyboxImage();
  });
  const berth = useBerth({ runtime: 'docker', clients: { ec2: EC2Client } });
  let k: KubeCluster;
  let clusterUid = '';
  const children: ChildProcess[] = [];
  const start = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const child = spawn('/usr/bin/kubectl', args, { env: { ...k.env(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  const stop = (child: ChildProcess) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
  let pod = '';

  before(async () => {
    const { Subnets } = await berth.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    k = await createKubeCluster(berth.endpoint, Subnets!.slice(0, 2).map((s) => s.SubnetId!));
    await k.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: IfNotPresent
        command:
        - sh
        - -c
        - |
          mkdir -p /www/cgi-bin
          echo "hello from $(hostname)" > /www/index.html
          dd if=/dev/zero bs=1000 count=${BIG / 1000} 2>/dev/null | tr '\\0' a > /www/big
          printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\nhead -c $CONTENT_LENGTH | wc -c\\n' > /www/cgi-bin/count
          chmod +x /www/cgi-bin/count
          exec httpd -f -p 8080 -h /www
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`);
    await k.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const pods = JSON.parse(await k.ok('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];
    pod = pods[0].metadata.name;
    clusterUid = execFileSync('docker', ['inspect', '-f', '{{index .Config.Labels "berth.kube-cluster"}}', pods[0].status.containerStatuses[0].containerID.replace('docker://', '')], { encoding: 'utf8' }).trim();
  });
  after(async () => {
    await Promise.all(children.map(stop));
    k?.cleanup();
    if (!clusterUid) return;
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.kube-cluster=${clusterUid}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (left.length) execFileSync('docker', ['rm', '-f', ...left]);
  });

  it('kubectl port-forward pod/<p> (SPDY in a WebSocket): curl on two connections gets the pod\'s page; 300 KB down and up whole', async () => {
    const child = start(['port-forward', `pod/${pod}`, `${LOCAL}:8080`]);
    const pf = await forwarding(child, LOCAL);
    for (let i = 0; i < 2; i++) {
      const r = await curl(`http://127.0.0.1:${LOCAL}/`);
      assert.equal(r.code, 0, `${r.stderr}\n${pf.out()}`);
      assert.equal(r.body, `hello from ${pod}\n`);
    }
    const big = await curl(`http://127.0.0.1:${LOCAL}/big`);
    assert.equal(big.code, 0, `${big.stderr}\n${pf.out()}`);
    assert.equal(big.body, 'a'.repeat(BIG));
    // And the other way: a 300 KB upload reaches the pod whole (a CGI counting the body's bytes).
    const upload = join(k.dir, 'upload.bin');
    writeFileSync(upload, Buffer.alloc(BIG, 'b'));
    const up = await curl(`http://127.0.0.1:${LOCAL}/cgi-bin/count`, '--data-binary', `@${upload}`);
    assert.equal(up.code, 0, `${up.stderr}\n${pf.out()}`);
    assert.equal(up.body.trim(), String(BIG));
    assert.equal((pf.out().match(/Handling connection for/g) ?? []).length, 4, pf.out());
    assert.doesNotMatch(pf.out(), /error|E\d{4}/i);
    await stop(child);
  });

  it('kubectl port-forward over plain SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false) works the same', async () => {
    const child = start(['port-forward', '-v=6', `pod/${pod}`, `${LOCAL + 1}:8080`], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    const pf = await forwarding(child, LOCAL + 1);
    for (let i = 0; i < 2; i++) {
      const r = await curl(`http://127.0.0.1:${LOCAL + 1}/`);
      assert.equal(r.code, 0, `${r.stderr}\n${pf.out()}`);
      assert.equal(r.body, `hello from ${pod}\n`);
    }
    // kubectl's own log: the upgrade was SPDY's POST, not a WebSocket GET.
    assert.match(pf.out(), /POST https:\/\/[^ ]+\/portforward 101 Switching Protocols/);
    await stop(child);
  });

  it('kubectl port-forward svc/<name> and deploy/<name> reach the pod behind them', async () => {
    const svc = start(['port-forward', '-v=6', 'svc/web', `${LOCAL + 2}:80`]);
    const deploy = start(['port-forward', 'deploy/web', `${LOCAL + 3}:8080`]);
    const [a, b] = await Promise.all([forwarding(svc, LOCAL + 2), forwarding(deploy, LOCAL + 3)]);
    for (const [port, pf] of [[LOCAL + 2, a], [LOCAL + 3, b]] as const) {
      const r = await curl(`http://127.0.0.1:${port}/`);
      assert.equal(r.code, 0, `${r.stderr}\n${pf.out()}`);
      assert.equal(r.body, `hello from ${pod}\n`);
    }
    // kubectl's own log: its default, the WebSocket tunnel (a GET upgraded), was served; it did not fall back to SPDY.
    assert.match(a.out(), new RegExp(`GET https://[^ ]+/namespaces/default/pods/${pod}/portforward 101 Switching Protocols`));
    assert.doesNotMatch(a.out(), /POST https:\/\/[^ ]+\/portforward/);
    await Promise.all([stop(svc), stop(deploy)]);
  });

  it('a port the pod does not declare: the connection fails and kubectl reports the error stream\'s message', async () => {
    const child = start(['port-forward', `pod/${pod}`, `${LOCAL + 4}:9999`]);
    const pf = await forwarding(child, LOCAL + 4);
    const r = await curl(`http://127.0.0.1:${LOCAL + 4}/`);
    assert.notEqual(r.code, 0);
    const deadline = Date.now() + 10_000;
    while (!/error forwarding port 9999/.test(pf.out()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    assert.match(pf.out(), new RegExp(`an error occurred forwarding ${LOCAL + 4} -> 9999: error forwarding port 9999 to pod default/${pod}, uid [0-9a-f-]+: .*connection refused.*9999 is not one of them`));
    // kubectl 1.32 gives up on the pod after an error on the error stream, as against a kubelet.
    await new Promise<void>((resolve, reject) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => reject(new Error(`kubectl did not exit: ${pf.out()}`)), 10_000);
      child.once('exit', () => { clearTimeout(timer); resolve(); });
    });
    assert.match(pf.out(), /lost connection to pod/);
  });
});
