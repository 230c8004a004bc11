/**
 * A small Docker Engine API client over the unix socket (or tcp://host:port).
 * Podman's Docker-compatible socket speaks the same API.
 */
import http from 'node:http';
import { existsSync } from 'node:fs';
import { RuntimeError } from '../driver.js';

const API_VERSION = 'v1.41';

export interface EngineEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
}

/** DOCKER_HOST, else the usual socket paths (Docker, then Podman). */
export function engineEndpoint(dockerHost = process.env.DOCKER_HOST): EngineEndpoint {
  if (dockerHost?.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost?.startsWith('tcp://')) {
    const u = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: u.hostname, port: Number(u.port || 2375) };
  }
  const candidates = ['/var/run/docker.sock', '/run/podman/podman.sock'];
  if (process.env.XDG_RUNTIME_DIR) candidates.push(`${process.env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return { socketPath: candidates.find((p) => existsSync(p)) ?? '/var/run/docker.sock' };
}

export interface EngineResponse {
  status: number;
  body: Buffer;
}

export class EngineClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

  constructor(readonly endpoint: EngineEndpoint) {}

  describe(): string {
    return this.endpoint.socketPath ? `unix://${this.endpoint.socketPath}` : `tcp://${this.endpoint.host}:${this.endpoint.port}`;
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
          ...this.endpoint,
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
        if (['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET'].includes(err.code ?? '')) {
          reject(new RuntimeError('Unavailable', `container engine at ${this.describe()} is unavailable: ${err.message}`));
        } else reject(err);
      });
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
  if (status === 400) return new RuntimeError('InvalidSpec', message);
  return new RuntimeError('Unavailable', `engine answered ${status}: ${message}`);
}
