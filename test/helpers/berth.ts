/**
 * Test harness: a real Berth on a random port. `startBerth` runs it in this
 * process (fast, --ephemeral); `spawnBerth` runs the built CLI as a child
 * process (for restart and signal tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startApp, type App } from '../../src/app.js';
import { resolveConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/shared/logger.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface TestBerth {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBerth(overrides: Partial<Config> = {}): Promise<TestBerth & { app: App }> {
  const config = resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', ...overrides });
  const app = await startApp(config, { log: createLogger(process.env.BERTH_TEST_LOG === '1' ? 'debug' : 'error') });
  // A stop that hangs must not stall the suite: give it 20 s, then report and move on. The timer holds the event
  // loop (cleared once stopped): were it unref'd, a stop waiting on handles that hold nothing would let the loop
  // empty with the hook still pending, and the runner cancel the file ("Promise resolution is still pending").
  const stop = async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        app.stop(),
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            console.error('# warning: Berth did not stop within 20 s');
            resolve();
          }, 20_000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { app, endpoint: app.endpoint, port: app.port, stop };
}

export interface SpawnedBerth extends TestBerth {
  child: ChildProcess;
  /** SIGKILL, no clean-up: what a crash looks like. */
  kill9(): Promise<void>;
  output(): string;
}

/** Runs `node bin/berth.js up …` and waits for its ready line (up to `readyMs`: longer for `--init` scripts). */
export async function spawnBerth(args: string[], env: NodeJS.ProcessEnv = {}, readyMs = 15_000): Promise<SpawnedBerth> {
  const child = spawn(process.execPath, ['bin/berth.js', 'up', '--port', '0', '--log-level', 'warn', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start:\n${out}`)), readyMs);
    const onData = () => {
      const m = /ready on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`berth exited with ${code}:\n${out}`));
    });
  });
  const exited = once(child, 'exit');
  return {
    child,
    endpoint,
    port: Number(new URL(endpoint).port),
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * For crash tests: Berths spawned one after another on one data dir (`start()` with the same arguments each time).
 * Registers an `after` hook in the calling suite that kills whatever is still running and removes the dir.
 */
export function berthsOnOneDataDir(prefix: string, args: string[] = [], env: NodeJS.ProcessEnv = { BERTH_RUNTIME: 'fake' }) {
  const dir = mkdtempSync(join(tmpdir(), `berth-${prefix}-`));
  const running: SpawnedBerth[] = [];
  after(async () => {
    for (const b of running) await b.kill9();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    dir,
    async start(): Promise<SpawnedBerth> {
      const b = await spawnBerth(['--data-dir', dir, ...args], env);
      running.push(b);
      return b;
    },
  };
}

/** Options for any @aws-sdk/client-* v3 client pointed at Berth. */
export function clientConfig(endpoint: string, region = 'us-east-1', credentials = TEST_CREDENTIALS) {
  return { endpoint, region, credentials, maxAttempts: 1 };
}
