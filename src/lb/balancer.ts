/**
 * Choosing a target in a target group, as ELB does: only registered,
 * non-draining targets that pass health checks; when none passes, all of them
 * (fail open); none registered, none at all. Round robin by default,
 * least_outstanding_requests and weighted_random when the group asks, with
 * slow start ramping a newly healthy target's share linearly over
 * slow_start.duration_seconds. A sticky target is kept while it may receive
 * traffic. Each process of the data plane balances on its own (as each node
 * of an ELB does); a worker's round robin starts at its own offset so that
 * workers taking turns still spread consecutive requests over the targets.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#modify-routing-algorithm
 */
import { Destinations } from './destinations.js';
import type { TargetGroupView, TargetView, WeightedGroup } from './snapshot.js';
import type { ResolvedTarget } from './target-resolver.js';

export class Balancer {
  private rr = new Map<string, number>();
  private inflight = new Map<string, number>();
  /** Requests in flight per target group, and the most at once since takePeak last looked (App Runner scales on it). */
  private groupInflight = new Map<string, number>();
  private groupPeak = new Map<string, number>();

  /** @param rrOffset where round robin starts in each group (a worker's index). */
  constructor(private readonly rrOffset = 0) {}

  private destinations = new Destinations();

  /** Forgets pools computed from the previous snapshot; `destinations` are the snapshot's. */
  refresh(destinations: Destinations): void {
    this.pools = new WeakMap();
    this.destinations = destinations;
  }

  /** Where a target is reached (resolved when the snapshot was read). */
  address(t: TargetView): ResolvedTarget | undefined {
    return t.addr ?? undefined;
  }

  /** Pools by group view: a reload makes new views, so entries expire with their snapshot. */
  private pools = new WeakMap<TargetGroupView, TargetView[]>();

  /** The targets traffic may go to now: healthy ones, or all (fail open) when none is. */
  pool(group: TargetGroupView): TargetView[] {
    let pool = this.pools.get(group);
    if (!pool) {
      pool = this.computePool(group);
      this.pools.set(group, pool);
    }
    return pool;
  }

  private computePool(group: TargetGroupView): TargetView[] {
    // Only targets at an address of Berth's own (the guard every proxied connection passes).
    const candidates = group.targets.filter((t) => !t.draining && t.addr && this.destinations.permits(t.addr.host));
    if (group.doc.HealthCheckEnabled === false) return candidates;
    const healthy = candidates.filter((t) => t.state === 'healthy');
    return healthy.length ? healthy : candidates;
  }

  pick(group: TargetGroupView, now: number, stickyKey?: string): TargetView | undefined {
    const pool = this.pool(group);
    if (!pool.length) return undefined;
    if (stickyKey) {
      const sticky = pool.find((t) => t.key === stickyKey);
      if (sticky) return sticky;
    }
    if (pool.length === 1) return pool[0];
    const slowStart = Number(group.attributes['slow_start.duration_seconds'] ?? '0') * 1000;
    if (slowStart > 0) {
      const weights = pool.map((t) => (t.healthySince === null ? 1 : Math.min(1, Math.max(0.05, (now - t.healthySince) / slowStart))));
      if (weights.some((w) => w < 1)) return weightedRandom(pool, weights);
    }
    switch (group.attributes['load_balancing.algorithm.type']) {
      case 'least_outstanding_requests': return this.leastOutstanding(group.arn, pool);
      case 'weighted_random': return pool[Math.floor(Math.random() * pool.length)];
      default: return this.roundRobin(group.arn, pool);
    }
  }

  private roundRobin(key: string, pool: TargetView[]): TargetView {
    const n = this.rr.get(key) ?? this.rrOffset;
    this.rr.set(key, (n + 1) % 1_000_000_007);
    return pool[n % pool.length];
  }

  private leastOutstanding(key: string, pool: TargetView[]): TargetView {
    let best: TargetView[] = [];
    let min = Infinity;
    for (const t of pool) {
      const n = this.inflight.get(t.key) ?? 0;
      if (n < min) {
        min = n;
        best = [t];
      } else if (n === min) best.push(t);
    }
    return best.length === 1 ? best[0] : this.roundRobin(key, best);
  }

  acquire(t: TargetView): void {
    this.inflight.set(t.key, (this.inflight.get(t.key) ?? 0) + 1);
    const g = groupOf(t);
    const n = (this.groupInflight.get(g) ?? 0) + 1;
    this.groupInflight.set(g, n);
    if (n > (this.groupPeak.get(g) ?? 0)) this.groupPeak.set(g, n);
  }

  release(t: TargetView): void {
    const n = (this.inflight.get(t.key) ?? 1) - 1;
    if (n <= 0) this.inflight.delete(t.key);
    else this.inflight.set(t.key, n);
    const g = groupOf(t);
    const m = (this.groupInflight.get(g) ?? 1) - 1;
    if (m <= 0) this.groupInflight.delete(g);
    else this.groupInflight.set(g, m);
  }

  /** Requests in flight to a target group now. */
  groupInFlight(groupArn: string): number {
    return this.groupInflight.get(groupArn) ?? 0;
  }

  /** The most requests in flight at once to a group since the last call; the next period starts from those in flight now. */
  takePeak(groupArn: string): number {
    const now = this.groupInflight.get(groupArn) ?? 0;
    const peak = Math.max(now, this.groupPeak.get(groupArn) ?? 0);
    if (now) this.groupPeak.set(groupArn, now);
    else this.groupPeak.delete(groupArn);
    return peak;
  }
}

/** A target's group: its key is `<group ARN>|<id>|<port>`. */
const groupOf = (t: TargetView) => t.key.slice(0, t.key.indexOf('|'));

function weightedRandom<T>(items: T[], weights: number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = Math.random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r <= 0) return items[i];
  }
  return items[items.length - 1];
}

/** A forward action's target group: by group stickiness when it names one, else by weight. */
export function pickGroup(groups: WeightedGroup[], stickyArn?: string): TargetGroupView | undefined {
  if (stickyArn) {
    const sticky = groups.find((g) => g.group.arn === stickyArn && g.weight > 0);
    if (sticky) return sticky.group;
  }
  if (groups.length === 1) return groups[0].group;
  const live = groups.filter((g) => g.weight > 0);
  if (!live.length) return groups[0]?.group;
  return weightedRandom(live.map((g) => g.group), live.map((g) => g.weight));
}
