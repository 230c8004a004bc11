/**
 * Task placement on container instances, as ECS's scheduler does it
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html):
 * filter by resources (CPU, memory, ports), required attributes and
 * constraints (distinctInstance, memberOf), then order by the strategies
 * (binpack, spread, random) applied in turn. A pure function over snapshots of
 * the instances, so it is tested at scale without an engine.
 *
 * Host ports differ from ECS in one way: Berth's virtual instances on one
 * container engine share its host address, so a host port taken by a task on
 * any of them is taken on all (`HostPorts` shared by reference between them).
 */
import type { Failure, PlacementConstraint, PlacementStrategy } from '@aws-sdk/client-ecs';
import { parseQuery, type Predicate, type QueryCandidate } from './cluster-query.js';
import type { TaskDemand } from './task-demand.js';

/** Host ports in use; one object per container engine, shared by the candidates on it. */
export interface HostPorts {
  tcp: Set<number>;
  udp: Set<number>;
}

export interface Candidate {
  arn: string;
  cpu: number;
  memory: number;
  /** The instance's own reserved and used ports. */
  tcpPorts: Set<number>;
  udpPorts: Set<number>;
  /** Ports taken on the engine the instance runs on, by tasks on any instance of it. */
  enginePorts?: HostPorts;
  /** Attribute names (and values) the instance reports. */
  attributes: Map<string, string | undefined>;
  query: QueryCandidate;
  /**
   * Tasks per task group on it (grows as this call places tasks): at least the placing group's, and every group
   * when a memberOf expression asks about task:group.
   */
  groups: Map<string, number>;
}

export interface PlacementRequest {
  demand: TaskDemand;
  requiredAttributes: string[];
  constraints: PlacementConstraint[];
  strategies: PlacementStrategy[];
  count: number;
  group: string;
  random?: () => number;
}

export interface PlacementResult {
  /** The instance of each placed task, in order (may be fewer than count). */
  placements: string[];
  failures: Failure[];
}

type Reason = 'RESOURCE:CPU' | 'RESOURCE:MEMORY' | 'RESOURCE:PORTS' | 'ATTRIBUTE' | 'CONSTRAINT';

function reject(c: Candidate, req: PlacementRequest, memberOf: Predicate[], distinct: boolean): Reason | undefined {
  if (req.requiredAttributes.some((a) => !c.attributes.has(a))) return 'ATTRIBUTE';
  if (memberOf.length && memberOf.some((p) => !p({ ...c.query, taskGroups: [...c.groups].filter(([, n]) => n > 0).map(([g]) => g) }))) return 'CONSTRAINT';
  if (distinct && (c.groups.get(req.group) ?? 0) > 0) return 'CONSTRAINT';
  if (c.cpu < req.demand.cpu) return 'RESOURCE:CPU';
  if (c.memory < req.demand.memory) return 'RESOURCE:MEMORY';
  if (portTaken(req.demand.tcpPorts, c.tcpPorts, c.enginePorts?.tcp) || portTaken(req.demand.udpPorts, c.udpPorts, c.enginePorts?.udp)) return 'RESOURCE:PORTS';
  return undefined;
}

function portTaken(wanted: number[], own: Set<number>, engine: Set<number> | undefined): boolean {
  return wanted.some((p) => own.has(p) || !!engine?.has(p));
}

function fieldValue(c: Candidate, field: string): string {
  const f = field.toLowerCase();
  if (f === 'instanceid' || f === 'host') return c.arn;
  if (field.startsWith('attribute:')) return c.attributes.get(field.slice('attribute:'.length)) ?? '';
  return c.attributes.get(field) ?? '';
}

export function place(candidates: Candidate[], req: PlacementRequest): PlacementResult {
  const random = req.random ?? Math.random;
  const memberOf = req.constraints.filter((k) => k.type === 'memberOf' && k.expression).map((k) => parseQuery(k.expression!));
  const distinct = req.constraints.some((k) => k.type === 'distinctInstance');
  const placements: string[] = [];
  // How many tasks of this group sit on each value of a spread field (this call's placements included),
  // kept up to date as tasks are placed instead of recounted for every candidate.
  const spreadFields = req.strategies.filter((s) => s.type === 'spread').map((s) => s.field ?? 'instanceId');
  const spreadCounts = new Map(spreadFields.map((f) => [f, new Map<string, number>()]));
  for (const c of candidates) {
    const n = c.groups.get(req.group) ?? 0;
    for (const [f, m] of spreadCounts) m.set(fieldValue(c, f), (m.get(fieldValue(c, f)) ?? 0) + n);
  }
  const spreadCount = (field: string, value: string) => spreadCounts.get(field)?.get(value) ?? 0;

  for (let i = 0; i < req.count; i++) {
    const eligible = candidates.filter((c) => !reject(c, req, memberOf, distinct));
    if (!eligible.length) {
      const failures = candidates.map((c) => ({ arn: c.arn, reason: reject(c, req, memberOf, distinct) ?? 'RESOURCE:CPU' }));
      return { placements, failures: failures.length ? failures : [{ reason: 'No Container Instances were found in your cluster.' }] };
    }
    const keys = new Map(eligible.map((c) => [c.arn, req.strategies.map((s) => strategyKey(s, c))]));
    function strategyKey(s: PlacementStrategy, c: Candidate): number {
      switch (s.type) {
        case 'binpack':
          return (s.field ?? 'memory').toLowerCase() === 'cpu' ? c.cpu : c.memory;
        case 'spread':
          return spreadCount(s.field ?? 'instanceId', fieldValue(c, s.field ?? 'instanceId'));
        default:
          return random();
      }
    }
    eligible.sort((a, b) => {
      const ka = keys.get(a.arn)!;
      const kb = keys.get(b.arn)!;
      for (let k = 0; k < ka.length; k++) if (ka[k] !== kb[k]) return ka[k] - kb[k];
      return 0;
    });
    const chosen = req.strategies.length ? eligible[0] : eligible[Math.floor(random() * eligible.length)];
    chosen.cpu -= req.demand.cpu;
    chosen.memory -= req.demand.memory;
    for (const p of req.demand.tcpPorts) {
      chosen.tcpPorts.add(p);
      chosen.enginePorts?.tcp.add(p);
    }
    for (const p of req.demand.udpPorts) {
      chosen.udpPorts.add(p);
      chosen.enginePorts?.udp.add(p);
    }
    chosen.groups.set(req.group, (chosen.groups.get(req.group) ?? 0) + 1);
    for (const [f, m] of spreadCounts) m.set(fieldValue(chosen, f), (m.get(fieldValue(chosen, f)) ?? 0) + 1);
    placements.push(chosen.arn);
  }
  return { placements, failures: [] };
}
