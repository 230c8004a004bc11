/**
 * The `berth` command as a person runs it: the built CLI (bin/berth.js) in
 * child processes, read through its stdout, stderr and exit codes.
 * Start-up time is a benchmark figure (bench/control-plane.ts), not asserted here.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { REPO_ROOT } from '../helpers/berth.js';

const { version: VERSION } = (await import('../../package.json', { with: { type: 'json' } })).default;

/**
 * Only what the CLI needs: no AWS_* or BERTH_* from the developer's shell (nor the SDK's switch for its
 * Node-version warning: the CLI must keep that quiet by itself).
 */
const BASE_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/root',
};

interface Run { code: number; stdout: string; stderr: string }

function berth(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/berth.js', ...args], { cwd: REPO_ROOT, env: { ...BASE_ENV, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Up { child: ChildProcess; endpoint: string; port: number; stdout(): string; stderr(): string; stop(): Promise<number | null> }

const children: ChildProcess[] = [];
const dirs: string[] = [];

/** `berth up …` in the background, resolved at its ready line. */
async function up(args: string[], env: Record<string, string> = {}): Promise<Up> {
  const child = spawn(process.execPath, ['bin/berth.js', 'up', ...args], { cwd: REPO_ROOT, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += c));
  child.stderr!.on('data', (c) => (stderr += c));
  const exited = once(child, 'exit');
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${stdout}${stderr}`)), 15_000);
    child.stdout!.on('data', () => {
      const m = /ready on (http:\/\/\S+)/.exec(stdout);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`berth up exited ${code}:\n${stdout}${stderr}`)); });
  });
  return {
    child, endpoint, port: Number(new URL(endpoint).port), stdout: () => stdout, stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  dirs.push(d);
  return d;
}

/** A port nothing listens on (bound, read, released). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the berth command', () => {
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('berth up prints one ready line with the endpoint and data dir, answers health, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const b = await up(['--port', '0', '--data-dir', dir, '--log-level', 'warn']);
    const res = await fetch(`${b.endpoint}/_berth/health`);
    assert.equal(res.status, 200);
    const health = await res.json() as Record<string, unknown>;
    assert.equal(health.status, 'ready');
    assert.equal(health.dataDir, dir);
    await sleep(200); // anything printed after the ready line would show up by now
    assert.deepEqual(b.stdout().split('\n').filter(Boolean), [`Berth ${VERSION} ready on http://127.0.0.1:${b.port} (data: ${dir})`]);
    assert.equal(await b.stop(), 0);
  });

  it('berth up takes its settings from BERTH_* variables when no flags are given', async () => {
    const b = await up([], { BERTH_PORT: '0', BERTH_EPHEMERAL: '1', BERTH_LOG_LEVEL: 'warn' });
    assert.match(b.stdout(), new RegExp(`^Berth ${VERSION} ready on http://127\\.0\\.0\\.1:\\d+ \\(data: ephemeral \\(in memory\\)\\)\\n$`));
    assert.equal(await b.stop(), 0);
  });

  it('berth status reports the Berth that answers on an endpoint and exits 0', async () => {
    const dir = tempDir();
    const b = await up(['--port', '0', '--data-dir', dir, '--log-level', 'warn']);
    try {
      const byFlag = await berth(['status', '--endpoint', b.endpoint]);
      assert.equal(byFlag.code, 0, byFlag.stderr);
      assert.match(byFlag.stdout, new RegExp(`^Berth ${VERSION} ready on ${b.endpoint}, up [\\d.]+s, data: ${dir}\\n`));
      // Bound to loopback, the console needs no token: its URL is the endpoint's /_berth/ui/.
      assert.match(byFlag.stdout, new RegExp(`\\nconsole: ${b.endpoint}/_berth/ui/\\n`));
      // And where the local CA's certificate is, for curl --cacert against HTTPS listeners (Express, App Runner).
      assert.match(byFlag.stdout, new RegExp(`\\nlocal CA: ${dir}/local-ca\\.pem \\(HTTPS listeners: curl --cacert ${dir}/local-ca\\.pem https://…\\)\\n$`));
      // Without --endpoint, status finds Berth where `berth up` would listen.
      const byEnv = await berth(['status'], { BERTH_PORT: String(b.port) });
      assert.equal(byEnv.code, 0, byEnv.stderr);
      assert.match(byEnv.stdout, /ready on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await b.stop();
    }
  });

  it('berth status with nothing listening exits 1 and says how to start Berth', async () => {
    const port = await freePort();
    const run = await berth(['status', '--port', String(port)]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, new RegExp(`nothing answers on http://127\\.0\\.0\\.1:${port} \\(start one with \`berth up\`\\)`));
  });

  it('berth env prints exports that point the AWS SDK at Berth', async () => {
    const run = await berth(['env', '--endpoint', 'http://127.0.0.1:4999/'], { BERTH_DEFAULT_REGION: 'eu-west-1' });
    assert.equal(run.code, 0);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'export AWS_ENDPOINT_URL=http://127.0.0.1:4999',
      'export AWS_ACCESS_KEY_ID=test',
      'export AWS_SECRET_ACCESS_KEY=test',
      'export AWS_DEFAULT_REGION=eu-west-1',
      'export AWS_REGION=eu-west-1',
    ]);
    const byPort = await berth(['env', '--port', '4777']);
    assert.match(byPort.stdout, /^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:4777$/m);
  });

  it('a shell that evaluates berth env reaches Berth through an SDK client configured by nothing else', async () => {
    const b = await up(['--port', '0', '--ephemeral', '--log-level', 'warn']);
    try {
      const script = 'import { ECSClient, CreateClusterCommand } from "@aws-sdk/client-ecs";'
        + 'const out = await new ECSClient({}).send(new CreateClusterCommand({ clusterName: "from-env" }));'
        + 'console.log(out.cluster.clusterArn);';
      const shell = `eval "$(node bin/berth.js env --endpoint ${b.endpoint})" && node --input-type=module -e '${script}'`;
      const out = await new Promise<Run>((resolve) => {
        execFile('bash', ['-c', shell], { cwd: REPO_ROOT, env: BASE_ENV, timeout: 30_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? 1 : 0, stdout, stderr }));
      });
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), 'arn:aws:ecs:us-east-1:000000000000:cluster/from-env');
    } finally {
      await b.stop();
    }
  });

  it('berth doctor prints one ok or FAIL line per check, with a fix for each failure', async () => {
    const run = await berth(['doctor', '--port', String(await freePort()), '--data-dir', tempDir()]);
    // The exit code says whether every check passed; a missing container engine is a FAIL, not a crash.
    const lines = run.stdout.split('\n').filter(Boolean);
    const checks = lines.filter((l) => /^(ok  |FAIL) /.test(l));
    assert.deepEqual(checks.map((l) => /^(?:ok  |FAIL) ([^:]+):/.exec(l)?.[1]), ['node', 'container engine', 'port', 'data dir', 'task role credentials']);
    const failed = checks.filter((l) => l.startsWith('FAIL'));
    assert.equal(run.code, failed.length ? 1 : 0, run.stdout + run.stderr);
    assert.equal(lines.filter((l) => /^\s+fix: /.test(l)).length, failed.length);
    assert.match(run.stdout, /^ok {3}port: 127\.0\.0\.1:\d+ is free$/m);
    assert.match(run.stdout, /^ok {3}data dir: .* is writable$/m);
  });

  it('berth doctor probes the engine DOCKER_HOST names, also over tcp:// and ssh://, and says how to fix it', async () => {
    const closed = await freePort();
    const tcp = await berth(['doctor', '--port', String(await freePort()), '--data-dir', tempDir()], { DOCKER_HOST: `tcp://127.0.0.1:${closed}` });
    assert.equal(tcp.code, 1);
    assert.match(tcp.stdout, new RegExp(`^FAIL container engine: .*tcp://127\\.0\\.0\\.1:${closed}.*ECONNREFUSED`, 'm'));
    assert.match(tcp.stdout, /^\s+fix: .*DOCKER_HOST/m);
    const ssh = await berth(['doctor', '--port', String(await freePort()), '--data-dir', tempDir()],
      { DOCKER_HOST: `ssh://nobody@127.0.0.1:${closed}`, BERTH_SSH_OPTIONS: '-o StrictHostKeyChecking=no' });
    assert.match(ssh.stdout, new RegExp(`^FAIL container engine: .*ssh://nobody@127\\.0\\.0\\.1:${closed}.*Connection refused`, 'm'));
    const bad = await berth(['doctor', '--port', String(await freePort()), '--data-dir', tempDir()], { DOCKER_HOST: 'ftp://engine' });
    assert.match(bad.stdout, /^FAIL container engine: unsupported container engine URL ftp:\/\/engine/m);
  });

  it('berth doctor recognises a Berth already answering on its port', async () => {
    const b = await up(['--port', '0', '--ephemeral', '--log-level', 'warn']);
    try {
      const run = await berth(['doctor', '--port', String(b.port), '--data-dir', tempDir()]);
      assert.match(run.stdout, new RegExp(`^ok {3}port: a Berth already answers on ${b.port}$`, 'm'));
    } finally {
      await b.stop();
    }
  });

  it('berth up on a port another Berth holds exits 1 with a message naming the port', async () => {
    const b = await up(['--port', '0', '--ephemeral', '--log-level', 'warn']);
    try {
      const run = await berth(['up', '--port', String(b.port), '--ephemeral']);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, new RegExp(`^berth: port ${b.port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await b.stop();
    }
  });

  it('berth up on a port another program holds exits 1 with the same clear message', async () => {
    const srv = net.createServer();
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const run = await berth(['up', '--port', String(port), '--ephemeral']);
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      srv.close();
    }
  });

  it('berth up with an invalid setting exits 2 and names the setting', async () => {
    const bad = await berth(['up', '--port', 'abc']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^berth: invalid configuration:\n\s+port: /);
    const badEnv = await berth(['up'], { BERTH_DEFAULT_ACCOUNT: '123', BERTH_EPHEMERAL: '1' });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /defaultAccount: must be 12 digits/);
    const missing = await berth(['up', '--port']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /flag --port needs a value/);
  });

  it('every command refuses a flag it does not know with "unknown flag", the flags it takes, and exit 2', async () => {
    const up = await berth(['up', '--bogus']);
    assert.equal(up.code, 2);
    assert.equal(up.stdout, '');
    assert.match(up.stderr, /^berth: unknown flag --bogus \(berth up takes --host VALUE, --port VALUE, --data-dir VALUE, --ephemeral, --log-level VALUE, --load VALUE, --init VALUE, --metrics-period VALUE, --enforce-iam;/);
    const commands: [string[], string][] = [
      [['status'], '--endpoint VALUE'], [['env'], '--endpoint VALUE'], [['doctor'], '--data-dir VALUE'],
      [['logs', 'task-1'], '--follow'], [['instances', 'list'], '--engine VALUE'], [['reset'], '--service VALUE'],
      [['state', 'save', 'x.tar.gz'], '--endpoint VALUE'], [['version'], 'no flags'],
    ];
    for (const [args, listed] of commands) {
      // With and without a value: `--bogus x` must not pass as a flag and its value, nor `--bogus=1` as a setting.
      for (const bogus of [['--bogus', 'x'], ['--bogus=1'], ['-z']]) {
        const run = await berth([...args, ...bogus, '--endpoint=http://127.0.0.1:9']);
        assert.equal(run.code, 2, `${args.join(' ')} ${bogus.join(' ')}: ${run.stdout}${run.stderr}`);
        assert.equal(run.stdout, '', args.join(' '));
        assert.match(run.stderr, new RegExp(`^berth: unknown flag ${bogus[0].replace(/=.*/, '')} \\(berth ${args[0]} takes .*${listed}`), args.join(' '));
      }
    }
    // A flag of another command is unknown too; `-f` is `berth logs`' own.
    const foreign = await berth(['env', '--cluster', 'c']);
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /^berth: unknown flag --cluster \(berth env takes --endpoint VALUE, --host VALUE, --port VALUE;/);
    const missing = await berth(['up', '--port', '--ephemeral']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^berth: flag --port needs a value/);
  });

  it('berth instances and berth logs print no AWS SDK Node-version warning, and other warnings still show', async () => {
    const b = await up(['--port', '0', '--ephemeral', '--log-level', 'warn'], { BERTH_RUNTIME: 'fake' });
    const ecs = new ECSClient({ endpoint: b.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await ecs.send(new CreateClusterCommand({ clusterName: 'default' }));
      const list = await berth(['instances', 'list', '--cluster', 'default', '--endpoint', b.endpoint]);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(list.stdout, 'no container instances\n');
      assert.equal(list.stderr, '');
      const logs = await berth(['logs', 'no-such-task', '--endpoint', b.endpoint]);
      assert.equal(logs.code, 1);
      assert.equal(logs.stderr, 'berth logs: task no-such-task not found (use --cluster if it is not in the default cluster)\n');
      // Only the SDK's notice is switched off: a warning of Node's own still reaches stderr.
      const warned = await new Promise<Run>((resolve) => {
        execFile(process.execPath, ['-e', 'import("./dist/cli/main.js").then((m) => { process.emitWarning("still here"); return m.main(["instances", "list", "--endpoint", process.argv[1]]); })', b.endpoint],
          { cwd: REPO_ROOT, env: BASE_ENV, timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
      });
      assert.equal(warned.code, 0, warned.stderr);
      assert.match(warned.stderr, /Warning: still here/);
      assert.doesNotMatch(warned.stderr, /NodeVersionSupportWarning|require node/);
    } finally {
      ecs.destroy();
      await b.stop();
    }
  });

  it('berth version prints the package version; an unknown command exits 2 with the usage', async () => {
    const v = await berth(['version']);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${VERSION}\n`);
    const help = await berth(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage:$/m);
    const unknown = await berth(['launch']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "launch"[\s\S]*Usage:/);
  });
});
