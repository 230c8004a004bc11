/**
 * The Application Load Balancer's HTTP path: evaluate the listener's rules in
 * priority order, then answer a fixed-response or redirect action, or forward
 * to a target of the chosen target group. Forwarding is HTTP/1.1 with pooled
 * keep-alive connections to targets; bodies stream both ways (never
 * buffered); WebSocket upgrades are passed through; X-Forwarded-For/-Proto/
 * -Port and X-Amzn-Trace-Id are added; stickiness cookies (AWSALB, AWSALBAPP-0,
 * AWSALBTG) are honoured and set.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Balancer, pickGroup } from './balancer.js';
import {
  fixedResponse, rawErrorResponse, rawResponse, redirectLocation, sendError, SERVER_HEADER, traceHeader,
} from './responses.js';
import { normalizeIp, type RequestFacts } from './rule-matcher.js';
import type { CompiledRule, ListenerView, TargetGroupView, TargetView } from './snapshot.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and Expect, which Berth answers itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

const COOKIE_LB = 'AWSALB';
const COOKIE_APP = 'AWSALBAPP-0';
const COOKIE_TG = 'AWSALBTG';

const encodeCookie = (value: string) => Buffer.from(value).toString('base64url');
function decodeCookie(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    return Buffer.from(value, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function hostOf(header: string | undefined): string {
  if (!header) return '';
  const h = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
  return h.toLowerCase();
}

export function requestFacts(req: http.IncomingMessage): RequestFacts {
  let url = req.url ?? '/';
  if (!url.startsWith('/')) {
    // Absolute-form request target: only its path and query matter here.
    try {
      const u = new URL(url);
      url = `${u.pathname}${u.search}`;
    } catch { /* keep as is */ }
  }
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    host: hostOf(req.headers.host),
    path: q >= 0 ? url.slice(0, q) : url,
    query: q >= 0 ? url.slice(q + 1) : '',
    headers: req.headers,
    sourceIp: normalizeIp(req.socket.remoteAddress ?? ''),
  };
}

export function matchRule(listener: ListenerView, facts: RequestFacts): CompiledRule | undefined {
  for (const rule of listener.rules) if (rule.match(facts)) return rule;
  return undefined;
}

interface Choice {
  group: TargetGroupView;
  target: TargetView;
  host: string;
  port: number;
  setCookies: string[];
}

export class HttpProxy {
  /** Pooled keep-alive connections to targets, one pool per (TLS, idle timeout): the timeout is the sockets'. */
  private agents = new Map<string, http.Agent>();

  /** Upgraded (WebSocket) connections: no server tracks them once upgraded, so stop() ends them here. */
  private upgraded = new Set<Duplex>();

  /** Where Berth actually listens for a listener (set by LoadBalancing; differs from its port when that was taken). */
  boundPort: (listenerArn: string) => number | undefined = () => undefined;

  constructor(private readonly balancer: Balancer, private readonly clock: Clock, private readonly log: Logger) {}

  /**
   * A redirect to another listener of the same load balancer (HTTP:80 →
   * HTTPS:443) goes where Berth serves that listener when it could not bind
   * the listener's own port.
   */
  private localize(listener: ListenerView, location: string, host: string): string {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return location;
    }
    if (url.hostname.toLowerCase() !== host) return location;
    const scheme = url.protocol.slice(0, -1);
    const port = Number(url.port || (scheme === 'https' ? 443 : 80));
    const target = listener.lb.listeners.find((l) => l.port === port && l.protocol.toLowerCase() === scheme);
    const bound = target && this.boundPort(target.arn);
    if (!bound || bound === port) return location;
    url.port = String(bound);
    return url.toString();
  }

  private agentFor(tls: boolean, idleMs: number): http.Agent {
    const key = `${tls}:${idleMs}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const opts = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 512, scheduling: 'lifo' as const, timeout: idleMs, noDelay: true };
      agent = tls ? new https.Agent({ ...opts, rejectUnauthorized: false }) : new http.Agent(opts);
      this.agents.set(key, agent);
    }
    return agent;
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
    for (const s of this.upgraded) s.destroy();
    this.upgraded.clear();
  }

  handle(listener: ListenerView, req: http.IncomingMessage, res: http.ServerResponse): void {
    const serverHeader = listener.attributes['routing.http.response.server.enabled'] !== 'false';
    const facts = requestFacts(req);
    const rule = matchRule(listener, facts);
    const action = rule?.action;
    if (!action) return sendError(res, 503, serverHeader);
    if (action.type === 'fixed-response') {
      const out = fixedResponse(action.config);
      res.writeHead(out.status, serverHeader ? { ...out.headers, server: SERVER_HEADER } : out.headers);
      res.end(req.method === 'HEAD' ? undefined : out.body);
      return;
    }
    if (action.type === 'redirect') {
      const location = this.localize(listener, redirectLocation(action.config, {
        protocol: listener.protocol.toLowerCase(), hostHeader: req.headers.host ?? facts.host, host: facts.host,
        listenerPort: listener.port, path: facts.path, query: facts.query,
      }), facts.host);
      const status = action.config.StatusCode === 'HTTP_301' ? 301 : 302;
      res.writeHead(status, { location, 'content-length': '0', ...(serverHeader ? { server: SERVER_HEADER } : {}) });
      res.end();
      // The body of a request answered without reading it is drained so the connection can be reused.
      req.resume();
      return;
    }
    const choice = this.choose(action.groups, action.stickySeconds, req);
    if (!choice) {
      req.resume();
      return sendError(res, 503, serverHeader);
    }
    this.forward(listener, req, res, choice, serverHeader, false);
  }

  private choose(groups: Parameters<typeof pickGroup>[0], stickySeconds: number | undefined, req: http.IncomingMessage): Choice | undefined {
    const now = this.clock.now();
    const cookieHeader = req.headers.cookie;
    let cookies: Map<string, string> | undefined;
    const cookie = (name: string) => (cookieHeader ? (cookies ??= parseCookies(cookieHeader)).get(name) : undefined);
    const group = pickGroup(groups, stickySeconds ? decodeCookie(cookie(COOKIE_TG)) : undefined);
    if (!group) return undefined;
    const stickyType = group.attributes['stickiness.enabled'] === 'true' ? group.attributes['stickiness.type'] : undefined;
    const stickyKey = stickyType === 'lb_cookie' ? decodeCookie(cookie(COOKIE_LB)) : stickyType === 'app_cookie' ? decodeCookie(cookie(COOKIE_APP)) : undefined;
    const target = this.balancer.pick(group, now, stickyKey);
    if (!target) return undefined;
    const addr = this.balancer.address(group, target)!;
    const setCookies: string[] = [];
    if (stickyType === 'lb_cookie') {
      const expires = new Date(now + Number(group.attributes['stickiness.lb_cookie.duration_seconds'] ?? '86400') * 1000).toUTCString();
      const v = encodeCookie(target.key);
      setCookies.push(`${COOKIE_LB}=${v}; Expires=${expires}; Path=/`, `${COOKIE_LB}CORS=${v}; Expires=${expires}; Path=/; SameSite=None`);
    }
    if (stickySeconds && groups.length > 1) {
      const expires = new Date(now + stickySeconds * 1000).toUTCString();
      const v = encodeCookie(group.arn);
      setCookies.push(`${COOKIE_TG}=${v}; Expires=${expires}; Path=/`, `${COOKIE_TG}CORS=${v}; Expires=${expires}; Path=/; SameSite=None`);
    }
    return { group, target, host: addr.host, port: addr.port, setCookies };
  }

  private forwardedHeaders(listener: ListenerView, req: http.IncomingMessage): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {};
    const src = req.headers;
    const named = src.connection ? new Set(String(src.connection).toLowerCase().split(',').map((s) => s.trim())) : undefined;
    for (const k in src) {
      if (HOP_BY_HOP.has(k) || named?.has(k)) continue;
      headers[k] = src[k];
    }
    if (src['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const attrs = listener.lb.attributes;
    const mode = attrs['routing.http.xff_header_processing.mode'] ?? 'append';
    if (mode === 'remove') delete headers['x-forwarded-for'];
    else {
      const ip = normalizeIp(req.socket.remoteAddress ?? '');
      const client = attrs['routing.http.xff_client_port.enabled'] === 'true' ? `${ip}:${req.socket.remotePort}` : ip;
      const prior = src['x-forwarded-for'];
      if (mode === 'append') headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client;
      else if (!prior) headers['x-forwarded-for'] = client;
    }
    headers['x-forwarded-proto'] = listener.protocol.toLowerCase();
    headers['x-forwarded-port'] = String(listener.port);
    headers['x-amzn-trace-id'] = traceHeader(src['x-amzn-trace-id'] as string | undefined, this.clock.now());
    return headers;
  }

  private forward(listener: ListenerView, req: http.IncomingMessage, res: http.ServerResponse, c: Choice, serverHeader: boolean, retry: boolean): void {
    const tls = c.group.doc.Protocol === 'HTTPS';
    const idleMs = Number(listener.lb.attributes['idle_timeout.timeout_seconds'] ?? '60') * 1000;
    const headers = this.forwardedHeaders(listener, req);
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    this.balancer.acquire(c.target);
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.balancer.release(c.target);
      }
    };
    const upReq = (tls ? https : http).request({
      host: c.host, port: c.port, method: req.method, path: req.url, headers, agent: this.agentFor(tls, idleMs), setHost: false,
    });
    // The agent's socket timeout is the load balancer's idle timeout: a target silent that long gets a 504.
    upReq.once('timeout', () => upReq.destroy(Object.assign(new Error('target timed out'), { code: 'ETIMEDOUT' })));
    upReq.on('response', (upRes) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const k in upRes.headers) if (!RESPONSE_HOP_BY_HOP.has(k)) out[k] = upRes.headers[k];
      const cookies = [...c.setCookies];
      const appCookie = c.group.attributes['stickiness.type'] === 'app_cookie' && c.group.attributes['stickiness.enabled'] === 'true'
        ? c.group.attributes['stickiness.app_cookie.cookie_name'] : undefined;
      if (appCookie && upRes.headers['set-cookie']?.some((sc) => sc.startsWith(`${appCookie}=`))) {
        const expires = new Date(this.clock.now() + Number(c.group.attributes['stickiness.app_cookie.duration_seconds'] ?? '86400') * 1000).toUTCString();
        cookies.push(`${COOKIE_APP}=${encodeCookie(c.target.key)}; Expires=${expires}; Path=/`);
      }
      if (cookies.length) out['set-cookie'] = [...(upRes.headers['set-cookie'] ?? []), ...cookies];
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out);
      // A hand-rolled pipe: most responses are one chunk, and pipe()'s bookkeeping costs more than the copy.
      upRes.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) {
          upRes.pause();
          res.once('drain', () => upRes.resume());
        }
      });
      upRes.on('end', () => {
        res.end();
        release();
      });
      upRes.on('error', () => {
        release();
        res.destroy();
      });
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      release();
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      // A pooled connection the target closed while idle: retry an idempotent request once on a fresh one.
      if (!retry && upReq.reusedSocket && err.code === 'ECONNRESET' && IDEMPOTENT.has(req.method ?? '') && !hasBody) {
        this.forward(listener, req, res, c, serverHeader, true);
        return;
      }
      if (this.log.enabled('debug')) this.log.debug('load balancer target failed', { target: `${c.host}:${c.port}`, error: err.code ?? err.message });
      req.resume();
      sendError(res, err.code === 'ETIMEDOUT' ? 504 : 502, serverHeader);
    });
    res.on('close', () => {
      release();
      if (!res.writableFinished) upReq.destroy();
    });
    if (hasBody && !retry) req.pipe(upReq);
    else upReq.end();
  }

  /** A WebSocket (or other Upgrade) request: answered on the socket, then both sides piped. */
  upgrade(listener: ListenerView, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.upgraded.add(socket);
    socket.on('close', () => this.upgraded.delete(socket));
    const facts = requestFacts(req);
    const action = matchRule(listener, facts)?.action;
    if (!action || action.type !== 'forward') {
      if (action?.type === 'fixed-response') {
        const out = fixedResponse(action.config);
        socket.end(rawResponse(out.status, 'OK', { ...out.headers, server: SERVER_HEADER }, out.body));
      } else if (action?.type === 'redirect') {
        const location = redirectLocation(action.config, {
          protocol: listener.protocol.toLowerCase(), hostHeader: req.headers.host ?? facts.host, host: facts.host,
          listenerPort: listener.port, path: facts.path, query: facts.query,
        });
        socket.end(rawResponse(action.config.StatusCode === 'HTTP_301' ? 301 : 302, 'Moved', { location, server: SERVER_HEADER }));
      } else socket.end(rawErrorResponse(503));
      return;
    }
    const c = this.choose(action.groups, action.stickySeconds, req);
    if (!c) {
      socket.end(rawErrorResponse(503));
      return;
    }
    const headers = this.forwardedHeaders(listener, req);
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade;
    const tls = c.group.doc.Protocol === 'HTTPS';
    const upReq = (tls ? https : http).request({ host: c.host, port: c.port, method: req.method, path: req.url, headers, agent: false, setHost: false, ...(tls ? { rejectUnauthorized: false } : {}) });
    this.balancer.acquire(c.target);
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.balancer.release(c.target);
      }
    };
    upReq.on('upgrade', (upRes, upSocket, upHead) => {
      const lines = [`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}`];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.on('error', () => socket.destroy());
      upSocket.on('close', () => {
        release();
        socket.destroy();
      });
      socket.on('close', () => upSocket.destroy());
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    upReq.on('response', (upRes) => {
      // The target declined the upgrade: relay its answer and close.
      const lines = [`HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage}`];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      upRes.pipe(socket);
      upRes.on('end', release);
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      release();
      if (socket.writable) socket.end(rawErrorResponse(err.code === 'ETIMEDOUT' ? 504 : 502));
    });
    upReq.end();
  }
}
