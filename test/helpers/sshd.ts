/**
 * A private sshd for remote-engine tests: its own host key, one client key
 * authorized for root, listening on 127.0.0.1 on a free port, everything
 * under one temp dir. `sshOptions` is what Berth needs (BERTH_SSH_OPTIONS):
 * an ssh_config naming that key and a known_hosts that already trusts the
 * host key, so nothing in ~/.ssh is read or written.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SSHD = '/usr/sbin/sshd';

/** Why sshd tests cannot run here (undefined: they can). */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run a private sshd that logs in as root';
  for (const [bin, pkg] of [[SSHD, 'openssh-server'], ['ssh', 'openssh-client'], ['ssh-keygen', 'openssh-client']]) {
    try {
      execFileSync(bin, ['-V'], { stdio: 'ignore' });
    } catch (err) {
      // `ssh -V` exits 0; sshd and ssh-keygen reject -V but exist (the error is not ENOENT).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${bin} is not installed (apt-get install ${pkg})`;
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** True once something on the port greets like an ssh server. */
function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2_000, () => done(false));
    sock.once('data', (d) => done(d.toString().startsWith('SSH-')));
    sock.once('error', () => done(false));
  });
}

export interface TestSshd {
  port: number;
  /** ssh://root@127.0.0.1:<port> */
  url: string;
  /** Arguments for BERTH_SSH_OPTIONS: `-F <dir>/ssh_config`. */
  sshOptions: string;
  dir: string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /**
   * A command forced for the key (authorized_keys `command=`), e.g. one that
   * points the remote docker CLI at another engine; the client's own command
   * is in $SSH_ORIGINAL_COMMAND. Default: run what the client asks.
   */
  forceCommand?: string;
}

export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sshd-'));
  const port = await freePort();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-test-host', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'berth-test-client', '-f', join(dir, 'client_key')]);
  const clientPub = readFileSync(join(dir, 'client_key.pub'), 'utf8').trim();
  const restrictions = ['no-pty', 'no-port-forwarding', 'no-agent-forwarding', 'no-X11-forwarding'];
  if (opts.forceCommand) restrictions.unshift(`command="${opts.forceCommand.replace(/["\\]/g, '\\$&')}"`);
  writeFileSync(join(dir, 'authorized_keys'), `${restrictions.join(',')} ${clientPub}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', 'LogLevel ERROR', '',
  ].join('\n'));
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(join(dir, 'ssh_config'), [
    'Host *', `  IdentityFile ${join(dir, 'client_key')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  StrictHostKeyChecking yes', '  LogLevel ERROR', '',
  ].join('\n'));
  // sshd refuses to start without its privilege-separation directory (Debian's unit creates it).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  let sshd: ChildProcess | undefined = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr!.on('data', (c) => (log = (log + c).slice(-4000)));
  const stop = async () => {
    const p = sshd;
    sshd = undefined;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const sshOptions = `-F ${join(dir, 'ssh_config')}`;
  try {
    for (let i = 0; !(await banner(port)); i++) {
      if (sshd.exitCode !== null || i > 100) throw new Error(`sshd did not start on port ${port}:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, url: `ssh://root@127.0.0.1:${port}`, sshOptions, dir, stop };
}
