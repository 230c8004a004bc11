/**
 * ECS Express Mode benchmark (issue 19): seconds from the CreateExpressGatewayService call to the first 200 from the
 * service URL, beside the same steps done by hand on the engine: `docker run` of the same image + the first 200 from
 * its published port. Target: create-to-serving ≤ raw engine time + 2 s.
 *
 *   npx tsx bench/express.ts [--runs 3] [--no-build]
 *
 * The image (busybox httpd, fixtures/images/build-busybox.sh) is pushed to Berth's ECR first, and both sides run
 * that reference. Berth's URL is polled over HTTP on Berth's main port (the URL as Host) and over HTTPS on the shared
 * load balancer's HTTPS listener (trusting the local CA, the name resolved to 127.0.0.1); the raw side over HTTP on
 * the container's published port. Every poll goes to 127.0.0.1 every 25 ms, bounded by DEADLINE_MS. Berth is the
 * built CLI (--ephemeral) on a random loopback port. The first Express service also makes the shared load balancer
 * (and Berth's local CA): its run is shown apart from the median of the others.
 */
import { execFile, execFileSync } from 'node:child_process';
import { startBerthOnEngine } from './peers.js';
import http from 'node:http';
import https from 'node:https';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CreateExpressGatewayServiceCommand, DeleteExpressGatewayServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const BASE = 'berth-test/busybox:2';
const DEADLINE_MS = 60_000;
const POLL_MS = 25;
const args = process.argv.slice(2);
const RUNS = (() => {
  const i = args.indexOf('--runs');
  return i >= 0 ? Number(args[i + 1]) : 3;
})();
// httpd in the background and a shell that exits on SIGTERM (the same command on both sides).
const COMMAND = ['sh', '-c', "trap 'exit 0' TERM; mkdir -p /www; echo ok > /www/index.html; httpd -p 8080 -h /www; while true; do sleep 1; done"];
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

const startBerth = () => startBerthOnEngine({ build: !args.includes('--no-build') });

/** One GET / to 127.0.0.1:port (as `host`, over TLS trusting `ca` when given): its status, 0 when it fails. */
function status(port: number, host: string, ca?: string): Promise<number> {
  return new Promise((resolve) => {
    const opts = { host: '127.0.0.1', port, path: '/', headers: { host }, agent: false as const, timeout: 2000 };
    const req = ca ? https.get({ ...opts, servername: host.split(':')[0], ca }, done) : http.get(opts, done);
    function done(res: http.IncomingMessage) {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Milliseconds from t0 until `probe` answers 200. */
async function firstOk(t0: number, probe: () => Promise<number>): Promise<number> {
  const end = Date.now() + DEADLINE_MS;
  while (Date.now() < end) {
    if ((await probe()) === 200) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error('timed out waiting for a 200');
}

async function httpsPort(endpoint: string): Promise<number> {
  const end = Date.now() + DEADLINE_MS;
  while (Date.now() < end) {
    const { loadBalancers } = (await (await fetch(`${endpoint}/_berth/load-balancers`)).json()) as { loadBalancers: { listeners: { protocol: string; boundPort: number | null }[] }[] };
    const port = loadBalancers.flatMap((lb) => lb.listeners).find((l) => l.protocol === 'HTTPS')?.boundPort;
    if (port) return port;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error('the HTTPS listener was not bound');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => (ms / 1000).toFixed(2).padStart(6);

async function main() {
  execFileSync(`${ROOT}/fixtures/images/build-busybox.sh`, [BASE], { stdio: 'ignore' });
  const berth = await startBerth();
  const ecs = new ECSClient({ endpoint: berth.endpoint, region: 'us-east-1', credentials: creds });
  const ecr = new ECRClient({ endpoint: berth.endpoint, region: 'us-east-1', credentials: creds });
  const dockerConfig = mkdtempSync(join(tmpdir(), 'berth-bench-docker-'));
  const docker = (a: string[], input?: string) => new Promise<string>((ok, fail) => {
    const child = execFile('docker', a, { env: { ...process.env, DOCKER_CONFIG: dockerConfig } }, (err, stdout, stderr) => (err ? fail(new Error(`docker ${a.join(' ')}: ${stderr}`)) : ok(stdout)));
    child.stdin?.end(input ?? '');
  });
  const raws: string[] = [];
  const services: string[] = [];
  let image = '';
  try {
    const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bench/express' }))).repository!.repositoryUri!;
    const auth = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
    await docker(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
    image = `${repo}:v1`;
    await docker(['tag', BASE, image]);
    await docker(['push', image]);
    const ca = ((await (await fetch(`${berth.endpoint}/_berth/local-ca`)).json()) as { certificate: string }).certificate;

    const rows: { berthHttp: number; berthHttps: number; raw: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Berth: one create call, then the first 200 from the URL (HTTP on Berth's port; HTTPS on the listener's).
      const t0 = performance.now();
      const { service } = await ecs.send(new CreateExpressGatewayServiceCommand({
        serviceName: `bench-${i}`, executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
        infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices',
        primaryContainer: { image, containerPort: 8080, command: COMMAND }, cpu: '256', memory: '512',
        scalingTarget: { minTaskCount: 1, maxTaskCount: 1 },
      }));
      services.push(service!.serviceArn!);
      const host = service!.activeConfigurations![0].ingressPaths![0].endpoint!;
      const [berthHttp, berthHttps] = await Promise.all([
        firstOk(t0, () => status(berth.port, `${host}:${berth.port}`)),
        httpsPort(berth.endpoint).then((port) => firstOk(t0, () => status(port, `${host}:${port}`, ca))),
      ]);
      // By hand: docker run of the same image with a published port, then the first 200 from it.
      const r0 = performance.now();
      const id = (await run('docker', ['run', '-d', '--label', 'berth.bench=express-raw', '-p', '127.0.0.1::8080', image, ...COMMAND])).stdout.trim();
      raws.push(id);
      const port = Number((await run('docker', ['port', id, '8080/tcp'])).stdout.trim().split('\n')[0].split(':').pop());
      const raw = await firstOk(r0, () => status(port, `127.0.0.1:${port}`));
      rows.push({ berthHttp, berthHttps, raw });
      console.log(`run ${i + 1}: berth create→200 HTTP ${s(berthHttp)} s, HTTPS ${s(berthHttps)} s; raw docker run→200 ${s(raw)} s`);
    }
    const rest = rows.length > 1 ? rows.slice(1) : rows;
    const m = { berthHttp: median(rest.map((r) => r.berthHttp)), berthHttps: median(rest.map((r) => r.berthHttps)), raw: median(rest.map((r) => r.raw)) };
    const worst = Math.max(m.berthHttp, m.berthHttps);
    console.log(`\nECS Express create → first 200 (${image}), ${rows.length} runs; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`first run (makes the load balancer and the CA): HTTP ${s(rows[0].berthHttp)} s, HTTPS ${s(rows[0].berthHttps)} s, raw ${s(rows[0].raw)} s`);
    console.log(`median of ${rest.length === rows.length ? 'all' : 'the rest'}:  berth HTTP ${s(m.berthHttp)} s, HTTPS ${s(m.berthHttps)} s, raw docker run ${s(m.raw)} s`);
    console.log(`ratio ${(worst / m.raw).toFixed(2)}x; target ≤ raw + 2 s = ${s(m.raw + 2000)} s → ${worst <= m.raw + 2000 ? 'ok' : 'MISS'}`);
  } finally {
    for (const serviceArn of services) await ecs.send(new DeleteExpressGatewayServiceCommand({ serviceArn })).catch(() => undefined);
    if (raws.length) await run('docker', ['rm', '-f', ...raws]).catch(() => undefined);
    if (image) await run('docker', ['rmi', image]).catch(() => undefined);
    rmSync(dockerConfig, { recursive: true, force: true });
    ecs.destroy();
    ecr.destroy();
    berth.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
