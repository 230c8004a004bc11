/**
 * Registry benchmark: skopeo pushes and pulls a ~256 MiB multi-layer image
 * (incompressible gzip layers, which skopeo passes through as they are) to
 * and from Berth's registry and, side by side in the same run, CNCF
 * distribution (Debian's `docker-registry`), each on its own loopback port
 * with a fresh data dir; then every layer GET at once with curl, which
 * measures the registries without skopeo's own costs. Prints MiB/s,
 * Berth/distribution ratios, the seconds a re-push of the unchanged image
 * takes, and Berth's RSS growth while a single large layer (1 GiB by
 * default) is pushed.
 *
 *   npx tsx bench/registry.ts [--rounds N] [--image-mib N] [--big-layer-mib N] [--no-build]
 *
 * Targets (issue 3): push and pull >= 1.0x distribution, re-push < 1 s, RSS
 * growth during the large layer push < 64 MiB. Traffic stays on 127.0.0.1.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlib, createGzip } from 'node:zlib';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIB = 1024 * 1024;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = flag('rounds', 3);
const IMAGE_MIB = flag('image-mib', 256);
const BIG_LAYER_MIB = flag('big-layer-mib', 1024);

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});

function run(cmd: string, args: string[]): Promise<{ seconds: number; stderr: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * MIB }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed:\n${stderr}`));
      else resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, stderr });
    });
  });
}

// --- the image: an OCI layout with incompressible layers ----------------------

/**
 * Writes `mib` MiB of random bytes as a gzip layer blob, deflate level 0
 * (stored blocks: valid gzip, no compression work). Skopeo gzips a layer it
 * finds uncompressed before pushing it, which made an earlier version of this
 * bench measure skopeo's gzip rather than the registries; a layer that is
 * gzip already goes through untouched, as a real image's layers do.
 */
async function writeLayer(dir: string, mib: number): Promise<{ digest: string; size: number }> {
  const tmp = join(dir, `layer-${randomBytes(4).toString('hex')}`);
  const out = createWriteStream(tmp);
  const hash = createHash('sha256');
  let size = 0;
  const gzip = createGzip({ level: zlib.Z_NO_COMPRESSION });
  gzip.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
    if (!out.write(c)) {
      gzip.pause();
      out.once('drain', () => gzip.resume());
    }
  });
  const unit = randomBytes(MIB);
  for (let i = 0; i < mib; i++) {
    // Vary every MiB so no two layers (or MiBs) are alike.
    unit.writeUInt32LE(i, 0);
    unit.writeUInt32LE(mib, 4);
    if (!gzip.write(Buffer.from(unit))) await once(gzip, 'drain');
  }
  gzip.end();
  await once(gzip, 'end');
  out.end();
  await once(out, 'finish');
  const digest = `sha256:${hash.digest('hex')}`;
  execFileSync('mv', [tmp, join(dir, 'blobs', 'sha256', digest.slice(7))]);
  return { digest, size };
}

async function buildLayout(dir: string, layerMibs: number[]): Promise<{ bytes: number; layers: { digest: string; size: number }[] }> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const layers = [];
  for (const mib of layerMibs) layers.push(await writeLayer(dir, mib));
  const blob = (bytes: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const config = blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } })));
  const manifest = blob(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...l })),
  })));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
  }));
  return { bytes: layers.reduce((n, l) => n + l.size, 0), layers };
}

// --- the two registries -------------------------------------------------------

interface Target {
  name: string;
  /** host:port/repository (no tag). */
  repo: string;
  creds: string[];
  pid: number;
  stop(): Promise<void>;
}

async function waitFor(url: string, child: ChildProcess, log: () => string) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${log()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`did not start:\n${log()}`);
}

async function startBerth(dataDir: string): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/berth.js', 'up', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    cwd: ROOT, env: { ...process.env, BERTH_RUNTIME: 'fake' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(`${endpoint}/_berth/health`, child, () => log);
  const ecr = new ECRClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'bench/app' }));
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const creds = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString();
  return {
    name: 'berth', repo: repository!.repositoryUri!, creds: [creds], pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function startDistribution(dataDir: string): Promise<Target> {
  const port = await freePort();
  const config = join(dataDir, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${join(dataDir, 'data')} }, delete: { enabled: true } }`,
    `http: { addr: 127.0.0.1:${port} }`,
    '',
  ].join('\n'));
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c) => (log += c));
  child.stderr!.on('data', (c) => (log += c));
  await waitFor(`http://127.0.0.1:${port}/v2/`, child, () => log);
  return {
    name: 'distribution', repo: `127.0.0.1:${port}/bench/app`, creds: [], pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// --- measurements --------------------------------------------------------------

const rssMib = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

const destCreds = (t: Target) => (t.creds.length ? ['--dest-creds', t.creds[0]] : ['--dest-no-creds']);
const srcCreds = (t: Target) => (t.creds.length ? ['--src-creds', t.creds[0]] : ['--src-no-creds']);

async function push(t: Target, layout: string, tag: string) {
  return run('skopeo', ['copy', '--dest-tls-verify=false', ...destCreds(t), `oci:${layout}:bench`, `docker://${t.repo}:${tag}`]);
}

async function pull(t: Target, tag: string, out: string) {
  rmSync(out, { recursive: true, force: true });
  return run('skopeo', ['copy', '--src-tls-verify=false', ...srcCreds(t), `docker://${t.repo}:${tag}`, `oci:${out}:bench`]);
}

/** Reads a layout once so both registries push from a warm page cache. */
function warm(layout: string) {
  execFileSync('sh', ['-c', `cat ${layout}/blobs/sha256/* > /dev/null`]);
}

/**
 * The registry alone: every layer fetched at once with curl into /dev/null,
 * as a puller fetches layers in parallel, but without the client's own
 * digest checks and disk writes (which bound skopeo's pull at a few hundred
 * MiB/s here, whichever registry serves it).
 */
async function rawPull(t: Target, layers: { digest: string; size: number }[]) {
  const [host, ...path] = t.repo.split('/');
  const started = process.hrtime.bigint();
  await Promise.all(layers.map(async (l) => {
    const { stdout } = await runOut('curl', ['-sf', '-o', '/dev/null', '-w', '%{size_download}', ...(t.creds.length ? ['-u', t.creds[0]] : []),
      `http://${host}/v2/${path.join('/')}/blobs/${l.digest}`]);
    if (Number(stdout) !== l.size) throw new Error(`${t.name}: ${l.digest} came back with ${stdout} bytes, not ${l.size}`);
  }));
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function runOut(cmd: string, args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: MIB }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${stderr}`)) : resolve({ stdout })));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Samples { push: number[]; pull: number[]; repush: number[]; raw: number[] }

/** One round on a fresh registry: a cold push, a re-push of the unchanged image under a new tag, a pull, a raw layer fetch. */
async function round(t: Target, layout: string, work: string, layers: { digest: string; size: number }[], into: Samples) {
  into.push.push((await push(t, layout, 'v1')).seconds);
  into.repush.push((await push(t, layout, 'v1-again')).seconds);
  into.pull.push((await pull(t, 'v1', join(work, `pull-${t.name}`))).seconds);
  into.raw.push(await rawPull(t, layers));
}

const STARTERS = { berth: startBerth, distribution: startDistribution };

async function fresh(name: keyof typeof STARTERS, work: string): Promise<Target> {
  const dir = join(work, `${name}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return STARTERS[name](dir);
}

async function main() {
  if (!process.argv.includes('--no-build')) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
    } catch { /* type errors elsewhere still emit dist/ */ }
  }
  for (const bin of ['skopeo', 'docker-registry', 'curl']) {
    try {
      execFileSync('which', [bin], { stdio: 'ignore' });
    } catch {
      throw new Error(`${bin} is not installed (apt-get install ${bin})`);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-registry-'));
  try {
    // ~256 MiB in layers of decreasing size, like an application image on a base.
    const parts = [0.5, 0.25, 0.125, 0.0625, 0.0625].map((f) => Math.max(1, Math.round(IMAGE_MIB * f)));
    console.log(`building a ${parts.reduce((a, b) => a + b)} MiB image (${parts.join(' + ')} MiB layers) and a ${BIG_LAYER_MIB} MiB single-layer image…`);
    const { bytes, layers } = await buildLayout(join(work, 'image'), parts);
    const { bytes: bigBytes } = await buildLayout(join(work, 'big'), [BIG_LAYER_MIB]);

    const samples: Record<string, Samples> = {
      berth: { push: [], pull: [], repush: [], raw: [] }, distribution: { push: [], pull: [], repush: [], raw: [] },
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate who goes first, so page-cache warmth does not favour one side.
      const order = (r % 2 ? ['distribution', 'berth'] : ['berth', 'distribution']) as (keyof typeof STARTERS)[];
      for (const name of order) {
        warm(join(work, 'image'));
        const t = await fresh(name, work);
        try {
          await round(t, join(work, 'image'), work, layers, samples[name]);
        } finally {
          await t.stop();
        }
      }
    }
    for (const [name, s] of Object.entries(samples)) {
      const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
      console.log(`${name} seconds per round: push ${fmt(s.push)} | re-push ${fmt(s.repush)} | pull ${fmt(s.pull)} | layers (curl) ${fmt(s.raw)}`);
    }
    const results: Record<string, { pushMiBs: number; pullMiBs: number; rawMiBs: number; repushSeconds: number }> = {};
    for (const [name, s] of Object.entries(samples)) {
      results[name] = {
        pushMiBs: bytes / MIB / median(s.push), pullMiBs: bytes / MIB / median(s.pull), rawMiBs: bytes / MIB / median(s.raw), repushSeconds: median(s.repush),
      };
    }

    // The large layer: a fresh registry per push, alternating who goes first; Berth's RSS sampled throughout.
    let rssGrowth = 0;
    const bigSeconds: Record<string, number[]> = { berth: [], distribution: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = (r % 2 ? ['distribution', 'berth'] : ['berth', 'distribution']) as (keyof typeof STARTERS)[];
      for (const name of order) {
        warm(join(work, 'big'));
        const t = await fresh(name, work);
        try {
          const before = rssMib(t.pid);
          let peak = before;
          const timer = setInterval(() => (peak = Math.max(peak, rssMib(t.pid))), 20);
          bigSeconds[name].push((await push(t, join(work, 'big'), 'big')).seconds);
          clearInterval(timer);
          if (name === 'berth') rssGrowth = Math.max(rssGrowth, peak - before);
        } finally {
          await t.stop();
        }
      }
    }
    const bigPushMiBs = Object.fromEntries(Object.entries(bigSeconds).map(([k, v]) => [k, bigBytes / MIB / median(v)]));

    const b = results.berth;
    const d = results.distribution;
    const row = (label: string, bv: number, dv: number, unit: string, higherIsBetter = true) =>
      console.log(`${label.padEnd(26)} ${bv.toFixed(2).padStart(9)} ${dv.toFixed(2).padStart(13)} ${unit.padEnd(6)} ${(higherIsBetter ? bv / dv : dv / bv).toFixed(2)}x`);
    console.log(`\n${ROUNDS} round(s), ${(bytes / MIB).toFixed(0)} MiB image, skopeo ${execFileSync('skopeo', ['--version']).toString().trim().split(' ').pop()}`);
    console.log(`${''.padEnd(26)} ${'berth'.padStart(9)} ${'distribution'.padStart(13)}        berth vs distribution`);
    row('push (cold)', b.pushMiBs, d.pushMiBs, 'MiB/s');
    row('pull', b.pullMiBs, d.pullMiBs, 'MiB/s');
    row('layer GETs (curl)', b.rawMiBs, d.rawMiBs, 'MiB/s');
    row('re-push unchanged', b.repushSeconds, d.repushSeconds, 's', false);
    row(`push ${BIG_LAYER_MIB} MiB layer`, bigPushMiBs.berth, bigPushMiBs.distribution, 'MiB/s');
    console.log(`berth RSS growth during the ${BIG_LAYER_MIB} MiB layer push: ${rssGrowth.toFixed(1)} MiB`);
    const checks = [
      ['push >= 1.0x distribution', b.pushMiBs >= d.pushMiBs],
      ['pull >= 1.0x distribution', b.pullMiBs >= d.pullMiBs],
      ['re-push < 1 s', b.repushSeconds < 1],
      ['RSS growth < 64 MiB', rssGrowth < 64],
    ] as const;
    for (const [what, ok] of checks) console.log(`${ok ? 'PASS' : 'MISS'} ${what}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
