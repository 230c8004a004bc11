/**
 * The two AWS CLIs on this machine: Debian's awscli v2 (/usr/bin/aws) and the
 * Python awscli v1 (`python3 -m awscli`, botocore 1.43). They speak different
 * protocol versions, so tests run through both.
 *
 * Both are Python, and a fresh `aws` process spends most of its ~2 s starting Python
 * and importing botocore. So each test process keeps a small pool of long-lived
 * servers per CLI (`aws-cli-server.py`: the CLI's own entry point called once per
 * request, with the request's environment, stdout, stderr and exit code captured),
 * started on first use. A call's result is what a fresh `aws` process prints and
 * exits with; `BERTH_TEST_CLI_FRESH=1` runs every call in a fresh process instead.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json?: any;
}

export const CLIS = {
  v2: { name: 'awscli v2', cmd: '/usr/bin/aws', prefix: [] as string[], python: '/usr/bin/python3' },
  v1: { name: 'awscli v1', cmd: 'python3', prefix: ['-m', 'awscli'], python: 'python3' },
};

export type CliName = keyof typeof CLIS;

export const cliAvailable = (name: CliName) => (name === 'v2' ? existsSync(CLIS.v2.cmd) : true);

const CALL_TIMEOUT_MS = 60_000;
const FRESH = process.env.BERTH_TEST_CLI_FRESH === '1';
/** Servers per CLI per test process: as many calls as run at once (see `mapLimit`). */
const SERVERS_PER_CLI = 3;
const SERVER_SCRIPT = fileURLToPath(new URL('./aws-cli-server.py', import.meta.url));

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_PAGER: '',
  AWS_MAX_ATTEMPTS: '1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
});

export function aws(name: CliName, endpoint: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const argv = ['--endpoint-url', endpoint, '--output', 'json', ...args];
  const callEnv = { ...baseEnv(), ...env };
  const run = FRESH ? runFresh(name, argv, callEnv) : pools[name].run(argv, callEnv);
  return run.then(({ code, stdout, stderr }) => {
    let json: any;
    try {
      json = stdout.trim() ? JSON.parse(stdout) : undefined;
    } catch { /* not JSON */ }
    return { code, stdout, stderr, json };
  });
}

/**
 * `fn` over `items`, at most `limit` at once, results in order: for CLI calls that
 * don't depend on each other (the pool runs up to 3 per CLI side by side).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

type RawResult = Omit<CliResult, 'json'>;

function runFresh(name: CliName, argv: string[], env: NodeJS.ProcessEnv): Promise<RawResult> {
  const cli = CLIS[name];
  return new Promise((resolve) => {
    execFile(cli.cmd, [...cli.prefix, ...argv], { env, timeout: CALL_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** One `aws-cli-server.py`: one request at a time. */
class CliServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending?: { resolve: (r: RawResult) => void; timer: NodeJS.Timeout };
  private stderrTail = '';
  private nextId = 0;
  dead = false;

  constructor(python: string, private readonly onIdle: (server: CliServer) => void) {
    this.child = spawn(python, [SERVER_SCRIPT], { env: baseEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as RawResult;
      this.settle({ code: answer.code, stdout: answer.stdout, stderr: answer.stderr });
    });
    this.child.on('error', (err) => this.fail(String(err)));
    this.child.stdin.on('error', () => { /* the exit handler reports it */ });
    this.child.on('exit', (code, signal) => this.fail(`aws-cli-server exited (${signal ?? code})\n${this.stderrTail}`));
    this.idle();
  }

  run(argv: string[], env: NodeJS.ProcessEnv): Promise<RawResult> {
    return new Promise((resolve) => {
      // A call in flight holds the event loop open, as a fresh child process would.
      this.child.ref();
      (this.child.stdout as any).ref?.();
      const timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        this.fail(`aws-cli-server: no answer in ${CALL_TIMEOUT_MS} ms`);
      }, CALL_TIMEOUT_MS);
      this.pending = { resolve, timer };
      this.child.stdin.write(`${JSON.stringify({ id: this.nextId++, args: argv, env })}\n`);
    });
  }

  kill() {
    this.dead = true;
    this.child.kill('SIGKILL');
  }

  /** An idle server holds nothing open: the test process exits when its tests end. */
  private idle() {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as any).unref?.();
  }

  private settle(result: RawResult) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.idle();
    pending.resolve(result);
    if (!this.dead) this.onIdle(this);
  }

  private fail(message: string) {
    if (!this.dead) this.kill();
    this.settle({ code: 1, stdout: '', stderr: message });
  }
}

class CliPool {
  private readonly idle: CliServer[] = [];
  private readonly waiting: Array<(server: CliServer) => void> = [];
  private size = 0;

  constructor(private readonly name: CliName) {}

  async run(argv: string[], env: NodeJS.ProcessEnv): Promise<RawResult> {
    const server = await this.acquire();
    const result = await server.run(argv, env);
    if (server.dead) this.size--;
    return result;
  }

  private acquire(): Promise<CliServer> {
    let server: CliServer | undefined;
    while ((server = this.idle.pop())) {
      if (!server.dead) return Promise.resolve(server);
      this.size--; // exited while idle
    }
    if (this.size < SERVERS_PER_CLI) {
      this.size++;
      const started = new CliServer(CLIS[this.name].python, (s) => this.release(s));
      allServers.add(started);
      return Promise.resolve(started);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(server: CliServer) {
    const next = this.waiting.shift();
    if (next) next(server);
    else this.idle.push(server);
  }
}

const allServers = new Set<CliServer>();
const pools: Record<CliName, CliPool> = { v2: new CliPool('v2'), v1: new CliPool('v1') };
process.on('exit', () => {
  for (const server of allServers) if (!server.dead) server.kill();
});
