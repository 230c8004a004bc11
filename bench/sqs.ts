/**
 * SQS benchmark: Berth beside moto's server (the peer users run locally for SQS), SDK v3 clients (JSON 1.0)
 * on 127.0.0.1, printing throughput, latencies and Berth/moto ratios.
 *
 *   npx tsx bench/sqs.ts [--seconds N] [--no-build]
 *
 * - send/receive/delete: 1 and 8 clients, each looping SendMessage → ReceiveMessage → DeleteMessage on one
 *   shared queue for a bounded time; reports message cycles per second and each call's p50/p99.
 * - long-poll wake-up: one receiver waits (WaitTimeSeconds 20) while a message is sent; the wake-up latency is
 *   the time from the SendMessage's acknowledgement to the receiver's answer (target: p99 ≤ 5 ms). 200 rounds.
 * Messages lost across kill -9 are the test test/integration/sqs/durability.test.ts (0 expected).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { percentile, startBerth, startMoto, type Target } from './peers.js';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAX_CYCLES = 100_000;
const WAKE_ROUNDS = 200;

interface Throughput { target: string; clients: number; cycles: number; perSec: number; p50: Record<string, number>; p99: Record<string, number>; errors: number }
interface Wake { target: string; rounds: number; p50: number; p99: number; max: number; missed: number }

const client = (t: Target) => new SQSClient({ region: 'us-east-1', endpoint: t.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

async function throughput(t: Target, clients: number, seconds: number): Promise<Throughput> {
  const admin = client(t);
  const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: `bench-${clients}-${Date.now()}` }));
  admin.destroy();
  const lat: Record<string, number[]> = { send: [], receive: [], delete: [] };
  let cycles = 0;
  let errors = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const timed = async <T>(op: string, call: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const out = await call();
    lat[op].push(performance.now() - s);
    return out;
  };
  const worker = async () => {
    const c = client(t);
    try {
      for (let i = 0; i < 10; i++) await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'warm' })); // warm-up (drained below)
      while (performance.now() < until && cycles < MAX_CYCLES) {
        try {
          await timed('send', () => c.send(new SendMessageCommand({ QueueUrl, MessageBody: `message ${cycles}` })));
          const r = await timed('receive', () => c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 })));
          const m = r.Messages?.[0];
          if (m) await timed('delete', () => c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle })));
          cycles++;
        } catch {
          errors++;
        }
      }
    } finally {
      c.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const p50: Record<string, number> = {};
  const p99: Record<string, number> = {};
  for (const [op, l] of Object.entries(lat)) {
    l.sort((a, b) => a - b);
    p50[op] = percentile(l, 0.5);
    p99[op] = percentile(l, 0.99);
  }
  return { target: t.name, clients, cycles, perSec: cycles / elapsed, p50, p99, errors };
}

async function wakeUp(t: Target): Promise<Wake> {
  const receiver = client(t);
  const sender = client(t);
  const { QueueUrl } = await sender.send(new CreateQueueCommand({ QueueName: `bench-wake-${Date.now()}` }));
  const lat: number[] = [];
  let missed = 0;
  for (let i = 0; i < WAKE_ROUNDS + 10; i++) {
    let answeredAt = 0;
    const waiting = receiver.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).then((r) => {
      answeredAt = performance.now();
      return r;
    });
    await new Promise((r) => setTimeout(r, 5)); // let the receive reach the server and start waiting
    await sender.send(new SendMessageCommand({ QueueUrl, MessageBody: `wake ${i}` }));
    const ackedAt = performance.now();
    const r = await waiting;
    const m = r.Messages?.[0];
    if (!m) {
      missed++;
      continue;
    }
    await sender.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    // The answer may beat the acknowledgement home: that is a wake-up of 0.
    if (i >= 10) lat.push(Math.max(0, answeredAt - ackedAt));
  }
  receiver.destroy();
  sender.destroy();
  lat.sort((a, b) => a - b);
  return { target: t.name, rounds: lat.length, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: lat[lat.length - 1] ?? NaN, missed };
}

async function runAll(t: Target, seconds: number, through: Throughput[], wakes: Wake[]) {
  for (const n of [1, 8]) through.push(await throughput(t, n, seconds));
  wakes.push(await wakeUp(t));
}

async function main() {
  const argv = process.argv.slice(2);
  const seconds = Math.min(Math.max(Number(argv[argv.indexOf('--seconds') + 1]) || 5, 1), 60);
  if (!argv.includes('--no-build')) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const through: Throughput[] = [];
  const wakes: Wake[] = [];
  const berth = await startBerth();
  try {
    await runAll(berth, seconds, through, wakes);
  } finally {
    await berth.stop();
  }
  const moto = await startMoto();
  if (moto) {
    try {
      await runAll(moto, seconds, through, wakes);
    } finally {
      await moto.stop();
    }
  }
  const f = (n: number) => n.toFixed(2).padStart(7);
  console.log(`\nsend → receive → delete cycles, ${seconds} s per row, one shared standard queue`);
  console.log('target  clients  cycles  cycles/s   send p50/p99     receive p50/p99   delete p50/p99   errors');
  for (const r of through) {
    console.log(`${r.target.padEnd(7)} ${String(r.clients).padStart(7)} ${String(r.cycles).padStart(7)} ${r.perSec.toFixed(0).padStart(9)}  ${f(r.p50.send)}/${f(r.p99.send)}  ${f(r.p50.receive)}/${f(r.p99.receive)}  ${f(r.p50.delete)}/${f(r.p99.delete)} ${String(r.errors).padStart(7)}`);
  }
  console.log(`\nlong-poll wake-up (acknowledged send → waiting receiver answered), ms`);
  console.log('target  rounds     p50     p99     max  missed');
  for (const w of wakes) console.log(`${w.target.padEnd(7)} ${String(w.rounds).padStart(6)} ${f(w.p50)} ${f(w.p99)} ${f(w.max)} ${String(w.missed).padStart(7)}`);
  for (const n of [1, 8]) {
    const b = through.find((r) => r.target === 'berth' && r.clients === n);
    const m = through.find((r) => r.target === 'moto' && r.clients === n);
    if (b && m) console.log(`berth/moto ${n} client(s): ${(b.perSec / m.perSec).toFixed(2)}x cycles/s`);
  }
  const bw = wakes.find((w) => w.target === 'berth');
  const mw = wakes.find((w) => w.target === 'moto');
  if (bw && mw) console.log(`berth/moto wake-up p99: ${(mw.p99 / bw.p99).toFixed(2)}x faster`);
  if (bw) console.log(`berth wake-up p99 ${bw.p99.toFixed(2)} ms: ${bw.p99 <= 5 ? 'within' : 'OVER'} the 5 ms target`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
