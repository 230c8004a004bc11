/** `berth doctor`: checks what Berth needs and says how to fix each problem. */
import { accessSync, constants, mkdirSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { linkLocalUnsupportedReason } from '../metadata/link-local.js';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** Asks the engine Berth would use (DOCKER_HOST: unix://, tcp:// or ssh://; else the usual sockets) for its version. */
async function probeEngine(): Promise<{ where: string; version: string }> {
  const { EngineClient, engineEndpoint } = await import('../runtime/docker/engine-client.js');
  const client = new EngineClient(engineEndpoint());
  try {
    const v = await Promise.race([
      client.json<{ Components?: { Name?: string }[]; Version?: string; ApiVersion?: string }>('GET', '/version'),
      new Promise<never>((_, fail) => setTimeout(() => fail(new Error('timed out')), 10_000).unref()),
    ]);
    return { where: client.describe(), version: `${v.Components?.[0]?.Name ?? 'engine'} ${v.Version} (API ${v.ApiVersion})` };
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.includes(client.describe()) ? message : `${client.describe()}: ${message}`);
  } finally {
    client.close();
  }
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((ok) => {
    const srv = net.createServer();
    srv.once('error', () => ok(false));
    srv.listen(port, host, () => srv.close(() => ok(true)));
  });
}

export async function doctor(config: Config): Promise<number> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({ name: 'node', ok: major >= 20, detail: process.version, fix: 'install Node.js 20 or newer' });

  try {
    const engine = await probeEngine();
    checks.push({ name: 'container engine', ok: true, detail: `${engine.version} at ${engine.where}` });
  } catch (err) {
    checks.push({
      name: 'container engine', ok: false, detail: (err as Error).message,
      fix: 'start Docker (`apt-get install -y docker.io && dockerd &`) or Podman\'s socket, or set DOCKER_HOST (unix://, tcp:// or ssh://; ssh options in BERTH_SSH_OPTIONS)',
    });
  }

  const free = await portFree(config.host, config.port);
  let berthThere = false;
  if (!free) {
    try {
      const res = await fetch(`http://127.0.0.1:${config.port}/_berth/health`, { signal: AbortSignal.timeout(1000) });
      berthThere = res.ok;
    } catch { /* something else holds the port */ }
  }
  checks.push({
    name: 'port', ok: free || berthThere,
    detail: free ? `${config.host}:${config.port} is free` : berthThere ? `a Berth already answers on ${config.port}` : `${config.host}:${config.port} is taken by another program`,
    fix: `stop what listens on ${config.port}, or start Berth with --port`,
  });

  const dir = resolve(config.dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    checks.push({ name: 'data dir', ok: true, detail: `${dir} is writable` });
  } catch (err) {
    checks.push({ name: 'data dir', ok: false, detail: `${dir}: ${(err as Error).message}`, fix: 'choose a writable --data-dir' });
  }

  // Not a failure: without it tasks get AWS_CONTAINER_CREDENTIALS_FULL_URI instead (src/metadata/credentials.ts).
  const linkLocal = linkLocalUnsupportedReason();
  checks.push({
    name: 'task role credentials', ok: true,
    detail: linkLocal
      ? `${linkLocal}: tasks get AWS_CONTAINER_CREDENTIALS_FULL_URI on the bridge gateway (with AWS_CONTAINER_AUTHORIZATION_TOKEN), which AWS SDKs accept only over https; run Berth as root for 169.254.170.2`
      : 'Berth can serve 169.254.170.2 (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) on the container bridge',
  });

  for (const c of checks) {
    console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n     fix: ${c.fix}` : ''}`);
  }
  return checks.every((c) => c.ok) ? 0 : 1;
}
