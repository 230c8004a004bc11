/**
 * How a capacity provider strategy shares tasks among its providers, as ECS distributes them
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html): the one provider
 * with a `base` runs that many tasks first; every task beyond the base goes by `weight`, so that each provider's
 * tasks (beyond its base) stay in the ratio of the weights. A provider of weight 0 takes only its base. For a
 * service the tasks it already runs count (a scale-out continues the split), for RunTask only the call's own.
 * A pure function, so tested without an engine.
 */
import type { CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';

/**
 * The provider of each of `count` new tasks, in order. `existing`: tasks already on each provider (by name).
 * Ties go to the provider listed first, so 2 tasks on weights 1:1 split one each, and 3 split 2:1.
 */
export function splitByStrategy(strategy: CapacityProviderStrategyItem[], count: number, existing: ReadonlyMap<string, number> = new Map()): string[] {
  const items = strategy.filter((s) => s.capacityProvider);
  if (!items.length) return [];
  const counts = new Map(items.map((s) => [s.capacityProvider!, existing.get(s.capacityProvider!) ?? 0]));
  const baseItem = items.find((s) => (s.base ?? 0) > 0);
  const weighted = items.filter((s) => (s.weight ?? 0) > 0);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let pick: string;
    if (baseItem && counts.get(baseItem.capacityProvider!)! < baseItem.base!) {
      pick = baseItem.capacityProvider!;
    } else if (!weighted.length) {
      // A lone provider of weight 0 (ECS accepts it): every task goes there.
      pick = (baseItem ?? items[0]).capacityProvider!;
    } else {
      let best = weighted[0];
      let bestScore = Infinity;
      for (const s of weighted) {
        const beyondBase = Math.max(0, counts.get(s.capacityProvider!)! - (s === baseItem ? baseItem.base! : 0));
        const score = (beyondBase + 1) / s.weight!;
        if (score < bestScore) {
          best = s;
          bestScore = score;
        }
      }
      pick = best.capacityProvider!;
    }
    counts.set(pick, counts.get(pick)! + 1);
    out.push(pick);
  }
  return out;
}

/** The distinct providers of a split, each with how many of the tasks (by index) it takes. */
export function groupSplit(providers: string[]): Map<string, number[]> {
  const byProvider = new Map<string, number[]>();
  providers.forEach((p, i) => {
    const list = byProvider.get(p);
    if (list) list.push(i);
    else byProvider.set(p, [i]);
  });
  return byProvider;
}
