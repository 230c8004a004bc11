/**
 * The contract between the load balancer's data plane and a service that
 * knows where its targets really are (ECS: a task's private IP and container
 * port → the port Berth published). Services implement TargetResolver here,
 * in shared/, so they never import lb/; lb/target-resolver.ts asks them.
 */

export interface ResolvedTarget {
  host: string;
  port: number;
}

/** A target Berth cannot reach, and why (becomes its health description). */
export interface Unresolvable {
  unresolvable: string;
}

export type Resolution = ResolvedTarget | Unresolvable;

export interface TargetResolver {
  /** undefined: not mine (the next resolver, then the default, is asked). */
  resolve(account: string, region: string, targetType: string, id: string, port: number): Resolution | undefined;
  /** Hosts of the container engines this resolver may answer with (besides loopback). */
  engineHosts(): string[];
  /**
   * The changes that can move this resolver's answers (ECS: `ecs.task-state`, a task started or given new ports),
   * each with the targets a change of that key concerns: the data plane resolves again at once when one of them
   * is a target it has, instead of on its next retry.
   */
  readonly moves: readonly TargetMoves[];
}

/** A change kind, and the ip target ids (in one account and region) a change of a key of that kind concerns. */
export interface TargetMoves {
  kind: string;
  targets(key: string): { account: string; region: string; ids: string[] } | undefined;
}
