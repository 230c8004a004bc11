/**
 * A Docker Registry HTTP API V2 client for pull-through cache upstreams: GET
 * and HEAD of manifests and blobs, following redirects (blob CDNs), and
 * authenticating the way registries ask in their 401 challenge:
 *
 *   - `Bearer realm=…,service=…,scope=…`: a token from the realm (with Basic
 *     credentials when the rule has them; anonymous otherwise), cached per
 *     scope until it expires, then the request again with the token;
 *   - `Basic realm=…`: the request again with the credentials.
 *
 * Bodies stream (`Response.body`); nothing here buffers a blob.
 */
import { isIP } from 'node:net';

export interface UpstreamCredentials {
  username: string;
  password: string;
}

export interface UpstreamOptions {
  /** Scheme, host and port, e.g. https://registry-1.docker.io or http://127.0.0.1:5000. */
  base: string;
  credentials?: UpstreamCredentials;
  /** A fixed Authorization header (Berth's own registry as an ECR upstream). */
  authorization?: string;
  /** How long to wait for response headers. */
  timeoutMs?: number;
}

export type UpstreamErrorKind = 'not-found' | 'unauthorized' | 'unreachable' | 'failed';

export class UpstreamError extends Error {
  constructor(readonly kind: UpstreamErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = 'UpstreamError';
  }
}

interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  const m = header && /^\s*(bearer|basic)\b\s*(.*)$/i.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/([a-zA-Z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase() as Challenge['scheme'], params };
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Tokens without expires_in last 60 s (the distribution token spec's default). */
const DEFAULT_TOKEN_TTL_S = 60;

const basic = (c: UpstreamCredentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/** Why a fetch failed, from the network error's cause (ECONNREFUSED, ENOTFOUND …). */
function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ? `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}` : cause?.message ?? (err as Error)?.message ?? String(err);
}

export class UpstreamRegistry {
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  /** The registry answered a Basic challenge before: send credentials up front. */
  private basicScheme = false;

  constructor(private readonly opts: UpstreamOptions) {}

  get host(): string {
    return new URL(this.opts.base).host;
  }

  /** GET or HEAD `/v2/<name>/<path>`, authenticated as the registry asks. The caller consumes or cancels the body. */
  async request(method: 'GET' | 'HEAD', name: string, path: string, accept?: string): Promise<Response> {
    const url = `${this.opts.base.replace(/\/+$/, '')}/v2/${name}/${path}`;
    const scope = `repository:${name}:pull`;
    let auth = this.cachedAuth(scope);
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, url, { ...(accept ? { accept } : {}), ...(auth ? { authorization: auth } : {}) });
      if (res.status !== 401) return res;
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel().catch(() => undefined);
      if (attempt > 0 || !challenge || this.opts.authorization) {
        throw new UpstreamError('unauthorized', `${this.host} refused ${this.opts.credentials || this.opts.authorization ? 'the credentials' : 'an anonymous pull (the rule has no credentials)'}`, 401);
      }
      auth = await this.authorize(challenge, scope);
    }
  }

  private cachedAuth(scope: string): string | undefined {
    if (this.opts.authorization) return this.opts.authorization;
    const token = this.tokens.get(scope);
    if (token && token.expiresAt > Date.now()) return `Bearer ${token.value}`;
    if (this.basicScheme && this.opts.credentials) return basic(this.opts.credentials);
    return undefined;
  }

  private async authorize(challenge: Challenge, defaultScope: string): Promise<string> {
    const creds = this.opts.credentials;
    if (challenge.scheme === 'basic') {
      if (!creds) throw new UpstreamError('unauthorized', `${this.host} requires credentials and the rule has none`, 401);
      this.basicScheme = true;
      return basic(creds);
    }
    const realm = challenge.params.realm;
    if (!realm) throw new UpstreamError('failed', `${this.host} sent a Bearer challenge without a realm`);
    const scope = challenge.params.scope ?? defaultScope;
    const tokenUrl = new URL(realm);
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    tokenUrl.searchParams.set('scope', scope);
    const res = await this.send('GET', tokenUrl.toString(), creds ? { authorization: basic(creds) } : {});
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const kind = res.status === 401 || res.status === 403 ? 'unauthorized' : 'failed';
      throw new UpstreamError(kind, `the token service ${tokenUrl.host} answered ${res.status}${kind === 'unauthorized' && creds ? ': the credentials were refused' : ''}`, res.status);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string; expires_in?: number };
    const value = body.token ?? body.access_token;
    if (!value) throw new UpstreamError('failed', `the token service ${tokenUrl.host} returned no token`);
    const ttl = Number.isFinite(body.expires_in) && body.expires_in! > 0 ? body.expires_in! : DEFAULT_TOKEN_TTL_S;
    // Renew a little early, so a token does not expire between check and use.
    this.tokens.set(scope, { value, expiresAt: Date.now() + Math.max(1, ttl - 5) * 1000 });
    if (scope !== defaultScope) this.tokens.set(defaultScope, { value, expiresAt: Date.now() + Math.max(1, ttl - 5) * 1000 });
    return `Bearer ${value}`;
  }

  private async send(method: string, url: string, headers: Record<string, string>): Promise<Response> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('timed out waiting for the upstream registry')), this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      // Redirects are followed (blob storage); fetch drops Authorization when one leaves the origin.
      return await fetch(url, { method, headers, redirect: 'follow', signal: ac.signal });
    } catch (err) {
      throw new UpstreamError('unreachable', `${new URL(url).host} is unreachable: ${reason(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Is this host a loopback address or name (where plain http is the norm)? */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':').length > 2 ? host : host.replace(/:\d+$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}
