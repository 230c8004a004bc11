/**
 * Berth's AWS API as task containers see it. Berth listens on 127.0.0.1 by
 * default, which a container cannot reach; this second listener serves the same
 * routes on the bridge gateway (on Berth's port when free), and containers get
 * AWS_ENDPOINT_URL pointing at it, so an unmodified, recent AWS SDK or CLI in a
 * task calls Berth (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeDriver } from '../runtime/driver.js';
import type { Logger } from '../shared/logger.js';

export interface ContainerApiDeps {
  driver: RuntimeDriver;
  log: Logger;
  /** Where Berth's main listener is bound. */
  host: string;
  port: number;
  /** A server with the main listener's routes. */
  makeServer: () => http.Server;
}

export class ContainerApi {
  private url?: Promise<string | undefined>;
  private server?: http.Server;
  private closed = false;

  constructor(private readonly d: ContainerApiDeps) {}

  /** AWS_ENDPOINT_URL for task containers (nothing when no address reaches Berth). */
  async env(): Promise<Record<string, string>> {
    const url = await this.endpoint();
    return url ? { AWS_ENDPOINT_URL: url } : {};
  }

  endpoint(): Promise<string | undefined> {
    this.url ??= this.listen().catch((err) => {
      this.d.log.warn('Berth API unreachable from containers', { error: (err as Error).message });
      this.url = undefined;
      return undefined;
    });
    return this.url;
  }

  private async listen(): Promise<string | undefined> {
    const gateway = await this.d.driver.hostAddressForContainers();
    if (!gateway) return undefined;
    // Bound to every address already (or to the gateway itself): containers reach the main listener.
    if (this.d.host === '0.0.0.0' || this.d.host === '::' || this.d.host === gateway) return `http://${gateway}:${this.d.port}`;
    const server = this.d.makeServer();
    const bind = (port: number) => new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, gateway, () => {
        server.off('error', fail);
        ok();
      });
    });
    try {
      await bind(this.d.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      await bind(0);
    }
    this.server = server;
    if (this.closed) this.close();
    return `http://${gateway}:${(server.address() as AddressInfo).port}`;
  }

  close() {
    this.closed = true;
    this.server?.close();
    this.server?.closeAllConnections();
  }
}
