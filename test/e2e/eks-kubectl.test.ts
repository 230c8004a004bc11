/**
 * EKS end to end with the tools EKS users have: the AWS CLI creates a cluster and writes a kubeconfig
 * (`update-kubeconfig`), kubectl 1.32 uses it unmodified (its exec plugin runs `aws eks get-token`),
 * applies a ConfigMap and a Deployment of a locally built busybox image, waits for the rollout, reads
 * the pods' logs, scales through a second apply; @kubernetes/client-node reads the same pods. Then Berth
 * is killed with kill -9 and restarted on its data dir: the cluster keeps its endpoint, the objects are
 * there and the pods' containers are the same ones, adopted. Deleting the Deployment removes them.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { aws } from '../helpers/cli.js';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describe('EKS: a cluster kubectl can use, whose pods are real containers and survive kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-eks-'));
  const kubeconfig = join(dir, 'kubeconfig');
  let berth: SpawnedBerth;
  let image: string;
  let clusterUid = '';
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache'),
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  const kubectl = (...args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('/usr/bin/kubectl', args, { env: env(), timeout: 150_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  const ok = async (...args: string[]) => {
    const r = await kubectl(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const clusterContainers = () => docker('ps', '-q', '--filter', `label=berth.kube-cluster=${clusterUid}`).split('\n').filter(Boolean);
  const podsJson = async () => JSON.parse(await ok('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];

  before(async () => {
    image = ensureBusyboxImage();
    berth = await spawnBerth(['--data-dir', dir]);
  });
  after(async () => {
    if (berth) await fetch(`${berth.endpoint}/_berth/reset`, { method: 'POST' }).catch(() => undefined);
    await berth?.stop();
    if (clusterUid) for (const id of docker('ps', '-aq', '--filter', `label=berth.kube-cluster=${clusterUid}`).split('\n').filter(Boolean)) docker('rm', '-f', id);
    rmSync(dir, { recursive: true, force: true });
  });

  it('create-cluster → ACTIVE, update-kubeconfig, kubectl get ns', async () => {
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    ec2.destroy();
    const subnetIds = Subnets!.slice(0, 2).map((s) => s.SubnetId!).join(',');
    const created = await aws('v2', berth.endpoint, ['eks', 'create-cluster', '--name', 'demo', '--role-arn', 'arn:aws:iam::000000000000:role/eks',
      '--resources-vpc-config', `subnetIds=${subnetIds}`]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.cluster.status, 'CREATING');
    const started = Date.now();
    let cluster: any;
    while (Date.now() - started < 20_000) {
      cluster = (await aws('v2', berth.endpoint, ['eks', 'describe-cluster', '--name', 'demo'])).json.cluster;
      if (cluster.status === 'ACTIVE') break;
    }
    assert.equal(cluster.status, 'ACTIVE');
    const written = await aws('v2', berth.endpoint, ['eks', 'update-kubeconfig', '--name', 'demo', '--kubeconfig', kubeconfig]);
    assert.equal(written.code, 0, written.stderr);
    const config = readFileSync(kubeconfig, 'utf8');
    assert.ok(config.includes(`server: ${cluster.endpoint}`), config);
    assert.ok(config.includes('get-token'), config);

    const ns = await ok('get', 'ns');
    assert.match(ns, /^NAME\s+STATUS\s+AGE/m);
    assert.match(ns, /^default\s+Active\s/m);
    assert.match(ns, /^kube-system\s+Active\s/m);
    const nodes = await ok('get', 'nodes', '-o', 'name');
    assert.equal(nodes.trim(), 'node/berth-node');
    // The same kubeconfig through awscli v1 (the `aws` on PATH that the exec plugin runs).
    const v1 = await aws('v1', berth.endpoint, ['eks', 'update-kubeconfig', '--name', 'demo', '--kubeconfig', join(dir, 'kubeconfig-v1')]);
    assert.equal(v1.code, 0, v1.stderr);
    assert.ok(readFileSync(join(dir, 'kubeconfig-v1'), 'utf8').includes(cluster.endpoint));
    const version = JSON.parse(await ok('version', '-o', 'json'));
    assert.equal(version.serverVersion.minor, '32');
  });

  it('kubectl apply a ConfigMap and a Deployment; rollout status; pods Running as containers; logs', async () => {
    const manifest = join(dir, 'web.yaml');
    const write = (replicas: number) => writeFileSync(manifest, `
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  GREETING: hello from a configmap
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo \\"$GREETING\\"; exec sleep 3600"]
        env:
        - name: GREETING
          valueFrom:
            configMapKeyRef: {name: web-config, key: GREETING}
`);
    write(2);
    const applied = await ok('apply', '-f', manifest);
    assert.match(applied, /configmap\/web-config created/);
    assert.match(applied, /deployment.apps\/web created/);
    const rolled = await ok('rollout', 'status', 'deployment/web', '--timeout=120s');
    assert.match(rolled, /deployment "web" successfully rolled out/);
    const pods = await podsJson();
    assert.equal(pods.length, 2);
    clusterUid = docker('inspect', '-f', '{{ index .Config.Labels "berth.kube-cluster" }}', pods[0].status.containerStatuses[0].containerID.replace('docker://', ''));
    for (const p of pods) {
      assert.equal(p.status.phase, 'Running');
      assert.match(p.status.podIP, /^\d+\.\d+\.\d+\.\d+$/);
      const id = p.status.containerStatuses[0].containerID.replace('docker://', '');
      assert.equal(docker('inspect', '-f', '{{.State.Running}}', id), 'true');
    }
    const logs = await ok('logs', pods[0].metadata.name);
    assert.equal(logs.trim(), 'hello from a configmap');
    const cm = JSON.parse(await ok('get', 'configmap', 'web-config', '-o', 'json'));
    assert.equal(cm.data.GREETING, 'hello from a configmap');

    // A second apply computes a strategic merge patch (kubectl's three-way merge): 3 replicas.
    write(3);
    const again = await ok('apply', '-f', manifest);
    assert.match(again, /configmap\/web-config unchanged/);
    assert.match(again, /deployment.apps\/web configured/);
    await ok('rollout', 'status', 'deployment/web', '--timeout=120s');
    assert.equal((await podsJson()).filter((p) => p.status.phase === 'Running').length, 3);
    const table = await ok('get', 'deployment', 'web');
    assert.match(table, /^web\s+3\/3\s+3\s+3\s/m);
  });

  it('@kubernetes/client-node lists the same pods with the same kubeconfig', async () => {
    const k8s = await import('@kubernetes/client-node');
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
      assert.equal(list.items.length, 3);
      assert.ok(list.items.every((p) => p.status?.phase === 'Running'));
    } finally {
      process.env = saved;
    }
  });

  it('kill -9 and restart: same endpoint, same objects, the same containers adopted', async () => {
    const before = (await podsJson()).map((p) => [p.metadata.name, p.status.containerStatuses[0].containerID]).sort();
    const containersBefore = clusterContainers().sort();
    assert.equal(containersBefore.length, 6, 'three pods, each a pause and a main container');
    const endpoint = (await aws('v2', berth.endpoint, ['eks', 'describe-cluster', '--name', 'demo'])).json.cluster.endpoint;
    await berth.kill9();
    berth = await spawnBerth(['--data-dir', dir]);
    const cluster = (await aws('v2', berth.endpoint, ['eks', 'describe-cluster', '--name', 'demo'])).json.cluster;
    assert.equal(cluster.endpoint, endpoint, 'the kubeconfig still names the cluster');
    let after: string[][] = [];
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      const r = await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json');
      if (r.code === 0) {
        after = (JSON.parse(r.stdout).items as any[]).map((p) => [p.metadata.name, p.status.containerStatuses?.[0]?.containerID]).sort();
        if (after.length === 3) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(after, before);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(clusterContainers().sort(), containersBefore, 'no container duplicated or lost');
  });

  it('kubectl delete deployment removes its pods and their containers; delete-cluster', async () => {
    assert.match(await ok('delete', 'deployment', 'web'), /deployment.apps "web" deleted/);
    const end = Date.now() + 20_000;
    while ((clusterContainers().length || (await podsJson()).length) && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(clusterContainers(), []);
    assert.equal((await podsJson()).length, 0);
    assert.equal(JSON.parse(await ok('get', 'replicasets', '-o', 'json')).items.length, 0, 'the ReplicaSets went with their Deployment');
    const deleted = await aws('v1', berth.endpoint, ['eks', 'delete-cluster', '--name', 'demo']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.json.cluster.status, 'DELETING');
  });
});
