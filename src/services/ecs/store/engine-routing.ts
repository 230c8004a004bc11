/**
 * Which container engine runs a task: the engine of its container instance
 * when that instance was registered with a `berth.engine` attribute (an
 * external instance: a remote Docker engine, the ECS Anywhere model), else the
 * local engine.
 */
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import type { Statements } from '../../../state/db.js';

export const ENGINE_ATTRIBUTE = 'berth.engine';

function engineOf(ci: ContainerInstance): string | undefined {
  return ci.attributes?.find((a) => a.name === ENGINE_ATTRIBUTE)?.value;
}

export function engineForTask(sql: Statements, taskArn: string | undefined): string | undefined {
  if (!taskArn) return undefined;
  const row = sql
    .get(`SELECT ci.doc FROM ecs_tasks t JOIN ecs_container_instances ci ON ci.arn = t.container_instance WHERE t.arn = ?`)
    .get(taskArn) as { doc: string } | undefined;
  return row ? engineOf(JSON.parse(row.doc)) : undefined;
}

export function remoteEngines(sql: Statements): string[] {
  const docs = sql.get("SELECT doc FROM ecs_container_instances WHERE status != 'INACTIVE'").pluck().all() as string[];
  return [...new Set(docs.map((d) => engineOf(JSON.parse(d))).filter((e): e is string => !!e))];
}
