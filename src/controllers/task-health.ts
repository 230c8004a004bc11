/**
 * Container and task health as ECS reports them: a container's healthStatus
 * follows its health check; the task is UNHEALTHY if any essential container
 * is, HEALTHY when every essential container with a health check is, and
 * UNKNOWN otherwise (including when no essential container has a check).
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerState } from '../runtime/driver.js';

export function containerHealth(s: ContainerState): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  if (s.health === 'healthy') return 'HEALTHY';
  if (s.health === 'unhealthy') return 'UNHEALTHY';
  return 'UNKNOWN';
}

export function taskHealth(task: Task, def: TaskDefinition): 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' {
  const checked = (def.containerDefinitions ?? []).filter((cd) => cd.essential !== false && cd.healthCheck?.command?.length);
  if (!checked.length) return 'UNKNOWN';
  const states = checked.map((cd) => task.containers?.find((c) => c.name === cd.name)?.healthStatus ?? 'UNKNOWN');
  if (states.includes('UNHEALTHY')) return 'UNHEALTHY';
  if (states.every((s) => s === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}
