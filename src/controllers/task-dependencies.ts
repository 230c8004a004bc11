/**
 * dependsOn, as ECS's agent applies it before starting a container:
 * START (dependency started), COMPLETE (it exited), SUCCESS (it exited 0),
 * HEALTHY (its health check passed). A condition that can no longer be met
 * fails the task instead of waiting forever.
 */
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';
import type { ContainerState } from '../runtime/driver.js';

export type DependencyVerdict = { kind: 'ready' } | { kind: 'wait' } | { kind: 'impossible'; reason: string };

const exited = (s: ContainerState) => s.status === 'exited' || s.status === 'dead';

export function dependencyVerdict(cd: ContainerDefinition, _def: TaskDefinition, started: Map<string, ContainerState>): DependencyVerdict {
  let wait = false;
  for (const dep of cd.dependsOn ?? []) {
    const s = started.get(dep.containerName!);
    const condition = dep.condition ?? 'START';
    if (!s) {
      wait = true;
      continue;
    }
    switch (condition) {
      case 'START':
        break;
      case 'COMPLETE':
        if (!exited(s)) wait = true;
        break;
      case 'SUCCESS':
        if (!exited(s)) wait = true;
        else if (s.exitCode !== 0) {
          return { kind: 'impossible', reason: `Dependency condition SUCCESS not met: container ${dep.containerName} exited with code ${s.exitCode}` };
        }
        break;
      case 'HEALTHY':
        if (s.health === 'healthy') break;
        if (s.health === 'unhealthy' || exited(s)) {
          return { kind: 'impossible', reason: `Dependency condition HEALTHY not met: container ${dep.containerName} is ${s.health === 'unhealthy' ? 'unhealthy' : 'stopped'}` };
        }
        wait = true;
        break;
    }
  }
  return wait ? { kind: 'wait' } : { kind: 'ready' };
}
