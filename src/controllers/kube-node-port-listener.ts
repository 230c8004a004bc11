/**
 * One node port of an EKS Service, listened on at 127.0.0.1:<nodePort> on Berth's host (the nodes are local): each
 * connection goes to the next of the Service's ready endpoints (round robin), reached at the loopback port its pod
 * published for the target port (the EKS target resolver), and bytes are piped both ways. An endpoint that does not
 * resolve or refuses is skipped for the next; with none left the client is reset, as a node whose Service has no
 * ready endpoint rejects the connection (kube-proxy's REJECT rule).
 *
 * Why not the load balancer's data plane (lb/): its listeners are ELBv2 resources that DescribeLoadBalancers would
 * list (EKS makes no load balancer for a NodePort Service), and a listener whose port is taken binds another one;
 * a node port is only that port, or nothing. What is shared is the resolver: only ports the pods published are
 * destinations.
 */
import net from 'node:net';

/** A ready endpoint of the Service port: a pod IP and its target port. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** Where Berth reaches an endpoint (its pod's published loopback port), or why it cannot. */
export type Resolve = (e: Endpoint) => { host: string; port: number } | undefined;

/** How long a connection to a published port may take before the next endpoint is tried. */
const CONNECT_TIMEOUT_MS = 5_000;

export class NodePortListener {
  private endpoints: Endpoint[] = [];
  private next = 0;
  private readonly server: net.Server;
  private readonly open = new Set<net.Socket>();

  constructor(readonly host: string, readonly port: number, private readonly resolve: Resolve) {
    this.server = net.createServer({ pauseOnConnect: true }, (client) => this.accept(client));
  }

  /** Binds the port; rejects (EADDRINUSE, EACCES…) when it cannot: no other port is taken instead. */
  listen(): Promise<void> {
    return new Promise((ok, fail) => {
      const failed = (err: Error) => fail(err);
      this.server.once('error', failed);
      this.server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        this.server.off('error', failed);
        this.server.on('error', () => {});
        ok();
      });
    });
  }

  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = endpoints;
  }

  /** Stops listening and ends the connections it forwards. */
  close(): Promise<void> {
    for (const s of this.open) s.destroy();
    this.open.clear();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private track(s: net.Socket) {
    this.open.add(s);
    s.once('close', () => this.open.delete(s));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    // The candidates in round-robin order from the next one; each endpoint is tried at most once.
    const all = this.endpoints;
    const start = all.length ? this.next++ % all.length : 0;
    const order = all.map((_, i) => all[(start + i) % all.length]);
    this.tryNext(client, order);
  }

  private tryNext(client: net.Socket, order: Endpoint[]): void {
    if (client.destroyed) return;
    let at: { host: string; port: number } | undefined;
    while (order.length && !at) at = this.resolve(order.shift()!);
    if (!at) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: at.host, port: at.port });
    this.track(upstream);
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), CONNECT_TIMEOUT_MS);
    upstream.once('error', () => {
      clearTimeout(timer);
      upstream.destroy();
      this.tryNext(client, order);
    });
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.setNoDelay(true);
      client.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.resume();
    });
  }
}
