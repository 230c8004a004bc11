/**
 * `kubectl port-forward` (pods/portforward): the `portforward.k8s.io` protocol over SPDY/3.1 (spdy.ts), reached
 * either as KEP-4006's tunnel — a WebSocket whose subprotocol is `SPDY/3.1+portforward.k8s.io`, each binary
 * message carrying SPDY bytes, kubectl 1.31+'s default — or as a plain `Upgrade: SPDY/3.1` connection (kubectl's
 * fallback, and older clients). For each local connection the client opens two streams with the headers
 * `streamType` (error | data), `port` and `requestID`; Berth replies to each, copies bytes between the data stream
 * and the pod's port, and ends the error stream, empty when the connection went well, else with the message the
 * client prints ("an error occurred forwarding 8080 -> 8080: …").
 *
 * Where bytes go: a pod's declared TCP `containerPort`s are published on 127.0.0.1 (the annotation
 * PUBLISHED_PORTS, written by the kubelet); Berth connects to that address and nowhere else (never the pod's bridge
 * address). A port the pod does not declare fails as an unreachable port fails on Kubernetes.
 *
 * Flow control: Go's spdystream (kubectl's side) neither sends WINDOW_UPDATE nor waits for one, so Berth does not
 * hold its own sends to a window; it does send WINDOW_UPDATE for the bytes it has passed on to the pod, so a peer
 * that keeps SPDY/3.1's 64 KiB windows does not stall. Memory stays bounded by back-pressure on the whole
 * connection instead: pod sockets pause while the client's connection has a full write buffer, and the client's
 * connection pauses while a pod socket does (one slow stream holds the others, as it would without SPDY).
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-api-machinery/4006-transition-spdy-to-websockets
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeObject } from './objects.js';
import { encodeFrame, FLAG_FIN, FrameReader, HeaderCompressor, HeaderDecompressor, RST, type SpdyFrame, type SpdyHeaders } from './spdy.js';
import { badRequest } from './status.js';
import { PUBLISHED_PORTS } from './target-resolver.js';
import { acceptWebSocket, isWebSocket, offeredProtocols } from './websocket.js';

const PROTOCOL = 'portforward.k8s.io';
const TUNNEL_PROTOCOL = `SPDY/3.1+${PROTOCOL}`;

/** The bytes a SPDY session runs over: a WebSocket's binary messages or the upgraded socket itself. */
interface Transport {
  /** The upgraded connection underneath, for back-pressure (pause, writableNeedDrain). */
  raw: Duplex;
  write(data: Buffer): void;
  onData(fn: (data: Buffer) => void): void;
  onClose(fn: () => void): void;
  close(): void;
}

function webSocketTransport(req: IncomingMessage, socket: Duplex, head: Buffer): Transport {
  const ws = acceptWebSocket(req, socket, head, TUNNEL_PROTOCOL);
  return { raw: socket, write: (d) => ws.send(d), onData: (fn) => ws.onMessage(fn), onClose: (fn) => ws.onClose(fn), close: () => ws.close() };
}

function spdyUpgradeTransport(socket: Duplex, head: Buffer): Transport {
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `X-Stream-Protocol-Version: ${PROTOCOL}`, '', ''].join('\r\n'));
  let closed = false;
  const closers: (() => void)[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    for (const fn of closers) fn();
  };
  socket.on('close', finish);
  socket.on('error', finish);
  socket.on('end', () => socket.end());
  return {
    raw: socket,
    write: (d) => { if (!socket.destroyed) socket.write(d); },
    onData: (fn) => {
      if (head.length) setImmediate(() => fn(Buffer.from(head)));
      socket.on('data', fn);
    },
    onClose: (fn) => closers.push(fn),
    close: () => {
      socket.end();
      finish();
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/**
 * Where a port of the pod was published on loopback, or undefined for a port no container declares (TCP) or one not
 * published yet. The annotation is an object anyone allowed to write pods can edit: an address in it that is not
 * loopback is not trusted as a destination.
 */
export function publishedAddress(pod: KubeObject, port: number): { host: string; port: number } | undefined {
  const declared = (pod.spec?.containers ?? []).some((c: { ports?: { containerPort?: number; protocol?: string }[] }) =>
    (c.ports ?? []).some((p) => p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP'));
  if (!declared) return undefined;
  let published: Record<string, string>;
  try {
    published = JSON.parse(pod.metadata.annotations?.[PUBLISHED_PORTS] ?? '{}') as Record<string, string>;
  } catch {
    return undefined;
  }
  const at = published[`${port}/TCP`];
  if (!at) return undefined;
  const i = at.lastIndexOf(':');
  const host = at.slice(0, i);
  const hostPort = Number(at.slice(i + 1));
  if (!LOOPBACK.has(host) || !Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) return undefined;
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port: hostPort };
}

/**
 * Serves one port-forward request on an upgraded connection: `pod` as read when the request came, `current` the same
 * pod now (undefined once it is gone), read for each forwarded connection.
 */
export function servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, pod: KubeObject, current: () => KubeObject | undefined): void {
  let transport: Transport;
  if (isWebSocket(req)) {
    if (!offeredProtocols(req).includes(TUNNEL_PROTOCOL)) throw badRequest(`none of the offered subprotocols is served: Berth speaks ${TUNNEL_PROTOCOL}`);
    if (pod.status?.phase !== 'Running') throw badRequest(`unable to upgrade connection: pod ${pod.metadata.name} is not running`);
    transport = webSocketTransport(req, socket, head);
  } else if (String(req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1') {
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(PROTOCOL)) throw badRequest(`unable to upgrade: none of the requested stream protocols is served: Berth speaks ${PROTOCOL}`);
    if (pod.status?.phase !== 'Running') throw badRequest(`unable to upgrade connection: pod ${pod.metadata.name} is not running`);
    transport = spdyUpgradeTransport(socket, head);
  } else {
    throw badRequest('Upgrade request required: Berth serves port-forward over WebSocket (SPDY/3.1+portforward.k8s.io) or SPDY/3.1');
  }
  new PortForwardSession(transport, pod, current).start();
}

/** One forwarded connection: the client's pair of streams and the socket to the pod's published port. */
interface Forward {
  port: number;
  errorStream?: number;
  dataStream?: number;
  pod?: Socket;
  /** Berth has sent FIN on the data stream / on the error stream. */
  dataDone: boolean;
  errorDone: boolean;
}

const header = (h: SpdyHeaders, name: string) => h.get(name)?.[0];

class PortForwardSession {
  private readonly reader = new FrameReader();
  private readonly inflate = new HeaderDecompressor();
  private readonly deflate = new HeaderCompressor();
  /** Frames are handled one after another: header blocks decompress in order, and a stream's data follows its SYN. */
  private inbound: Promise<void> = Promise.resolve();
  /** Frames are written one after another: compressed header blocks must reach the peer in compression order. */
  private outbound: Promise<void> = Promise.resolve();
  private readonly forwards = new Map<string, Forward>();
  /** Stream id → the request id of its pair. */
  private readonly streams = new Map<number, string>();
  private closed = false;
  /** Pod sockets are paused until the client's connection drains. */
  private waitingForClient = false;
  /** Pod sockets with a full write buffer: the client's connection is paused while there is any. */
  private waitingForPods = 0;

  constructor(private readonly t: Transport, private readonly pod: KubeObject, private readonly current: () => KubeObject | undefined) {}

  start() {
    this.t.onData((chunk) => {
      let frames: SpdyFrame[];
      try {
        frames = this.reader.push(chunk);
      } catch {
        return this.close();
      }
      for (const f of frames) this.inbound = this.inbound.then(() => this.handle(f)).catch(() => this.close());
    });
    this.t.onClose(() => this.close());
  }

  private send(frame: SpdyFrame | (() => Promise<SpdyFrame>)) {
    this.outbound = this.outbound.then(async () => {
      const f = typeof frame === 'function' ? await frame() : frame;
      if (this.closed) return;
      this.t.write(encodeFrame(f));
      this.throttle();
    }).catch(() => this.close());
  }

  /** Pauses the pods' sockets while the client's connection cannot take more. */
  private throttle() {
    if (this.waitingForClient || !this.t.raw.writableNeedDrain) return;
    this.waitingForClient = true;
    for (const fw of this.forwards.values()) fw.pod?.pause();
    this.t.raw.once('drain', () => {
      this.waitingForClient = false;
      for (const fw of this.forwards.values()) fw.pod?.resume();
    });
  }

  private async handle(f: SpdyFrame): Promise<void> {
    if (this.closed) return;
    switch (f.kind) {
      case 'syn_stream':
        return this.open(f.streamId, await this.inflate.decompress(f.headerBlock));
      case 'headers':
      case 'syn_reply':
        // Keeps the decompression context in step; port-forward's streams carry no later headers.
        await this.inflate.decompress(f.headerBlock);
        return;
      case 'data':
        return this.data(f.streamId, f.data, (f.flags & FLAG_FIN) !== 0);
      case 'rst_stream':
        return this.reset(f.streamId);
      case 'ping':
        // spdystream's pings (kubectl sends one every 10 s through the tunnel) expect the same frame back.
        return this.send(f);
      case 'goaway':
        return this.close();
      default:
        // SETTINGS, WINDOW_UPDATE and unknown types: nothing Berth sends waits on them (see the module comment).
        return;
    }
  }

  private open(streamId: number, h: SpdyHeaders) {
    const type = header(h, 'streamtype');
    const portText = header(h, 'port') ?? '';
    // kubectl numbers its connections; a client without requestID pairs streams by arrival, as the kubelet's v1 does.
    const requestId = header(h, 'requestid') ?? String(type === 'data' ? streamId - 2 : streamId);
    if (type !== 'error' && type !== 'data') return this.send({ kind: 'rst_stream', streamId, status: RST.PROTOCOL_ERROR });
    this.send(async () => ({ kind: 'syn_reply', flags: 0, streamId, headerBlock: await this.deflate.compress([]) }));
    const port = Number(portText);
    let fw = this.forwards.get(requestId);
    if (!fw) {
      fw = { port, dataDone: false, errorDone: false };
      this.forwards.set(requestId, fw);
    }
    this.streams.set(streamId, requestId);
    if (type === 'error') fw.errorStream = streamId;
    else fw.dataStream = streamId;
    if (fw.errorStream === undefined || fw.dataStream === undefined) return;
    if (!/^[0-9]+$/.test(portText) || port < 1 || port > 65535) return this.fail(fw, `invalid port "${portText}"`);
    const pod = this.current();
    if (!pod) return this.fail(fw, 'pod not found');
    const to = publishedAddress(pod, port);
    if (!to) {
      const declared = JSON.stringify(pod.spec?.containers ?? []).includes(`"containerPort":${port}`);
      return this.fail(fw, `failed to connect to localhost:${port} inside pod ${this.pod.metadata.name}: connect: connection refused`
        + ` (Berth forwards only the ports a container declares in its ports, which it publishes on loopback; ${port} is `
        + `${declared ? 'declared but not published (yet)' : 'not one of them'})`);
    }
    this.connect(fw, to);
  }

  private connect(fw: Forward, to: { host: string; port: number }) {
    const s = connect(to.port, to.host);
    fw.pod = s;
    if (this.waitingForClient) s.pause();
    s.on('data', (d: Buffer) => {
      if (fw.dataStream !== undefined && !fw.dataDone) this.send({ kind: 'data', streamId: fw.dataStream, flags: 0, data: d });
    });
    s.on('end', () => this.finishData(fw));
    s.on('error', (err: NodeJS.ErrnoException) => {
      // Before anything came back (the connect failed) the client hears why; later errors just end the connection.
      if (!s.bytesRead && !fw.errorDone) this.fail(fw, `dial tcp ${to.host}:${to.port}: ${err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message}`);
    });
    s.on('close', () => {
      this.finishData(fw);
      this.finishError(fw);
    });
  }

  /** Ends the connection with a message on its error stream, as the kubelet words it. */
  private fail(fw: Forward, reason: string) {
    const { namespace, name, uid } = this.pod.metadata;
    if (fw.errorStream !== undefined && !fw.errorDone) {
      const message = `error forwarding port ${fw.port} to pod ${namespace}/${name}, uid ${uid ?? ''}: ${reason}`;
      this.send({ kind: 'data', streamId: fw.errorStream, flags: 0, data: Buffer.from(message) });
    }
    fw.pod?.destroy();
    this.finishData(fw);
    this.finishError(fw);
  }

  private finishData(fw: Forward) {
    if (fw.dataDone || fw.dataStream === undefined) return;
    fw.dataDone = true;
    this.send({ kind: 'data', streamId: fw.dataStream, flags: FLAG_FIN, data: Buffer.alloc(0) });
    this.forget(fw);
  }

  private finishError(fw: Forward) {
    if (fw.errorDone || fw.errorStream === undefined) return;
    fw.errorDone = true;
    this.send({ kind: 'data', streamId: fw.errorStream, flags: FLAG_FIN, data: Buffer.alloc(0) });
    this.forget(fw);
  }

  private forget(fw: Forward) {
    if (!fw.dataDone || !fw.errorDone) return;
    for (const id of [fw.dataStream, fw.errorStream]) {
      if (id === undefined) continue;
      const requestId = this.streams.get(id);
      this.streams.delete(id);
      if (requestId !== undefined) this.forwards.delete(requestId);
    }
  }

  private data(streamId: number, data: Buffer, fin: boolean) {
    const requestId = this.streams.get(streamId);
    const fw = requestId === undefined ? undefined : this.forwards.get(requestId);
    // The client writes nothing on the error stream (it only closes it): only the data stream reaches the pod.
    if (!fw || streamId !== fw.dataStream || !fw.pod) return;
    const s = fw.pod;
    if (data.length && !s.destroyed) {
      const full = !s.write(data, () => {
        if (!this.closed) this.send({ kind: 'window_update', streamId, delta: data.length });
      });
      if (full) this.holdClientFor(s);
    }
    // The client is done sending (its local connection closed its side): half-close towards the pod, which answers and closes.
    if (fin && !s.destroyed) s.end();
  }

  /** Pauses reading from the client until `s` drains (or goes). */
  private holdClientFor(s: Socket) {
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      s.off('drain', release);
      s.off('close', release);
      if (--this.waitingForPods === 0 && !this.closed) this.t.raw.resume();
    };
    if (this.waitingForPods++ === 0) this.t.raw.pause();
    s.once('drain', release);
    s.once('close', release);
  }

  private reset(streamId: number) {
    const requestId = this.streams.get(streamId);
    const fw = requestId === undefined ? undefined : this.forwards.get(requestId);
    if (!fw) return;
    // kubectl resets the data stream once its local connection is done; the pod's connection goes with it.
    if (streamId === fw.dataStream) {
      fw.dataDone = true;
      fw.pod?.destroy();
      this.finishError(fw);
    } else {
      fw.errorDone = true;
    }
    this.forget(fw);
  }

  private close() {
    if (this.closed) return;
    this.closed = true;
    for (const fw of this.forwards.values()) fw.pod?.destroy();
    this.forwards.clear();
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.t.close();
  }
}
