/**
 * ECS task rows: the Task document plus the columns ListTasks filters on.
 * Shared by the ECS provider (desired state) and the task-lifecycle controller
 * (observed state), which is why it takes a plain Statements handle.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { Statements } from '../../state/db.js';

export interface TaskRow {
  account: string;
  region: string;
  cluster: string;
  task_id: string;
  arn: string;
  doc: string;
  seq: number;
}

export interface TaskKey {
  account: string;
  region: string;
}

/** Stopped tasks stay describable for an hour, as on ECS. */
export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

export function insertTask(sql: Statements, key: TaskKey, cluster: string, task: Task, extra: { serviceName?: string }) {
  sql
    .get(`INSERT INTO ecs_tasks (account, region, cluster, task_id, arn, family, started_by, service_name, launch_type,
            container_instance, desired_status, last_status, doc, created_at, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM ecs_tasks))`)
    .run(
      key.account, key.region, cluster, taskIdOf(task.taskArn!), task.taskArn, familyOf(task), task.startedBy ?? null,
      extra.serviceName ?? null, task.launchType ?? null, task.containerInstanceArn ?? null,
      task.desiredStatus, task.lastStatus, JSON.stringify(task), Date.now(),
    );
}

export function familyOf(task: Task): string {
  const def = task.taskDefinitionArn ?? '';
  const name = def.slice(def.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf(':'));
}

export function loadTaskByArn(sql: Statements, taskArn: string): (TaskRow & { task: Task }) | undefined {
  const row = sql.get('SELECT account, region, cluster, task_id, arn, doc, seq FROM ecs_tasks WHERE arn = ?').get(taskArn) as TaskRow | undefined;
  return row ? { ...row, task: JSON.parse(row.doc) as Task } : undefined;
}

export function saveTask(sql: Statements, task: Task) {
  sql
    .get('UPDATE ecs_tasks SET desired_status = ?, last_status = ?, doc = ?, stopped_at = ? WHERE arn = ?')
    .run(task.desiredStatus, task.lastStatus, JSON.stringify(task), task.stoppedAt ? Date.parse(String(task.stoppedAt)) : null, task.taskArn);
}

/** Tasks the controllers must look after: not yet STOPPED. */
export function unfinishedTaskArns(sql: Statements): string[] {
  return sql.get("SELECT arn FROM ecs_tasks WHERE last_status != 'STOPPED'").pluck().all() as string[];
}

/** Drops stopped tasks past their retention. */
export function pruneStoppedTasks(sql: Statements, now: number): number {
  return sql.get("DELETE FROM ecs_tasks WHERE last_status = 'STOPPED' AND stopped_at IS NOT NULL AND stopped_at < ?").run(now - STOPPED_TASK_RETENTION_MS).changes;
}
