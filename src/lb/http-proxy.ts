/**
 * The Application Load Balancer's HTTP path on node:http: requests that
 * arrive on Berth's main port for a load balancer's DNS name, WebSocket (and
 * other Upgrade) requests from any port, and listener ports when Node's HTTP
 * parser cannot be driven directly (see http-parser.ts; alb-connection.ts is
 * the fast path otherwise). Rules are evaluated in priority order, then a
 * fixed-response or redirect action is answered, or the request forwarded to
 * a target of the chosen target group over pooled keep-alive connections;
 * bodies stream both ways (never buffered); X-Forwarded-For/-Proto/-Port and
 * X-Amzn-Trace-Id are added; stickiness cookies are honoured and set
 * (forwarding.ts).
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Balancer } from './balancer.js';
import { appStickinessCookie, chooseTarget, forwardedFor, hostOf, idleTimeoutMs, localizeRedirect, type Choice } from './forwarding.js';
import {
  fixedResponse, rawErrorResponse, rawResponse, redirectLocation, sendError, SERVER_HEADER, traceHeader,
} from './responses.js';
import { normalizeIp, type RequestFacts } from './rule-matcher.js';
import type { CompiledRule, ListenerView, WeightedGroup } from './snapshot.js';
import type { TrafficMeter } from './traffic-meter.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and Expect, which Berth answers itself. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The parts of a request the proxy reads (an IncomingMessage, or what alb-connection.ts parsed). */
export interface ProxiedRequest {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  socket: { remoteAddress?: string; remotePort?: number };
}

export function requestFacts(req: ProxiedRequest): RequestFacts {
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

export class HttpProxy {
  /** Pooled keep-alive connections to targets, one pool per (TLS, idle timeout): the timeout is the sockets'. */
  private agents = new Map<string, http.Agent>();

  /** Upgraded (WebSocket) connections: no server tracks them once upgraded, so stop() ends them here. */
  private upgraded = new Set<Duplex>();

  /** Where Berth actually listens for a listener (set by LoadBalancing; differs from its port when that was taken). */
  boundPort: (listenerArn: string) => number | undefined = () => undefined;

  constructor(private readonly balancer: Balancer, private readonly clock: Clock, private readonly log: Logger, private readonly meter: TrafficMeter) {}

  private localize(listener: ListenerView, location: string, host: string): string {
    return localizeRedirect(listener, location, host, this.boundPort);
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
    const lb = listener.lb.arn;
    if (!action) {
      this.meter.rejected(lb, 503);
      return sendError(res, 503, serverHeader);
    }
    if (action.type === 'fixed-response') {
      const out = fixedResponse(action.config);
      this.meter.answered(lb, out.status, 'fixed');
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
      this.meter.answered(lb, status, 'redirect');
      res.writeHead(status, { location, 'content-length': '0', ...(serverHeader ? { server: SERVER_HEADER } : {}) });
      res.end();
      // The body of a request answered without reading it is drained so the connection can be reused.
      req.resume();
      return;
    }
    const choice = this.choose(action.groups, action.stickySeconds, req);
    if (!choice) {
      this.meter.rejected(lb, 503);
      req.resume();
      return sendError(res, 503, serverHeader);
    }
    this.forward(listener, req, res, choice, serverHeader, false);
  }

  private choose(groups: WeightedGroup[], stickySeconds: number | undefined, req: ProxiedRequest): Choice | undefined {
    return chooseTarget(this.balancer, this.clock.now(), groups, stickySeconds, req.headers.cookie);
  }

  private forwardedHeaders(listener: ListenerView, req: ProxiedRequest): http.OutgoingHttpHeaders {
    const headers: http.OutgoingHttpHeaders = {};
    const src = req.headers;
    const named = src.connection ? new Set(String(src.connection).toLowerCase().split(',').map((s) => s.trim())) : undefined;
    for (const k in src) {
      if (HOP_BY_HOP.has(k) || named?.has(k)) continue;
      headers[k] = src[k];
    }
    if (src['transfer-encoding']) headers['transfer-encoding'] = 'chunked';
    const xff = forwardedFor(listener, src['x-forwarded-for'] as string | undefined, normalizeIp(req.socket.remoteAddress ?? ''), req.socket.remotePort);
    if (xff === undefined) delete headers['x-forwarded-for'];
    else headers['x-forwarded-for'] = xff;
    headers['x-forwarded-proto'] = listener.protocol.toLowerCase();
    headers['x-forwarded-port'] = String(listener.port);
    headers['x-amzn-trace-id'] = traceHeader(src['x-amzn-trace-id'] as string | undefined, this.clock.now());
    return headers;
  }

  private forward(listener: ListenerView, req: http.IncomingMessage, res: http.ServerResponse, c: Choice, serverHeader: boolean, retry: boolean): void {
    const tls = c.group.doc.Protocol === 'HTTPS';
    const idleMs = idleTimeoutMs(listener);
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
    const sentAt = performance.now();
    // The agent's socket timeout is the load balancer's idle timeout: a target silent that long gets a 504.
    upReq.once('timeout', () => upReq.destroy(Object.assign(new Error('target timed out'), { code: 'ETIMEDOUT' })));
    upReq.on('response', (upRes) => {
      this.meter.targetResponse(listener.lb.arn, c.group.arn, upRes.statusCode ?? 502, (performance.now() - sentAt) / 1000);
      const out: http.OutgoingHttpHeaders = {};
      for (const k in upRes.headers) if (!RESPONSE_HOP_BY_HOP.has(k)) out[k] = upRes.headers[k];
      const cookies = [...c.setCookies];
      const app = appStickinessCookie(c, this.clock.now(), upRes.headers['set-cookie']);
      if (app) cookies.push(app);
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
      const status = err.code === 'ETIMEDOUT' ? 504 : 502;
      this.meter.targetFailed(listener.lb.arn, c.group.arn, status);
      sendError(res, status, serverHeader);
    });
    res.on('close', () => {
      release();
      if (!res.writableFinished) upReq.destroy();
    });
    if (hasBody && !retry) req.pipe(upReq);
    else upReq.end();
  }

  /** A WebSocket (or other Upgrade) request: answered on the socket, then both sides piped. */
  upgrade(listener: ListenerView, req: ProxiedRequest, socket: Duplex, head: Buffer): void {
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
