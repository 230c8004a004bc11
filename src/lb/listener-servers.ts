/**
 * One listening socket per listener, on Berth's host (127.0.0.1 by default),
 * in Berth's main process. Each binds its own port when it can; when it
 * cannot (taken, or privileged and Berth is not root) it binds the port it
 * had last time, else any free port, and records where in SQLite so
 * `berth status` and /_berth/load-balancers can say so and a restart comes
 * back on the same port. Sockets follow the snapshot: new listeners are
 * bound, changed ports rebound, deleted listeners closed. Connections are
 * accepted without being read and handed on (`accept`): to a data plane
 * worker, or to the main process's own data plane (data-plane.ts), which
 * terminates TLS and speaks HTTP or passes TCP through.
 */
import net from 'node:net';
import { boundPortOf, setBoundPort } from '../services/elastic-load-balancing-v2/store.js';
import type { Logger } from '../shared/logger.js';
import type { Statements } from '../state/db.js';
import type { ListenerView, Snapshot } from './snapshot.js';

export interface Binding {
  listenerArn: string;
  port: number;
  protocol: string;
  /** Where it listens now; undefined while binding or when binding failed. */
  boundPort?: number;
  error?: string;
  server: net.Server;
}

export interface ListenerServersDeps {
  host: string;
  sql: Statements;
  log: Logger;
  /** A connection accepted on a listener's port, paused (nothing read yet). */
  accept(listenerArn: string, socket: net.Socket): void;
  /** Where listeners are bound changed. */
  bound(ports: Map<string, number>): void;
}

export class ListenerServers {
  private bindings = new Map<string, Binding>();

  constructor(private readonly d: ListenerServersDeps) {}

  get(arn: string): Binding | undefined {
    return this.bindings.get(arn);
  }

  /** Where each listener is bound now. */
  ports(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [arn, b] of this.bindings) if (b.boundPort) out.set(arn, b.boundPort);
    return out;
  }

  sync(snapshot: Snapshot): void {
    for (const [arn, b] of this.bindings) {
      const l = snapshot.listeners.get(arn);
      if (!l || l.port !== b.port || l.protocol !== b.protocol) this.close(arn);
    }
    for (const l of snapshot.listeners.values()) {
      if (!this.bindings.has(l.arn)) this.bind(l);
    }
  }

  private bind(l: ListenerView): void {
    const arn = l.arn;
    const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.d.accept(arn, socket));
    const binding: Binding = { listenerArn: l.arn, port: l.port, protocol: l.protocol, server };
    this.bindings.set(l.arn, binding);
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
        this.d.bound(this.ports());
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
    b.server.close();
    if (b.boundPort) this.d.bound(this.ports());
  }

  closeAll(): void {
    for (const b of this.bindings.values()) b.server.close();
    this.bindings.clear();
  }
}
