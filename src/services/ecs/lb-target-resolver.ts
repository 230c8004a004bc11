/**
 * Where the load balancer reaches an ECS task: a target registered as an awsvpc
 * task's private IP and container port is the port Berth published for that
 * container on 127.0.0.1 (the task's networkBindings).
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { ResolvedTarget, TargetResolver } from '../../lb/target-resolver.js';
import type { Statements } from '../../state/db.js';

export function ecsTargetResolver(sql: Statements): TargetResolver {
  return {
    resolve(account: string, region: string, targetType: string, id: string, port: number): ResolvedTarget | undefined {
      if (targetType !== 'ip') return undefined;
      const rows = sql
        .get("SELECT doc FROM ecs_tasks WHERE account = ? AND region = ? AND last_status != 'STOPPED' AND instr(doc, ?) > 0")
        .all(account, region, `"${id}"`) as { doc: string }[];
      for (const row of rows) {
        const task = JSON.parse(row.doc) as Task;
        const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
        if (eni?.details?.find((d) => d.name === 'privateIPv4Address')?.value !== id) continue;
        for (const c of task.containers ?? []) {
          const b = c.networkBindings?.find((x) => x.containerPort === port);
          if (b?.hostPort) return { host: b.bindIP && b.bindIP !== '0.0.0.0' ? b.bindIP : '127.0.0.1', port: b.hostPort };
        }
      }
      return undefined;
    },
  };
}
