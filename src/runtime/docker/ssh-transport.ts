/**
 * The Engine API over ssh://[user@]host[:port][/socket], the way the docker
 * CLI does it: every HTTP connection is one `ssh … -- docker system
 * dial-stdio` child process, and HTTP is spoken over its stdin/stdout. The
 * remote side needs only sshd and the docker CLI (which relays the bytes to
 * its engine's socket); no port is opened anywhere.
 *
 * Who Berth logs in as and with which key is ssh's business: ~/.ssh/config,
 * ssh-agent, and BERTH_SSH_OPTIONS (extra ssh arguments, e.g.
 * `-i ~/.ssh/berth_ed25519` or `-F /etc/berth/ssh_config`). BatchMode is
 * always on: a prompt would hang, so a missing key fails at once.
 *
 * A connection's child dies with its socket (keep-alive reuses sockets, so
 * most requests spawn nothing). An ssh that fails (auth, host unreachable,
 * host key, docker missing remotely) surfaces as an `ESSH` error carrying
 * ssh's own message, which the engine client reports as Unavailable.
 */
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
  /** The engine's socket on the remote host (the path of the URL), if not the remote docker CLI's default. */
  socket?: string;
  /** Extra ssh arguments (from BERTH_SSH_OPTIONS), placed before the host. */
  options: string[];
}

/** Seconds ssh may take to connect; keep-alive probes detect a dead link under a long-lived stream. */
const SSH_DEFAULTS = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-T'];
/** An idle keep-alive connection is an ssh process on both ends: keep only a few. */
const MAX_IDLE_CONNECTIONS = 4;
const STDERR_KEEP = 2000;

export function parseSshUrl(url: string, options: string[] = sshOptionsFromEnv()): SshTarget {
  const u = new URL(url);
  if (u.protocol !== 'ssh:') throw new Error(`not an ssh:// URL: ${url}`);
  if (!u.hostname) throw new Error(`ssh:// engine URL has no host: ${url}`);
  if (u.password) throw new Error('ssh:// engine URLs take no password: use a key (ssh-agent, ~/.ssh/config or BERTH_SSH_OPTIONS)');
  const path = decodeURIComponent(u.pathname);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.port ? { port: Number(u.port) } : {}),
    ...(path && path !== '/' ? { socket: path } : {}),
    options,
  };
}

export function describeSsh(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user ? `${t.user}@` : ''}${host}${t.port ? `:${t.port}` : ''}${t.socket ?? ''}`;
}

/** BERTH_SSH_OPTIONS split like a shell would split words (quotes group, no expansion). */
export function sshOptionsFromEnv(value = process.env.BERTH_SSH_OPTIONS): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|([^\s"']+)/g;
  let word: string | undefined;
  let lastEnd = -1;
  for (const m of (value ?? '').matchAll(re)) {
    const piece = m[1] ?? m[2] ?? m[3];
    // Adjacent pieces (-o"A B") form one word.
    if (word !== undefined && m.index === lastEnd) word += piece;
    else {
      if (word !== undefined) out.push(word);
      word = piece;
    }
    lastEnd = m.index + m[0].length;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** The ssh command line for one connection. */
export function sshArgs(t: SshTarget): string[] {
  const remote = ['docker', ...(t.socket ? ['--host', `unix://${t.socket}`] : []), 'system', 'dial-stdio'];
  return [
    ...SSH_DEFAULTS,
    ...t.options,
    ...(t.port ? ['-p', String(t.port)] : []),
    ...(t.user ? ['-l', t.user] : []),
    '--', t.host, ...remote,
  ];
}

export class SshError extends Error {
  readonly code = 'ESSH';
}

/** One ssh child's stdio as a socket for node:http. */
export class SshStdioSocket extends Duplex {
  private readonly child: ChildProcess;
  private stderr = '';
  private idleTimer?: NodeJS.Timeout;
  private idleMs = 0;
  private exited = false;
  /** What node:http reads off net.Socket. */
  readonly remoteAddress: string;
  connecting = false;

  constructor(private readonly target: SshTarget, command = 'ssh') {
    super({ allowHalfOpen: false });
    this.remoteAddress = target.host;
    this.child = spawn(command, sshArgs(target), { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = this.child;
    child.stdout!.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) child.stdout!.pause();
    });
    child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString('utf8')).slice(-STDERR_KEEP)));
    // EPIPE when ssh is already gone: its exit, below, reports why.
    child.stdin!.on('error', () => {});
    child.on('error', (err) => this.destroy(new SshError(`cannot run ssh: ${err.message}`)));
    // 'close': the process has exited and its stdio is drained, so stderr is complete.
    child.on('close', (code, signal) => {
      this.exited = true;
      if (this.destroyed) return;
      if (code === 0) this.push(null);
      else this.destroy(new SshError(this.failure(code, signal)));
    });
  }

  private failure(code: number | null, signal: NodeJS.Signals | null): string {
    const said = this.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^Warning: Permanently added/.test(l))
      .join('; ');
    const how = code === 255 ? 'ssh failed' : code === 127 ? 'the remote command was not found' : `ssh exited with ${code ?? signal}`;
    return `${describeSsh(this.target)}: ${how}${said ? `: ${said}` : ''}`;
  }

  override _read() {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void) {
    this.touch();
    if (this.exited || !this.child.stdin!.writable) return cb();
    this.child.stdin!.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void) {
    this.child.stdin!.end(cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void) {
    clearTimeout(this.idleTimer);
    if (!this.exited) {
      this.child.stdin!.destroy();
      this.child.kill('SIGTERM');
    }
    cb(err);
  }

  private touch() {
    if (!this.idleMs) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
    this.idleTimer.unref();
  }

  // The parts of net.Socket's interface node:http and its Agent use.
  get timeout(): number {
    return this.idleMs;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.idleMs = ms;
    // As net.Socket: a callback is added with a timeout and removed with 0 (node:http relies on that).
    if (cb && ms) this.once('timeout', cb);
    else if (cb) this.removeListener('timeout', cb);
    if (ms) this.touch();
    else clearTimeout(this.idleTimer);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  /** An idle pooled connection must not keep Berth's process alive (net.Socket semantics). */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void })?.ref?.();
    return this;
  }
}

/** An http.Agent whose connections are ssh children. */
export class SshAgent extends http.Agent {
  constructor(private readonly target: SshTarget) {
    super({ keepAlive: true, maxSockets: 32, maxFreeSockets: MAX_IDLE_CONNECTIONS });
  }

  override createConnection(): Duplex {
    return new SshStdioSocket(this.target);
  }
}
