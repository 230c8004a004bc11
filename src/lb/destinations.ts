/**
 * Where the data plane may open connections: Berth's own addresses only.
 * A target is reached through a port Berth published on loopback
 * (127.0.0.0/8, ::1) or on a container engine Berth was told about (a
 * DOCKER_HOST or an external instance's `berth.engine` on another host).
 * Addresses Berth invents (an awsvpc task's ENI address, 172.31.x.x) route, on
 * a real machine, to whatever network it sits in: they are never destinations.
 * Every path that connects to a target asks `permits` first: target
 * resolution (target-resolver.ts, which feeds health checks and the
 * snapshot's addresses) and the balancer's pool (balancer.ts, which every
 * proxied request and TCP connection picks from).
 *
 * @example
 *   const destinations = new Destinations(['build-box.lan']);
 *   destinations.permits('127.0.0.1');    // true
 *   destinations.permits('172.31.15.29'); // false
 */
import { isLoopback } from '../shared/loopback.js';

export { isLoopback };

export class Destinations {
  private readonly engines: ReadonlySet<string>;

  /** @param engineHosts hosts of the container engines Berth was configured with. */
  constructor(engineHosts: Iterable<string> = []) {
    this.engines = new Set([...engineHosts].map((h) => h.toLowerCase()));
  }

  get engineHosts(): string[] {
    return [...this.engines];
  }

  permits(host: string): boolean {
    return isLoopback(host) || this.engines.has(host.toLowerCase());
  }

  /** Why a host is refused (for a target's health description). */
  refusal(host: string, port: number): string {
    return `${host}:${port} is not a port Berth published on this machine or on a configured container engine; Berth connects to nothing else`;
  }
}
