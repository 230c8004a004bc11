/**
 * Load balancer benchmark: requests/s and p50/p99 latency through Berth's
 * Application Load Balancer against nginx as a reverse proxy to the same
 * backends, at the same concurrency, with wrk, in one run; then requests lost
 * during a rolling deployment of an ECS service under load.
 *
 *   npx tsx bench/load-balancer.ts [--connections 64] [--seconds 5] [--rounds 3] [--workers N]
 *                                  [--tasks 3] [--rollout-clients 4] [--no-build]
 *
 * Phase 1, proxy overhead: two keep-alive HTTP servers in a separate Node
 * process on loopback ports (a 13-byte body). Peers: wrk straight to one
 * backend (the floor), nginx (Debian's package; `apt-get install nginx wrk`)
 * configured here as a round-robin reverse proxy with upstream keep-alive,
 * and Berth's ALB (the built CLI, --ephemeral) with a listener forwarding to a
 * target group holding both backends.
 *
 * Phase 2, real containers: an ECS service of --tasks tasks created through
 * Berth's API, registered by ECS itself in an `ip` target group behind a
 * second listener of the same ALB. Each task is the offline busybox test image
 * running a tiny keep-alive Node server: the host's node binary and the
 * libraries it links are bind-mounted read-only (busybox httpd forks per
 * connection and has no keep-alive). Bind mounts (`host.sourcePath`) are not
 * allowed on Fargate, so the tasks use the EC2 launch type on a virtual
 * container instance, in awsvpc mode (so the target group is `ip`, as with
 * Fargate; the EC2 launch type also puts no vCPU cap on the containers). A
 * second nginx proxies to the very same containers through the ports Berth
 * published for them on 127.0.0.1 (the tasks' networkBindings). Those ports
 * are Docker's (with its default userland proxy, loopback traffic to them goes
 * through docker-proxy), so this phase measures the proxies on a heavier
 * path, alike for both.
 *
 * In both phases both proxies run --workers worker processes (nginx
 * worker_processes, BERTH_LB_WORKERS; default: Berth's default, one per core
 * up to 2). nginx and Berth take turns for --rounds runs of --seconds each and
 * the medians are compared, so that a shared machine's noise hits both alike.
 * Targets: Berth ≥ 0.8× nginx throughput and ≤ 2 ms added p99.
 *
 * Rolling deployment: --rollout-clients keep-alive clients in this process
 * send requests through Berth's ALB while UpdateService moves the service to
 * a new task-definition revision (another response body), until the
 * deployment is COMPLETED with the new revision running at desiredCount.
 * Every non-2xx answer or connection error counts as lost. Target: 0.
 *
 * Clean-up, also on failure or Ctrl-C: nginx and the host backends are
 * stopped, Berth gets SIGTERM and (--ephemeral) removes its containers before
 * it exits; any container of this run's cluster still there is removed.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand,
  RegisterContainerInstanceCommand, UpdateServiceCommand, type Service, type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { register } from '../test/helpers/ecs.js';
import { defaultSubnets, freePort } from '../test/helpers/elbv2.js';
import { ensureBusyboxImage } from '../test/helpers/images.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const CONNECTIONS = flag('connections', 64);
const SECONDS = flag('seconds', 5);
const ROUNDS = flag('rounds', 3);
const WORKERS = flag('workers', Math.max(1, Math.min(2, availableParallelism())));
const TASKS = flag('tasks', 3);
const ROLLOUT_CLIENTS = flag('rollout-clients', 4);
/** Longest a service may take to become stable, or a rollout to complete. */
const SERVICE_TIMEOUT_MS = 120_000;
/** Every container of this run carries this cluster label: the fallback clean-up removes only those. */
const CLUSTER = `bench-lb-${process.pid}`;
const CONTAINER_PORT = 8080;
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes and clean-up

/** nginx, the host backends and a running wrk; Berth is kept apart because it must stop last. */
const helpers: ChildProcess[] = [];
let berth: ChildProcess | undefined;
const tempDirs: string[] = [];
let stopLoad = () => {};

function stopChild(c: ChildProcess, graceMs: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const t = setTimeout(() => {
      c.kill('SIGKILL');
      ok();
    }, graceMs);
    c.once('exit', () => {
      clearTimeout(t);
      ok();
    });
    c.kill('SIGTERM');
  });
}

/** Containers of this run's cluster, running or not. */
function ourContainers(): string[] {
  try {
    return execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.cluster=${CLUSTER}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

let shuttingDown: Promise<void> | undefined;
function shutdown(): Promise<void> {
  shuttingDown ??= (async () => {
    stopLoad();
    await Promise.all(helpers.map((c) => stopChild(c, 5000)));
    // Berth --ephemeral stops and removes its containers on SIGTERM before it exits.
    if (berth) await stopChild(berth, 30_000);
    const left = ourContainers();
    if (left.length) {
      console.error(`clean-up: removing ${left.length} container(s) Berth left behind`);
      try {
        execFileSync('docker', ['rm', '-f', ...left], { stdio: 'ignore' });
      } catch { /* reported by the check below */ }
      if (ourContainers().length) console.error(`clean-up: containers labelled berth.cluster=${CLUSTER} are still there`);
    }
    for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  })();
  return shuttingDown;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`${sig}: cleaning up`);
    void shutdown().finally(() => process.exit(130));
  });
}
// Last resort (an exit that skipped shutdown): signal what still runs; Berth then cleans up by itself.
process.on('exit', () => {
  for (const c of [...helpers, ...(berth ? [berth] : [])]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
});

async function waitForPort(port: number, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const up = await new Promise<boolean>((ok) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        ok(true);
      });
      s.on('error', () => ok(false));
    });
    if (up) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

// ---------------------------------------------------------------- host backends and nginx

async function startHostBackends(ports: number[]) {
  const code = `const http = require('http');
for (const p of ${JSON.stringify(ports)}) http.createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('hello, world\\n'); }).listen(p, '127.0.0.1');`;
  helpers.push(spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
  for (const p of ports) await waitForPort(p);
}

/** nginx as a round-robin reverse proxy with upstream keep-alive, in a temp prefix of its own. */
async function startNginx(port: number, upstreams: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-nginx-'));
  tempDirs.push(dir);
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes ${WORKERS};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backends { ${upstreams.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`);
  helpers.push(spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' }));
  await waitForPort(port);
}

// ---------------------------------------------------------------- Berth

interface Clients { endpoint: string; ecs: ECSClient; elb: ElasticLoadBalancingV2Client }

async function startBerth(): Promise<Clients> {
  if (!args.includes('--no-build')) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  // The V8 flags bin/berth.js's shebang and `npm start` run Berth with.
  const v8flags = /^#!.*?node (.*)$/m.exec(readFileSync(join(ROOT, 'bin/berth.js'), 'utf8'))?.[1].split(' ') ?? [];
  const child = spawn(process.execPath, [...v8flags, 'bin/berth.js', 'up', '--ephemeral', '--port', '0', '--log-level', 'error'], {
    cwd: ROOT, env: { ...process.env, BERTH_LB_WORKERS: String(WORKERS) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  berth = child;
  let out = '';
  child.stderr!.on('data', (c) => {
    out += c;
    process.stderr.write(c); // Berth's own errors are worth seeing
  });
  const endpoint = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`berth did not start: ${out}`)), 15_000);
    child.once('exit', (code) => fail(new Error(`berth exited with ${code}: ${out}`)));
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /ready on (\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]);
      }
    });
  });
  return { endpoint, ecs: new ECSClient({ ...creds, endpoint }), elb: new ElasticLoadBalancingV2Client({ ...creds, endpoint }) };
}

/** A load balancer in the default subnets; listeners are added per phase. */
async function createLoadBalancer(c: Clients): Promise<{ lbArn: string; vpcId: string; subnets: string[]; zones: string[] }> {
  const { ids, vpcId, zones } = await defaultSubnets(c.endpoint);
  const lb = (await c.elb.send(new CreateLoadBalancerCommand({ Name: 'bench', Subnets: ids.slice(0, 2), Type: 'application' }))).LoadBalancers![0];
  return { lbArn: lb.LoadBalancerArn!, vpcId, subnets: ids.slice(0, 2), zones };
}

/** An ip target group (5 s checks of /, 2 s deregistration delay) and a listener on `port` forwarding to it. */
async function createTargetGroup(c: Clients, lbArn: string, vpcId: string, name: string, port: number, targetPort: number): Promise<string> {
  const tg = (await c.elb.send(new CreateTargetGroupCommand({
    Name: name, Protocol: 'HTTP', Port: targetPort, VpcId: vpcId, TargetType: 'ip',
    HealthCheckPath: '/', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
  }))).TargetGroups![0];
  // A short drain keeps the rollout well under a minute.
  await c.elb.send(new ModifyTargetGroupAttributesCommand({
    TargetGroupArn: tg.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }],
  }));
  await c.elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
  await waitForPort(port);
  return tg.TargetGroupArn!;
}

/** Waits until `count` targets are registered and all of them are healthy. */
async function waitForHealthyTargets(c: Clients, tgArn: string, count: number) {
  const end = Date.now() + 60_000;
  for (;;) {
    const { TargetHealthDescriptions: d = [] } = await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    if (d.length === count && d.every((t) => t.TargetHealth?.State === 'healthy')) return;
    if (Date.now() > end) throw new Error(`targets not healthy within 60 s: ${JSON.stringify(d.map((t) => t.TargetHealth))}`);
    await sleep(500);
  }
}

// ---------------------------------------------------------------- the ECS service

/** The service's containers: a keep-alive Node server answering `<version> hello, world`. */
const SERVER = `const http = require('http');
const body = process.env.VERSION + ' hello, world\\n';
const s = http.createServer((q, r) => { r.writeHead(200, { 'content-type': 'text/plain' }); r.end(body); });
// Longer than the proxies keep idle upstream connections, so the server never closes one a proxy is about to reuse.
s.keepAliveTimeout = 65000; s.headersTimeout = 66000;
s.listen(${CONTAINER_PORT});
// ECS stops a task only after its target has drained: close what is left and exit.
process.on('SIGTERM', () => { s.close(() => process.exit(0)); s.closeIdleConnections(); setTimeout(() => process.exit(0), 1000).unref(); });`;

/** Read-only bind mounts that let the busybox image run the host's node: the binary and the directories of the libraries it links. */
function nodeMounts() {
  const node = realpathSync(process.execPath);
  const libDirs = [...new Set((execFileSync('ldd', [node], { encoding: 'utf8' }).match(/\/\S+(?= \(0x)/g) ?? []).map((lib) => dirname(lib)))];
  const mounts = [{ name: 'node', source: node, target: '/opt/node/bin/node' }, ...libDirs.map((d, i) => ({ name: `lib${i}`, source: realpathSync(d), target: d }))];
  return {
    volumes: mounts.map((m) => ({ name: m.name, host: { sourcePath: m.source } })),
    mountPoints: mounts.map((m) => ({ sourceVolume: m.name, containerPath: m.target, readOnly: true })),
  };
}

async function registerRevision(c: Clients, image: string, version: string): Promise<string> {
  const { volumes, mountPoints } = nodeMounts();
  return register(c.ecs, {
    family: 'bench-web', networkMode: 'awsvpc', requiresCompatibilities: ['EC2'], volumes,
    containerDefinitions: [{
      name: 'web', image, essential: true, memory: 256, stopTimeout: 2, mountPoints,
      portMappings: [{ containerPort: CONTAINER_PORT }], environment: [{ name: 'VERSION', value: version }],
      command: ['/opt/node/bin/node', '-e', SERVER],
    }],
  });
}

const describeService = async (c: Clients): Promise<Service> =>
  (await c.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['web'] }))).services![0];

/** Polls the service until `done`, within SERVICE_TIMEOUT_MS. */
async function waitForService(c: Clients, done: (s: Service) => boolean, what: string): Promise<Service> {
  const end = Date.now() + SERVICE_TIMEOUT_MS;
  for (;;) {
    const s = await describeService(c);
    if (done(s)) return s;
    if (Date.now() > end) throw new Error(`timed out: ${what}; last events: ${JSON.stringify(s.events?.slice(0, 6).map((e) => e.message))}`);
    await sleep(250);
  }
}

const settledOn = (taskDefinitionArn: string) => (s: Service) =>
  s.taskDefinition === taskDefinitionArn && s.deployments?.length === 1 && s.deployments[0].rolloutState === 'COMPLETED' && s.runningCount === TASKS;

/** The service's running tasks. */
async function serviceTasks(c: Clients): Promise<Task[]> {
  const { taskArns = [] } = await c.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'web', desiredStatus: 'RUNNING' }));
  if (!taskArns.length) return [];
  return (await c.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }))).tasks ?? [];
}

/** Where an awsvpc task's container port is published on 127.0.0.1 (what the ALB's ip target resolves to). */
function publishedPort(t: Task): number {
  const b = t.containers?.flatMap((x) => x.networkBindings ?? []).find((x) => x.containerPort === CONTAINER_PORT);
  if (!b?.hostPort) throw new Error(`task ${t.taskArn} has no published port for ${CONTAINER_PORT}: ${JSON.stringify(t.containers)}`);
  return b.hostPort;
}

/**
 * A cluster with one virtual container instance (registered as `berth
 * instances add` does), task definition revisions v1 and v2, and the service
 * on v1 in the target group; returns once it is stable with healthy targets.
 */
async function createService(c: Clients, tgArn: string, net: { subnets: string[]; zones: string[] }): Promise<{ v1: string; v2: string }> {
  const image = ensureBusyboxImage();
  await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await c.ecs.send(new RegisterContainerInstanceCommand({
    cluster: CLUSTER,
    instanceIdentityDocument: JSON.stringify({ availabilityZone: net.zones[0], instanceType: 't3.large', region: creds.region }),
    totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 7680 }],
  }));
  const v1 = await registerRevision(c, image, 'v1');
  const v2 = await registerRevision(c, image, 'v2');
  await c.ecs.send(new CreateServiceCommand({
    cluster: CLUSTER, serviceName: 'web', taskDefinition: v1, desiredCount: TASKS, launchType: 'EC2',
    networkConfiguration: { awsvpcConfiguration: { subnets: net.subnets } },
    loadBalancers: [{ targetGroupArn: tgArn, containerName: 'web', containerPort: CONTAINER_PORT }],
    healthCheckGracePeriodSeconds: 30,
  }));
  await waitForService(c, settledOn(v1), `${TASKS} tasks of v1 running`);
  await waitForHealthyTargets(c, tgArn, TASKS);
  return { v1, v2 };
}

// ---------------------------------------------------------------- wrk comparison

interface Result { rps: number; p50: number; p99: number; errors: number }

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text)!;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(port: number): Promise<Result> {
  const running = run('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', `http://127.0.0.1:${port}/`], {
    maxBuffer: 1 << 20, timeout: (SECONDS + 30) * 1000,
  });
  helpers.push(running.child); // so that a clean-up midway stops it too
  const { stdout } = await running.finally(() => helpers.includes(running.child) && helpers.splice(helpers.indexOf(running.child), 1));
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)![1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(stdout)![1]);
  const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)![1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { rps, p50, p99, errors };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function medianOf(results: Result[]): Result {
  return {
    rps: median(results.map((r) => r.rps)), p50: median(results.map((r) => r.p50)), p99: median(results.map((r) => r.p99)),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;

const fmt = (name: string, r: Result) =>
  `${name.padEnd(24)} ${r.rps.toFixed(0).padStart(9)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   errors ${r.errors}`;

interface Verdict { ratio: number; addedP99: number; ok: boolean }

/** wrk to the bare backend once, then nginx and Berth in turns; prints the medians and the verdict. */
async function compare(ports: { direct: number; nginx: number; berth: number }, directLabel: string): Promise<Verdict> {
  await wrk(ports.berth); // warm-up: JIT, pooled connections
  await wrk(ports.nginx);
  const direct = await wrk(ports.direct);
  console.log(fmt(directLabel, direct));
  const nginxRuns: Result[] = [];
  const berthRuns: Result[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    nginxRuns.push(await wrk(ports.nginx));
    berthRuns.push(await wrk(ports.berth));
    console.log(`  round ${i + 1}: nginx ${nginxRuns[i].rps.toFixed(0)} req/s p99 ${nginxRuns[i].p99.toFixed(2)} ms; Berth ${berthRuns[i].rps.toFixed(0)} req/s p99 ${berthRuns[i].p99.toFixed(2)} ms`);
  }
  const nginx = medianOf(nginxRuns);
  const berthResult = medianOf(berthRuns);
  console.log(fmt('nginx reverse proxy', nginx));
  console.log(fmt('Berth ALB', berthResult));
  const ratio = berthResult.rps / nginx.rps;
  const addedP99 = berthResult.p99 - nginx.p99;
  console.log(`throughput Berth/nginx: ${ratio.toFixed(2)}x (target >= 0.80x) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}`);
  console.log(`p99 added over nginx: ${signed(addedP99)} ms (target <= 2 ms) ${addedP99 <= 2 ? 'OK' : 'ABOVE TARGET'}; over the bare backend: ${signed(berthResult.p99 - direct.p99)} ms`);
  return { ratio, addedP99, ok: ratio >= 0.8 && addedP99 <= 2 };
}

// ---------------------------------------------------------------- rolling deployment under load

interface LoadTally { served: number; lost: number; versions: Map<string, number>; errors: Map<string, number> }

/** Upper bounds on the rollout load, whatever happens to the deployment. */
const LOAD_MAX_MS = SERVICE_TIMEOUT_MS + 30_000;
const LOAD_MAX_REQUESTS = 5_000_000;

/** One GET on a kept-alive connection; resolves to the version that answered, or throws why it was lost. */
function get(port: number, agent: http.Agent): Promise<string> {
  return new Promise((ok, fail) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode! >= 200 && res.statusCode! < 300 ? ok(body.split(' ')[0]) : fail(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 5 s')));
    req.on('error', fail);
  });
}

/** `clients` concurrent keep-alive clients until stopped (or the bounds are hit). */
function startLoad(port: number, clients: number): { tally: LoadTally; stop: () => Promise<void> } {
  const tally: LoadTally = { served: 0, lost: 0, versions: new Map(), errors: new Map() };
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const deadline = Date.now() + LOAD_MAX_MS;
  let stopped = false;
  const client = async () => {
    while (!stopped && Date.now() < deadline && tally.served + tally.lost < LOAD_MAX_REQUESTS) {
      try {
        const v = await get(port, agent);
        tally.served++;
        tally.versions.set(v, (tally.versions.get(v) ?? 0) + 1);
      } catch (err) {
        tally.lost++;
        const why = (err as Error).message;
        tally.errors.set(why, (tally.errors.get(why) ?? 0) + 1);
      }
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client));
  stopLoad = () => { stopped = true; };
  return {
    tally,
    stop: async () => {
      stopped = true;
      await done;
      agent.destroy();
    },
  };
}

/** UpdateService to v2 under load; returns the number of requests lost. */
async function rollingDeployment(c: Clients, port: number, v1: string, v2: string): Promise<number> {
  const load = startLoad(port, ROLLOUT_CLIENTS);
  await sleep(1000); // traffic flows before the update starts
  const t0 = Date.now();
  let failure: unknown;
  try {
    await c.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'web', taskDefinition: v2 }));
    await waitForService(c, settledOn(v2), `${TASKS} tasks of v2 running, deployment COMPLETED`);
    await sleep(2000); // and a little after, when the old tasks are gone
  } catch (err) {
    failure = err;
  }
  const took = (Date.now() - t0) / 1000;
  await load.stop();
  const { tally } = load;
  const onV2 = await serviceTasks(c).then((ts) => String(ts.filter((t) => t.taskDefinitionArn === v2).length), () => '?');
  const rev = (arn: string) => arn.split('/').pop();
  console.log(`UpdateService ${rev(v1)} -> ${rev(v2)}: ${failure ? 'NOT COMPLETED' : 'COMPLETED'} after ${took.toFixed(1)} s; ${onV2}/${TASKS} running tasks on ${rev(v2)}`);
  console.log(`rolling deployment: ${tally.served + tally.lost} requests, ${tally.lost} lost (target 0) ${tally.lost === 0 ? 'OK' : 'ABOVE TARGET'}`);
  console.log(`versions answered: ${[...tally.versions].sort().map(([v, n]) => `${v} ${n}`).join(', ') || 'none'}`);
  for (const [why, n] of tally.errors) console.log(`  lost: ${n} x ${why}`);
  if (failure) throw failure;
  return tally.lost;
}

// ---------------------------------------------------------------- main

async function main() {
  const [b1, b2, nginxHostPort, berthHostPort, nginxEcsPort, berthEcsPort] = await Promise.all([
    freePort(), freePort(), freePort(), freePort(), freePort(), freePort(),
  ]);
  const c = await startBerth();
  const lb = await createLoadBalancer(c);
  console.log(`wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds (medians), ${WORKERS} worker process(es) for nginx and for Berth`);

  console.log('\n== Phase 1: proxy overhead (2 Node backends on the host) ==');
  await startHostBackends([b1, b2]);
  await startNginx(nginxHostPort, [b1, b2]);
  const hostTg = await createTargetGroup(c, lb.lbArn, lb.vpcId, 'bench-host', berthHostPort, 80);
  await c.elb.send(new RegisterTargetsCommand({ TargetGroupArn: hostTg, Targets: [b1, b2].map((p) => ({ Id: '127.0.0.1', Port: p })) }));
  await waitForHealthyTargets(c, hostTg, 2);
  const phase1 = await compare({ direct: b1, nginx: nginxHostPort, berth: berthHostPort }, 'backend (direct)');

  console.log(`\n== Phase 2: ECS service (${TASKS} tasks: Node in busybox containers, EC2 launch type, awsvpc, ip target group) ==`);
  const ecsTg = await createTargetGroup(c, lb.lbArn, lb.vpcId, 'bench-ecs', berthEcsPort, CONTAINER_PORT);
  const { v1, v2 } = await createService(c, ecsTg, lb);
  const taskPorts = (await serviceTasks(c)).map(publishedPort);
  console.log(`tasks published on 127.0.0.1:${taskPorts.join(', ')} (nginx's upstreams; the ALB's targets resolve to the same)`);
  await startNginx(nginxEcsPort, taskPorts);
  const phase2 = await compare({ direct: taskPorts[0], nginx: nginxEcsPort, berth: berthEcsPort }, 'one task (direct)');

  console.log(`\n== Rolling deployment under load (${ROLLOUT_CLIENTS} keep-alive clients through Berth's ALB) ==`);
  const lost = await rollingDeployment(c, berthEcsPort, v1, v2);

  console.log('\n== Summary ==');
  const line = (name: string, v: Verdict) => `${name.padEnd(30)} ${v.ratio.toFixed(2)}x nginx throughput, p99 ${signed(v.addedP99)} ms vs nginx  ${v.ok ? 'OK' : 'MISSES TARGET'}`;
  console.log(line('phase 1 (host backends)', phase1));
  console.log(line(`phase 2 (ECS service, ${TASKS} tasks)`, phase2));
  console.log(`${'rolling deployment'.padEnd(30)} ${lost} requests lost  ${lost === 0 ? 'OK' : 'MISSES TARGET'}`);
  c.ecs.destroy();
  c.elb.destroy();
}

main().then(
  () => shutdown().then(() => process.exit(0)),
  (err) => {
    console.error(err);
    void shutdown().finally(() => process.exit(1));
  },
);
