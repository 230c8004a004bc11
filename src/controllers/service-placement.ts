/**
 * Where a service's tasks go on EC2 container instances: the task definition's and the service's placement
 * constraints, the service's strategies or ECS's default for services (spread over zones, then instances).
 * The service scheduler and the task-set pass both place this way; each reports a shortfall in its own words.
 */
import type { PlacementConstraint, PlacementStrategy, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { asksTaskGroups, definitionDemand, place, placementCandidates } from '../services/ecs/index.js';
import type { Statements } from '../state/db.js';

/** The constraints and strategies a service's tasks are placed by (kept on a task that waits for capacity). */
export function servicePlacementRules(service: Pick<Service, 'placementConstraints' | 'placementStrategy'>, def: TaskDefinition): { constraints: PlacementConstraint[]; strategies: PlacementStrategy[] } {
  return {
    constraints: [...(def.placementConstraints ?? []).map((c) => ({ type: c.type, expression: c.expression })), ...(service.placementConstraints ?? [])],
    strategies: service.placementStrategy?.length ? service.placementStrategy
      : [{ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'spread', field: 'instanceId' }],
  };
}

export function placeOnInstances(
  sql: Statements, row: { account: string; region: string; cluster: string },
  service: Pick<Service, 'placementConstraints' | 'placementStrategy'>, def: TaskDefinition, count: number, group: string, launchType: string,
  capacityProvider?: string,
) {
  const { constraints, strategies } = servicePlacementRules(service, def);
  const candidates = placementCandidates({ ...row, sql }, row.cluster, { group, all: asksTaskGroups(constraints) }, launchType, capacityProvider);
  const result = place(candidates, {
    demand: definitionDemand(def),
    requiredAttributes: (def.requiresAttributes ?? []).map((a) => a.name!).filter(Boolean),
    constraints, strategies, count, group,
  });
  return { result, candidates };
}
