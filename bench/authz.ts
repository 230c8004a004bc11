/**
 * IAM enforcement's cost (issue 23): requests per second of a control-plane mix
 * (ECS reads and writes, ECR and Secrets Manager reads) with `--enforce-iam`
 * off and on, and of registry blob pulls (GET /v2/…/blobs/<digest>) off and on.
 * With enforcement on the calls are signed by an IAM user whose access comes
 * from AWS managed policies (AmazonECS_FullAccess, AmazonEC2ContainerRegistryReadOnly,
 * SecretsManagerReadWrite), so every request is verified and evaluated; the
 * root's run is shown too. Targets: control plane ≥ 0.9× of off, registry pulls ≥ 0.95×.
 *
 *   npx tsx bench/authz.ts [--seconds N] [--rounds N]
 *   node --import tsx --cpu-prof bench/authz.ts --only 'on (IAM' --phase cp|pull   (one target, one workload, to profile)
 *
 * Rates are printed per wall-clock second and per CPU second of this process: on a loaded machine both move with the
 * neighbours (the root's run, which does almost no IAM work, shows how much); a profile's share of CPU spent under
 * gateway/enforcement.ts is the steadier figure.
 * Both Berths run in this process (fake runtime, --ephemeral) on random loopback ports; rounds alternate off/on
 * so drift on a shared machine falls on both; calls are sequential, bounded in time.
 */
import http from 'node:http';
import { CreateClusterCommand, DescribeClustersCommand, DescribeTaskDefinitionCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startApp, type App } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { createLogger } from '../src/shared/logger.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const SECONDS = arg('seconds', 4);
const ROUNDS = arg('rounds', 3);
const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };
type Creds = typeof ROOT;

interface Target {
  name: string;
  app: App;
  creds: Creds;
  /** A registry token (basic auth) of `creds`, and one blob to pull. */
  token: string;
  blobPath: string;
}

const clientConfig = (endpoint: string, credentials: Creds) => ({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

async function seed(app: App, enforce: boolean): Promise<{ user: Creds; blobPath: string }> {
  const cfg = clientConfig(app.endpoint, ROOT);
  const ecs = new ECSClient(cfg);
  const ecr = new ECRClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  const iam = new IAMClient(cfg);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'bench', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 64 }] }));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bench' }));
    await sm.send(new CreateSecretCommand({ Name: 'bench', SecretString: 'x' }));
    // One blob in the repository, uploaded through the registry with the root's token.
    const token = await registryToken(app, ROOT);
    const body = Buffer.alloc(64 * 1024, 7);
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const repoPath = `/v2/000000000000/us-east-1/bench`;
    const start = await request(app, 'POST', `${repoPath}/blobs/uploads/`, token);
    const put = new URL(start.headers.location as string, app.endpoint);
    put.searchParams.set('digest', digest);
    const done = await request(app, 'PUT', `${put.pathname}${put.search}`, token, body);
    if (done.status !== 201) throw new Error(`blob upload answered ${done.status}`);
    let user = ROOT;
    if (enforce) {
      await iam.send(new CreateUserCommand({ UserName: 'bench' }));
      for (const p of ['AmazonECS_FullAccess', 'AmazonEC2ContainerRegistryReadOnly', 'SecretsManagerReadWrite']) {
        await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: `arn:aws:iam::aws:policy/${p}` }));
      }
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey!;
      user = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    }
    return { user, blobPath: `${repoPath}/blobs/${digest}` };
  } finally {
    for (const c of [ecs, ecr, sm, iam]) c.destroy();
  }
}

async function registryToken(app: App, creds: Creds): Promise<string> {
  const ecr = new ECRClient(clientConfig(app.endpoint, creds));
  try {
    return (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0].authorizationToken!;
  } finally {
    ecr.destroy();
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(app: App, method: string, path: string, token: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const url = new URL(path, app.endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { authorization: `Basic ${token}`, 'content-length': String(body?.length ?? 0) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The control-plane mix, one call at a time, for `SECONDS`: calls per second. */
async function controlPlane(t: Target): Promise<Rate> {
  const cfg = clientConfig(t.app.endpoint, t.creds);
  const ecs = new ECSClient(cfg);
  const ecr = new ECRClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  let n = 0;
  const mix = [
    () => ecs.send(new DescribeClustersCommand({ clusters: ['bench'] })),
    () => ecs.send(new ListClustersCommand({})),
    () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'bench' })),
    () => ecs.send(new RegisterTaskDefinitionCommand({ family: 'bench', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 64 }] })),
    () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['bench'] })),
    () => sm.send(new DescribeSecretCommand({ SecretId: 'bench' })),
  ];
  try {
    return await timed(() => mix[n++ % mix.length]());
  } finally {
    for (const c of [ecs, ecr, sm]) c.destroy();
  }
}

async function registryPulls(t: Target): Promise<Rate> {
  return timed(async () => {
    const r = await request(t.app, 'GET', t.blobPath, t.token);
    if (r.status !== 200 && r.status !== 307) throw new Error(`${t.name}: blob GET answered ${r.status}`);
  });
}

/**
 * Calls per wall-clock second, and per CPU second of this process (client and both Berths share it): on a loaded
 * machine the wall-clock rate moves with the neighbours, the CPU rate much less.
 */
interface Rate { wall: number; cpu: number }
async function timed(call: () => Promise<unknown>): Promise<Rate> {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    await call();
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const log = createLogger('error');
  const start = (enforceIam: boolean) => startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake', enforceIam }), { log });
  const off = await start(false);
  const on = await start(true);
  // The root's run has a Berth of its own: the control-plane mix writes (task definition revisions), so targets
  // sharing one would each see the other's state grow.
  const onRoot = await start(true);
  try {
    const offSeed = await seed(off, false);
    const onSeed = await seed(on, true);
    const rootSeed = await seed(onRoot, false);
    const targets: Target[] = [
      { name: 'off', app: off, creds: ROOT, token: await registryToken(off, ROOT), blobPath: offSeed.blobPath },
      { name: 'on (IAM user)', app: on, creds: onSeed.user, token: await registryToken(on, onSeed.user), blobPath: onSeed.blobPath },
      { name: 'on (root)', app: onRoot, creds: ROOT, token: await registryToken(onRoot, ROOT), blobPath: rootSeed.blobPath },
    ];
    const cp = new Map<string, Rate[]>(targets.map((t) => [t.name, []]));
    const pulls = new Map<string, Rate[]>(targets.map((t) => [t.name, []]));
    // A short warm-up of each (JIT, statement caches, the evaluator's caches).
    for (const t of targets) {
      await controlPlane({ ...t }).catch((e) => { throw new Error(`${t.name}: ${e}`); });
    }
    // --only <name> measures one target (to profile it alone with node --cpu-prof).
    const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
    const measured = only ? targets.filter((t) => t.name.startsWith(only)) : targets;
    // Each measure in its own alternating rounds (interleaving them lets one's garbage fall on the other's timing).
    // --phase cp|pull measures one of the two (with --only: one target's profile of one workload).
    const phase = process.argv.includes('--phase') ? process.argv[process.argv.indexOf('--phase') + 1] : undefined;
    for (let r = 0; r < ROUNDS && phase !== 'pull'; r++) {
      for (const t of r % 2 ? [...measured].reverse() : measured) cp.get(t.name)!.push(await controlPlane(t));
    }
    for (let r = 0; r < ROUNDS && phase !== 'cp'; r++) {
      for (const t of r % 2 ? [...measured].reverse() : measured) pulls.get(t.name)!.push(await registryPulls(t));
    }
    if (only || phase) {
      for (const t of measured) console.log(t.name, JSON.stringify({ cp: cp.get(t.name), pulls: pulls.get(t.name) }));
      return;
    }
    const med = (rs: Rate[], k: keyof Rate) => median(rs.map((r) => r[k]));
    const ratios = (name: string, k: keyof Rate) => ({
      cp: med(cp.get(name)!, k) / med(cp.get('off')!, k), pull: med(pulls.get(name)!, k) / med(pulls.get('off')!, k),
    });
    console.log(`IAM enforcement cost: ${ROUNDS} rounds of ${SECONDS}s each, medians (calls one at a time; client and Berths in one process)`);
    for (const k of ['wall', 'cpu'] as const) {
      console.log(k === 'wall' ? ' per wall-clock second (noisy on a shared machine):' : ' per CPU second of the process (what enforcement costs in work):');
      for (const t of targets) {
        const r = ratios(t.name, k);
        console.log(`  ${t.name.padEnd(14)} control plane ${med(cp.get(t.name)!, k).toFixed(0).padStart(6)} req/s (${r.cp.toFixed(2)}×)   registry blob pulls ${med(pulls.get(t.name)!, k).toFixed(0).padStart(6)} req/s (${r.pull.toFixed(2)}×)`);
      }
      const u = ratios('on (IAM user)', k);
      console.log(`  target control plane ≥ 0.90×: ${u.cp >= 0.9 ? 'met' : 'NOT met'} (${u.cp.toFixed(2)}×); registry ≥ 0.95×: ${u.pull >= 0.95 ? 'met' : 'NOT met'} (${u.pull.toFixed(2)}×)`);
    }
  } finally {
    agent.destroy();
    await on.stop();
    await onRoot.stop();
    await off.stop();
  }
}

await main();
