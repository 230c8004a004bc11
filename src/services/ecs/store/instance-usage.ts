/**
 * What the tasks on each container instance take, kept as it changes rather
 * than summed from their documents on every read: CPU, memory and the
 * running/pending counts in ecs_instance_usage, tasks per task group in
 * ecs_instance_groups. A task counts while it holds its instance (any
 * lastStatus but STOPPED); tasks.ts moves it in and out in the transaction
 * that changes its lastStatus. Host ports stay on the task rows
 * (`host_ports`), read through a partial index of the tasks that hold some.
 * Placement and DescribeContainerInstances thus read one row per instance.
 */
import type { ContainerInstance, Resource } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';
import { attributesOfTarget } from './attributes.js';

/** A task's share of its instance, as its row records it. */
export interface TaskHold {
  container_instance: string | null;
  cpu: number;
  memory: number;
  task_group: string;
}

export interface InstanceUsage {
  cpu: number;
  memory: number;
  running: number;
  pending: number;
}

export interface HostPortSets {
  tcp: Set<number>;
  udp: Set<number>;
}

const holds = (status: string | undefined) => status !== undefined && status !== 'STOPPED';

/** Moves a task's share of its instance for a lastStatus change (`from` undefined: a new task). */
/** True when the task's resources were taken from or given back to its instance (its remaining resources moved). */
export function moveTaskHold(sql: Statements, hold: TaskHold, from: string | undefined, to: string): boolean {
  if (!hold.container_instance || from === to) return false;
  const was = holds(from) ? 1 : 0;
  const is = holds(to) ? 1 : 0;
  const running = Number(to === 'RUNNING') - Number(from === 'RUNNING');
  const pending = (is && to !== 'RUNNING' ? 1 : 0) - (was && from !== 'RUNNING' ? 1 : 0);
  const held = is - was;
  if (!held && !running && !pending) return false;
  sql
    .get(`INSERT INTO ecs_instance_usage (instance_arn, cpu, memory, running, pending) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (instance_arn) DO UPDATE SET cpu = cpu + excluded.cpu, memory = memory + excluded.memory,
            running = running + excluded.running, pending = pending + excluded.pending`)
    .run(hold.container_instance, held * hold.cpu, held * hold.memory, running, pending);
  if (held < 0) sql.get('DELETE FROM ecs_instance_usage WHERE instance_arn = ? AND running <= 0 AND pending <= 0').run(hold.container_instance);
  if (!held) return false;
  sql
    .get(`INSERT INTO ecs_instance_groups (instance_arn, task_group, tasks) VALUES (?, ?, ?)
          ON CONFLICT (instance_arn, task_group) DO UPDATE SET tasks = tasks + excluded.tasks`)
    .run(hold.container_instance, hold.task_group, held);
  if (held < 0) sql.get('DELETE FROM ecs_instance_groups WHERE instance_arn = ? AND task_group = ? AND tasks <= 0').run(hold.container_instance, hold.task_group);
  return true;
}

/** CPU and memory the instance's tasks take, and how many are running and pending. */
export function instanceUsage(sql: Statements, instanceArn: string): InstanceUsage {
  return (sql.get('SELECT cpu, memory, running, pending FROM ecs_instance_usage WHERE instance_arn = ?').get(instanceArn) as InstanceUsage | undefined)
    ?? { cpu: 0, memory: 0, running: 0, pending: 0 };
}

/** How many of the instance's tasks are in `group`. */
export function instanceGroupTasks(sql: Statements, instanceArn: string, group: string): number {
  return (sql.get('SELECT tasks FROM ecs_instance_groups WHERE instance_arn = ? AND task_group = ?').pluck().get(instanceArn, group) as number | undefined) ?? 0;
}

/** The task groups on the instance, with how many tasks each has there. */
export function instanceGroups(sql: Statements, instanceArn: string): Map<string, number> {
  const rows = sql.get('SELECT task_group, tasks FROM ecs_instance_groups WHERE instance_arn = ? AND tasks > 0').all(instanceArn) as { task_group: string; tasks: number }[];
  return new Map(rows.map((r) => [r.task_group, r.tasks]));
}

function portSets(rows: string[]): HostPortSets {
  const out: HostPortSets = { tcp: new Set(), udp: new Set() };
  for (const text of rows) {
    const p = JSON.parse(text) as { tcp?: number[]; udp?: number[] };
    for (const n of p.tcp ?? []) out.tcp.add(n);
    for (const n of p.udp ?? []) out.udp.add(n);
  }
  return out;
}

/** Host ports the instance's own tasks bind. */
export function instanceHostPorts(sql: Statements, instanceArn: string): HostPortSets {
  return portSets(sql
    .get("SELECT host_ports FROM ecs_tasks WHERE container_instance = ? AND host_ports IS NOT NULL AND last_status != 'STOPPED'")
    .pluck().all(instanceArn) as string[]);
}

/**
 * Host ports held on a container engine ('' for the local one) by tasks that are not STOPPED, on any instance of
 * it in any cluster, account or region: Berth's virtual instances on one engine share its host address.
 */
export function engineHostPorts(sql: Statements, engine: string): HostPortSets {
  return portSets(sql
    .get(`SELECT t.host_ports FROM ecs_container_instances ci JOIN ecs_tasks t ON t.container_instance = ci.arn
          WHERE ci.engine = ? AND t.host_ports IS NOT NULL AND t.last_status != 'STOPPED'`)
    .pluck().all(engine) as string[]);
}

/** The engine containers of the RUNNING tasks on a container instance (EC2's instance metrics measure them). */
export function runningContainersOnInstance(sql: Statements, instanceArn: string): string[] {
  return sql
    .get(`SELECT json_extract(c.value, '$.runtimeId') FROM ecs_tasks t, json_each(t.doc, '$.containers') c
          WHERE t.container_instance = ? AND t.last_status = 'RUNNING' AND json_extract(c.value, '$.runtimeId') IS NOT NULL`)
    .pluck().all(instanceArn) as string[];
}

/**
 * A container instance as ECS shows it (DescribeContainerInstances, and the detail of its "ECS Container Instance
 * State Change" events: tasks.ts): remaining resources and task counts from what its tasks take (one row, not its
 * tasks' documents), and its attributes with those put since registration.
 */
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
