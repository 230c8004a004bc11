/**
 * 169.254.170.2, where ECS serves task role credentials and where every AWS SDK
 * looks for them (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI). ECS's agent makes it
 * reachable with iptables; Berth gives the address to the container engine's
 * bridge interface (`ip addr add 169.254.170.2/32 dev docker0`, idempotent, as
 * root), so a container's packets to it reach the host through its gateway and
 * a listener on 169.254.170.2:80 answers them.
 *
 * Several Berths may share one engine (and one 169.254.170.2:80): each also
 * listens on its own port and registers it in a peer directory; whoever holds
 * port 80 answers the credential ids it knows and asks its peers for the rest.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CREDENTIALS_ADDRESS = '169.254.170.2';
export const CREDENTIALS_PORT = 80;
/** Where the EKS Pod Identity Agent answers on every node (pod-identity-agent.ts), set up the same way. */
export const POD_IDENTITY_ADDRESS = '169.254.170.23';

const isRoot = () => process.getuid?.() === 0;

/** The local interface holding `address` (the bridge whose gateway it is), if it is on this host. */
export function interfaceWithAddress(address: string): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (addrs?.some((a) => a.address === address)) return name;
  }
  return undefined;
}

/** Why 169.254.170.2 (or `address`) cannot be set up here, or undefined when it can (for `berth doctor`). */
export function linkLocalUnsupportedReason(address = CREDENTIALS_ADDRESS): string | undefined {
  if (interfaceWithAddress(address)) return undefined;
  if (!isRoot()) return `Berth is not running as root, so it cannot add ${address} to the bridge interface`;
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'the `ip` command (iproute2) is not installed';
  }
  return undefined;
}

/**
 * Adds 169.254.170.2/32 (or `address`) to the interface that holds `gateway`; resolves to an
 * error message when that cannot be done (not root, no `ip`, remote engine).
 */
export async function ensureLinkLocalAddress(gateway: string, address = CREDENTIALS_ADDRESS): Promise<string | undefined> {
  if (interfaceWithAddress(address)) return undefined;
  const ifname = interfaceWithAddress(gateway);
  if (!ifname) return `the container gateway ${gateway} is not an interface of this host (a remote or virtualised engine)`;
  const unsupported = linkLocalUnsupportedReason(address);
  if (unsupported) return unsupported;
  return new Promise((resolve) => {
    execFile('ip', ['addr', 'add', `${address}/32`, 'dev', ifname], (err, _out, stderr) => {
      // Another Berth may have added it in the meantime ("Address already assigned" / "File exists").
      if (!err || /exists|already assigned/i.test(stderr)) resolve(undefined);
      else resolve(`ip addr add ${address}/32 dev ${ifname} failed: ${stderr.trim() || err.message}`);
    });
  });
}

/** The peer directory of one shared endpoint (`kind`: ECS's credential endpoints, the pod identity agents). */
const peerDir = (kind: string) => (isRoot() ? `/run/berth/${kind}` : join(tmpdir(), `berth-${kind}-${process.getuid?.() ?? 'user'}`));

/** Registers this Berth's own credentials listener; returns the function that removes it. */
export function registerPeer(url: string, kind = 'credential-endpoints'): () => void {
  const dir = peerDir(kind);
  const file = join(dir, `${process.pid}-${Buffer.from(url).toString('base64url')}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, url);
  } catch {
    return () => undefined;
  }
  return () => rmSync(file, { force: true });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Other Berths' credentials listeners (stale entries of exited processes are removed). */
export function peerUrls(own: string, kind = 'credential-endpoints'): string[] {
  const dir = peerDir(kind);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const urls: string[] = [];
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (!alive(pid)) {
      rmSync(join(dir, name), { force: true });
      continue;
    }
    try {
      const url = readFileSync(join(dir, name), 'utf8');
      if (url !== own) urls.push(url);
    } catch { /* removed meanwhile */ }
  }
  return urls;
}
