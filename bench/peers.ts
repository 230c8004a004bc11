/**
 * What the benchmarks share to run Berth beside a peer: a free loopback port, Berth (`berth up
 * --ephemeral` on the fake runtime, or on the engine for the benchmarks of real containers) or moto's server as a
 * child process, and a clean stop. Traffic goes to
 * 127.0.0.1 only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A server under test: where it answers, and how to stop it. */
export interface Target { name: string; endpoint: string; stop(): Promise<void> }

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  return port;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the child has exited. */
export function stopper(child: ChildProcess) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
}

/** Whether `url` answered anything within the time. */
export async function answers(url: string, timeoutMs: number): Promise<boolean> {
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

/** `berth up --ephemeral` on the fake runtime (or another), with the V8 flags bin/berth.js runs with. */
export async function startBerth(runtime = 'fake'): Promise<Target> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--max-semi-space-size=4', 'bin/berth.js', 'up', '--port', String(port), '--ephemeral', '--log-level', 'warn'], {
    cwd: ROOT, stdio: 'ignore', env: { ...process.env, BERTH_RUNTIME: runtime },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  if (!(await answers(`${endpoint}/_berth/health`, 30_000))) throw new Error('berth did not start');
  return { name: 'berth', endpoint, stop: stopper(child) };
}

/**
 * `berth up --ephemeral --port 0` on the configured engine (Docker by default), built first unless `build` is false;
 * where it answers is read from its ready line.
 */
export async function startBerthOnEngine(opts: { build?: boolean; readyMs?: number } = {}): Promise<{ endpoint: string; port: number; stop: () => void }> {
  if (opts.build !== false) execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const child = spawn(process.execPath, ['bin/berth.js', 'up', '--ephemeral', '--port', '0', '--log-level', 'error'], { cwd: ROOT });
  let out = '';
  const endpoint = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`berth did not start: ${out}`)), opts.readyMs ?? 20_000);
    child.stdout.on('data', (c) => {
      out += c;
      const m = /ready on (\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        ok(m[1]);
      }
    });
  });
  return { endpoint, port: Number(new URL(endpoint).port), stop: () => child.kill('SIGTERM') };
}

/** moto's server (the peer users run locally), or undefined with a line saying why it is skipped. */
export async function startMoto(): Promise<Target | undefined> {
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
  if (!(await answers(`${endpoint}/moto-api/`, 30_000))) {
    await stopper(child)();
    console.log('moto: did not answer within 30 s; skipped');
    return undefined;
  }
  return { name: 'moto', endpoint, stop: stopper(child) };
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
