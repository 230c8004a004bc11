/**
 * Keep-alive connections from the load balancer to its targets, pooled per
 * (address, TLS, idle timeout) and reused last-in first-out, each parsing the
 * target's responses with Node's HTTP parser (http-parser.ts). A connection
 * serves one exchange at a time (no pipelining to targets, as ELB); it goes
 * back to the pool when a response ends with the request fully sent and the
 * target willing to keep it, and is closed after the load balancer's idle
 * timeout without traffic (a target silent that long mid-exchange fails it
 * with ETIMEDOUT: a 504).
 */
import net from 'node:net';
import tls from 'node:tls';
import { SocketParser, type Head, type ParseError } from './http-parser.js';
import type { TrafficMeter } from './traffic-meter.js';

/** The side of an exchange that receives a target's response (alb-connection.ts). */
export interface TargetExchange {
  /** Returns true when the response has no body although its headers say so (a response to HEAD). */
  responseHead(h: Head): boolean;
  responseBody(chunk: Buffer): void;
  responseEnd(): void;
  /** The exchange failed; `retryable` when nothing was received on a reused connection (the target closed it while idle). */
  responseError(err: NodeJS.ErrnoException, retryable: boolean): void;
  /** After each batch of response bytes (the client's writes are flushed here). */
  flush(): void;
  /** The target took the request bytes it was sent so far. */
  targetDrained(): void;
}

const MAX_IDLE_PER_KEY = 512;

function failure(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

export class TargetConnection {
  readonly socket: net.Socket;
  private readonly parser: SocketParser;
  private exchange: TargetExchange | undefined;
  /** Served an exchange before this one. */
  private reused = false;
  /** Some of the current response arrived. */
  private responded = false;
  /** The current response is informational (1xx): the final one follows. */
  private informational = false;
  private requestSent = false;
  private keepAlive = false;
  private idle = false;
  private wrote: TargetExchange | undefined;

  constructor(private readonly pool: TargetConnections, readonly key: string, host: string, port: number, secure: boolean, idleMs: number) {
    this.socket = secure
      ? tls.connect({ host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }) })
      : net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(idleMs);
    this.parser = new SocketParser(this.socket, 'response', {
      head: (h) => this.onHead(h),
      body: (chunk) => {
        this.wrote = this.exchange;
        this.exchange?.responseBody(chunk);
      },
      complete: () => this.onComplete(),
      executed: (parsed) => {
        // The exchange this batch wrote for (it may have ended in the batch).
        const wrote = this.wrote;
        this.wrote = undefined;
        if (typeof parsed !== 'number') this.fail(parsed);
        wrote?.flush();
        (this.socket as { _unrefTimer?: () => void })._unrefTimer?.();
      },
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('timeout', () => this.fail(failure('target timed out', 'ETIMEDOUT')));
    this.socket.on('end', () => {
      // A response delimited by the connection's end completes here.
      const err = this.parser.finish();
      this.fail(err ?? failure('target closed the connection', 'ECONNRESET'));
    });
    this.socket.on('close', () => {
      this.fail(failure('target closed the connection', 'ECONNRESET'));
      // Only now: the parser may be mid-batch when the connection is destroyed.
      this.parser.close();
    });
    this.socket.on('drain', () => this.exchange?.targetDrained());
    this.parser.resume();
  }

  /** Starts an exchange: the request's head (and any body) follow through write(). */
  begin(exchange: TargetExchange): void {
    this.exchange = exchange;
    this.idle = false;
    this.responded = false;
    this.informational = false;
    this.requestSent = false;
    // Backpressure from the previous client may have left it paused.
    this.parser.resume();
  }

  write(data: string | Buffer): boolean {
    // Heads are latin1: the client's header bytes go out as they came (the parser reads them as latin1).
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  /** The whole request was written. */
  sent(): void {
    this.requestSent = true;
  }

  pause(): void {
    this.parser.pause();
  }

  resume(): void {
    this.parser.resume();
  }

  /** Leaves the exchange without waiting for the rest of the response: the connection cannot be reused. */
  abandon(): void {
    this.exchange = undefined;
    this.destroy();
  }

  private onHead(h: Head): boolean {
    const ex = this.exchange;
    if (!ex || h.status === 101) {
      // Nothing was asked (or an upgrade nobody asked for): this connection is out of step.
      this.fail(failure('unexpected response from target', 'EPROTO'));
      return true;
    }
    this.responded = true;
    this.wrote = ex;
    this.informational = h.status < 200;
    this.keepAlive = h.keepAlive;
    return ex.responseHead(h);
  }

  private onComplete(): void {
    if (this.informational) {
      this.informational = false;
      return;
    }
    const ex = this.exchange;
    this.exchange = undefined;
    if (!ex) return;
    if (this.keepAlive && this.requestSent && !this.socket.destroyed) {
      this.reused = true;
      this.idle = true;
      this.pool.release(this);
    } else this.destroy();
    ex.responseEnd();
  }

  private fail(err: NodeJS.ErrnoException): void {
    const ex = this.exchange;
    this.exchange = undefined;
    this.destroy();
    ex?.responseError(err, this.reused && !this.responded);
  }

  isIdle(): boolean {
    return this.idle && !this.socket.destroyed;
  }

  destroy(): void {
    if (this.idle) {
      this.idle = false;
      this.pool.forget(this);
    }
    if (!this.socket.destroyed) this.socket.destroy();
  }
}

export class TargetConnections {
  private readonly idle = new Map<string, TargetConnection[]>();
  private readonly all = new Set<TargetConnection>();

  /** `meter` counts connections to targets, for the load balancer that opened each. */
  constructor(private readonly meter?: TrafficMeter) {}

  /** A connection for an exchange of load balancer `lb` with host:port: an idle one when there is one, else a new one. */
  acquire(host: string, port: number, secure: boolean, idleMs: number, exchange: TargetExchange, lb: string): TargetConnection {
    const key = `${host}|${port}|${secure ? 1 : 0}|${idleMs}`;
    const list = this.idle.get(key);
    let conn: TargetConnection | undefined;
    while (list?.length) {
      const c = list.pop()!;
      if (c.isIdle()) {
        conn = c;
        break;
      }
    }
    if (!conn) {
      conn = new TargetConnection(this, key, host, port, secure, idleMs);
      this.all.add(conn);
      const c = conn;
      const counted = this.meter?.targetConnection(lb);
      conn.socket.once('close', () => {
        this.all.delete(c);
        counted?.();
      });
    }
    conn.begin(exchange);
    return conn;
  }

  release(conn: TargetConnection): void {
    let list = this.idle.get(conn.key);
    if (!list) this.idle.set(conn.key, (list = []));
    if (list.length >= MAX_IDLE_PER_KEY) {
      conn.destroy();
      return;
    }
    list.push(conn);
  }

  forget(conn: TargetConnection): void {
    const list = this.idle.get(conn.key);
    if (!list) return;
    const i = list.lastIndexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.idle.delete(conn.key);
  }

  closeAll(): void {
    for (const c of [...this.all]) c.abandon();
    this.all.clear();
    this.idle.clear();
  }
}

export type { Head, ParseError };
