/**
 * What a task takes from a container instance, as ECS's scheduler counts it:
 * task-level cpu/memory when set, else the sum of its containers' cpu and
 * memory (hard limit, else reservation); and the host ports it binds (bridge
 * static host ports, host-mode container ports).
 */
import type { PlacementConstraint, PlacementStrategy, Task, TaskDefinition } from '@aws-sdk/client-ecs';

export interface TaskDemand {
  cpu: number;
  memory: number;
  tcpPorts: number[];
  udpPorts: number[];
}

/**
 * An EC2 task of a capacity provider with managed scaling that no instance could take yet: it waits in PROVISIONING
 * (no container instance) for the instances managed scaling launches, placed then as it would have been now.
 */
export interface AwaitingCapacity {
  /** Clock ms it began waiting (ECS stops it after its wait: see capacity-placement). */
  since: number;
  constraints: PlacementConstraint[];
  strategies: PlacementStrategy[];
}

/** A task as recorded: the host ports its definition binds are kept on it (Berth's bookkeeping, never on the wire). */
export type RecordedTask = Task & { berthHostPorts?: { tcp: number[]; udp: number[] }; berthAwaitingCapacity?: AwaitingCapacity };

/** An EC2 task still waiting for a capacity provider's instance. */
export const isAwaitingCapacity = (t: Task) => !!(t as RecordedTask).berthAwaitingCapacity && !t.containerInstanceArn;

/** Demand of a recorded task (its containers carry cpu/memory; host ports from its def are stored on it). */
export function taskDemand(task: RecordedTask): TaskDemand {
  const cpu = task.cpu ? Number(task.cpu) : (task.containers ?? []).reduce((n, c) => n + Number(c.cpu ?? 0), 0);
  const memory = task.memory
    ? Number(task.memory)
    : (task.containers ?? []).reduce((n, c) => n + Number(c.memory ?? c.memoryReservation ?? 0), 0);
  return { cpu, memory, tcpPorts: task.berthHostPorts?.tcp ?? [], udpPorts: task.berthHostPorts?.udp ?? [] };
}

/** Demand of a task definition about to be placed. */
export function definitionDemand(def: TaskDefinition, overrides?: { cpu?: string; memory?: string }): TaskDemand {
  const cpu = overrides?.cpu ?? def.cpu;
  const memory = overrides?.memory ?? def.memory;
  const tcp: number[] = [];
  const udp: number[] = [];
  for (const cd of def.containerDefinitions ?? []) {
    for (const p of cd.portMappings ?? []) {
      const host = def.networkMode === 'host' ? p.containerPort : def.networkMode === 'bridge' || !def.networkMode ? p.hostPort : undefined;
      if (!host) continue;
      (p.protocol === 'udp' ? udp : tcp).push(host);
    }
  }
  return {
    cpu: cpu ? Number(cpu) : (def.containerDefinitions ?? []).reduce((n, c) => n + (c.cpu ?? 0), 0),
    memory: memory ? Number(memory) : (def.containerDefinitions ?? []).reduce((n, c) => n + (c.memory ?? c.memoryReservation ?? 0), 0),
    tcpPorts: tcp,
    udpPorts: udp,
  };
}

/**
 * What ECS divides a task's measured use by for its service's CPUUtilization and MemoryUtilization
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_utilization.html): the CPU units the task
 * specifies (task-level `cpu`, else its containers' `cpu`), and its memory — the containers' soft limits
 * (`memoryReservation`) where set, else their hard limits (`memory`), else the task-level `memory`. 0 where the task
 * specifies none (the caller decides what then: ECS does not document it).
 */
export function utilizationBasis(task: Task): { cpuUnits: number; memoryMiB: number } {
  const containers = task.containers ?? [];
  const cpuUnits = task.cpu ? Number(task.cpu) : containers.reduce((n, c) => n + Number(c.cpu ?? 0), 0);
  const perContainer = containers.reduce((n, c) => n + Number(c.memoryReservation ?? c.memory ?? 0), 0);
  return { cpuUnits: cpuUnits || 0, memoryMiB: perContainer || Number(task.memory ?? 0) || 0 };
}