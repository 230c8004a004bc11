/**
 * One server per listener, on Berth's host (127.0.0.1 by default): an HTTP
 * server for ALB listeners, a TCP server for NLB listeners, each terminating
 * TLS first for HTTPS and TLS listeners (certificates chosen by SNI; their
 * secure contexts are swapped in place when the certificates or the security
 * policy change, without rebinding). Each binds its own
 * port when it can; when it cannot (taken, or privileged and Berth is not
 * root) it binds the port it had last time, else any free port, and records
 * where in SQLite so `berth status` and /_berth/load-balancers can say so and
 * a restart comes back on the same port. Servers follow the snapshot: new
 * listeners are bound, changed ports rebound, deleted listeners closed.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { boundPortOf, setBoundPort } from '../services/elastic-load-balancing-v2/store.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import type { HttpProxy } from './http-proxy.js';
import { sendError } from './responses.js';
import type { ListenerView, Snapshot } from './snapshot.js';
import type { TcpProxy } from './tcp-proxy.js';
import { TlsContexts } from './tls.js';

export interface Binding {
  listenerArn: string;
  port: number;
  protocol: string;
  /** Where it listens now; undefined while binding or when binding failed. */
  boundPort?: number;
  error?: string;
  server: http.Server | https.Server | net.Server;
}

export interface ListenerServersDeps {
  host: string;
  sql: Statements;
  log: Logger;
  http: HttpProxy;
  tcp: TcpProxy;
  listener: (arn: string) => ListenerView | undefined;
}

export class ListenerServers {
  private bindings = new Map<string, Binding>();
  /** Secure contexts of HTTPS and TLS listeners, by listener ARN. */
  private contexts = new Map<string, TlsContexts>();

  constructor(private readonly d: ListenerServersDeps) {}

  get(arn: string): Binding | undefined {
    return this.bindings.get(arn);
  }

  sync(snapshot: Snapshot): void {
    for (const [arn, b] of this.bindings) {
      const l = snapshot.listeners.get(arn);
      if (!l || l.port !== b.port || l.protocol !== b.protocol) this.close(arn);
    }
    for (const l of snapshot.listeners.values()) {
      if (!this.bindings.has(l.arn)) this.bind(l);
      else this.tune(this.bindings.get(l.arn)!, l);
    }
  }

  private tune(b: Binding, l: ListenerView): void {
    if (l.tls && this.contexts.get(l.arn)?.key !== l.tls.key) (b.server as tls.Server).setSecureContext(this.tlsContexts(l).options);
    if (!(b.server instanceof http.Server || b.server instanceof https.Server)) return;
    // The load balancer's idle timeout closes idle client connections.
    const idleMs = Number(l.lb.attributes['idle_timeout.timeout_seconds'] ?? '60') * 1000;
    b.server.keepAliveTimeout = idleMs;
    b.server.headersTimeout = idleMs + 1000;
  }

  /** Builds (and keeps) a listener's secure contexts for its current certificates and policy. */
  private tlsContexts(l: ListenerView): TlsContexts {
    const contexts = new TlsContexts(l.tls!, (cert, err) => {
      this.d.log.warn('load balancer certificate unusable', { listener: l.arn, certificate: cert, error: String(err) });
    });
    this.contexts.set(l.arn, contexts);
    return contexts;
  }

  /** Server options for TLS termination: the default certificate, the policy, SNI. */
  private tlsOptions(l: ListenerView): tls.TlsOptions {
    const arn = l.arn;
    return {
      ...this.tlsContexts(l).options,
      SNICallback: (servername, cb) => cb(null, this.contexts.get(arn)?.select(servername)),
    };
  }

  private makeServer(l: ListenerView): http.Server | https.Server | net.Server {
    const arn = l.arn;
    if (l.protocol === 'TCP' || l.protocol === 'TLS') {
      const onSocket = (socket: net.Socket) => {
        const current = this.d.listener(arn);
        if (current) this.d.tcp.handle(current, socket);
        else socket.destroy();
      };
      return l.protocol === 'TLS' ? tls.createServer(this.tlsOptions(l), onSocket) : net.createServer(onSocket);
    }
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const current = this.d.listener(arn);
      if (current) this.d.http.handle(current, req, res);
      else sendError(res, 503, true);
    };
    const server = l.protocol === 'HTTPS' ? https.createServer(this.tlsOptions(l), onRequest) : http.createServer(onRequest);
    server.on('upgrade', (req, socket, head) => {
      const current = this.d.listener(arn);
      if (current) this.d.http.upgrade(current, req, socket, head);
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

  private bind(l: ListenerView): void {
    const server = this.makeServer(l);
    const binding: Binding = { listenerArn: l.arn, port: l.port, protocol: l.protocol, server };
    this.bindings.set(l.arn, binding);
    this.tune(binding, l);
    const previous = boundPortOf(this.d.sql, l.arn);
    const candidates = [...new Set([l.port, ...(previous && previous !== l.port ? [previous] : []), 0])];
    const attempt = (i: number) => {
      if (this.bindings.get(l.arn) !== binding) return;
      const port = candidates[i];
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (i + 1 < candidates.length) return attempt(i + 1);
        binding.error = err.message;
        this.d.log.warn('load balancer listener could not bind', { listener: l.arn, port: l.port, error: err.message });
      };
      const onListening = () => {
        server.off('error', onError);
        const bound = (server.address() as net.AddressInfo).port;
        binding.boundPort = bound;
        if (this.bindings.get(l.arn) !== binding) {
          server.close();
          return;
        }
        try {
          if (previous !== bound) setBoundPort(this.d.sql, l.arn, bound);
        } catch (err) {
          this.d.log.warn('recording listener port failed', { error: String(err) });
        }
        if (bound !== l.port) {
          this.d.log.info('load balancer listener bound another port', { listener: l.arn, port: l.port, boundPort: bound, reason: i === 0 ? undefined : 'port in use or not permitted' });
        }
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, this.d.host);
    };
    attempt(0);
  }

  private close(arn: string): void {
    const b = this.bindings.get(arn);
    if (!b) return;
    this.bindings.delete(arn);
    this.contexts.delete(arn);
    b.server.close();
    if (b.server instanceof http.Server || b.server instanceof https.Server) b.server.closeAllConnections();
  }

  closeAll(): void {
    for (const arn of [...this.bindings.keys()]) this.close(arn);
  }
}
