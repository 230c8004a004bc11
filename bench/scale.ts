/**
 * Scale benchmark (issue 15): Berth on the in-memory runtime with a data dir on disk, grown in steps, and at each
 * step the latency of single-item and one-page calls through one sequential SDK v3 client, idle CPU, RSS, data-dir
 * size and restart time. Idle CPU is measured once the tasks the measurement started have stopped, over 330 s: more
 * than the 5-minute sweeps (task sweep, orphan look), so the figure holds one of each beside five metric minutes; the
 * report gives the whole window and its worst minute. No peer: moto neither places nor runs tasks as ECS does, so it
 * is skipped.
 *
 * --server-timing runs Berth at --log-level debug and matches each measured request's id with the gateway's
 * `request` line (`ms`: from the request's dispatch to its serialized answer), so each call's p50/p99 shows beside
 * the time Berth spent on it; the rest is the SDK client, HTTP and the socket. (Debug logging costs a little CPU.)
 *
 *   npx tsx bench/scale.ts [--steps 0,1,2,3] [--idle-seconds 330] [--step-minutes 10] [--samples 200]
 *                          [--op-seconds 15] [--catchup-seconds 120] [--max-minutes 90] [--server-timing] [--no-build] [--keep]
 *   npx tsx bench/scale.ts --churn 10000 [--no-build] [--keep]
 *
 * Steps (cumulative): 0 empty (two clusters, one revision, 10 tasks, 10 probe services of desiredCount 0); 1 = 100 clusters,
 * 1,000 revisions, 100 services of desiredCount 10 (1,000 tasks); 2 = 1,000 clusters, 10,000 revisions, 1,000
 * services (10,000 tasks); 3 = 50,000 tasks (40,000 standalone, RunTask count=10). Services and standalone tasks
 * run in one big EC2 cluster (10 virtual container instances); "small" is a cluster with one instance and no tasks.
 * Growth sends several requests at once (a second client); every measurement is one request at a time.
 *
 * "Controllers caught up" after a restart is observable, three ways, all required: every service's runningCount
 * equals its desiredCount (DescribeServices), a task run after the restart reaches RUNNING, and Berth's own CPU over
 * one second falls below 25 % of a core (its start-up pass is done). BERTH_FAKE_STATE keeps the fake's containers
 * across the restart, as a real engine's outlive Berth.
 *
 * --churn N: N RunTask/StopTask pairs in the small cluster, then the stopped tasks are aged past ECS's one-hour
 * retention (the bench moves their stopped_at back two hours in state.db while Berth is down, standing in for the
 * hour) and Berth's prune runs; the data dir is compared with its size before the churn (target: within 10 %).
 *
 * Berth runs as a child process; its temp dir is removed and the child killed on exit, on Ctrl-C and when
 * --max-minutes runs out. Traffic goes to 127.0.0.1 only.
 */
import { execFileSync, execSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand, CreateServiceCommand, DescribeClustersCommand, DescribeServicesCommand, DescribeTasksCommand,
  ECSClient, ListServicesCommand, ListTasksCommand, RegisterContainerInstanceCommand, RegisterTaskDefinitionCommand,
  RunTaskCommand, StopTaskCommand, UpdateServiceCommand, type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// --- options -------------------------------------------------------------------------------------------------

interface Args {
  steps: number[]; idleSeconds: number; stepMinutes: number; samples: number; opSeconds: number;
  catchupSeconds: number; maxMinutes: number; build: boolean; keep: boolean; churn: number; serverTiming: boolean;
}

function parseCli(argv: string[]): Args {
  const a: Args = { steps: [0, 1, 2, 3], idleSeconds: 330, stepMinutes: 10, samples: 200, opSeconds: 15, catchupSeconds: 120, maxMinutes: 90, build: true, keep: false, churn: 0, serverTiming: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0) usage(`${f} takes a number`);
      return v;
    };
    if (f === '--steps') a.steps = (argv[++i] ?? '').split(',').map(Number).filter((n) => n in STEPS);
    else if (f === '--idle-seconds') a.idleSeconds = num();
    else if (f === '--step-minutes') a.stepMinutes = num();
    else if (f === '--samples') a.samples = Math.max(1, num());
    else if (f === '--op-seconds') a.opSeconds = num();
    else if (f === '--catchup-seconds') a.catchupSeconds = num();
    else if (f === '--max-minutes') a.maxMinutes = num();
    else if (f === '--churn') a.churn = num();
    else if (f === '--no-build') a.build = false;
    else if (f === '--keep') a.keep = true;
    else if (f === '--server-timing') a.serverTiming = true;
    else usage(`unknown option ${f}`);
  }
  if (!a.steps.length) usage('--steps names none of 0,1,2,3');
  return a;
}

function usage(why: string): never {
  console.error(`${why}\nusage: tsx bench/scale.ts [--steps 0,1,2,3] [--idle-seconds N] [--step-minutes N] [--samples N] [--op-seconds N] [--catchup-seconds N] [--max-minutes N] [--server-timing] [--no-build] [--keep] | --churn N`);
  process.exit(2);
}

// --- the shape of each step ------------------------------------------------------------------------------------

interface Step { name: string; clusters: number; revisions: number; services: number; tasks: number }
const STEPS: Step[] = [
  { name: 'empty', clusters: 2, revisions: 1, services: 0, tasks: 0 },
  { name: '1k tasks', clusters: 100, revisions: 1_000, services: 100, tasks: 1_000 },
  { name: '10k tasks', clusters: 1_000, revisions: 10_000, services: 1_000, tasks: 10_000 },
  { name: '50k tasks', clusters: 1_000, revisions: 10_000, services: 1_000, tasks: 50_000 },
];
const DESIRED = 10;
const BIG = 'scale-big';
const SMALL = 'scale-small';
const PROBES = Array.from({ length: 10 }, (_, i) => `scale-probe-${i}`);
const APP: RegisterTaskDefinitionCommandInput = {
  family: 'scale-app', requiresCompatibilities: ['EC2'], networkMode: 'bridge',
  containerDefinitions: [{ name: 'app', image: 'berth-scale/app:1', essential: true, memory: 8, cpu: 1 }],
};
const revision = (n: number): RegisterTaskDefinitionCommandInput => ({ ...APP, family: `scale-fam-${n % 100}` });

type OpName = 'DescribeClusters' | 'DescribeTasks' | 'ListTasks' | 'DescribeServices' | 'ListServices'
  | 'RegisterTaskDefinition' | 'RunTask big' | 'RunTask small' | 'UpdateService' | 'health';
/** Single-item and one-page calls: the "within 1.5× of empty, ≤ 5 ms" target. */
const READS: OpName[] = ['DescribeClusters', 'DescribeTasks', 'ListTasks', 'DescribeServices', 'ListServices'];

interface OpStats { n: number; errors: number; p50: number; p99: number; server?: { n: number; p50: number; p99: number } }
interface Restart { stopS: number; healthS: number; servicesS?: number; taskS?: number; cpuS?: number; caughtUpS?: number }
interface StepResult {
  step: number; reached: { clusters: number; revisions: number; services: number; running: number }; complete: boolean;
  growthS: number; ops: Map<OpName, OpStats>; idleCpu: number; idleWorstMinute: number; rssMiB: number; dataMiB: number; restart?: Restart; load: number[];
}

// --- Berth as a child process ----------------------------------------------------------------------------------

let tmp = '';
let berth: ChildProcess | undefined;
let interrupted = false;
let berthErrors = 0;
/** With --server-timing: the gateway's time (ms) per request id, from Berth's debug `request` lines. */
const serverMs = new Map<string, number>();

interface Berth { child: ChildProcess; endpoint: string; pid: number; healthS: number }

async function startBerth(dataDir: string): Promise<Berth> {
  const t0 = performance.now();
  // The V8 flags bin/berth.js's shebang runs Berth with.
  const flags = /^#!.*?node (.*)$/m.exec(readFileSync(join(ROOT, 'bin/berth.js'), 'utf8'))?.[1].split(' ') ?? [];
  // BERTH_BENCH_NODE_FLAGS adds Node flags to Berth's, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to see where a step's time goes.
  flags.push(...(process.env.BERTH_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean));
  const level = ARGS.serverTiming ? 'debug' : 'warn';
  const child = spawn(process.execPath, [...flags, 'bin/berth.js', 'up', '--port', '0', '--data-dir', dataDir, '--log-level', level], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BERTH_RUNTIME: 'fake', BERTH_FAKE_STATE: join(tmp, 'fake-runtime.json') },
  });
  berth = child;
  let partial = '';
  child.stderr!.on('data', (c: Buffer) => {
    const lines = (partial + c.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line || line.includes('received, shutting down')) continue;
      if (ARGS.serverTiming && !serverLine(line)) continue;
      // A Berth under load may log a lot: the first lines are shown, the rest counted.
      if (++berthErrors <= 10) process.stderr.write(`berth: ${line.slice(0, 300)}\n`);
    }
  });
  let out = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start in 120 s: ${out}`)), 120_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = / ready on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`berth exited ${code}: ${out}`)); });
  });
  child.stdout!.resume();
  while ((await probe(`${endpoint}/_berth/health`)) !== 200) {
    if (performance.now() - t0 > 120_000) throw new Error('berth health never answered 200');
    await sleep(5);
  }
  return { child, endpoint, pid: child.pid!, healthS: (performance.now() - t0) / 1000 };
}

/** Keeps a debug `request` line's time; false for the other debug and info lines (not shown). */
function serverLine(line: string): boolean {
  if (!line.startsWith('{')) return true;
  let rec: { level?: string; msg?: string; requestId?: string; ms?: number };
  try { rec = JSON.parse(line); } catch { return true; }
  if (rec.msg === 'request' && rec.requestId && typeof rec.ms === 'number') serverMs.set(rec.requestId, rec.ms);
  return rec.level === 'warn' || rec.level === 'error';
}

/** SIGTERM, then SIGKILL after 60 s (a Berth writing 50,000 fake containers takes a moment). Seconds to exit. */
async function stopBerth(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const t0 = performance.now();
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  return (performance.now() - t0) / 1000;
}

function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 30_000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(endpoint: string, sockets: number): ECSClient {
  return new ECSClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: sockets }), requestTimeout: 120_000 },
  });
}

// --- process figures from /proc --------------------------------------------------------------------------------

const CLK_TCK = (() => { try { return Number(execSync('getconf CLK_TCK').toString()) || 100; } catch { return 100; } })();

function cpuSeconds(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function dirMiB(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += statSync(join(e.parentPath ?? (e as { path: string }).path, e.name)).size;
  }
  return bytes / 2 ** 20;
}

/** Share of one core Berth used over `seconds`, the bench sending nothing. */
async function idleCpu(pid: number, seconds: number): Promise<number> {
  return (await idleCpuMinutes(pid, seconds)).mean;
}

/** Idle CPU over `seconds` (the mean) and over its worst whole minute (the mean if it is shorter than a minute). */
async function idleCpuMinutes(pid: number, seconds: number): Promise<{ mean: number; worstMinute: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  let worstMinute = 0;
  let left = seconds * 1000;
  while (left >= 60_000 && !interrupted) {
    const c = cpuSeconds(pid);
    const t = performance.now();
    await sleep(60_000);
    worstMinute = Math.max(worstMinute, (cpuSeconds(pid) - c) / ((performance.now() - t) / 1000));
    left -= 60_000;
  }
  if (left > 0 && !interrupted) await sleep(left);
  const mean = (cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000);
  return { mean, worstMinute: seconds >= 60 ? worstMinute : mean };
}

/** The monotonic clock V8's --cpu-prof stamps its samples with (µs), for slicing a profile by the bench's phases. */
const profileClock = () => Number(process.hrtime.bigint() / 1000n);

// --- growth ---------------------------------------------------------------------------------------------------

/** Runs `fn(i)` for i in [from, to) with `width` in flight, until done, the deadline or Ctrl-C. Returns how far it got. */
async function fill(from: number, to: number, width: number, deadline: number, fn: (i: number) => Promise<unknown>): Promise<{ done: number; errors: number; lastError?: string }> {
  let next = from;
  let done = 0;
  let errors = 0;
  let lastError: string | undefined;
  const worker = async () => {
    while (next < to && Date.now() < deadline && !interrupted && errors < 50) {
      const i = next++;
      try { await fn(i); done++; } catch (e) { errors++; lastError = `${(e as Error).name}: ${(e as Error).message}`.slice(0, 200); }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return { done, errors, lastError };
}

interface World { clusters: number; revisions: number; services: number; standalone: number }

async function bigCounts(ecs: ECSClient) {
  const out = await ecs.send(new DescribeClustersCommand({ clusters: [BIG] }));
  const c = out.clusters?.[0];
  return { running: c?.runningTasksCount ?? 0, pending: c?.pendingTasksCount ?? 0 };
}

async function setUp(ecs: ECSClient, world: World) {
  for (const [name, instances] of [[BIG, 10], [SMALL, 1]] as const) {
    await ecs.send(new CreateClusterCommand({ clusterName: name }));
    for (let i = 0; i < instances; i++) {
      await ecs.send(new RegisterContainerInstanceCommand({
        cluster: name, instanceIdentityDocument: JSON.stringify({ availabilityZone: `us-east-1${'abc'[i % 3]}` }),
        totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 1_000_000 }, { name: 'MEMORY', type: 'INTEGER', integerValue: 10_000_000 }],
      }));
    }
  }
  await ecs.send(new RegisterTaskDefinitionCommand(APP));
  for (const serviceName of PROBES) {
    await ecs.send(new CreateServiceCommand({ cluster: BIG, serviceName, taskDefinition: 'scale-app', desiredCount: 0, launchType: 'EC2' }));
  }
  // Ten tasks, so that "empty" has tasks for DescribeTasks to describe.
  const base = await ecs.send(new RunTaskCommand({ cluster: BIG, taskDefinition: 'scale-app', launchType: 'EC2', count: 10, startedBy: 'scale-bench' }));
  world.standalone = base.tasks?.length ?? 0;
  world.clusters = 2;
  world.revisions = 1;
}

async function grow(ecs: ECSClient, world: World, step: Step, minutes: number, endBy: number): Promise<{ complete: boolean; seconds: number; notes: string[] }> {
  const t0 = performance.now();
  const deadline = Math.min(Date.now() + minutes * 60_000, endBy);
  const notes: string[] = [];
  const note = (what: string, r: { done: number; errors: number; lastError?: string }) => {
    if (r.errors) notes.push(`${what}: ${r.errors} errors (last: ${r.lastError})`);
  };
  let r = await fill(world.clusters, step.clusters, 8, deadline, (i) => ecs.send(new CreateClusterCommand({ clusterName: `scale-c-${i}` })));
  world.clusters += r.done; note('CreateCluster', r);
  r = await fill(world.revisions, step.revisions, 8, deadline, (i) => ecs.send(new RegisterTaskDefinitionCommand(revision(i))));
  world.revisions += r.done; note('RegisterTaskDefinition', r);
  r = await fill(world.services, step.services, 8, deadline, (i) => ecs.send(new CreateServiceCommand({
    cluster: BIG, serviceName: `scale-svc-${i}`, taskDefinition: 'scale-app', desiredCount: DESIRED, launchType: 'EC2',
  })));
  world.services += r.done; note('CreateService', r);
  const standalone = Math.max(0, step.tasks - step.services * DESIRED);
  r = await fill(Math.ceil(world.standalone / 10), Math.ceil(standalone / 10), 4, deadline, async () => {
    const out = await ecs.send(new RunTaskCommand({ cluster: BIG, taskDefinition: 'scale-app', launchType: 'EC2', count: 10, startedBy: 'scale-bench' }));
    world.standalone += out.tasks?.length ?? 0;
    if (out.failures?.length) throw new Error(`RunTask failures: ${out.failures[0].reason}`);
  });
  note('RunTask', r);
  // The services' tasks are the scheduler's to start: wait until the big cluster runs them all.
  const want = world.services * DESIRED + world.standalone;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const { running } = await bigCounts(ecs).catch(() => ({ running: last, pending: 0 }));
    if (running >= want) break;
    if (running !== last) { last = running; lastChange = Date.now(); }
    if (Date.now() > deadline || interrupted) { notes.push(`big cluster running ${running} of ${want} when the step's time ran out (${minutes} min, or --max-minutes less the time to measure)`); break; }
    if (Date.now() - lastChange > 120_000) { notes.push(`big cluster stuck at ${running} of ${want} running for 2 min`); break; }
    await sleep(2_000);
  }
  const complete = world.clusters >= step.clusters && world.revisions >= step.revisions && world.services >= step.services
    && world.services * DESIRED + world.standalone >= step.tasks && notes.length === 0;
  return { complete, seconds: (performance.now() - t0) / 1000, notes };
}

// --- measurement ------------------------------------------------------------------------------------------------

function stats(ms: number[], errors: number): OpStats {
  const s = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, errors, p50: rank(0.5), p99: rank(0.99) };
}

/** The id of the last response `ecs` received (the measuring client sends one request at a time). */
function lastRequestId(ecs: ECSClient): () => string | undefined {
  let last: string | undefined;
  ecs.middlewareStack.add((next) => async (args) => {
    last = undefined;
    const out = await next(args);
    last = (out.response as { headers?: Record<string, string> }).headers?.['x-amzn-requestid'];
    return out;
  }, { step: 'deserialize', name: 'scaleBenchRequestId' });
  return () => last;
}

async function measure(endpoint: string, ecs: ECSClient, helper: ECSClient, world: World, args: Args): Promise<Map<OpName, OpStats>> {
  const services = world.services ? Array.from({ length: 10 }, (_, i) => `scale-svc-${i % world.services}`) : PROBES;
  const taskArns = (await ecs.send(new ListTasksCommand({ cluster: BIG, maxResults: 10 }))).taskArns ?? [];
  const started: { cluster: string; arn: string }[] = [];
  const requestId = lastRequestId(ecs);
  let k = 0;
  const ops: [OpName, number, () => Promise<unknown>][] = [
    ['DescribeClusters', args.samples, () => ecs.send(new DescribeClustersCommand({ clusters: [BIG] }))],
    ['DescribeTasks', taskArns.length ? args.samples : 0, () => ecs.send(new DescribeTasksCommand({ cluster: BIG, tasks: taskArns }))],
    ['ListTasks', args.samples, () => ecs.send(new ListTasksCommand({ cluster: BIG }))],
    ['DescribeServices', args.samples, () => ecs.send(new DescribeServicesCommand({ cluster: BIG, services }))],
    ['ListServices', args.samples, () => ecs.send(new ListServicesCommand({ cluster: BIG }))],
    ['RegisterTaskDefinition', Math.ceil(args.samples / 4), () => ecs.send(new RegisterTaskDefinitionCommand({ ...APP, family: 'scale-measure' }))],
    ['RunTask big', Math.ceil(args.samples / 4), async () => {
      const out = await ecs.send(new RunTaskCommand({ cluster: BIG, taskDefinition: 'scale-app', launchType: 'EC2', startedBy: 'scale-measure' }));
      for (const t of out.tasks ?? []) started.push({ cluster: BIG, arn: t.taskArn! });
    }],
    ['RunTask small', Math.ceil(args.samples / 4), async () => {
      const out = await ecs.send(new RunTaskCommand({ cluster: SMALL, taskDefinition: 'scale-app', launchType: 'EC2', startedBy: 'scale-measure' }));
      for (const t of out.tasks ?? []) started.push({ cluster: SMALL, arn: t.taskArn! });
    }],
    ['UpdateService', Math.ceil(args.samples / 4), () => ecs.send(new UpdateServiceCommand({
      cluster: BIG, service: services[k++ % services.length], desiredCount: world.services ? DESIRED : 0,
    }))],
    ['health', args.samples, async () => { if ((await probe(`${endpoint}/_berth/health`)) !== 200) throw new Error('health not 200'); }],
  ];
  const result = new Map<OpName, OpStats>();
  if (process.env.BERTH_BENCH_NODE_FLAGS) console.log(`   (profile clock: measurement from ${profileClock()} µs)`);
  for (const [name, n, fn] of ops) {
    if (interrupted) break;
    const ms: number[] = [];
    const ids: string[] = [];
    let errors = 0;
    const until = performance.now() + args.opSeconds * 1000;
    // Two unrecorded calls warm the connection and the code path.
    for (let i = 0; i < n + 2 && (performance.now() < until || ms.length === 0) && !interrupted; i++) {
      const t0 = performance.now();
      try {
        await fn();
        if (i >= 2) {
          ms.push(performance.now() - t0);
          const id = requestId();
          if (id) ids.push(id);
        }
      } catch { errors++; if (errors > 10) break; }
    }
    const o = stats(ms, errors);
    if (ARGS.serverTiming && ids.length) {
      await sleep(200); // the last lines are still on their way through Berth's stderr
      const server = stats(ids.map((id) => serverMs.get(id)).filter((v): v is number => v !== undefined), 0);
      if (server.n) o.server = { n: server.n, p50: server.p50, p99: server.p99 };
      serverMs.clear();
    }
    result.set(name, o);
  }
  if (process.env.BERTH_BENCH_NODE_FLAGS) console.log(`   (profile clock: measurement to ${profileClock()} µs)`);
  // The tasks the measurement started are stopped again, so each step keeps its size (not timed).
  await fill(0, started.length, 4, Date.now() + 120_000, (i) => helper.send(new StopTaskCommand({ cluster: started[i].cluster, task: started[i].arn, reason: 'scale bench' })));
  // Idle is measured once they have stopped: stopping a hundred tasks is work, not the idle cost of the rest.
  const deadline = Date.now() + 120_000;
  for (const cluster of [BIG, SMALL]) {
    let pending = started.filter((t) => t.cluster === cluster).map((t) => t.arn);
    while (pending.length && Date.now() < deadline && !interrupted) {
      const out = await helper.send(new DescribeTasksCommand({ cluster, tasks: pending.slice(0, 100) }));
      const stopped = new Set((out.tasks ?? []).filter((t) => t.lastStatus === 'STOPPED').map((t) => t.taskArn));
      pending = pending.filter((arn) => !stopped.has(arn));
      if (pending.length) await sleep(200);
    }
  }
  return result;
}

/** Restarts Berth on the same data dir and times it to health and to controllers caught up (see the header). */
async function restart(current: Berth, dataDir: string, world: World, args: Args): Promise<{ berth: Berth; restart: Restart }> {
  const stopS = await stopBerth(current.child);
  const t0 = performance.now();
  const next = await startBerth(dataDir);
  const since = () => (performance.now() - t0) / 1000;
  const r: Restart = { stopS, healthS: next.healthS };
  const ecs = client(next.endpoint, 1);
  const deadline = performance.now() + args.catchupSeconds * 1000;
  try {
    const run = await ecs.send(new RunTaskCommand({ cluster: SMALL, taskDefinition: 'scale-app', launchType: 'EC2', startedBy: 'scale-restart' }));
    const marker = run.tasks?.[0]?.taskArn;
    while (performance.now() < deadline && !interrupted && (r.servicesS === undefined || r.taskS === undefined)) {
      if (r.taskS === undefined && marker) {
        const t = await ecs.send(new DescribeTasksCommand({ cluster: SMALL, tasks: [marker] }));
        if (t.tasks?.[0]?.lastStatus === 'RUNNING') r.taskS = since();
      }
      if (r.servicesS === undefined && await servicesSteady(ecs, world, deadline)) r.servicesS = since();
      await sleep(200);
    }
    if (marker) await ecs.send(new StopTaskCommand({ cluster: SMALL, task: marker })).catch(() => {});
    while (performance.now() < deadline && !interrupted && r.cpuS === undefined) {
      const at = since();
      if ((await idleCpu(next.pid, 1)) < 0.25) r.cpuS = at;
    }
    if (r.servicesS !== undefined && r.taskS !== undefined && r.cpuS !== undefined) r.caughtUpS = Math.max(r.servicesS, r.taskS, r.cpuS);
  } finally {
    ecs.destroy();
  }
  return { berth: next, restart: r };
}

/** Every service's runningCount equals its desiredCount; false once `deadline` (performance.now()) passes. */
async function servicesSteady(ecs: ECSClient, world: World, deadline: number): Promise<boolean> {
  if (!world.services) return true;
  let nextToken: string | undefined;
  do {
    if (performance.now() > deadline) return false;
    const page = await ecs.send(new ListServicesCommand({ cluster: BIG, maxResults: 100, nextToken }));
    const arns = page.serviceArns ?? [];
    for (let i = 0; i < arns.length; i += 10) {
      if (performance.now() > deadline) return false;
      const out = await ecs.send(new DescribeServicesCommand({ cluster: BIG, services: arns.slice(i, i + 10) }));
      if ((out.services ?? []).some((s) => s.runningCount !== s.desiredCount)) return false;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return true;
}

// --- report -----------------------------------------------------------------------------------------------------

const f1 = (n: number | undefined, d = 1) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(d));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function printStep(r: StepResult, notes: string[]) {
  const s = STEPS[r.step];
  console.log(`\n== step ${r.step} (${s.name}): ${r.reached.clusters} clusters, ${r.reached.revisions} revisions, ${r.reached.services} services, `
    + `${r.reached.running} tasks running in ${BIG}${r.complete ? '' : ` — INCOMPLETE (target ${s.clusters}/${s.revisions}/${s.services}/${s.tasks})`}; growth ${f1(r.growthS, 0)} s`);
  for (const n of notes) console.log(`   ${n}`);
  const server = [...r.ops.values()].some((o) => o.server);
  console.log(`   ${pad('operation', 24)}${lpad('n', 6)}${lpad('p50 ms', 10)}${lpad('p99 ms', 10)}${lpad('errors', 8)}${server ? `${lpad('Berth p50', 11)}${lpad('Berth p99', 11)}` : ''}`);
  for (const [name, o] of r.ops) {
    const s = server ? `${lpad(f1(o.server?.p50, 2), 11)}${lpad(f1(o.server?.p99, 2), 11)}` : '';
    console.log(`   ${pad(name, 24)}${lpad(String(o.n), 6)}${lpad(f1(o.p50, 2), 10)}${lpad(f1(o.p99, 2), 10)}${lpad(String(o.errors), 8)}${s}`);
  }
  const rs = r.restart;
  console.log(`   idle CPU ${f1(r.idleCpu * 100)} % of a core (worst minute ${f1(r.idleWorstMinute * 100)} %) · RSS ${f1(r.rssMiB, 0)} MiB · data dir ${f1(r.dataMiB)} MiB · load ${r.load.map((l) => l.toFixed(1)).join(' ')}`);
  if (rs) {
    console.log(`   restart: stop ${f1(rs.stopS)} s, health ${f1(rs.healthS, 2)} s, caught up ${rs.caughtUpS === undefined ? 'NOT within the limit' : `${f1(rs.caughtUpS, 2)} s`} `
      + `(services steady ${f1(rs.servicesS, 2)} s, new task RUNNING ${f1(rs.taskS, 2)} s, CPU < 25 % ${f1(rs.cpuS, 2)} s)`);
  }
}

function printTargets(results: StepResult[]) {
  const empty = results.find((r) => r.step === 0);
  const ten = results.find((r) => r.step === 2);
  const fifty = results.find((r) => r.step === 3);
  const rows: [string, boolean | undefined, string][] = [];
  if (empty && ten) {
    const tag = ten.complete ? '' : ' (step incomplete)';
    for (const op of READS) {
      const a = empty.ops.get(op)?.p99;
      const b = ten.ops.get(op)?.p99;
      rows.push([`${op} p99 ≤ 1.5× empty and ≤ 5 ms`, a !== undefined && b !== undefined ? b <= Math.max(1.5 * a, 0) && b <= 5 : undefined, `${f1(b, 2)} ms vs ${f1(a, 2)} ms${tag}`]);
    }
  }
  if (ten) {
    const big = ten.ops.get('RunTask big')?.p99;
    const small = ten.ops.get('RunTask small')?.p99;
    // A ratio of one or two samples each says nothing: it is left open.
    const enough = (ten.ops.get('RunTask big')?.n ?? 0) >= 10 && (ten.ops.get('RunTask small')?.n ?? 0) >= 10;
    rows.push(['RunTask p99 in the 10k cluster ≤ 2× small', big !== undefined && small !== undefined && enough ? big <= 2 * small : undefined,
      `${f1(big, 2)} vs ${f1(small, 2)} ms${enough ? '' : ' (too few samples)'}`]);
    rows.push(['idle CPU ≤ 2 % of a core', ten.idleCpu <= 0.02, `${f1(ten.idleCpu * 100)} % (worst minute ${f1(ten.idleWorstMinute * 100)} %)`]);
    rows.push(['RSS ≤ 300 MiB', ten.rssMiB <= 300, `${f1(ten.rssMiB, 0)} MiB`]);
    rows.push(['restart to caught up ≤ 5 s', ten.restart ? (ten.restart.caughtUpS ?? Infinity) <= 5 : undefined, ten.restart?.caughtUpS === undefined ? 'not caught up' : `${f1(ten.restart.caughtUpS, 2)} s`]);
  }
  if (fifty) {
    const worst = Math.max(...READS.map((op) => fifty.ops.get(op)?.p99 ?? Infinity));
    rows.push(['50k tasks: single-item/one-page p99 ≤ 20 ms', worst <= 20, `${f1(worst, 2)} ms worst${fifty.complete ? '' : ' (step incomplete)'}`]);
  }
  if (!rows.length) return;
  console.log('\ntargets (issue 15; step 2 against step 0):');
  for (const [what, ok, value] of rows) console.log(`  ${ok === undefined ? '?' : ok ? '✓' : '✗'} ${pad(what, 48)} ${value}`);
}

// --- churn ------------------------------------------------------------------------------------------------------

async function churn(b: Berth, dataDir: string, n: number, args: Args): Promise<Berth> {
  let ecs = client(b.endpoint, 4);
  // Sizes are taken with Berth stopped (its WAL checkpointed), before and after.
  await stopBerth(b.child);
  const before = dirMiB(dataDir);
  b = await startBerth(dataDir);
  ecs.destroy();
  ecs = client(b.endpoint, 4);
  const t0 = performance.now();
  // The pairs stop 5 minutes before --max-minutes, leaving time to prune and compare.
  const r = await fill(0, n, 4, Date.now() + Math.max(args.maxMinutes - 5, args.maxMinutes / 2) * 60_000, async () => {
    const out = await ecs.send(new RunTaskCommand({ cluster: SMALL, taskDefinition: 'scale-app', launchType: 'EC2', startedBy: 'scale-churn' }));
    const arn = out.tasks?.[0]?.taskArn;
    if (!arn) throw new Error(`RunTask placed nothing: ${out.failures?.[0]?.reason}`);
    await ecs.send(new StopTaskCommand({ cluster: SMALL, task: arn, reason: 'churn' }));
  });
  console.log(`churn: ${r.done} RunTask/StopTask pairs in ${f1((performance.now() - t0) / 1000, 0)} s${r.errors ? `, ${r.errors} errors (last: ${r.lastError})` : ''}`);
  for (let i = 0; i < 300 && !interrupted; i++) {
    const out = await ecs.send(new DescribeClustersCommand({ clusters: [SMALL] })).catch(() => undefined);
    const c = out?.clusters?.[0];
    if (c && !c.runningTasksCount && !c.pendingTasksCount) break;
    await sleep(1_000);
  }
  await stopBerth(b.child);
  ecs.destroy();
  const churned = dirMiB(dataDir);
  // ECS keeps stopped tasks for an hour: the bench moves their stop two hours back instead of waiting for it.
  execFileSync(process.execPath, ['-e', `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.prepare("UPDATE ecs_tasks SET stopped_at = stopped_at - 7200000 WHERE last_status = 'STOPPED' AND stopped_at IS NOT NULL").run();
    db.close();`, join(dataDir, 'state.db')], { cwd: ROOT });
  b = await startBerth(dataDir);
  ecs = client(b.endpoint, 1);
  // The retention job runs once a minute.
  const deadline = Date.now() + 150_000;
  let left = -1;
  while (Date.now() < deadline && !interrupted) {
    left = ((await ecs.send(new ListTasksCommand({ cluster: SMALL, desiredStatus: 'STOPPED', maxResults: 1 })).catch(() => undefined))?.taskArns ?? [1]).length;
    if (!left) break;
    await sleep(5_000);
  }
  ecs.destroy();
  await stopBerth(b.child);
  const after = dirMiB(dataDir);
  const ratio = after / before;
  console.log(`data dir: ${f1(before)} MiB before, ${f1(churned)} MiB after the churn, ${f1(after)} MiB after pruning${left ? ' (stopped tasks still listed: the prune did not run)' : ''}`);
  console.log(`  ${Math.abs(ratio - 1) <= 0.1 ? '✓' : '✗'} data dir within 10 % of its size before the churn: ${f1((ratio - 1) * 100)} %`);
  return startBerth(dataDir);
}

// --- main -------------------------------------------------------------------------------------------------------

function cleanUp() {
  if (berth && berth.exitCode === null && berth.signalCode === null) berth.kill('SIGKILL');
  if (tmp && !ARGS.keep) rmSync(tmp, { recursive: true, force: true });
}

const ARGS = parseCli(process.argv.slice(2));
process.on('SIGINT', () => {
  if (interrupted) { cleanUp(); process.exit(130); }
  interrupted = true;
  process.exitCode = 130;
  console.error('\ninterrupted: stopping Berth and removing its data dir (Ctrl-C again to exit at once)');
});
process.on('exit', cleanUp);

async function main(args: Args) {
  if (args.build) {
    console.log('building (npx tsc -p tsconfig.json) …');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  tmp = mkdtempSync(join(tmpdir(), 'berth-scale-'));
  const dataDir = join(tmp, 'data');
  console.log(`scale bench: fake runtime, data dir ${dataDir}${args.keep ? ' (kept)' : ''}; one sequential SDK v3 client measures, growth sends several at once`);
  console.log('peer: none — moto neither places nor runs tasks as ECS does (no scheduler, no running counts), so it is skipped');
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
  // Growth stops 6 minutes before --max-minutes so the last step is still measured; past it, the bench stops.
  const endBy = Date.now() + Math.max(args.maxMinutes * 60_000 - 6 * 60_000, args.maxMinutes * 30_000);
  const overall = setTimeout(() => { console.error(`\n--max-minutes ${args.maxMinutes} reached: stopping`); interrupted = true; }, args.maxMinutes * 60_000);
  overall.unref();

  let b = await startBerth(dataDir);
  console.log(`berth up: health 200 after ${f1(b.healthS, 2)} s on ${b.endpoint}`);
  const world: World = { clusters: 0, revisions: 0, services: 0, standalone: 0 };
  let grower = client(b.endpoint, 8);
  await setUp(grower, world);

  if (args.churn) {
    b = await churn(b, dataDir, args.churn, args);
    grower.destroy();
    await stopBerth(b.child);
    return;
  }

  const results: StepResult[] = [];
  for (const i of [...args.steps].sort()) {
    if (interrupted) break;
    const step = STEPS[i];
    const g = await grow(grower, world, step, args.stepMinutes, endBy);
    if (interrupted) break;
    const ecs = client(b.endpoint, 1);
    const ops = await measure(b.endpoint, ecs, grower, world, args);
    ecs.destroy();
    if (interrupted) break;
    if (process.env.BERTH_BENCH_NODE_FLAGS) console.log(`   (profile clock: idle from ${profileClock()} µs)`);
    const idle = await idleCpuMinutes(b.pid, args.idleSeconds);
    if (process.env.BERTH_BENCH_NODE_FLAGS) console.log(`   (profile clock: idle to ${profileClock()} µs)`);
    const rss = rssMiB(b.pid);
    const running = (await bigCounts(grower).catch(() => ({ running: NaN }))).running;
    const result: StepResult = {
      step: i, complete: g.complete, growthS: g.seconds, ops, idleCpu: idle.mean, idleWorstMinute: idle.worstMinute, rssMiB: rss, dataMiB: dirMiB(dataDir), load: loadavg(),
      reached: { clusters: world.clusters, revisions: world.revisions, services: world.services, running },
    };
    grower.destroy();
    const rs = await restart(b, dataDir, world, args);
    b = rs.berth;
    result.restart = rs.restart;
    grower = client(b.endpoint, 8);
    results.push(result);
    printStep(result, g.notes);
    if (!g.complete) {
      console.log(`   step ${i} did not reach its size in the time it had: later steps skipped`);
      break;
    }
  }
  printTargets(results);
  if (berthErrors > 10) console.log(`\n(${berthErrors - 10} more Berth log lines not shown)`);
  grower.destroy();
  await stopBerth(b.child);
}

try {
  await main(ARGS);
} catch (e) {
  console.error(`scale bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
