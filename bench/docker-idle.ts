/**
 * Idle cost on Docker (issue 15): Berth runs N Fargate tasks of a tiny busybox `sleep` (each two containers: the
 * task's and its awsvpc pause container) on the local Docker engine, then sends nothing, and Berth's own CPU is
 * measured from /proc over a window longer than one sweep round (every task comes round about once a minute).
 * Target: 200 running containers idle at ≤ 1 % of one core. No peer: this measures Berth, not a rival.
 *
 *   npx tsx bench/docker-idle.ts [--tasks 100] [--seconds 75] [--root DIR]
 *
 * --root runs the Berth built in another checkout (its bin/berth.js and dist/), to compare with a baseline.
 * Berth runs as a child process with a temp data dir; its containers (found by its instance label), the child and
 * the dir are removed at the end, on Ctrl-C too. Traffic goes to 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { EC2Client, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { ensureBusyboxImage } from '../test/helpers/images.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : dflt;
};
const TASKS = Number(opt('--tasks', '100'));
const SECONDS = Number(opt('--seconds', '75'));
const ROOT = opt('--root', fileURLToPath(new URL('..', import.meta.url)));
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const docker = (...a: string[]) => execFileSync('docker', a, { encoding: 'utf8' }).trim();

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

const dir = mkdtempSync(join(tmpdir(), 'berth-docker-idle-'));
let child: ChildProcess | undefined;
let instance = '';

async function cleanup() {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
  if (instance) {
    const ids = docker('ps', '-aq', '--filter', `label=berth.instance=${instance}`).split('\n').filter(Boolean);
    for (let i = 0; i < ids.length; i += 50) docker('rm', '-f', ...ids.slice(i, i + 50));
  }
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));

async function main() {
  const image = ensureBusyboxImage();
  const flags = /^#!.*?node (.*)$/m.exec(readFileSync(join(ROOT, 'bin/berth.js'), 'utf8'))?.[1].split(' ') ?? [];
  child = spawn(process.execPath, [...flags, 'bin/berth.js', 'up', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child!.stdout!.on('data', (c) => {
      out += c;
      const m = / ready on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child!.once('exit', (code) => reject(new Error(`berth exited ${code}: ${out}`)));
  });
  child.stdout!.resume();
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  const ecs = new ECSClient(config);
  const ec2 = new EC2Client(config);
  const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets!.map((s) => s.SubnetId!);
  await ecs.send(new CreateClusterCommand({ clusterName: 'idle' }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'idle', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
    containerDefinitions: [{ name: 'main', image, essential: true, command: ['sleep', '86400'], stopTimeout: 1 }],
  }));
  const arns: string[] = [];
  const t0 = performance.now();
  while (arns.length < TASKS) {
    const out = await ecs.send(new RunTaskCommand({
      cluster: 'idle', taskDefinition: 'idle', launchType: 'FARGATE', count: Math.min(10, TASKS - arns.length),
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnets[0]] } },
    }));
    arns.push(...out.tasks!.map((t) => t.taskArn!));
  }
  for (;;) {
    let running = 0;
    for (let i = 0; i < arns.length; i += 100) {
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'idle', tasks: arns.slice(i, i + 100) }));
      running += tasks!.filter((t) => t.lastStatus === 'RUNNING').length;
    }
    if (running === arns.length) break;
    if (performance.now() - t0 > 600_000) throw new Error(`only ${running} of ${arns.length} tasks RUNNING after 10 min`);
    await sleep(2000);
  }
  instance = docker('inspect', '-f', '{{ index .Config.Labels "berth.instance" }}',
    docker('ps', '-q', '--filter', `label=berth.task-arn=${arns[0]}`).split('\n')[0]);
  const containers = docker('ps', '-q', '--filter', `label=berth.instance=${instance}`).split('\n').filter(Boolean).length;
  console.log(`${arns.length} tasks RUNNING (${containers} running containers) after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  ecs.destroy();
  ec2.destroy();
  // Let the start-up work settle, then measure over more than one sweep round.
  await sleep(15_000);
  const c0 = cpuSeconds(child.pid!);
  const w0 = performance.now();
  await sleep(SECONDS * 1000);
  const share = (cpuSeconds(child.pid!) - c0) / ((performance.now() - w0) / 1000);
  console.log(`idle CPU of Berth over ${SECONDS} s with ${containers} running containers: ${(share * 100).toFixed(2)} % of one core`
    + ` · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
}

main().then(cleanup, async (err) => {
  console.error(err);
  await cleanup();
  process.exitCode = 1;
});
