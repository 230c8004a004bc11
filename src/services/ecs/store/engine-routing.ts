/**
 * Which container engine runs a task: the engine of its container instance
 * when that instance was registered with a `berth.engine` attribute (an
 * external instance: a remote Docker engine, the ECS Anywhere model), else the
 * local engine. The attribute is fixed at registration and kept in the
 * instance row's `engine` column (store/container-instances.ts).
 */
import type { Statements } from '../../../state/db.js';

export const ENGINE_ATTRIBUTE = 'berth.engine';

/** The engine of a task's container instance (the instance's engine column, '' for the local engine), if it has one. */
export function engineForTask(sql: Statements, taskArn: string | undefined): string | undefined {
  if (!taskArn) return undefined;
  const engine = sql
    .get('SELECT ci.engine FROM ecs_tasks t JOIN ecs_container_instances ci ON ci.arn = t.container_instance WHERE t.arn = ?')
    .pluck().get(taskArn) as string | undefined;
  return engine || undefined;
}

/** The remote engines registered instances run on. */
export function remoteEngines(sql: Statements): string[] {
  return sql.get("SELECT DISTINCT engine FROM ecs_container_instances WHERE status != 'INACTIVE' AND engine != ''").pluck().all() as string[];
}
