/**
 * EKS benchmark (issue 20): how soon a new cluster is usable, and how long a Deployment of N replicas
 * takes to be all Ready, beside raw `docker run` of the same N containers, on the local Docker engine.
 *
 *   npx tsx bench/eks.ts [--replicas 10] [--rounds 3] [--no-build]
 *
 * Cluster: CreateCluster → DescribeCluster ACTIVE (polled every 20 ms), and → the first `kubectl get nodes`
 * answering. Two kubectl paths are timed: with the token in the kubeconfig (Berth's part: the API is up and
 * answers), and through the kubeconfig `aws eks update-kubeconfig` writes, whose exec plugin starts the
 * Python AWS CLI for `aws eks get-token` (what a user sees; the CLI's start-up is most of it).
 * Targets: usable ≤ 2 s.
 *
 * Pods: `kubectl apply` a Deployment of N busybox replicas (sleep) → all N pods Ready (its readyReplicas,
 * polled every 20 ms over HTTPS), against N parallel `docker run -d` of the same image and command. Berth
 * runs a pause container per pod beside the app container (the pod's network), twice the raw engine work.
 * Target: ≤ 1.3× raw + 1 s. Rounds alternate Berth and raw; the median round is reported.
 * Every loop is bounded in count and time.
 */
import { execFile, execFileSync } from 'node:child_process';
import { startBerthOnEngine } from './peers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeClusterCommand, EKSClient, type Cluster } from '@aws-sdk/client-eks';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const IMAGE = 'berth-test/busybox:2';
const LABEL = 'berth.bench=eks-raw';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const REPLICAS = flag('replicas', 10);
const ROUNDS = flag('rounds', 3);
const DEADLINE_MS = 120_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const startBerth = () => startBerthOnEngine({ build: !args.includes('--no-build') });

const awsEnv = (endpoint: string, kubeconfig?: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ENDPOINT_URL: endpoint, ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
});

async function token(endpoint: string, cluster: string): Promise<string> {
  const { stdout } = await run('/usr/bin/aws', ['eks', 'get-token', '--cluster-name', cluster, '--output', 'json'], { env: awsEnv(endpoint), timeout: 30_000 });
  return JSON.parse(stdout).status.token;
}

/** A kubeconfig with the token in it (no exec plugin): kubectl's own time plus the API's. */
function tokenKubeconfig(file: string, cluster: Cluster, tok: string) {
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
    clusters: [{ name: 'bench', cluster: { server: cluster.endpoint, 'certificate-authority-data': cluster.certificateAuthority!.data } }],
    users: [{ name: 'bench', user: { token: tok } }],
    contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
  }));
}

async function kubectl(kubeconfig: string, endpoint: string, ...argv: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/kubectl', argv, { env: awsEnv(endpoint, kubeconfig), timeout: 60_000 });
  return stdout;
}

function getJson(cluster: Cluster, tok: string, path: string): Promise<any> {
  const ca = Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString('utf8');
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.endpoint}${path}`, { ca, headers: { authorization: `Bearer ${tok}` }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function createCluster(eks: EKSClient, subnetIds: string[], name: string) {
  const t0 = performance.now();
  await eks.send(new CreateClusterCommand({ name, roleArn: 'arn:aws:iam::000000000000:role/eks', resourcesVpcConfig: { subnetIds } }));
  const until = Date.now() + 30_000;
  for (;;) {
    const { cluster } = await eks.send(new DescribeClusterCommand({ name }));
    if (cluster!.status === 'ACTIVE') return { cluster: cluster!, t0, activeMs: performance.now() - t0 };
    if (Date.now() > until) throw new Error(`cluster ${name} still ${cluster!.status}`);
    await sleep(20);
  }
}

async function untilOk(f: () => Promise<unknown>, until: number) {
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(20);
    }
  }
}

const deployment = (name: string, replicas: number) => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'main', image: IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '600'] }] },
    },
  },
});

async function berthRound(cluster: Cluster, tok: string, kubeconfig: string, endpoint: string, dir: string, round: number): Promise<number> {
  const name = `bench-${round}`;
  const file = join(dir, `${name}.json`);
  writeFileSync(file, deployment(name, REPLICAS));
  const t0 = performance.now();
  await kubectl(kubeconfig, endpoint, 'apply', '-f', file);
  const until = Date.now() + DEADLINE_MS;
  for (;;) {
    const dep = await getJson(cluster, tok, `/apis/apps/v1/namespaces/default/deployments/${name}`);
    if ((dep.status?.readyReplicas ?? 0) >= REPLICAS) break;
    if (Date.now() > until) throw new Error(`deployment ${name}: ${JSON.stringify(dep.status)}`);
    await sleep(20);
  }
  const ms = performance.now() - t0;
  await kubectl(kubeconfig, endpoint, 'delete', 'deployment', name, '--wait=false');
  // Let the pods go before the next round (their containers leave the engine).
  const gone = Date.now() + DEADLINE_MS;
  while (Date.now() < gone) {
    const pods = await getJson(cluster, tok, `/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`);
    if (!pods.items?.length) break;
    await sleep(100);
  }
  return ms;
}

async function rawRound(): Promise<number> {
  const t0 = performance.now();
  const ids = await Promise.all(Array.from({ length: REPLICAS }, async () =>
    (await run('docker', ['run', '-d', '--label', LABEL, IMAGE, 'sleep', '600'])).stdout.trim()));
  const ms = performance.now() - t0;
  await run('docker', ['rm', '-f', ...ids]);
  return ms;
}

async function main() {
  execFileSync(`${ROOT}/fixtures/images/build-busybox.sh`, [IMAGE], { stdio: 'ignore' });
  const berth = await startBerth();
  const cfg = { endpoint: berth.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const eks = new EKSClient(cfg);
  const ec2 = new EC2Client(cfg);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-eks-'));
  try {
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnetIds = Subnets!.slice(0, 2).map((s) => s.SubnetId!);
    // get-token presigns locally: a token can be made before its cluster exists.
    const tok = await token(berth.endpoint, 'fast');
    const tokenConfig = join(dir, 'token.kubeconfig');
    // 1. Berth's part: ACTIVE, then kubectl (token in the kubeconfig) answering.
    const fast = await createCluster(eks, subnetIds, 'fast');
    tokenKubeconfig(tokenConfig, fast.cluster, tok);
    await untilOk(() => kubectl(tokenConfig, berth.endpoint, 'get', 'nodes'), Date.now() + 30_000);
    const fastNodesMs = performance.now() - fast.t0;
    // 2. What a user sees: update-kubeconfig, then kubectl's exec plugin runs `aws eks get-token`.
    const user = await createCluster(eks, subnetIds, 'user');
    const userConfig = join(dir, 'user.kubeconfig');
    await run('/usr/bin/aws', ['--endpoint-url', berth.endpoint, 'eks', 'update-kubeconfig', '--name', 'user', '--kubeconfig', userConfig], { env: awsEnv(berth.endpoint), timeout: 30_000 });
    await untilOk(() => kubectl(userConfig, berth.endpoint, 'get', 'nodes'), Date.now() + 30_000);
    const userNodesMs = performance.now() - user.t0;
    const g0 = performance.now();
    await token(berth.endpoint, 'user');
    const getTokenMs = performance.now() - g0;

    // Warm-up: builds the pause image and loads the paths once.
    await berthRound(fast.cluster, tok, tokenConfig, berth.endpoint, dir, 0);
    const berthMs: number[] = [];
    const rawMs: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      berthMs.push(await berthRound(fast.cluster, tok, tokenConfig, berth.endpoint, dir, i));
      rawMs.push(await rawRound());
    }

    const f = (n: number) => `${n.toFixed(0)} ms`;
    console.log(`\nEKS on Docker (${IMAGE}), load ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores`);
    console.log(`create-cluster → ACTIVE                          ${f(fast.activeMs)}  (user path: ${f(user.activeMs)})`);
    console.log(`create-cluster → kubectl get nodes (token)       ${f(fastNodesMs)}  target ≤ 2000 ms → ${fastNodesMs <= 2000 ? 'ok' : 'MISS'}`);
    console.log(`create-cluster → update-kubeconfig + kubectl     ${f(userNodesMs)}  (of which one \`aws eks get-token\` alone: ${f(getTokenMs)}; peers on k3s: tens of seconds)`);
    const b = median(berthMs);
    const r = median(rawMs);
    console.log(`Deployment of ${REPLICAS} → all Ready (median of ${ROUNDS}): berth ${f(b)}, raw docker run ×${REPLICAS} ${f(r)}, ratio ${(b / r).toFixed(2)}x`);
    console.log(`  rounds berth [${berthMs.map((x) => x.toFixed(0)).join(', ')}] raw [${rawMs.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`  target ≤ 1.3× raw + 1 s = ${f(1.3 * r + 1000)} → ${b <= 1.3 * r + 1000 ? 'ok' : 'MISS'}`);
  } finally {
    eks.destroy();
    ec2.destroy();
    berth.stop();
    const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=${LABEL}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    if (left.length) execFileSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
