/**
 * A container instance as ECS shows it (DescribeContainerInstances, and the detail of its "ECS Container Instance
 * State Change" events: tasks.ts): remaining resources and task counts from what its tasks take (instance-usage.ts: one row,
 * not its tasks' documents), and its attributes with those put since registration.
 */
import type { ContainerInstance, Resource } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import { attributesOfTarget } from './attributes.js';
import { instanceHostPorts, instanceUsage } from './instance-usage.js';

export const intResource = (name: string, value: number): Resource => ({ name, type: 'INTEGER', doubleValue: 0, longValue: 0, integerValue: value });
export const setResource = (name: string, values: string[]): Resource => ({ name, type: 'STRINGSET', doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: values });

export function withUsage(sql: Statements, ci: ContainerInstance): ContainerInstance {
  const arn = ci.containerInstanceArn!;
  const used = instanceUsage(sql, arn);
  const taken = instanceHostPorts(sql, arn);
  const reg = new Map((ci.registeredResources ?? []).map((r) => [r.name, r]));
  const ports = new Set([...(reg.get('PORTS')?.stringSetValue ?? []), ...[...taken.tcp].map(String)]);
  const udp = new Set([...(reg.get('PORTS_UDP')?.stringSetValue ?? []), ...[...taken.udp].map(String)]);
  // Attributes put with PutAttributes (and custom ones given at registration) live in ecs_attributes.
  const extra = attributesOfTarget(sql, arn);
  const attributes = [...(ci.attributes ?? []).filter((a) => !extra.some((e) => e.name === a.name)), ...extra.map((e) => ({ name: e.name, ...(e.value !== null ? { value: e.value } : {}) }))];
  return {
    ...ci,
    attributes,
    remainingResources: [
      intResource('CPU', (reg.get('CPU')?.integerValue ?? 0) - used.cpu), intResource('MEMORY', (reg.get('MEMORY')?.integerValue ?? 0) - used.memory),
      setResource('PORTS', [...ports]), setResource('PORTS_UDP', [...udp]),
    ],
    runningTasksCount: used.running,
    pendingTasksCount: used.pending,
  };
}
