/**
 * The listener side of the data plane: connections accepted on listener ports
 * (by listener-servers.ts, in Berth's main process) are handed here, in a
 * worker process (worker.ts) or in the main process itself when workers are
 * off, and served by protocol: HTTP on the fast path (alb-connection.ts, or
 * node:http when Node's parser cannot be driven), HTTPS the same after TLS
 * termination, TCP and TLS passed through to targets (tcp-proxy.ts). It
 * follows the snapshot: a listener's certificates and policy are swapped in
 * for new connections, and its connections closed when it is deleted or moves. What it
 * serves is counted in its TrafficMeter (CloudWatch's ELB metrics).
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { AlbConnection, type AlbContext } from './alb-connection.js';
import { readServerName } from './client-hello.js';
import { Balancer } from './balancer.js';
import { idleTimeoutMs } from './forwarding.js';
import { httpParserAvailable } from './http-parser.js';
import { HttpProxy } from './http-proxy.js';
import { sendError } from './responses.js';
import { EMPTY_SNAPSHOT, type ListenerView, type Snapshot } from './snapshot.js';
import { TargetConnections } from './target-connections.js';
import { TcpProxy } from './tcp-proxy.js';
import { TlsContexts } from './tls.js';
import { TrafficMeter } from './traffic-meter.js';

/** A listener's state here: its connections, and the servers that terminate TLS or run node:http for it. */
interface ListenerEntry {
  port: number;
  protocol: string;
  sockets: Set<net.Socket>;
  contexts?: TlsContexts;
  /** HTTPS and TLS: a TLS server per certificate served (by index in `contexts`), made on first use. */
  secure: Map<number, tls.Server | https.Server>;
  /** HTTP on node:http, when the fast path is unavailable. */
  http?: http.Server;
}

export interface DataPlaneDeps {
  clock: Clock;
  log: Logger;
  /** Where round robin starts (a worker's index): see balancer.ts. */
  rrOffset?: number;
}

export class DataPlane {
  private snapshot: Snapshot = EMPTY_SNAPSHOT;
  private ports = new Map<string, number>();
  private readonly entries = new Map<string, ListenerEntry>();
  readonly balancer: Balancer;
  readonly http: HttpProxy;
  private readonly tcp: TcpProxy;
  /** What this process served, for CloudWatch (taken once per metric minute). */
  readonly meter: TrafficMeter;
  private readonly targets: TargetConnections;
  /** Node's parser can be driven directly (checked when the first listener needs it). */
  private fastPath: boolean | undefined;
  private readonly ctx: AlbContext;

  constructor(private readonly d: DataPlaneDeps) {
    this.balancer = new Balancer(d.rrOffset ?? 0);
    this.meter = new TrafficMeter(() => d.clock.now());
    this.targets = new TargetConnections(this.meter);
    this.http = new HttpProxy(this.balancer, d.clock, d.log, this.meter);
    this.http.boundPort = (arn) => this.ports.get(arn);
    this.tcp = new TcpProxy(this.balancer, d.clock, d.log, this.meter);
    this.ctx = {
      balancer: this.balancer, targets: this.targets, clock: d.clock, log: d.log, meter: this.meter,
      listener: (arn) => this.snapshot.listeners.get(arn),
      boundPort: (arn) => this.ports.get(arn),
      upgrade: (listener, req, socket, head) => this.http.upgrade(listener, req, socket, head),
    };
  }

  private get fast(): boolean {
    if (this.fastPath === undefined) {
      this.fastPath = httpParserAvailable();
      if (!this.fastPath) this.d.log.warn('load balancer fast path unavailable on this Node version; listener ports use node:http');
    }
    return this.fastPath;
  }

  listener(arn: string): ListenerView | undefined {
    return this.snapshot.listeners.get(arn);
  }

  /** Follows a new snapshot: TLS material swapped in place, connections of deleted or moved listeners closed. */
  update(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.balancer.refresh(snapshot.destinations);
    for (const [arn, e] of this.entries) {
      const l = snapshot.listeners.get(arn);
      if (!l || l.port !== e.port || l.protocol !== e.protocol) this.drop(arn);
      else this.tune(e, l);
    }
    this.tcp.terminateGone(snapshot.targetGroups);
  }

  /** Where Berth listens for each listener (set by the main process as ports are bound). */
  setPorts(ports: Map<string, number>): void {
    this.ports = ports;
  }

  /** A connection accepted on a listener's port (not yet read from). */
  connection(arn: string, socket: net.Socket): void {
    const l = this.snapshot.listeners.get(arn);
    if (!l) {
      socket.destroy();
      return;
    }
    const e = this.entry(l);
    e.sockets.add(socket);
    this.meter.connection(l.lb.arn, l.protocol, socket);
    socket.once('close', () => e.sockets.delete(socket));
    if (e.contexts) {
      // The certificate is the one for the name the client asks for: its own server terminates TLS (client-hello.ts).
      readServerName(socket, (name) => {
        if (socket.destroyed) return;
        if (this.entries.get(arn) !== e || !e.contexts) return void socket.destroy();
        const server = this.secureServer(arn, e, e.contexts.select(name));
        if (server instanceof https.Server) this.feedHttp(server, socket);
        else server.emit('connection', socket);
      });
    } else if (e.http) this.feedHttp(e.http, socket);
    else if (l.protocol === 'TCP') this.tcp.handle(l, socket);
    else new AlbConnection(socket, arn, this.ctx, idleTimeoutMs(l));
  }

  private feedHttp(server: http.Server | https.Server, socket: net.Socket): void {
    server.emit('connection', socket);
    socket.resume();
  }

  private entry(l: ListenerView): ListenerEntry {
    let e = this.entries.get(l.arn);
    if (e) return e;
    e = { port: l.port, protocol: l.protocol, sockets: new Set(), secure: new Map() };
    this.entries.set(l.arn, e);
    const arn = l.arn;
    if (l.protocol === 'HTTPS' || l.protocol === 'TLS') e.contexts = this.newContexts(l);
    else if (l.protocol === 'HTTP' && !this.fast) e.http = this.httpServer(arn, http.createServer((req, res) => this.onRequest(arn, req, res)));
    this.tune(e, l);
    return e;
  }

  /** The server terminating TLS with the listener's certificate `index` (made on its first connection). */
  private secureServer(arn: string, e: ListenerEntry, index: number): tls.Server | https.Server {
    const made = e.secure.get(index);
    if (made) return made;
    const options = e.contexts!.optionsAt(index);
    let server: tls.Server | https.Server;
    if (e.protocol === 'HTTPS' && !this.fast) {
      const httpsServer = this.httpServer(arn, https.createServer(options, (req, res) => this.onRequest(arn, req, res)));
      this.keepAlive(httpsServer, this.snapshot.listeners.get(arn));
      server = httpsServer;
    } else {
      server = tls.createServer(options, (socket) => {
        const current = this.snapshot.listeners.get(arn);
        if (!current) socket.destroy();
        else if (current.protocol === 'TLS') this.tcp.handle(current, socket);
        else new AlbConnection(socket, arn, this.ctx, idleTimeoutMs(current));
      });
      server.on('tlsClientError', (_err, socket) => socket.destroy());
    }
    e.secure.set(index, server);
    return server;
  }

  /** node:http's handlers for a listener: upgrades, unbounded streaming, ELB's 400 for a malformed request. */
  private httpServer<S extends http.Server | https.Server>(arn: string, server: S): S {
    server.on('upgrade', (req, socket, head) => {
      const current = this.snapshot.listeners.get(arn);
      if (current) this.http.upgrade(current, req, socket, head);
      else socket.destroy();
    });
    // Uploads and downloads may stream for as long as they make progress.
    server.requestTimeout = 0;
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nServer: awselb/2.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    return server;
  }

  private onRequest(arn: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const current = this.snapshot.listeners.get(arn);
    if (current) this.http.handle(current, req, res);
    else sendError(res, 503, true);
  }

  private newContexts(l: ListenerView): TlsContexts {
    return new TlsContexts(l.tls!, (cert, err) => {
      this.d.log.warn('load balancer certificate unusable', { listener: l.arn, certificate: cert, error: String(err) });
    });
  }

  private tune(e: ListenerEntry, l: ListenerView): void {
    if (l.tls && e.contexts?.key !== l.tls.key) {
      // New certificates or policy: new connections get new servers; open ones keep theirs until they close.
      e.contexts = this.newContexts(l);
      e.secure = new Map();
    }
    if (e.http) this.keepAlive(e.http, l);
    for (const server of e.secure.values()) if (server instanceof https.Server) this.keepAlive(server, l);
  }

  /** The load balancer's idle timeout closes idle client connections. */
  private keepAlive(server: http.Server | https.Server, l: ListenerView | undefined): void {
    if (!l) return;
    const idleMs = idleTimeoutMs(l);
    server.keepAliveTimeout = idleMs;
    server.headersTimeout = idleMs + 1000;
  }

  private drop(arn: string): void {
    const e = this.entries.get(arn);
    if (!e) return;
    this.entries.delete(arn);
    for (const s of e.sockets) s.destroy();
  }

  close(): void {
    for (const arn of [...this.entries.keys()]) this.drop(arn);
    this.targets.closeAll();
    this.tcp.closeAll();
    this.http.close();
  }
}
