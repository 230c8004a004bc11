/**
 * A service's tasks in its load balancers' target groups, as ECS manages them:
 * a task is registered once it runs (awsvpc: its private IP and container
 * port; bridge and host: its EC2 instance and the host port bound to the
 * container port, as an `instance` target group takes them), counts as healthy for a deployment only when every target group
 * says so, and is deregistered and drained before it is stopped.
 */
import type { LoadBalancer, Service, Task } from '@aws-sdk/client-ecs';
import { AwsError } from '../protocol/errors.js';
import { deregisterTargets, registerTargets, targetGroupOf, targetHealthOf } from '../services/elastic-load-balancing-v2/index.js';
import type { Statements } from '../state/db.js';
import { accountOf, regionOf } from '../shared/arns.js';
import { ec2InstanceIdOf } from '../services/ecs/index.js';

/** Berth's bookkeeping on a task (never serialized: not a model member). */
export interface TaskTargets {
  berthTargets?: { targetGroupArn: string; id: string; port: number }[];
  berthDeregistered?: boolean;
  /** Epoch ms when draining ends and the task may be stopped. */
  berthDrainingUntil?: number;
  berthStopReason?: string;
  /** Deregistered by a stop the scheduler did not make (StopTask): its service has yet to say it drains. */
  berthDrainUnannounced?: boolean;
}

export type TargetState = 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unused' | 'unavailable' | 'missing';

const scopeOf = (taskArn: string) => ({ account: accountOf(taskArn), region: regionOf(taskArn) });

function privateIp(task: Task): string | undefined {
  return task.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
}

/**
 * The target a task is for one of the service's load balancers: awsvpc, its ENI's IP and the container port; bridge
 * or host (on an EC2 instance), the instance and the host port its container's port is bound to. Undefined until known.
 */
function targetOf(sql: Statements, task: Task, lb: LoadBalancer): { id: string; port: number } | undefined {
  if (task.attachments?.some((a) => a.type === 'ElasticNetworkInterface')) {
    const ip = privateIp(task);
    return ip ? { id: ip, port: lb.containerPort! } : undefined;
  }
  if (!task.containerInstanceArn) return undefined;
  const instance = ec2InstanceIdOf(sql, task.containerInstanceArn);
  const binding = task.containers?.find((c) => c.name === lb.containerName)?.networkBindings
    ?.find((b) => b.containerPort === lb.containerPort && b.hostPort);
  return instance && binding ? { id: instance, port: binding.hostPort! } : undefined;
}

/**
 * Registers a running task in each of the service's target groups; returns an
 * event message if a registration failed (e.g. the target group is gone).
 */
export function registerTask(sql: Statements, service: Service, task: Task & TaskTargets, now: number): string | undefined {
  if (task.berthTargets || !service.loadBalancers?.length) return undefined;
  const lbs = service.loadBalancers.filter((lb) => lb.targetGroupArn);
  const wanted = lbs.map((lb) => targetOf(sql, task, lb));
  if (!lbs.length || wanted.some((t) => !t)) return undefined;
  const scope = scopeOf(task.taskArn!);
  const targets: NonNullable<TaskTargets['berthTargets']> = [];
  for (const [n, lb] of lbs.entries()) {
    const { id, port } = wanted[n]!;
    try {
      registerTargets(sql, { ...scope, targetGroupArn: lb.targetGroupArn!, targets: [{ id, port }], now });
      targets.push({ targetGroupArn: lb.targetGroupArn!, id, port });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
      return `failed to register targets in (target-group ${lb.targetGroupArn}) with (error ${err.message})`;
    }
  }
  task.berthTargets = targets;
  return `registered 1 targets in (target-group ${targets.map((t) => t.targetGroupArn).join(', ')})`;
}

/** The worst state of the task's targets ('healthy' only if all are). */
export function targetState(sql: Statements, task: Task & TaskTargets, now: number): TargetState | undefined {
  if (!task.berthTargets?.length) return undefined;
  const scope = scopeOf(task.taskArn!);
  const order: TargetState[] = ['missing', 'unhealthy', 'unavailable', 'draining', 'unused', 'initial', 'healthy'];
  let worst: TargetState = 'healthy';
  for (const t of task.berthTargets) {
    let state: TargetState = 'missing';
    try {
      const [h] = targetHealthOf(sql, { ...scope, targetGroupArn: t.targetGroupArn, targets: [{ id: t.id, port: t.port }], now });
      state = (h?.TargetHealth?.State as TargetState | undefined) ?? 'missing';
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
    }
    if (order.indexOf(state) < order.indexOf(worst)) worst = state;
  }
  return worst;
}

/** Starts draining the task's targets; returns when the task may be stopped (epoch ms). */
export function deregisterTask(sql: Statements, task: Task & TaskTargets, now: number): number {
  if (!task.berthTargets?.length || task.berthDeregistered) return now;
  const scope = scopeOf(task.taskArn!);
  let delay = 0;
  for (const t of task.berthTargets) {
    try {
      const tg = targetGroupOf(sql, { ...scope, targetGroupArn: t.targetGroupArn });
      // A deleted target group (ECS Express deletes its group before its service) has nothing left to drain.
      if (tg) delay = Math.max(delay, Number(tg.attributes?.['deregistration_delay.timeout_seconds'] ?? 300));
      deregisterTargets(sql, { ...scope, targetGroupArn: t.targetGroupArn, targets: [{ id: t.id, port: t.port }], now });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
    }
  }
  task.berthDeregistered = true;
  return now + delay * 1000;
}
