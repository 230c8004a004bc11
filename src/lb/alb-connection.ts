/**
 * One client connection on an Application Load Balancer's listener port: the
 * data plane's fast path. Requests are parsed with Node's HTTP parser straight
 * from the socket (http-parser.ts) and answered as bytes: rules evaluated in
 * priority order, fixed-response and redirect actions and the load balancer's
 * error pages written directly, forwards sent to a target over a pooled
 * keep-alive connection (target-connections.ts) with X-Forwarded-For/-Proto/
 * -Port and X-Amzn-Trace-Id added and stickiness cookies set (forwarding.ts).
 * Bodies stream both ways with backpressure, re-chunked when their length is
 * not known; requests on a connection are answered in order, one at a time
 * (pipelined ones wait, as in node:http). Upgrade requests (WebSocket) are
 * handed to http-proxy.ts with the bytes already read.
 */
import type net from 'node:net';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Balancer } from './balancer.js';
import { appCookieName, appStickinessCookie, chooseTarget, forwardedFor, hostOf, idleTimeoutMs, localizeRedirect, type Choice } from './forwarding.js';
import type { Head, ParseError } from './http-parser.js';
import { SocketParser } from './http-parser.js';
import { matchRule, type ProxiedRequest } from './http-proxy.js';
import { errorPage, fixedResponse, redirectLocation, SERVER_HEADER, statusText, traceHeader } from './responses.js';
import { Facts, headerMap, hostPort, httpDate, listenerLines } from './http-heads.js';
import { normalizeIp } from './rule-matcher.js';
import type { ListenerView } from './snapshot.js';
import type { TargetConnection, TargetConnections, TargetExchange } from './target-connections.js';
import type { TrafficMeter } from './traffic-meter.js';

export interface AlbContext {
  balancer: Balancer;
  targets: TargetConnections;
  clock: Clock;
  log: Logger;
  /** Counts requests for CloudWatch. */
  meter: TrafficMeter;
  /** The listener's current view (undefined once it is deleted). */
  listener(arn: string): ListenerView | undefined;
  /** Where Berth listens for a listener (redirects to a sibling listener). */
  boundPort(arn: string): number | undefined;
  /** Proxies an Upgrade request (WebSocket) on the socket. */
  upgrade(listener: ListenerView, req: ProxiedRequest, socket: net.Socket, head: Buffer): void;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

// Header names this path looks at, by length first: most headers are passed on without lower-casing.
const WATCHED_LENGTHS = new Set([2, 4, 6, 7, 10, 14, 15, 16, 17]);
const REQUEST_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);
const REPLACED = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-port', 'x-amzn-trace-id']);
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** Connections with corked writes, flushed once per event loop turn at the latest. */
const toFlush: AlbConnection[] = [];
function flushAll(): void {
  const list = toFlush.splice(0);
  for (const c of list) c.flushNow();
}

/** One request and its response. */
class Exchange implements TargetExchange {
  // From the request head.
  host = '';
  hostHeader: string | undefined;
  cookie: string | undefined;
  priorXff: string | undefined;
  trace: string | undefined;
  chunkedRequest = false;
  hasBody = false;
  expect: string | undefined;
  /** Headers passed on to the target, as lines. */
  passed = '';

  /** The request was read to its end. */
  requestDone = false;
  /** Bytes of the response were written to the client. */
  responseStarted = false;
  responseDone = false;
  /** Answered by the load balancer: the rest of the request body is read and dropped. */
  local = false;
  /** The response is framed by closing the connection. */
  closeAfter = false;
  chunkedResponse = false;
  retried = false;
  listener: ListenerView | undefined;
  choice: Choice | undefined;
  target: TargetConnection | undefined;
  /** When the request (its last attempt) was sent to the target (performance.now()): TargetResponseTime. */
  sentAt = 0;
  /** Pipelined: parsed while an earlier exchange was in progress. */
  queuedBody: Buffer[] | undefined;

  constructor(readonly conn: AlbConnection, readonly head: Head) {}

  responseHead(h: Head): boolean {
    return this.conn.responseHead(this, h);
  }

  responseBody(chunk: Buffer): void {
    this.conn.responseBody(this, chunk);
  }

  responseEnd(): void {
    this.conn.responseEnd(this);
  }

  responseError(err: NodeJS.ErrnoException, retryable: boolean): void {
    this.conn.responseError(this, err, retryable);
  }

  flush(): void {
    this.conn.flush();
  }

  targetDrained(): void {
    this.conn.targetDrained(this);
  }
}

export class AlbConnection {
  private readonly parser: SocketParser;
  private readonly ip: string;
  /** The exchange being answered. */
  private current: Exchange | undefined;
  /** The exchange whose request is being read (the current one, or the last queued). */
  private reading: Exchange | undefined;
  private queue: Exchange[] = [];
  /** An Upgrade request waits for the parser to say where its head ends. */
  private upgrading: Exchange | undefined;
  private corkedClient = false;
  private corkedTarget: TargetConnection | undefined;
  private flushScheduled = false;
  private clientEnded = false;
  private closed = false;

  constructor(
    readonly socket: net.Socket, private readonly listenerArn: string, private readonly ctx: AlbContext, idleMs: number,
  ) {
    // The client may half-close after its request; the response still goes out.
    socket.allowHalfOpen = true;
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => socket.destroy());
    this.ip = normalizeIp(socket.remoteAddress ?? '');
    this.parser = new SocketParser(socket, 'request', {
      head: (h) => this.onHead(h),
      body: (chunk) => this.onBody(chunk),
      complete: () => this.onComplete(),
      executed: (parsed) => this.onExecuted(parsed),
    });
    socket.on('error', () => socket.destroy());
    socket.on('drain', () => this.current?.target?.resume());
    socket.on('end', () => {
      this.clientEnded = true;
      if (!this.current) socket.end();
    });
    socket.on('close', () => this.teardown());
    this.parser.resume();
  }

  /** Ends the connection now (its listener is gone, or Berth stops). */
  destroy(): void {
    this.socket.destroy();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    const ex = this.current;
    this.current = undefined;
    this.queue = [];
    if (ex?.target && !ex.responseDone) {
      ex.target.abandon();
      if (ex.choice) this.ctx.balancer.release(ex.choice.target);
    }
    this.parser.close();
  }

  // ---- request side -------------------------------------------------------------

  private onHead(h: Head): void {
    const ex = new Exchange(this, h);
    this.reading = ex;
    this.scanHeaders(ex);
    if (h.upgrade) {
      this.upgrading = ex;
      return;
    }
    if (this.current) {
      // Pipelined: it waits for the response in progress; reading stops until then.
      ex.queuedBody = [];
      this.queue.push(ex);
      this.parser.pause();
      return;
    }
    this.start(ex);
  }

  private onBody(chunk: Buffer): void {
    const ex = this.reading;
    if (!ex || ex.local) return;
    if (ex.queuedBody) ex.queuedBody.push(chunk);
    else this.sendBody(ex, chunk);
  }

  private onComplete(): void {
    const ex = this.reading;
    if (!ex || ex === this.upgrading) return;
    ex.requestDone = true;
    if (ex.queuedBody) return;
    this.requestEnded(ex);
  }

  private onExecuted(parsed: number | ParseError): void {
    this.flushTarget();
    this.flush();
    (this.socket as { _unrefTimer?: () => void })._unrefTimer?.();
    if (typeof parsed !== 'number') {
      this.badRequest(parsed);
      return;
    }
    if (this.upgrading) {
      const ex = this.upgrading;
      this.upgrading = undefined;
      this.handOverUpgrade(ex, parsed);
    }
  }

  /** One pass over the request's headers: what this path needs, and the lines passed on. */
  private scanHeaders(ex: Exchange): void {
    const raw = ex.head.headers;
    let passed = '';
    let dropNamed: Set<string> | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      const value = raw[i + 1];
      if (WATCHED_LENGTHS.has(name.length)) {
        const k = name.toLowerCase();
        if (k === 'host') ex.hostHeader ??= value;
        else if (k === 'cookie') ex.cookie = ex.cookie === undefined ? value : `${ex.cookie}; ${value}`;
        else if (k === 'content-length') ex.hasBody ||= value !== '0';
        else if (k === 'transfer-encoding') {
          ex.chunkedRequest = true;
          ex.hasBody = true;
        } else if (k === 'expect') ex.expect = value.toLowerCase();
        else if (k === 'connection') {
          for (const token of value.split(',')) {
            const t = token.trim().toLowerCase();
            if (t && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') (dropNamed ??= new Set()).add(t);
          }
        }
        if (k === 'x-forwarded-for') ex.priorXff = ex.priorXff === undefined ? value : `${ex.priorXff}, ${value}`;
        else if (k === 'x-amzn-trace-id') ex.trace ??= value;
        if (REQUEST_HOP_BY_HOP.has(k) || REPLACED.has(k)) continue;
      }
      passed += `${name}: ${value}\r\n`;
    }
    if (dropNamed) {
      // Headers the client's Connection header names are hop-by-hop too.
      passed = '';
      for (let i = 0; i < raw.length; i += 2) {
        const k = raw[i].toLowerCase();
        if (REQUEST_HOP_BY_HOP.has(k) || REPLACED.has(k) || dropNamed.has(k)) continue;
        passed += `${raw[i]}: ${raw[i + 1]}\r\n`;
      }
    }
    ex.passed = passed;
    ex.host = hostOf(ex.hostHeader);
  }

  private start(ex: Exchange): void {
    this.current = ex;
    const h = ex.head;
    const listener = this.ctx.listener(this.listenerArn);
    ex.listener = listener;
    if (!listener) return this.answerError(ex, 503);
    const url = h.url;
    let path = url;
    if (url.charCodeAt(0) !== 47 /* / */) {
      // Absolute-form request target: only its path and query matter to rules.
      try {
        const u = new URL(url);
        path = `${u.pathname}${u.search}`;
      } catch { /* keep as is */ }
    }
    const q = path.indexOf('?');
    const facts = new Facts(h.method, ex.host, q >= 0 ? path.slice(0, q) : path, q >= 0 ? path.slice(q + 1) : '', this.ip, h.headers);
    const action = matchRule(listener, facts)?.action;
    const lb = listener.lb.arn;
    if (!action) {
      this.ctx.meter.rejected(lb, 503);
      return this.answerError(ex, 503);
    }
    if (action.type === 'fixed-response') {
      const out = fixedResponse(action.config);
      this.ctx.meter.answered(lb, out.status, 'fixed');
      let head = '';
      for (const k in out.headers) head += `${k}: ${out.headers[k]}\r\n`;
      return this.answer(ex, out.status, head, h.method === 'HEAD' ? '' : out.body);
    }
    if (action.type === 'redirect') {
      const location = localizeRedirect(listener, redirectLocation(action.config, {
        protocol: listener.protocol.toLowerCase(), hostHeader: ex.hostHeader ?? ex.host, host: ex.host,
        listenerPort: listener.port, path: facts.path, query: facts.query,
      }), ex.host, this.ctx.boundPort);
      const status = action.config.StatusCode === 'HTTP_301' ? 301 : 302;
      this.ctx.meter.answered(lb, status, 'redirect');
      return this.answer(ex, status, `Location: ${location}\r\nContent-Length: 0\r\n`, '');
    }
    // As node:http: 100-continue is answered at once, any other expectation refused.
    if (ex.expect !== undefined && ex.expect !== '100-continue') {
      this.ctx.meter.rejected(lb, 417);
      return this.answer(ex, 417, 'Content-Length: 0\r\n', '');
    }
    const choice = chooseTarget(this.ctx.balancer, this.ctx.clock.now(), action.groups, action.stickySeconds, ex.cookie);
    if (!choice) {
      this.ctx.meter.rejected(lb, 503);
      return this.answerError(ex, 503);
    }
    ex.choice = choice;
    if (ex.expect !== undefined && h.versionMinor >= 1) this.write(CONTINUE);
    this.ctx.balancer.acquire(choice.target);
    this.forward(ex);
  }

  /** Sends the request head to a target (again, on a retry); the body follows as it is read. */
  private forward(ex: Exchange): void {
    const listener = ex.listener!;
    const c = ex.choice!;
    const target = this.ctx.targets.acquire(c.host, c.port, c.group.doc.Protocol === 'HTTPS', idleTimeoutMs(listener), ex, listener.lb.arn);
    ex.target = target;
    ex.sentAt = performance.now();
    const xff = forwardedFor(listener, ex.priorXff, this.ip, this.socket.remotePort);
    // HTTP/1.0 may leave Host out; HTTP/1.1 may not: the load balancer's address stands in, as ELB does.
    const host = ex.hostHeader === undefined ? `Host: ${hostPort(this.socket.localAddress, this.socket.localPort)}\r\n` : '';
    const head = `${ex.head.method} ${ex.head.url} HTTP/1.1\r\n${host}${ex.passed}${xff === undefined ? '' : `X-Forwarded-For: ${xff}\r\n`}${listenerLines(listener)}`
      + `X-Amzn-Trace-Id: ${traceHeader(ex.trace, this.ctx.clock.now())}\r\n${ex.chunkedRequest ? 'Transfer-Encoding: chunked\r\n' : ''}\r\n`;
    if (!this.corkedTarget) {
      // Head and body (often in the same read) leave in one write, when the batch of input is parsed.
      this.corkedTarget = target;
      target.socket.cork();
      this.flushSoon();
    }
    target.write(head);
  }

  private flushTarget(): void {
    const t = this.corkedTarget;
    if (!t) return;
    this.corkedTarget = undefined;
    t.socket.uncork();
  }

  private sendBody(ex: Exchange, chunk: Buffer): void {
    const target = ex.target;
    if (!target || ex.responseDone) return;
    let ok: boolean;
    if (ex.chunkedRequest) {
      target.write(`${chunk.length.toString(16)}\r\n`);
      target.write(chunk);
      ok = target.write(CRLF);
    } else ok = target.write(chunk);
    if (!ok) this.parser.pause();
  }

  /** The request was read to its end. */
  private requestEnded(ex: Exchange): void {
    if (ex.target && !ex.responseDone) {
      if (ex.chunkedRequest) ex.target.write(LAST_CHUNK);
      ex.target.sent();
    }
    if (ex.responseDone) this.finish(ex);
  }

  targetDrained(ex: Exchange): void {
    if (ex === this.current && !ex.requestDone) this.parser.resume();
  }

  // ---- response side ------------------------------------------------------------

  responseHead(ex: Exchange, h: Head): boolean {
    if (h.status >= 200) this.ctx.meter.targetResponse(ex.listener!.lb.arn, ex.choice!.group.arn, h.status, (performance.now() - ex.sentAt) / 1000);
    if (ex !== this.current || this.closed) return true;
    if (h.status < 200) {
      // Informational (103 Early Hints, an unasked 100): relayed to HTTP/1.1 clients, the final response follows.
      if (ex.head.versionMinor >= 1 && h.status !== 100) this.write(`HTTP/1.1 ${h.status} ${h.statusMessage}\r\n${this.lines(h.headers)}\r\n`);
      return false;
    }
    const method = ex.head.method;
    const bodiless = method === 'HEAD' || h.status === 204 || h.status === 304;
    let lines = '';
    let hasLength = false;
    let setCookies: string[] | undefined;
    const appCookie = appCookieName(ex.choice!.group);
    const raw = h.headers;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      if (WATCHED_LENGTHS.has(name.length)) {
        const k = name.toLowerCase();
        if (RESPONSE_HOP_BY_HOP.has(k)) continue;
        if (k === 'content-length') hasLength = true;
        else if (appCookie && k === 'set-cookie') (setCookies ??= []).push(raw[i + 1]);
      }
      lines += `${name}: ${raw[i + 1]}\r\n`;
    }
    for (const cookie of ex.choice!.setCookies) lines += `Set-Cookie: ${cookie}\r\n`;
    if (appCookie) {
      const app = appStickinessCookie(ex.choice!, this.ctx.clock.now(), setCookies);
      if (app) lines += `Set-Cookie: ${app}\r\n`;
    }
    const clientKeepAlive = ex.head.keepAlive && !this.clientEnded;
    if (!bodiless && !hasLength) {
      if (clientKeepAlive && ex.head.versionMinor >= 1) {
        ex.chunkedResponse = true;
        lines += 'Transfer-Encoding: chunked\r\n';
      } else ex.closeAfter = true;
    }
    if (ex.closeAfter || !clientKeepAlive) lines += 'Connection: close\r\n';
    else if (ex.head.versionMinor === 0) lines += 'Connection: keep-alive\r\n';
    ex.responseStarted = true;
    this.write(`HTTP/1.1 ${h.status} ${h.statusMessage}\r\n${lines}\r\n`);
    // The parser needs telling that a response to HEAD has no body.
    return method === 'HEAD';
  }

  responseBody(ex: Exchange, chunk: Buffer): void {
    if (ex !== this.current || this.closed) return;
    let ok: boolean;
    if (ex.chunkedResponse) {
      this.write(`${chunk.length.toString(16)}\r\n`);
      this.write(chunk);
      ok = this.write(CRLF);
    } else ok = this.write(chunk);
    if (!ok) ex.target?.pause();
  }

  responseEnd(ex: Exchange): void {
    if (ex.choice) this.ctx.balancer.release(ex.choice.target);
    if (ex !== this.current || this.closed) return;
    if (ex.chunkedResponse) this.write(LAST_CHUNK);
    ex.responseDone = true;
    ex.target = undefined;
    if (ex.requestDone) this.finish(ex);
    else {
      // The target answered before reading the whole request: the rest is read and dropped.
      ex.local = true;
      this.parser.resume();
    }
  }

  responseError(ex: Exchange, err: NodeJS.ErrnoException, retryable: boolean): void {
    if (ex.choice) this.ctx.balancer.release(ex.choice.target);
    ex.target = undefined;
    if (ex !== this.current || this.closed) return;
    // A pooled connection the target closed while idle: an idempotent request is sent again on a fresh one.
    if (retryable && !ex.retried && !ex.hasBody && IDEMPOTENT.has(ex.head.method)) {
      ex.retried = true;
      this.ctx.balancer.acquire(ex.choice!.target);
      this.forward(ex);
      if (ex.requestDone) ex.target!.sent();
      return;
    }
    if (this.ctx.log.enabled('debug')) this.ctx.log.debug('load balancer target failed', { target: `${ex.choice?.host}:${ex.choice?.port}`, error: err.code ?? err.message });
    if (ex.responseStarted) {
      this.socket.destroy();
      return;
    }
    const status = err.code === 'ETIMEDOUT' ? 504 : 502;
    this.ctx.meter.targetFailed(ex.listener!.lb.arn, ex.choice!.group.arn, status);
    this.answerError(ex, status);
  }

  flush(): void {
    if (this.corkedClient) {
      this.corkedClient = false;
      this.socket.uncork();
    }
  }

  // ---- answers and the end of an exchange ----------------------------------------

  /**
   * Writes to the client, corked: what one batch of input produces leaves in
   * one system call, flushed when the batch ends (the parsers' `executed`).
   * Not process.nextTick: Node runs the tick queue after each parser
   * callback, which would flush a response's head before its last chunk.
   */
  private write(data: string | Buffer, encoding: BufferEncoding = 'latin1'): boolean {
    if (!this.corkedClient) {
      this.corkedClient = true;
      this.socket.cork();
      this.flushSoon();
    }
    // Heads are latin1 both ways: the parser reads header bytes as latin1, so they go out as they came.
    return typeof data === 'string' ? this.socket.write(data, encoding) : this.socket.write(data);
  }

  /** A backstop for writes made outside a parser batch (timers, socket events). */
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    toFlush.push(this);
    if (toFlush.length === 1) setImmediate(flushAll);
  }

  /** Flushes what is still corked (see flushSoon). */
  flushNow(): void {
    this.flushScheduled = false;
    this.flushTarget();
    this.flush();
  }

  private lines(raw: string[]): string {
    let out = '';
    for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
    return out;
  }

  private serverHeader(ex: Exchange): boolean {
    return ex.listener?.attributes['routing.http.response.server.enabled'] !== 'false';
  }

  /** A response of the load balancer's own; `headers` are complete lines. */
  private answer(ex: Exchange, status: number, headers: string, body: string): void {
    ex.local = true;
    ex.responseStarted = true;
    ex.responseDone = true;
    const keepAlive = ex.head.keepAlive && !this.clientEnded;
    const connection = keepAlive ? (ex.head.versionMinor === 0 ? 'Connection: keep-alive\r\n' : '') : 'Connection: close\r\n';
    const server = this.serverHeader(ex) ? `Server: ${SERVER_HEADER}\r\n` : '';
    this.write(`HTTP/1.1 ${status} ${statusText(status)}\r\n${server}Date: ${httpDate(this.ctx.clock.now())}\r\n${headers}${connection}\r\n`);
    // A fixed response's body is the configured text, in UTF-8 (its Content-Length counts those bytes).
    if (body) this.write(body, 'utf8');
    if (ex.requestDone) this.finish(ex);
    else this.parser.resume();
  }

  private answerError(ex: Exchange, status: number): void {
    const page = errorPage(status);
    this.answer(ex, status, `Content-Type: ${page.headers['content-type']}\r\nContent-Length: ${page.headers['content-length']}\r\n`, page.body);
  }

  /** Both the request and the response are complete: the connection closes or takes the next request. */
  private finish(ex: Exchange): void {
    if (ex !== this.current) return;
    this.current = undefined;
    if (!ex.head.keepAlive || ex.closeAfter || this.clientEnded) {
      this.flush();
      this.socket.end();
      return;
    }
    const next = this.queue.shift();
    if (!next) {
      this.parser.resume();
      return;
    }
    const body = next.queuedBody!;
    next.queuedBody = undefined;
    this.start(next);
    if (!next.local) for (const chunk of body) this.sendBody(next, chunk);
    if (next.requestDone && this.current === next) this.requestEnded(next);
    else if (!next.requestDone) this.parser.resume();
  }

  private badRequest(err: ParseError): void {
    if (this.closed) return;
    if (this.ctx.log.enabled('debug')) this.ctx.log.debug('load balancer got a malformed request', { error: err.code ?? err.message });
    if (this.current?.responseStarted || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    const page = errorPage(400);
    const listener = this.ctx.listener(this.listenerArn);
    if (listener) this.ctx.meter.rejected(listener.lb.arn, 400);
    this.current = undefined;
    this.queue = [];
    this.flush();
    this.socket.end(`HTTP/1.1 400 Bad Request\r\nServer: ${SERVER_HEADER}\r\nContent-Type: text/html\r\nContent-Length: ${page.headers['content-length']}\r\nConnection: close\r\n\r\n${page.body}`);
  }

  /** An Upgrade request: the socket leaves this path for http-proxy.ts, with what was read past the head. */
  private handOverUpgrade(ex: Exchange, parsed: number): void {
    const rest = this.parser.detach(parsed);
    const listener = this.ctx.listener(this.listenerArn);
    this.closed = true;
    if (!listener || this.current || ex.head.method === 'CONNECT') {
      this.socket.destroy();
      return;
    }
    this.socket.setTimeout(0);
    const req: ProxiedRequest = { method: ex.head.method, url: ex.head.url, headers: headerMap(ex.head.headers) as ProxiedRequest['headers'], socket: this.socket };
    this.ctx.upgrade(listener, req, this.socket, rest);
  }
}
