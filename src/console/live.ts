/**
 * Live updates for open console pages: Server-Sent Events driven by Berth's change feed. A page is told *that*
 * something changed (the change kinds seen), never what, and refetches the view it shows: one small read per
 * window however many rows moved. Changes are coalesced into at most one event per window (a rolling deployment of 100
 * tasks is a handful of events, not thousands), the number of open streams is capped, and a stream whose reader
 * falls behind is closed (the browser's EventSource reconnects and the page refetches).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { ChangeEvent } from './views.js';

export interface LiveOptions {
  /** Changes within this window go out as one event. */
  windowMs?: number;
  /** Open streams at most (more answer 503). */
  maxStreams?: number;
  /** A comment line this often keeps idle streams open through proxies. */
  heartbeatMs?: number;
}

/** Unsent bytes beyond which a stream's reader is too slow to keep. */
const MAX_BUFFERED = 256 * 1024;

export class LiveUpdates {
  private readonly streams = new Set<ServerResponse>();
  private readonly kinds = new Set<ChangeKind>();
  private unsubscribe: (() => void) | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastSent = 0;
  private readonly windowMs: number;
  private readonly maxStreams: number;
  private readonly heartbeatMs: number;

  constructor(private readonly changes: ChangeFeed, opts: LiveOptions = {}) {
    this.windowMs = opts.windowMs ?? 150;
    this.maxStreams = opts.maxStreams ?? 32;
    this.heartbeatMs = opts.heartbeatMs ?? 20_000;
  }

  /** Takes an EventSource request: answers the stream's head and keeps it until the client leaves. */
  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= this.maxStreams) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('Too many open console streams.');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // retry: how long the browser waits before reconnecting a dropped stream.
    res.write('retry: 2000\n: connected\n\n');
    this.streams.add(res);
    // The change feed is watched only while someone looks: a console nobody opened costs nothing.
    this.unsubscribe ??= this.changes.subscribe((kind) => this.changed(kind));
    this.heartbeat ??= setInterval(() => this.send(': ping\n\n'), this.heartbeatMs).unref();
    const done = () => this.drop(res);
    req.on('close', done);
    res.on('close', done);
  }

  /** Ends every stream and stops watching (Berth is stopping). */
  close(): void {
    for (const res of [...this.streams]) res.end();
    this.streams.clear();
    this.idle();
  }

  private changed(kind: ChangeKind) {
    this.kinds.add(kind);
    // At most one event per window: the first change after a quiet window goes out at once (on the next tick, so
    // the rest of its transaction's changes join it), later ones wait for the window to end.
    this.flushTimer ??= setTimeout(() => this.flush(), Math.max(0, this.lastSent + this.windowMs - Date.now())).unref();
  }

  private flush() {
    this.flushTimer = undefined;
    this.lastSent = Date.now();
    const event: ChangeEvent = { kinds: [...this.kinds].sort() };
    this.kinds.clear();
    this.send(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
  }

  private send(text: string) {
    for (const res of this.streams) {
      if (res.writableLength > MAX_BUFFERED) {
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }

  private drop(res: ServerResponse) {
    if (!this.streams.delete(res)) return;
    if (this.streams.size === 0) this.idle();
  }

  private idle() {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.kinds.clear();
  }

  get openStreams(): number {
    return this.streams.size;
  }
}
