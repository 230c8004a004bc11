/**
 * Task-start benchmark: RunTask → RUNNING latency on the local Docker engine,
 * side by side with raw `docker run -d` of the same image, in one run.
 *
 *   npx tsx bench/task-start.ts [--tasks 20] [--burst 50] [--no-build]
 *
 * Sequential: N tasks one after another (p50/p95). Burst: B tasks at once
 * (RunTask count=10 calls in parallel) until all are RUNNING, against B
 * parallel `docker run -d`. Berth is the built CLI (--ephemeral) on a random
 * loopback port. A Fargate task is awsvpc: Berth starts the task's pause
 * container and the app container, so it does twice the engine work of the
 * raw `docker run`. Every loop is bounded in count and time.
 */
import { execFile, execFileSync } from 'node:child_process';
import { startBerthOnEngine } from './peers.js';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const IMAGE = 'berth-test/busybox:2';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const TASKS = flag('tasks', 20);
const BURST = flag('burst', 50);
const DEADLINE_MS = 120_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const startBerth = () => startBerthOnEngine({ build: !args.includes('--no-build') });

async function waitRunning(ecs: ECSClient, arns: string[], start: number, until: number): Promise<Map<string, number>> {
  const done = new Map<string, number>();
  while (done.size < arns.length && Date.now() < until) {
    const pending = arns.filter((a) => !done.has(a));
    for (let i = 0; i < pending.length; i += 100) {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: pending.slice(i, i + 100) }));
      for (const t of out.tasks ?? []) {
        if (t.lastStatus === 'RUNNING') done.set(t.taskArn!, performance.now() - start);
        if (t.lastStatus === 'STOPPED') throw new Error(`task stopped: ${t.stoppedReason}`);
      }
    }
    if (done.size < arns.length) await new Promise((r) => setTimeout(r, 10));
  }
  if (done.size < arns.length) throw new Error('timed out waiting for tasks');
  return done;
}

async function rawDockerRun(): Promise<{ id: string; ms: number }> {
  const t0 = performance.now();
  const { stdout } = await run('docker', ['run', '-d', '--label', 'berth.bench=raw', IMAGE, 'sleep', '600']);
  return { id: stdout.trim(), ms: performance.now() - t0 };
}

async function main() {
  execFileSync(`${ROOT}/fixtures/images/build-busybox.sh`, [IMAGE], { stdio: 'ignore' });
  const berth = await startBerth();
  const ecs = new ECSClient({ endpoint: berth.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'bench', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: IMAGE, essential: true, command: ['sleep', '600'], stopTimeout: 1 }],
    }));
    const ec2 = new EC2Client({ endpoint: berth.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    ec2.destroy();
    const net = { awsvpcConfiguration: { subnets: Subnets!.slice(0, 2).map((x) => x.SubnetId!) } };
    const runTasks = async (count: number) => {
      const calls = [];
      for (let left = count; left > 0; left -= 10) {
        calls.push(ecs.send(new RunTaskCommand({ cluster: 'bench', taskDefinition: 'bench', launchType: 'FARGATE', networkConfiguration: net, count: Math.min(10, left) })));
      }
      return (await Promise.all(calls)).flatMap((o) => o.tasks!.map((t) => t.taskArn!));
    };
    const stopAll = async (arns: string[]) => {
      await Promise.all(arns.map((a) => ecs.send(new StopTaskCommand({ cluster: 'bench', task: a }))));
    };
    // Warm-up: builds the pause image once.
    const warm = await runTasks(1);
    await waitRunning(ecs, warm, performance.now(), Date.now() + DEADLINE_MS);
    await stopAll(warm);

    const berthSeq: number[] = [];
    const rawSeq: number[] = [];
    const started: string[] = [];
    const rawIds: string[] = [];
    const deadline = Date.now() + DEADLINE_MS;
    for (let i = 0; i < TASKS && Date.now() < deadline; i++) {
      const t0 = performance.now();
      const [arn] = await runTasks(1);
      const done = await waitRunning(ecs, [arn], t0, deadline);
      berthSeq.push(done.get(arn)!);
      started.push(arn);
      const raw = await rawDockerRun();
      rawSeq.push(raw.ms);
      rawIds.push(raw.id);
    }
    await stopAll(started);
    await run('docker', ['rm', '-f', ...rawIds]);

    const b0 = performance.now();
    const burst = await runTasks(BURST);
    const burstDone = await waitRunning(ecs, burst, b0, Date.now() + DEADLINE_MS);
    const berthBurst = Math.max(...burstDone.values());
    await stopAll(burst);
    const r0 = performance.now();
    const raws = await Promise.all(Array.from({ length: BURST }, () => rawDockerRun()));
    const rawBurst = performance.now() - r0;
    await run('docker', ['rm', '-f', ...raws.map((r) => r.id)]);

    const f = (n: number) => n.toFixed(0).padStart(7);
    console.log(`\ntask start on Docker (${IMAGE}), ${berthSeq.length} sequential, ${BURST} at once`);
    console.log('                         p50 ms   p95 ms');
    console.log(`berth RunTask→RUNNING  ${f(pct(berthSeq, 50))}  ${f(pct(berthSeq, 95))}`);
    console.log(`raw docker run -d      ${f(pct(rawSeq, 50))}  ${f(pct(rawSeq, 95))}`);
    console.log(`ratio p50 ${(pct(berthSeq, 50) / pct(rawSeq, 50)).toFixed(2)}x  (target: ≤ 1.2× raw + 100 ms = ${(1.2 * pct(rawSeq, 50) + 100).toFixed(0)} ms → ${pct(berthSeq, 50) <= 1.2 * pct(rawSeq, 50) + 100 ? 'ok' : 'MISS'})`);
    console.log(`burst of ${BURST}: berth all RUNNING ${berthBurst.toFixed(0)} ms, raw ${rawBurst.toFixed(0)} ms, ratio ${(berthBurst / rawBurst).toFixed(2)}x (target ≤ 1.5× → ${berthBurst <= 1.5 * rawBurst ? 'ok' : 'MISS'})`);
  } finally {
    ecs.destroy();
    berth.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
