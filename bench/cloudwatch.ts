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
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile, startBerth, startMoto, type Target as Peer } from './peers.js';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_CALLS = 50_000;

type Target = Peer & { cbor?: boolean };
interface Result { target: string; op: string; calls: number; perSec: number; p50: number; p99: number; errors: number }


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
