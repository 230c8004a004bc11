/**
 * Load balancer benchmark: requests/s and p50/p99 latency through Berth's
 * Application Load Balancer against nginx as a reverse proxy to the same
 * backends, at the same concurrency, with wrk, in one run.
 *
 *   npx tsx bench/load-balancer.ts [--connections 64] [--seconds 5] [--rounds 3] [--workers N] [--no-build]
 *
 * Backends: two keep-alive HTTP servers in a separate Node process on
 * loopback ports (a 13-byte body). Peers: wrk straight to one backend (the
 * floor), nginx (Debian's package; `apt-get install nginx wrk`) configured
 * here as a round-robin reverse proxy with upstream keep-alive, and Berth's
 * ALB (the built CLI, --ephemeral) with a listener forwarding to a target
 * group holding both backends. Both proxies run --workers worker processes
 * (nginx worker_processes, BERTH_LB_WORKERS; default: Berth's default, one
 * per core up to 2). nginx and Berth take turns for --rounds runs of
 * --seconds each and the medians are compared, so that a shared machine's
 * noise hits both alike. Targets: Berth ≥ 0.8× nginx throughput and ≤ 2 ms
 * added p99.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EC2Client, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, CreateTargetGroupCommand, CreateListenerCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

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
const creds = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };

const children: ChildProcess[] = [];
const cleanup: (() => void)[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGTERM');
  for (const f of cleanup) f();
});

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => ok(port));
    });
  });
}

async function waitForPort(port: number, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const up = await new Promise<boolean>((ok) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); ok(true); });
      s.on('error', () => ok(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

async function startBackends(ports: number[]) {
  const code = `const http = require('http');
for (const p of ${JSON.stringify(ports)}) http.createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('hello, world\\n'); }).listen(p, '127.0.0.1');`;
  children.push(spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
  for (const p of ports) await waitForPort(p);
}

async function startNginx(port: number, backends: number[]) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-nginx-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes ${WORKERS};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backends { ${backends.map((p) => `server 127.0.0.1:${p};`).join(' ')} keepalive 128; }
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
  children.push(spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' }));
  await waitForPort(port);
}

async function startBerthAlb(port: number, backends: number[]): Promise<void> {
  if (!args.includes('--no-build')) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const child = spawn(process.execPath, ['bin/berth.js', 'up', '--ephemeral', '--port', '0', '--log-level', 'error'], {
    cwd: ROOT, env: { ...process.env, BERTH_LB_WORKERS: String(WORKERS) },
  });
  children.push(child);
  let out = '';
  const endpoint = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`berth did not start: ${out}`)), 15_000);
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /ready on (\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]);
      }
    });
  });
  const ec2 = new EC2Client({ ...creds, endpoint });
  const elb = new ElasticLoadBalancingV2Client({ ...creds, endpoint });
  const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets!;
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'bench', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers![0];
  const tg = (await elb.send(new CreateTargetGroupCommand({
    Name: 'bench', Protocol: 'HTTP', Port: 80, VpcId: subnets[0].VpcId, TargetType: 'ip',
    HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2,
  }))).TargetGroups![0];
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: backends.map((p) => ({ Id: '127.0.0.1', Port: p })) }));
  await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
  ec2.destroy();
  elb.destroy();
  await waitForPort(port);
  // Let both targets pass their checks (two 5 s intervals) so traffic is the steady state.
  await new Promise((r) => setTimeout(r, 6000));
}

interface Result { rps: number; p50: number; p99: number; errors: number }

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text)!;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function wrk(port: number): Promise<Result> {
  const { stdout } = await run('wrk', ['-t2', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', `http://127.0.0.1:${port}/`], { maxBuffer: 1 << 20 });
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

async function main() {
  const [b1, b2, nginxPort, berthPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  await startBackends([b1, b2]);
  await startNginx(nginxPort, [b1, b2]);
  await startBerthAlb(berthPort, [b1, b2]);

  const fmt = (name: string, r: Result) =>
    `${name.padEnd(22)} ${r.rps.toFixed(0).padStart(9)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   errors ${r.errors}`;
  console.log(`wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, ${ROUNDS} rounds (medians), ${WORKERS} worker process(es) for nginx and for Berth`);
  await wrk(berthPort); // warm-up: JIT, pooled connections
  await wrk(nginxPort);
  const direct = await wrk(b1);
  console.log(fmt('backend (direct)', direct));
  const nginxRuns: Result[] = [];
  const berthRuns: Result[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    nginxRuns.push(await wrk(nginxPort));
    berthRuns.push(await wrk(berthPort));
    const r = i + 1;
    console.log(`  round ${r}: nginx ${nginxRuns[i].rps.toFixed(0)} req/s p99 ${nginxRuns[i].p99.toFixed(2)} ms; Berth ${berthRuns[i].rps.toFixed(0)} req/s p99 ${berthRuns[i].p99.toFixed(2)} ms`);
  }
  const nginx = medianOf(nginxRuns);
  const berth = medianOf(berthRuns);
  console.log(fmt('nginx reverse proxy', nginx));
  console.log(fmt('Berth ALB', berth));
  const ratio = berth.rps / nginx.rps;
  const addedVsNginx = berth.p99 - nginx.p99;
  const addedVsDirect = berth.p99 - direct.p99;
  console.log(`throughput Berth/nginx: ${ratio.toFixed(2)}x (target >= 0.80x) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}`);
  console.log(`p99 added over nginx: ${addedVsNginx.toFixed(2)} ms; over the bare backend: ${addedVsDirect.toFixed(2)} ms (target <= 2 ms) ${addedVsNginx <= 2 ? 'OK' : 'ABOVE TARGET'}`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
