/** Task definitions by ARN, for controllers (which have no request context). */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { parseArn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';

export function findTaskDefinitionByArn(sql: Statements, arn: string): TaskDefinition | undefined {
  const a = parseArn(arn);
  if (!a || !a.resource.startsWith('task-definition/')) return undefined;
  const body = a.resource.slice('task-definition/'.length);
  const colon = body.lastIndexOf(':');
  const row = sql
    .get('SELECT doc FROM ecs_task_definitions WHERE account = ? AND region = ? AND family = ? AND revision = ?')
    .get(a.account, a.region, body.slice(0, colon), Number(body.slice(colon + 1))) as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as TaskDefinition) : undefined;
}
