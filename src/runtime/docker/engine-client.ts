/**
 * A small Docker Engine API client over a unix socket, tcp://host:port (plain
 * HTTP, as the engine's `-H tcp://` serves it) or ssh://[user@]host[:port]
 * (see ssh-transport.ts). Podman's Docker-compatible socket speaks the same API.
 */
import http from 'node:http';
import { existsSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { RuntimeError } from '../driver.js';
import { describeSsh, parseSshUrl, SshAgent, sshOptionsFromEnv, type SshTarget } from './ssh-transport.js';

const API_VERSION = 'v1.41';

export interface EngineEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  ssh?: SshTarget;
}

/** The engine URL schemes Berth speaks (DOCKER_HOST and `instances add --engine`). */
export const ENGINE_URL_SCHEMES = ['unix://', 'tcp://', 'ssh://'] as const;

/**
 * An engine URL (DOCKER_HOST's syntax) to an endpoint; without one, the usual
 * socket paths (Docker, then Podman). Throws on a URL it cannot use.
 * `sshOptions`: extra ssh arguments for ssh:// (default: BERTH_SSH_OPTIONS).
 */
export function engineEndpoint(dockerHost = process.env.DOCKER_HOST, sshOptions = sshOptionsFromEnv()): EngineEndpoint {
  if (!dockerHost) return defaultEndpoint();
  if (dockerHost.startsWith('unix://')) {
    const socketPath = dockerHost.slice('unix://'.length);
    if (!socketPath) throw new Error(`engine URL ${dockerHost} has no socket path`);
    return { socketPath };
  }
  if (dockerHost.startsWith('tcp://')) {
    const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 2375) };
  }
  if (dockerHost.startsWith('ssh://')) return { ssh: parseSshUrl(dockerHost, sshOptions) };
  throw new Error(`unsupported container engine URL ${dockerHost} (use ${ENGINE_URL_SCHEMES.join(', ')})`);
}

function defaultEndpoint(): EngineEndpoint {
  const candidates = ['/var/run/docker.sock', '/run/podman/podman.sock'];
  if (process.env.XDG_RUNTIME_DIR) candidates.push(`${process.env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return { socketPath: candidates.find((p) => existsSync(p)) ?? '/var/run/docker.sock' };
}

export interface EngineResponse {
  status: number;
  body: Buffer;
}

export class EngineClient {
  private readonly agent: http.Agent;
  /** Where node:http connects (an ssh agent makes its own connections). */
  private readonly target: http.RequestOptions;

  constructor(readonly endpoint: EngineEndpoint) {
    this.agent = endpoint.ssh ? new SshAgent(endpoint.ssh) : new http.Agent({ keepAlive: true, maxSockets: 32 });
    this.target = endpoint.ssh ? { host: 'docker' } : endpoint.socketPath ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  }

  describe(): string {
    const e = this.endpoint;
    if (e.ssh) return describeSsh(e.ssh);
    return e.socketPath ? `unix://${e.socketPath}` : `tcp://${e.host?.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
  }

  /** Opens a request and returns the raw response (for streams). */
  open(
    method: string,
    path: string,
    opts: { body?: unknown; rawBody?: Buffer; headers?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {},
  ) {
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
      const req = http.request(
        {
          ...this.target,
          agent: this.agent,
          method,
          path: `/${API_VERSION}${path}`,
          headers: {
            ...(payload && !opts.rawBody ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...opts.headers,
          },
          signal: opts.signal,
          timeout: opts.timeoutMs,
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(new Error(`engine request timed out: ${method} ${path}`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') return reject(err);
        if (['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ESSH'].includes(err.code ?? '')) {
          reject(new RuntimeError('Unavailable', `container engine at ${this.describe()} is unavailable: ${err.message}`));
        } else reject(err);
      });
      req.end(payload);
    });
  }

  /**
   * A request the engine answers by hijacking the connection (exec start, attach): with `Upgrade: tcp` it answers
   * 101 and the socket is the raw stream both ways. Any other answer is the engine's error.
   */
  upgrade(method: string, path: string, body: unknown): Promise<{ socket: Duplex; head: Buffer }> {
    return new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = http.request({
        ...this.target, agent: this.agent, method, path: `/${API_VERSION}${path}`,
        headers: { 'content-type': 'application/json', 'content-length': String(payload.length), connection: 'Upgrade', upgrade: 'tcp' },
      });
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', async (res) => {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        reject(errorFor(res.statusCode ?? 500, Buffer.concat(chunks)));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<EngineResponse> {
    const res = await this.open(method, path, { body, headers, timeoutMs: 120_000 });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks) };
  }

  /** JSON request; maps engine error statuses to typed RuntimeErrors. */
  async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const res = await this.request(method, path, body, headers);
    if (res.status >= 400) throw errorFor(res.status, res.body);
    if (!res.body.length) return undefined as T;
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  close() {
    this.agent.destroy();
  }
}

export function errorFor(status: number, body: Buffer): RuntimeError {
  let message = body.toString('utf8');
  try {
    message = JSON.parse(message).message ?? message;
  } catch { /* plain text */ }
  if (status === 404) return new RuntimeError('NotFound', message);
  if (status === 409 || status === 304) return new RuntimeError('Conflict', message);
  // Podman answers a container name in use with 500 (Docker: 409).
  if (/container name .* is already in use/i.test(message)) return new RuntimeError('Conflict', message);
  if (status === 400) return new RuntimeError('InvalidSpec', message);
  return new RuntimeError('Unavailable', `engine answered ${status}: ${message}`);
}
