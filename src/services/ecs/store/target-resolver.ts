/**
 * Where the load balancer reaches an ECS task: a target registered as an awsvpc
 * task's private IP and container port is the port Berth published for that
 * container (the task's networkBindings). Berth publishes on 127.0.0.1 of the
 * task's engine: on this machine, that is loopback; on a remote engine (an
 * external instance's `berth.engine`, or a DOCKER_HOST on another host) only a
 * binding on all interfaces (host networking: 0.0.0.0) is reachable, at the
 * engine's host. A task that has not published the port (yet) is
 * unresolvable, with the reason: never its invented ENI address.
 */
import { taskIdOf } from '../../../shared/arns.js';
import { isLoopback } from '../../../shared/loopback.js';
import type { Resolution, TargetResolver } from '../../../shared/target-resolution.js';
import type { Statements } from '../../../state/db.js';
import { engineForTask, remoteEngines } from './engine-routing.js';
import { liveTasksMentioning, loadTaskByArn } from './tasks.js';

/** The host of an engine URL (tcp://h:p, ssh://user@h:p); undefined for a local socket. */
function engineHost(url: string | undefined): string | undefined {
  if (!url || !/^(tcp|ssh|http|https):\/\//.test(url)) return undefined;
  try {
    const host = new URL(url).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host || undefined;
  } catch {
    return undefined;
  }
}

const ANY = new Set(['', '0.0.0.0', '::']);

/** @param localEngine the local engine's URL (DOCKER_HOST), when it is not a socket on this machine. */
export function ecsTargetResolver(sql: Statements, localEngine: string | undefined = process.env.DOCKER_HOST): TargetResolver {
  /** The engine host a task's ports are published on, undefined when that is this machine. */
  const remoteHostOf = (taskArn: string): string | undefined => {
    const host = engineHost(engineForTask(sql, taskArn) ?? localEngine);
    return host && !isLoopback(host) && host !== 'localhost' ? host : undefined;
  };
  return {
    engineHosts: () => [...new Set([localEngine, ...remoteEngines(sql)].map(engineHost).filter((h): h is string => !!h))],
    // A task's status moving (it runs, its containers got ports, it stops) moves the target at its ENI address.
    moves: [{
      kind: 'ecs.task-state',
      targets: (taskArn: string) => {
        const row = loadTaskByArn(sql, taskArn);
        const ip = row?.task.attachments?.find((a) => a.type === 'ElasticNetworkInterface')?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
        return row && ip ? { account: row.account, region: row.region, ids: [ip] } : undefined;
      },
    }],
    resolve(account: string, region: string, targetType: string, id: string, port: number): Resolution | undefined {
      if (targetType !== 'ip') return undefined;
      for (const task of liveTasksMentioning({ sql, account, region }, `"${id}"`)) {
        const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
        if (eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value !== id) continue;
        const taskId = taskIdOf(task.taskArn!);
        for (const c of task.containers ?? []) {
          const b = c.networkBindings?.find((x) => x.containerPort === port);
          if (!b?.hostPort) continue;
          const bindIp = b.bindIP ?? '';
          const remote = remoteHostOf(task.taskArn!);
          if (!remote) return { host: ANY.has(bindIp) ? '127.0.0.1' : bindIp, port: b.hostPort };
          if (ANY.has(bindIp) || bindIp === remote) return { host: remote, port: b.hostPort };
          return { unresolvable: `task ${taskId} publishes port ${port} on ${bindIp} of its engine (${remote}), which this machine cannot reach` };
        }
        return { unresolvable: `task ${taskId} has no port published for container port ${port} (its containers are not running yet, or do not map that port)` };
      }
      return undefined;
    },
  };
}
