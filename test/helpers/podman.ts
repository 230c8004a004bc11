/**
 * A private Podman API service for tests. Everything it owns lives under one
 * temp dir: storage, run and tmp dirs, its containers.conf, its network
 * config dir and the socket; its default network ("bridge" to Docker clients)
 * has its own bridge interface and /24, so two of these can run side by side
 * and neither touches the machine's own Podman state. `stop` removes every
 * container it ran and the temp dir.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBusyboxImage } from './images.js';

const run = promisify(execFile);

/** Why Podman tests cannot run here (undefined: they can). */
export function podmanUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run a rootful Podman service';
  try {
    execFileSync('podman', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'podman is not installed (apt-get install podman)';
  }
  return undefined;
}

export interface TestPodman {
  /** unix:///…/podman.sock: a DOCKER_HOST or an --engine value. */
  url: string;
  socket: string;
  /** The default network's gateway (the host, as containers see it). */
  gateway: string;
  /** Runs the podman CLI against this service's storage. */
  podman(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A 10.90.x.0/24 no interface on this host routes yet. */
function freeSubnet(): number {
  const routes = execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' });
  for (let i = 0; i < 50; i++) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (!routes.includes(`10.90.${x}.`)) return x;
  }
  throw new Error('no free 10.90.x.0/24 subnet for a test Podman network');
}

export async function startPodman(opts: { image?: string } = {}): Promise<TestPodman> {
  const image = opts.image ?? ensureBusyboxImage();
  const dir = mkdtempSync(join(tmpdir(), 'berth-podman-'));
  const socket = join(dir, 'podman.sock');
  const id = randomBytes(3).toString('hex');
  const x = freeSubnet();
  const network = `berth-${id}`;
  mkdirSync(join(dir, 'networks'));
  writeFileSync(join(dir, 'networks', `${network}.json`), JSON.stringify({
    name: network, id: randomBytes(32).toString('hex'), driver: 'bridge', network_interface: `bp${id}`,
    created: new Date().toISOString(), subnets: [{ subnet: `10.90.${x}.0/24`, gateway: `10.90.${x}.1` }],
    ipv6_enabled: false, internal: false, dns_enabled: false, ipam_options: { driver: 'host-local' },
  }));
  // runc with cgroupfs: Debian's podman would try crun (absent) and systemd (not PID 1 in CI).
  writeFileSync(join(dir, 'containers.conf'), [
    '[engine]', 'cgroup_manager = "cgroupfs"', 'runtime = "runc"', 'events_logger = "file"',
    '[network]', `network_config_dir = "${join(dir, 'networks')}"`, `default_network = "${network}"`, '',
  ].join('\n'));
  const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') };
  const global = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp')];
  const podman = async (...args: string[]) =>
    (await run('podman', [...global, ...args], { env, cwd: dir, timeout: 120_000, maxBuffer: 16 << 20 })).stdout.trim();
  // cwd: Podman 4.3's conmon writes its "oom" marker files into the service's working directory.
  let service: ChildProcess | undefined = spawn('podman', [...global, 'system', 'service', '--time=0', `unix://${socket}`], {
    env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  service.stderr!.on('data', (c) => (log = (log + c).slice(-4000)));

  const stop = async () => {
    const svc = service;
    service = undefined;
    if (svc && svc.exitCode === null && svc.signalCode === null) {
      const exited = new Promise((r) => svc.once('exit', r));
      svc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())]);
      if (svc.exitCode === null && svc.signalCode === null) svc.kill('SIGKILL');
    }
    // Containers outlive the API service (conmon keeps them): remove them, then the store.
    await podman('rm', '--all', '--force', '--time', '0').catch(() => '');
    await podman('volume', 'rm', '--all', '--force').catch(() => '');
    await podman('rmi', '--all', '--force').catch(() => '');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; !existsSync(socket); i++) {
      if (service.exitCode !== null || i > 150) throw new Error(`podman system service did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await run('sh', ['-c', `docker save "$1" | podman ${global.join(' ')} load`, 'sh', image], { env, cwd: dir, timeout: 120_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `unix://${socket}`, socket, gateway: `10.90.${x}.1`, podman, stop };
}
