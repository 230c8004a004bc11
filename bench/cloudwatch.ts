/**
 * CloudWatch benchmark: PutMetricData and GetMetricData throughput and latency, Berth beside moto's
 * server (the peer), one SDK v3 client sending calls one at a time (JSON 1.0, the SDK's default; Berth
 * also through the SDK's rpc-v2-cbor protocol), printing per-operation p50/p99, calls per second and
 * Berth/moto ratios.
 *
 *   npx tsx bench/cloudwatch.ts [--seconds N] [--no-build]
 *
 * Each phase runs for a bounded time and call count; traffic goes to 127.0.0.1 only.
 * PutMetricData sends 20 datums per call (10 metrics × 2 hosts, each a value); GetMetricData asks for
 * 5 metrics' averages per minute over the last hour plus one math expression (SUM(METRICS())).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_CALLS = 50_000;

interface Target { name: string; endpoint: string; cbor?: boolean; stop(): Promise<void> }
interface Result { target: string; op: string; calls: number; perSec: number; p50: number; p99: number; errors: number }

async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  return port;
}

function stopper(child: ChildProcess) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
}

async function waitFor(url: string, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      await fetch(url);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return false;
}

async function startBerth(): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-semi-space-size=4', 'bin/berth.js', 'up', '--port', String(port), '--ephemeral', '--log-level', 'warn'], {
    cwd: ROOT, stdio: 'ignore', env: { ...process.env, BERTH_RUNTIME: 'fake' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${endpoint}/_berth/health`, 15_000))) throw new Error('berth did not start');
  return { name: 'berth', endpoint, stop: stopper(child) };
}

async function startMoto(): Promise<Target | undefined> {
  let bin = 'moto_server';
  try {
    bin = execFileSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).trim() || bin;
  } catch {
    console.log('moto: moto_server not found; skipped');
    return undefined;
  }
  const port = await freePort();
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await waitFor(`${endpoint}/moto-api/`, 30_000))) {
    await stopper(child)();
    console.log('moto: did not answer within 30 s; skipped');
    return undefined;
  }
  return { name: 'moto', endpoint, stop: stopper(child) };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function measure(target: string, op: string, seconds: number, call: () => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  while (performance.now() < until && lat.length < MAX_CALLS) {
    const s = performance.now();
    try {
      await call();
    } catch {
      errors++;
    }
    lat.push(performance.now() - s);
  }
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { target, op, calls: lat.length, perSec: lat.length / elapsed, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), errors };
}

const METRICS = Array.from({ length: 10 }, (_, i) => `Metric${i}`);
const HOSTS = ['a', 'b'];

async function run(t: Target, seconds: number): Promise<Result[]> {
  const client = new CloudWatchClient({
    region: 'us-east-1', endpoint: t.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1,
    ...(t.cbor ? { protocol: AwsSmithyRpcV2CborProtocol as never } : {}),
  });
  const ns = `Bench${t.cbor ? 'Cbor' : ''}`;
  let n = 0;
  const put = () => client.send(new PutMetricDataCommand({
    Namespace: ns,
    MetricData: METRICS.flatMap((m) => HOSTS.map((h) => ({ MetricName: m, Dimensions: [{ Name: 'Host', Value: h }], Value: (n++ % 100) + 0.5, Unit: 'Count' as const }))),
  }));
  const queries: MetricDataQuery[] = [
    ...METRICS.slice(0, 5).map((m, i) => ({ Id: `m${i}`, MetricStat: { Metric: { Namespace: ns, MetricName: m, Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 60, Stat: 'Average' }, ReturnData: false })),
    { Id: 'total', Expression: 'SUM(METRICS())' },
  ];
  const get = () => client.send(new GetMetricDataCommand({ StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: queries }));
  const label = t.cbor ? `${t.name} (cbor)` : t.name;
  const out = [await measure(label, 'PutMetricData', seconds, put), await measure(label, 'GetMetricData', seconds, get)];
  client.destroy();
  return out;
}

async function main() {
  const argv = process.argv.slice(2);
  const seconds = Math.min(Math.max(Number(argv[argv.indexOf('--seconds') + 1]) || 5, 1), 60);
  if (!argv.includes('--no-build')) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const results: Result[] = [];
  const berth = await startBerth();
  try {
    results.push(...(await run(berth, seconds)));
    results.push(...(await run({ ...berth, cbor: true }, seconds)));
  } finally {
    await berth.stop();
  }
  const moto = await startMoto();
  if (moto) {
    try {
      results.push(...(await run(moto, seconds)));
    } finally {
      await moto.stop();
    }
  }
  console.log(`\n${seconds} s per operation, one client, sequential calls`);
  console.log('target         operation        calls   calls/s   p50 ms   p99 ms  errors');
  for (const r of results) {
    console.log(`${r.target.padEnd(14)} ${r.op.padEnd(15)} ${String(r.calls).padStart(6)} ${r.perSec.toFixed(0).padStart(9)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.errors).padStart(7)}`);
  }
  for (const op of ['PutMetricData', 'GetMetricData']) {
    const b = results.find((r) => r.target === 'berth' && r.op === op);
    const m = results.find((r) => r.target === 'moto' && r.op === op);
    if (b && m) console.log(`berth/moto ${op}: ${(b.perSec / m.perSec).toFixed(2)}x calls/s, p50 ${(m.p50 / b.p50).toFixed(2)}x faster`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
