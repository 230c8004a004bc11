/**
 * Where the data plane actually connects for a registered target. Berth's
 * containers are reachable only through ports published on 127.0.0.1, so a
 * target registered as (Id, Port) — an awsvpc task's private IP and container
 * port, or an instance id and host port — must be translated. Services that
 * know the mapping plug in a resolver (ECS maps a task's private IP +
 * containerPort to 127.0.0.1:<published host port>); the first resolver that
 * answers wins. The default for `ip` targets is the id itself as the host,
 * which serves targets on loopback (127.0.0.1) and anything else the host can
 * reach; for `instance` targets it is 127.0.0.1 (every instance Berth has is
 * this machine, so the registered port is a host port).
 *
 * Resolvers belong to one Berth (its LoadBalancing owns a TargetResolvers):
 * several Berths in one process each see their own state.
 *
 * @example
 *   const unregister = loadBalancing.resolvers.register({
 *     resolve: (account, region, type, id, port) => lookupTaskPort(account, region, id, port),
 *   });
 */
export interface ResolvedTarget {
  host: string;
  port: number;
}

export interface TargetResolver {
  /** undefined: not mine (the next resolver, then the default, is asked). */
  resolve(account: string, region: string, targetType: string, id: string, port: number): ResolvedTarget | undefined;
}

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

  resolve(account: string, region: string, targetType: string, id: string, port: number): ResolvedTarget {
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
    return { host: id, port };
  }
}
