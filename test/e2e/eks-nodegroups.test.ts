/**
 * EKS managed node groups end to end (real Docker): the AWS CLI makes a cluster and a node group of 2, kubectl
 * (through update-kubeconfig's exec plugin) lists the 2 node-group nodes Ready, and a Deployment whose pods select
 * the node group's label runs its replicas as real containers, each bound to one of those nodes.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { aws } from '../helpers/cli.js';
import { clientConfig, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();

describe('EKS: kubectl sees a managed node group’s nodes, and pods run on them as containers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-eks-ng-'));
  const kubeconfig = join(dir, 'kubeconfig');
  let berth: SpawnedBerth;
  let image: string;
  const env = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache'),
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  const kubectl = (...args: string[]) => new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/kubectl', args, { env: env(), timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr}${stdout}`)) : resolve(stdout)));
  });
  const until = async <T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; Berth said:\n${berth.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  let clusterUid = '';

  before(async () => {
    image = ensureBusyboxImage();
    berth = await spawnBerth(['--data-dir', dir]);
  });
  after(async () => {
    if (berth) await fetch(`${berth.endpoint}/_berth/reset`, { method: 'POST', signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    await berth?.stop();
    if (clusterUid) for (const id of docker('ps', '-aq', '--filter', `label=berth.kube-cluster=${clusterUid}`).split('\n').filter(Boolean)) docker('rm', '-f', id);
    rmSync(dir, { recursive: true, force: true });
  });

  it('create-nodegroup of 2 → kubectl get nodes shows them Ready; a Deployment selecting them runs there', async () => {
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    ec2.destroy();
    const subnetIds = Subnets!.slice(0, 2).map((s) => s.SubnetId!);
    const run = async (args: string[]) => {
      const r = await aws('v2', berth.endpoint, args);
      assert.equal(r.code, 0, r.stderr);
      return r.json;
    };
    await run(['eks', 'create-cluster', '--name', 'ng', '--role-arn', 'arn:aws:iam::000000000000:role/eks', '--resources-vpc-config', `subnetIds=${subnetIds.join(',')}`]);
    await until('cluster ACTIVE', async () => ((await run(['eks', 'describe-cluster', '--name', 'ng'])).cluster.status === 'ACTIVE' ? true : undefined));
    await run(['eks', 'create-nodegroup', '--cluster-name', 'ng', '--nodegroup-name', 'workers', '--node-role', 'arn:aws:iam::000000000000:role/node',
      '--subnets', ...subnetIds, '--scaling-config', 'minSize=2,maxSize=3,desiredSize=2', '--labels', 'pool=workers']);
    await run(['eks', 'update-kubeconfig', '--name', 'ng', '--kubeconfig', kubeconfig]);

    const nodes = await until('2 Ready node-group nodes', async () => {
      const items = JSON.parse(await kubectl('get', 'nodes', '-o', 'json')).items as any[];
      const ready = items.filter((n) => n.metadata.labels['eks.amazonaws.com/nodegroup'] === 'workers'
        && n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 2 && items.length === 2 ? ready.map((n) => n.metadata.name as string) : undefined;
    });
    const table = await kubectl('get', 'nodes');
    for (const n of nodes) assert.match(table, new RegExp(`^${n.replace(/\./g, '\\.')}\\s+Ready\\s`, 'm'));
    assert.doesNotMatch(table, /berth-node/);

    const manifest = join(dir, 'web.yaml');
    writeFileSync(manifest, `
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
      nodeSelector: {pool: workers}
      containers:
      - name: main
        image: ${image}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "exec sleep 3600"]
        resources: {requests: {cpu: 100m, memory: 64Mi}}
`);
    await kubectl('apply', '-f', manifest);
    const pods = await until('2 pods Running', async () => {
      const items = JSON.parse(await kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).items as any[];
      return items.length === 2 && items.every((p) => p.status.phase === 'Running') ? items : undefined;
    });
    for (const p of pods) assert.ok(nodes.includes(p.spec.nodeName), `${p.metadata.name} is on ${p.spec.nodeName}`);
    clusterUid = docker('ps', '-q', '--filter', `label=berth.kube-pod`, '--format', '{{.Label "berth.kube-cluster"}}').split('\n').filter(Boolean)[0] ?? '';
    for (const p of pods) {
      const running = docker('ps', '-q', '--filter', `label=berth.kube-pod-uid=${p.metadata.uid}`).split('\n').filter(Boolean);
      assert.ok(running.length >= 2, `pod ${p.metadata.name} has its pause and main containers running`);
    }
  });
});
