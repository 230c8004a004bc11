/**
 * Where the data plane actually connects for a registered target. Berth's
 * containers are reachable only through ports published on 127.0.0.1 (or on
 * a configured container engine's host), so a target registered as (Id, Port)
 * — an awsvpc task's private IP and container port, or an instance id and
 * host port — must be translated. Services that know the mapping plug in a
 * resolver (ECS maps a task's private IP + containerPort to
 * 127.0.0.1:<published host port>); the first resolver that answers wins.
 * Without one, an `ip` target is reached at its own address only when that
 * is loopback (host backends registered as 127.0.0.1), and an `instance`
 * target at 127.0.0.1 (every instance Berth has is this machine, so the
 * registered port is a host port). Anything else is unresolvable, with the
 * reason why: it is health checked as a failure and gets no traffic. Every
 * answer passes the destinations guard (destinations.ts): a resolver can
 * never send Berth to an address that is not its own.
 *
 * Resolvers belong to one Berth (its LoadBalancing owns a TargetResolvers):
 * several Berths in one process each see their own state.
 *
 * @example
 *   const unregister = loadBalancing.resolvers.register({
 *     resolve: (account, region, type, id, port) => lookupTaskPort(account, region, id, port),
 *     engineHosts: () => [],
 *     moves: [{ kind: 'ecs.task-state', targets: (taskArn) => addressesOfTask(taskArn) }],
 *   });
 */
import { Destinations, isLoopback } from './destinations.js';
import type { Resolution, ResolvedTarget, TargetResolver } from '../shared/target-resolution.js';

// The contract lives in shared/ so a service (ECS) can implement it without importing lb/.
export type { Resolution, ResolvedTarget, TargetMoves, TargetResolver, Unresolvable } from '../shared/target-resolution.js';

export const isResolved = (r: Resolution): r is ResolvedTarget => !('unresolvable' in r);

export class TargetResolvers {
  private list: TargetResolver[] = [];

  /** Adds a resolver (asked before earlier ones); returns a function that removes it. */
  register(resolver: TargetResolver): () => void {
    this.list.unshift(resolver);
    return () => {
      const i = this.list.indexOf(resolver);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  /** Where Berth may connect: loopback and the resolvers' engine hosts. */
  destinations(): Destinations {
    const hosts: string[] = [];
    for (const r of this.list) {
      try {
        hosts.push(...r.engineHosts());
      } catch {
        // A failing resolver adds no host: its targets are refused, never sent elsewhere.
      }
    }
    return new Destinations(hosts);
  }

  /** The change kinds that can move a resolver's answers. */
  moveKinds(): Set<string> {
    return new Set(this.list.flatMap((r) => r.moves.map((m) => m.kind)));
  }

  /** The targets a change concerns, per resolver that watches its kind (none: it cannot move an address). */
  moved(kind: string, key: string): { account: string; region: string; ids: string[] }[] {
    const out: { account: string; region: string; ids: string[] }[] = [];
    for (const r of this.list) {
      for (const m of r.moves) {
        if (m.kind !== kind) continue;
        try {
          const t = m.targets(key);
          if (t?.ids.length) out.push(t);
        } catch {
          // A failing resolver moves nothing; the periodic retry still resolves its targets.
        }
      }
    }
    return out;
  }

  resolve(account: string, region: string, targetType: string, id: string, port: number, destinations = this.destinations()): Resolution {
    const r = this.answer(account, region, targetType, id, port);
    if (isResolved(r) && !destinations.permits(r.host)) return { unresolvable: destinations.refusal(r.host, r.port) };
    return r;
  }

  private answer(account: string, region: string, targetType: string, id: string, port: number): Resolution {
    for (const r of this.list) {
      try {
        const found = r.resolve(account, region, targetType, id, port);
        if (found) return found;
      } catch {
        // A failing resolver must not take the data plane down; the next one is asked.
      }
    }
    // Every "instance" Berth knows is this machine: a port registered for an instance is a host port here.
    if (targetType === 'instance') return { host: '127.0.0.1', port };
    if (isLoopback(id)) return { host: id, port };
    return { unresolvable: `no container Berth runs publishes ${id}:${port}; Berth connects only to ports it published on this machine or on a configured container engine` };
  }
}
