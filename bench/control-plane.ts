/**
 * Control-plane benchmark: one AWS SDK v3 ECS client sending a fixed mix of
 * ECS calls one at a time (never concurrently), reporting per-operation
 * p50/p99 latency and total operations per second.
 *
 *   npx tsx bench/control-plane.ts --endpoint http://127.0.0.1:4566 [--seconds N]
 *   npx tsx bench/control-plane.ts --compare [--seconds N] [--rounds N] [--runs N] [--no-build]
 *
 * --compare starts three targets on random loopback ports and runs the same mix
 * against each in turn: Berth (the built CLI, --ephemeral), moto's server (the
 * peer), and a no-op HTTP server answering `{}` to everything (the client's own
 * ceiling: SigV4 signing, HTTP and SDK parsing). It also measures `berth up`
 * time-to-ready and Berth's idle RSS, and checks the targets from the issue.
 * Every loop is bounded in count and time; traffic goes to 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, stopper } from './peers.js';
import {
  ECSClient, CreateClusterCommand, DeleteClusterCommand, DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand,
  DescribeClustersCommand, DescribeTaskDefinitionCommand,
  ListClustersCommand, ListTagsForResourceCommand, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// --- the mix -------------------------------------------------------------------

type OpName =
  | 'CreateCluster' | 'DescribeClusters' | 'ListClusters' | 'RegisterTaskDefinition' | 'DescribeTaskDefinition'
  | 'ListTaskDefinitions' | 'TagResource' | 'ListTagsForResource' | 'DeleteCluster';

/** One cycle: 14 reads, 4 writes. Each cycle creates, tags and deletes its own cluster. */
const CYCLE: OpName[] = [
  'CreateCluster', 'DescribeClusters', 'ListTagsForResource', 'DescribeTaskDefinition', 'ListClusters',
  'DescribeClusters', 'TagResource', 'ListTagsForResource', 'DescribeTaskDefinition', 'ListTaskDefinitions',
  'DescribeClusters', 'RegisterTaskDefinition', 'ListTagsForResource', 'DescribeTaskDefinition', 'ListClusters',
  'DescribeClusters', 'ListTaskDefinitions', 'DeleteCluster',
];
/** Lists are not single-resource calls: the p99 < 5 ms target does not apply to them. */
const LIST_OPS = new Set<OpName>(['ListClusters', 'ListTaskDefinitions']);
const FAMILY = 'bench-web';
const SEED_CLUSTERS = 10;

const TASK_DEF = {
  family: FAMILY,
  requiresCompatibilities: ['FARGATE' as const],
  networkMode: 'awsvpc' as const,
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: 'nginx:alpine', essential: true, portMappings: [{ containerPort: 80 }] }],
};

interface Cursor { run: string; n: number; name: string; arn: string }

/**
 * What the bench made on a target, so that it leaves a user's Berth as it found it (`--endpoint`): clusters it
 * created and has not deleted, task-definition revisions it registered. Tracking costs a Set/array push per call.
 */
interface Made { clusters: Set<string>; taskDefinitions: string[] }

const made: Made = { clusters: new Set(), taskDefinitions: [] };
/** Set by Ctrl-C: the mix stops at the next call and the bench cleans up. */
let interrupted = false;

function newCursor(run: string): Cursor {
  return { run, n: 0, name: '', arn: '' };
}

/** Sends one call of the mix; the cursor carries this cycle's cluster. */
async function call(ecs: ECSClient, op: OpName, c: Cursor): Promise<void> {
  switch (op) {
    case 'CreateCluster': {
      c.name = `${c.run}-${c.n++}`;
      const out = await ecs.send(new CreateClusterCommand({ clusterName: c.name }));
      made.clusters.add(c.name);
      // The no-op target returns {}; fall back to the ARN the name implies.
      c.arn = out.cluster?.clusterArn ?? `arn:aws:ecs:us-east-1:000000000000:cluster/${c.name}`;
      return;
    }
    case 'DescribeClusters':
      await ecs.send(new DescribeClustersCommand({ clusters: [c.name || 'bench-seed-0'] }));
      return;
    case 'ListClusters':
      await ecs.send(new ListClustersCommand({ maxResults: 20 }));
      return;
    case 'RegisterTaskDefinition': {
      const out = await ecs.send(new RegisterTaskDefinitionCommand(TASK_DEF));
      if (out.taskDefinition?.taskDefinitionArn) made.taskDefinitions.push(out.taskDefinition.taskDefinitionArn);
      return;
    }
    case 'DescribeTaskDefinition':
      await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: FAMILY }));
      return;
    case 'ListTaskDefinitions':
      await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: FAMILY, maxResults: 10 }));
      return;
    case 'TagResource':
      await ecs.send(new TagResourceCommand({ resourceArn: c.arn, tags: [{ key: 'bench', value: String(c.n) }] }));
      return;
    case 'ListTagsForResource':
      await ecs.send(new ListTagsForResourceCommand({ resourceArn: c.arn }));
      return;
    case 'DeleteCluster':
      await ecs.send(new DeleteClusterCommand({ cluster: c.name }));
      made.clusters.delete(c.name);
      return;
  }
}

/**
 * Removes what the bench made on a target: its clusters (the seed clusters only where they did not exist before)
 * and its task-definition revisions (deregistered, then deleted). Errors are counted, not fatal.
 */
async function cleanUp(endpoint: string): Promise<{ clusters: number; taskDefinitions: number; errors: number }> {
  const ecs = client(endpoint);
  let errors = 0;
  const clusters = [...made.clusters];
  const taskDefinitions = [...made.taskDefinitions];
  try {
    for (const cluster of clusters) {
      await ecs.send(new DeleteClusterCommand({ cluster })).then(() => made.clusters.delete(cluster), () => errors++);
    }
    for (const taskDefinition of taskDefinitions) {
      await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition })).catch(() => errors++);
    }
    // ECS deletes INACTIVE revisions ten at a time.
    for (let i = 0; i < taskDefinitions.length; i += 10) {
      await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: taskDefinitions.slice(i, i + 10) })).catch(() => errors++);
    }
    made.taskDefinitions = [];
  } finally {
    ecs.destroy();
  }
  return { clusters: clusters.length, taskDefinitions: taskDefinitions.length, errors };
}

function client(endpoint: string): ECSClient {
  return new ECSClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 1 }) },
  });
}

/** Seeds a target and returns the operations it answers (a failed probe drops the operation). */
async function prepare(endpoint: string): Promise<{ supported: Set<OpName>; failures: string[] }> {
  const ecs = client(endpoint);
  const failures: string[] = [];
  const supported = new Set<OpName>();
  try {
    const seeds = Array.from({ length: SEED_CLUSTERS }, (_, i) => `bench-seed-${i}`);
    // A seed cluster the user already had is theirs: only those this run creates are removed afterwards.
    const existing = await ecs.send(new DescribeClustersCommand({ clusters: seeds })).then(
      (out) => new Set((out.clusters ?? []).filter((c) => c.status === 'ACTIVE').map((c) => c.clusterName)),
      () => new Set<string | undefined>(),
    );
    for (const name of seeds) {
      await ecs.send(new CreateClusterCommand({ clusterName: name })).then(() => existing.has(name) || made.clusters.add(name), () => {});
    }
    await ecs.send(new RegisterTaskDefinitionCommand(TASK_DEF)).then((out) => {
      if (out.taskDefinition?.taskDefinitionArn) made.taskDefinitions.push(out.taskDefinition.taskDefinitionArn);
    }, () => {});
    const c = newCursor('bench-probe');
    for (const op of CYCLE) {
      if (supported.has(op) || failures.some((f) => f.startsWith(`${op}:`))) continue;
      try {
        await call(ecs, op, c);
        supported.add(op);
      } catch (err) {
        failures.push(`${op}: ${(err as Error).name} ${(err as Error).message}`.slice(0, 140));
      }
    }
  } finally {
    ecs.destroy();
  }
  return { supported, failures };
}

let runs = 0;

interface MixResult { ops: number; seconds: number; latencies: Map<OpName, number[]>; errors: Map<OpName, number> }

async function runMix(endpoint: string, ops: Set<OpName>, seconds: number, warmupSeconds: number, maxOps: number): Promise<MixResult> {
  const ecs = client(endpoint);
  const cycle = CYCLE.filter((op) => ops.has(op));
  const latencies = new Map<OpName, number[]>(cycle.map((op) => [op, []]));
  const errors = new Map<OpName, number>();
  const loop = async (c: Cursor, until: number, limit: number, record: boolean) => {
    let n = 0;
    const started = performance.now();
    while (n < limit && performance.now() < until && !interrupted) {
      for (const op of cycle) {
        const t0 = performance.now();
        try {
          await call(ecs, op, c);
          if (record) latencies.get(op)!.push(performance.now() - t0);
        } catch {
          if (record) errors.set(op, (errors.get(op) ?? 0) + 1);
        }
        n++;
      }
    }
    return { n, elapsed: (performance.now() - started) / 1000 };
  };
  try {
    await loop(newCursor(`bench-warm-${runs}`), performance.now() + warmupSeconds * 1000, 5_000, false);
    const { n, elapsed } = await loop(newCursor(`bench-${runs++}`), performance.now() + seconds * 1000, maxOps, true);
    return { ops: n, seconds: elapsed, latencies, errors };
  } finally {
    ecs.destroy();
  }
}

function merge(a: MixResult | undefined, b: MixResult): MixResult {
  if (!a) return b;
  for (const [op, xs] of b.latencies) a.latencies.set(op, [...(a.latencies.get(op) ?? []), ...xs]);
  for (const [op, n] of b.errors) a.errors.set(op, (a.errors.get(op) ?? 0) + n);
  return { ops: a.ops + b.ops, seconds: a.seconds + b.seconds, latencies: a.latencies, errors: a.errors };
}

// --- statistics and printing ---------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
}

interface Summary { name: string; opsPerSec: number; p50: Map<OpName, number>; p99: Map<OpName, number>; errors: Map<OpName, number> }

function summarize(name: string, r: MixResult): Summary {
  const p50 = new Map<OpName, number>();
  const p99 = new Map<OpName, number>();
  for (const [op, xs] of r.latencies) {
    const sorted = [...xs].sort((a, b) => a - b);
    p50.set(op, percentile(sorted, 0.5));
    p99.set(op, percentile(sorted, 0.99));
  }
  return { name, opsPerSec: r.ops / r.seconds, p50, p99, errors: r.errors };
}

const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function printTable(summaries: Summary[], ops: OpName[]) {
  const w = 17;
  console.log(`\n${pad('operation (ms)', 24)}${summaries.map((s) => lpad(`${s.name} p50/p99`, w)).join('')}`);
  for (const op of ops) {
    const cells = summaries.map((s) => lpad(`${ms(s.p50.get(op))}/${ms(s.p99.get(op))}${s.errors.get(op) ? ` !${s.errors.get(op)}` : ''}`, w));
    console.log(`${pad(op, 24)}${cells.join('')}`);
  }
  console.log(`${pad('total ops/s', 24)}${summaries.map((s) => lpad(s.opsPerSec.toFixed(0), w)).join('')}`);
}

// --- processes -----------------------------------------------------------------

const isLoopback = (url: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname) || /^127\./.test(new URL(url).hostname);

/** One GET; resolves with the status, or 0 when nothing answers yet. */
function probe(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

async function waitFor(url: string, ok: (status: number) => boolean, timeoutMs: number, stepMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    if (ok(await probe(url))) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

interface Started { child: ChildProcess; endpoint: string; stop(): Promise<void> }

/** Starts `berth up` and times it: spawn → ready line, and spawn → first 200 from /_berth/health. */
async function startBerth(): Promise<Started & { readyMs: number; healthMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  // The V8 flags bin/berth.js's shebang and `npm start` run Berth with.
  const flags = /^#!.*?node (.*)$/m.exec(readFileSync(new URL('../bin/berth.js', import.meta.url), 'utf8'))?.[1].split(' ') ?? [];
  const child = spawn(process.execPath, [...flags, 'bin/berth.js', 'up', '--port', String(port), '--ephemeral', '--log-level', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Berth's own log lines are shown, not its shutdown notice.
  child.stderr!.on('data', (c: Buffer) => {
    const lines = c.toString().split('\n').filter((l) => l && !l.includes('received, shutting down'));
    if (lines.length) process.stderr.write(`berth: ${lines.join('\n')}\n`);
  });
  let out = '';
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (c) => {
      out += c;
      if (out.includes(' ready on ')) { clearTimeout(timer); resolve(performance.now() - t0); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`berth exited ${code}: ${out}`)); });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${endpoint}/_berth/health`, (s) => s === 200, 15_000, 2))) throw new Error('berth health never answered 200');
  const healthMs = performance.now() - t0;
  return { child, endpoint, readyMs: await ready, healthMs, stop: stopper(child) };
}

async function startMoto(): Promise<Started | undefined> {
  try {
    execFileSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' });
  } catch {
    console.log('moto: not installed in python3 (pip install "moto[server]"); skipped');
    return undefined;
  }
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${endpoint}/moto-api/`, (s) => s > 0, 30_000, 50))) {
    await stopper(child)();
    console.log('moto: did not answer within 30 s; skipped');
    return undefined;
  }
  return { child, endpoint, stop: stopper(child) };
}

/** The client's ceiling: a separate process that answers every request with `{}` at once. */
async function startNoop(): Promise<Started> {
  const port = await freePort();
  const code = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => {
    s.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'noop' }); s.end('{}'); }); })
    .listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitFor(endpoint, (s) => s === 200, 10_000, 5))) throw new Error('no-op server did not start');
  return { child, endpoint, stop: stopper(child) };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);

// --- modes ---------------------------------------------------------------------

interface Args { endpoint?: string; compare: boolean; seconds: number; warmup: number; maxOps: number; runs: number; rounds: number; build: boolean }

function parseCli(argv: string[]): Args {
  const args: Args = { compare: false, seconds: 10, warmup: 2, maxOps: 200_000, runs: 5, rounds: 5, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--endpoint') args.endpoint = value();
    else if (a === '--compare') args.compare = true;
    else if (a === '--seconds') args.seconds = Number(value());
    else if (a === '--warmup') args.warmup = Number(value());
    else if (a === '--max-ops') args.maxOps = Number(value());
    else if (a === '--runs') args.runs = Number(value());
    else if (a === '--rounds') args.rounds = Number(value());
    else if (a === '--no-build') args.build = false;
    else throw new Error(`unknown argument ${a}`);
  }
  // Bounded in time as well as count, whatever is asked.
  args.seconds = Math.min(Math.max(args.seconds || 10, 1), 120);
  args.runs = Math.min(Math.max(args.runs || 5, 1), 20);
  args.rounds = Math.min(Math.max(args.rounds || 5, 1), 20);
  return args;
}

async function single(args: Args) {
  const endpoint = args.endpoint!.replace(/\/$/, '');
  if (!isLoopback(endpoint)) throw new Error('this benchmark only sends traffic to loopback addresses (127.0.0.1, localhost, [::1])');
  const { supported, failures } = await prepare(endpoint);
  for (const f of failures) console.log(`dropped from the mix: ${f}`);
  const ops = CYCLE.filter((op, i) => supported.has(op) && CYCLE.indexOf(op) === i);
  console.log(`mix against ${endpoint}: ${args.seconds} s after ${args.warmup} s warm-up, one client, sequential`);
  try {
    const s = summarize('target', await runMix(endpoint, supported, args.seconds, args.warmup, args.maxOps));
    if (!interrupted) printTable([s], ops);
  } finally {
    const c = await cleanUp(endpoint);
    console.log(`cleaned up: ${c.clusters} clusters and ${c.taskDefinitions} task-definition revisions the bench made${c.errors ? ` (${c.errors} calls failed)` : ''}`);
  }
}

async function compare(args: Args) {
  if (args.build) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`load average before: ${load()} (figures are only comparable on an otherwise idle machine)`);

  // Start-up: spawn → ready line / → health 200, and RSS a second after start (idle, never called).
  const readyMs: number[] = [];
  const healthMs: number[] = [];
  const rssAtStart: number[] = [];
  for (let i = 0; i < args.runs; i++) {
    const b = await startBerth();
    readyMs.push(b.readyMs);
    healthMs.push(b.healthMs);
    await sleep(1000);
    rssAtStart.push(rssMiB(b.child.pid!));
    await b.stop();
  }

  const berth = await startBerth();
  const targets: { name: string; started: Started }[] = [{ name: 'berth', started: berth }];
  const moto = await startMoto();
  if (moto) targets.push({ name: 'moto', started: moto });
  targets.push({ name: 'no-op', started: await startNoop() });
  let rssAfter = NaN;
  const summaries: Summary[] = [];
  let ops: OpName[] = [];
  try {
    // The same mix for everyone: operations every target answers.
    let common = new Set<OpName>(CYCLE);
    for (const t of targets) {
      const { supported, failures } = await prepare(t.started.endpoint);
      for (const f of failures) console.log(`${t.name}: dropped from the mix: ${f}`);
      common = new Set([...common].filter((op) => supported.has(op)));
    }
    ops = [...new Set(CYCLE)].filter((op) => common.has(op));
    console.log(`\nmix: ${ops.join(', ')}`);
    console.log(`one SDK v3 client, sequential, ${args.seconds} s per target in ${args.rounds} rounds `
      + `(targets take turns, so load from elsewhere on the machine falls on each alike), ${args.warmup} s warm-up`);
    const results = new Map<string, MixResult>();
    for (let round = 0; round < args.rounds; round++) {
      for (const t of targets) {
        const warmup = round === 0 ? args.warmup : 0.2;
        const r = await runMix(t.started.endpoint, common, args.seconds / args.rounds, warmup, args.maxOps / args.rounds);
        results.set(t.name, merge(results.get(t.name), r));
      }
    }
    for (const t of targets) summaries.push(summarize(t.name, results.get(t.name)!));
    await sleep(2000);
    rssAfter = rssMiB(berth.child.pid!);
  } finally {
    for (const t of targets) await t.started.stop();
  }

  printTable(summaries, ops);
  console.log(`load average after: ${load()}`);
  const [b, m, n] = ['berth', 'moto', 'no-op'].map((name) => summaries.find((s) => s.name === name));
  if (b && m) console.log(`berth/moto ops/s: ${(b.opsPerSec / m.opsPerSec).toFixed(2)}x`);
  if (b && n) console.log(`berth/no-op ops/s: ${((100 * b.opsPerSec) / n.opsPerSec).toFixed(0)}% of the client's ceiling`);
  console.log(`\nberth up (${args.runs} runs): ready line p50 ${median(readyMs).toFixed(0)} ms (max ${Math.max(...readyMs).toFixed(0)}), `
    + `health 200 p50 ${median(healthMs).toFixed(0)} ms (max ${Math.max(...healthMs).toFixed(0)})`);
  console.log(`berth RSS: idle after start ${median(rssAtStart).toFixed(0)} MiB, idle after the mix ${rssAfter.toFixed(0)} MiB`);

  if (!b) return;
  const singleP99 = Math.max(...ops.filter((op) => !LIST_OPS.has(op)).map((op) => b.p99.get(op) ?? Infinity));
  const checks: [string, boolean, string][] = [
    ['>= 1,200 ops/s', b.opsPerSec >= 1200, b.opsPerSec.toFixed(0)],
    ['p99 < 5 ms (single-resource calls)', singleP99 < 5, `${ms(singleP99)} ms worst`],
    ['>= 50% of the no-op ceiling', !!n && b.opsPerSec >= 0.5 * n.opsPerSec, n ? `${((100 * b.opsPerSec) / n.opsPerSec).toFixed(0)}%` : 'n/a'],
    ['ready < 300 ms (spawn to health 200, p50)', median(healthMs) < 300, `${median(healthMs).toFixed(0)} ms`],
    ['idle RSS < 100 MiB', rssAfter < 100, `${rssAfter.toFixed(0)} MiB`],
  ];
  console.log('\ntargets:');
  for (const [name, ok, value] of checks) console.log(`  ${ok ? 'ok  ' : 'MISS'} ${pad(name, 44)} ${value}`);
  const errors = summaries.flatMap((s) => [...s.errors].map(([op, count]) => `${s.name} ${op}: ${count} errors`));
  if (errors.length) console.log(`\nerrors during the runs: ${errors.join('; ')}`);
}

const args = parseCli(process.argv.slice(2));
// Ctrl-C stops the mix and still cleans up; a second one exits at once.
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  process.exitCode = 130;
  console.error('\ninterrupted: cleaning up what the bench made (Ctrl-C again to leave it)');
});
if (args.compare) await compare(args);
else if (args.endpoint) await single(args);
else {
  console.error('usage: tsx bench/control-plane.ts --endpoint URL [--seconds N] | --compare [--seconds N] [--rounds N] [--runs N] [--no-build]');
  process.exitCode = 2;
}
