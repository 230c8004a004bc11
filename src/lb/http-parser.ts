/**
 * Node's own HTTP/1.1 parser (llhttp, the one node:http runs on), driven
 * directly by the listener-port fast path (alb-connection.ts): it parses
 * straight from the socket in C++ ("consume") and hands over only what a
 * proxy needs, without node:http's per-request objects. Node does not
 * document this binding (it is reached through the legacy `_http_common`
 * module, as undici and others did), so `httpParserAvailable()` checks its
 * shape once and the data plane falls back to node:http when it changes.
 */
import { createRequire } from 'node:module';
import { METHODS } from 'node:http';
import type net from 'node:net';
import { TLSSocket } from 'node:tls';

interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  consume(handle: unknown): void;
  unconsume(): void;
  getCurrentBuffer(): Buffer;
  close(): void;
  free(): void;
  [callback: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

let Native: NativeParserClass | undefined;
let methodNames: string[] = [];

function load(): void {
  if (Native || methodNames.length) return;
  try {
    const candidate = (createRequire(import.meta.url)('_http_common') as { HTTPParser?: NativeParserClass }).HTTPParser;
    if (!candidate) return;
    for (const k of ['REQUEST', 'RESPONSE', 'kOnHeaders', 'kOnHeadersComplete', 'kOnBody', 'kOnMessageComplete', 'kOnExecute'] as const) {
      if (typeof candidate[k] !== 'number') return;
    }
    // The method arrives as llhttp's enum index: learn the table by parsing one request per method.
    const names: string[] = [];
    const p = new candidate();
    for (const m of METHODS) {
      if (m === 'CONNECT') continue;
      p.initialize(candidate.REQUEST, {}, 0, candidate.kLenientNone ?? 0);
      let index: unknown;
      p[candidate.kOnHeadersComplete] = (_a: number, _b: number, _h: string[], method: number) => {
        index = method;
        return 0;
      };
      p[candidate.kOnMessageComplete] = () => undefined;
      p[candidate.kOnBody] = () => undefined;
      p[candidate.kOnHeaders] = () => undefined;
      const r = p.execute(Buffer.from(`${m} / HTTP/1.1\r\nHost: x\r\n\r\n`));
      if (typeof r !== 'number' || typeof index !== 'number') continue;
      names[index] = m;
    }
    p.close?.();
    if (names[1] !== 'GET' || names[3] !== 'POST') return;
    Native = candidate;
    methodNames = names;
  } catch {
    Native = undefined;
  }
}

/** True when Node's parser has the shape this module drives. */
export function httpParserAvailable(): boolean {
  load();
  return !!Native;
}

/** A parsed message head. `headers` are raw [name, value, …] pairs as sent. */
export interface Head {
  versionMinor: number;
  headers: string[];
  /** Requests. */
  method: string;
  url: string;
  /** Responses. */
  status: number;
  statusMessage: string;
  upgrade: boolean;
  keepAlive: boolean;
}

/** What a parser reports; `head` returns true to say the message has no body (a response to HEAD). */
export interface ParserEvents {
  head(h: Head): boolean | void;
  body(chunk: Buffer): void;
  complete(): void;
  /** After each batch of input: the bytes the parser took (for an upgrade: up to the end of the head), or the error when the input is not valid HTTP. */
  executed(parsed: number | ParseError): void;
}

export interface ParseError extends Error {
  code?: string;
  bytesParsed?: number;
}

type StreamHandle = { readStart(): number; readStop(): number; reading?: boolean; isStreamBase?: boolean; _consumed?: boolean };

/**
 * One parser bound to one socket. With a plain TCP socket it reads in C++
 * (consume); otherwise (TLS) it is fed from 'data' events. `pause()` and
 * `resume()` stop and restart reading from the socket (backpressure).
 */
export class SocketParser {
  private readonly p: NativeParser;
  private pendingHeaders: string[] = [];
  private pendingUrl = '';
  private handle: StreamHandle | undefined;
  private paused = false;
  private flowing = false;
  /** Bytes of the last batch the parser consumed (for an upgrade's head). */
  private lastBuffer: Buffer | undefined;
  private freed = false;
  private readonly onData?: (d: Buffer) => void;

  constructor(readonly socket: net.Socket, kind: 'request' | 'response', private readonly events: ParserEvents) {
    load();
    const N = Native!;
    const p = (this.p = new N());
    p.initialize(kind === 'request' ? N.REQUEST : N.RESPONSE, {}, 0, N.kLenientNone ?? 0);
    p[N.kOnHeaders] = (headers: string[], url: string) => {
      for (const h of headers) this.pendingHeaders.push(h);
      this.pendingUrl += url;
    };
    p[N.kOnHeadersComplete] = (
      _major: number, minor: number, headers: string[] | undefined, method: number | undefined, url: string | undefined,
      status: number, statusMessage: string | undefined, upgrade: boolean, keepAlive: boolean,
    ) => {
      if (headers === undefined) {
        headers = this.pendingHeaders;
        this.pendingHeaders = [];
      } else if (this.pendingHeaders.length) {
        headers = [...this.pendingHeaders, ...headers];
        this.pendingHeaders = [];
      }
      if (url === undefined) {
        url = this.pendingUrl;
        this.pendingUrl = '';
      }
      const skipBody = events.head({
        versionMinor: minor, headers, method: method === undefined ? '' : methodNames[method] ?? '', url,
        status, statusMessage: statusMessage ?? '', upgrade, keepAlive,
      });
      return skipBody ? 1 : 0;
    };
    p[N.kOnBody] = (chunk: Buffer) => events.body(chunk);
    p[N.kOnMessageComplete] = () => {
      // Trailers arrive as headers after the body; they are not passed on.
      if (this.pendingHeaders.length) this.pendingHeaders = [];
      this.pendingUrl = '';
      events.complete();
    };
    const handle = (socket as unknown as { _handle?: StreamHandle })._handle;
    if (handle?.isStreamBase && !handle._consumed && !(socket instanceof TLSSocket)) {
      handle._consumed = true;
      this.handle = handle;
      p[N.kOnExecute] = (ret: number | ParseError) => events.executed(ret);
      p.consume(handle);
    } else {
      this.onData = (d: Buffer) => {
        this.lastBuffer = d;
        events.executed(p.execute(d));
      };
      socket.on('data', this.onData);
    }
  }

  /** Starts (or restarts) reading. */
  resume(): void {
    if (!this.paused && this.flowing) return;
    this.paused = false;
    if (!this.handle) {
      this.flowing = true;
      this.socket.resume();
      return;
    }
    if (!this.flowing) {
      // Flowing, so that the end of input is still emitted as 'end' (the bytes themselves go to the parser).
      this.flowing = true;
      this.socket.resume();
    }
    // A connecting socket starts reading once connected (net does it).
    if (this.socket.connecting || this.socket.destroyed || this.handle.reading) return;
    this.handle.reading = true;
    this.handle.readStart();
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.handle) {
      this.socket.pause();
      return;
    }
    if (this.handle.reading && !this.socket.destroyed) {
      this.handle.reading = false;
      this.handle.readStop();
    }
  }

  /** End of input (the peer closed): completes a message whose length is the connection's. */
  finish(): ParseError | undefined {
    if (this.freed) return undefined;
    const r = this.p.finish();
    return r instanceof Error ? r : undefined;
  }

  /**
   * Hands the socket back to plain stream reading (after an upgrade) and
   * returns the bytes read past the head, which belong to the new protocol.
   * Call it from `executed`, with the bytes parsed it reported.
   */
  detach(bytesParsedByHead: number): Buffer {
    const buffer = this.handle ? this.p.getCurrentBuffer() : this.lastBuffer;
    if (this.handle) {
      this.p.unconsume();
      this.handle._consumed = false;
      this.handle = undefined;
    }
    if (this.onData) this.socket.off('data', this.onData);
    // Bytes of the new protocol wait in the stream until its proxy reads them.
    this.socket.pause();
    this.freeParser();
    return buffer ? buffer.subarray(bytesParsedByHead) : Buffer.alloc(0);
  }

  close(): void {
    if (this.handle) {
      try {
        this.p.unconsume();
      } catch { /* the socket is gone */ }
      this.handle = undefined;
    }
    if (this.onData) this.socket.off('data', this.onData);
    this.freeParser();
  }

  /**
   * Frees the native parser once, on the next turn: close() deletes it in C++, and a close reached from one of its
   * own callbacks (a message completing ends the connection) would leave it executing on freed memory — a
   * segfault. Node's http defers parser.close() to setImmediate for the same reason (freeParser).
   */
  private freeParser(): void {
    if (this.freed) return;
    this.freed = true;
    const p = this.p;
    setImmediate(() => p.close?.());
  }
}
