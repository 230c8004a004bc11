/**
 * ECS task definitions: RegisterTaskDefinition, DescribeTaskDefinition,
 * ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition,
 * DeleteTaskDefinitions. A family's revisions count up from 1 and are never
 * reused, even after DeleteTaskDefinitions; revisions go ACTIVE → INACTIVE
 * (deregistered) → DELETE_IN_PROGRESS (deleted), and stay describable by revision.
 */
import type {
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  Failure,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { ecsArn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { getTags, putTags } from '../../state/tags.js';
import { clientException, invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import {
  insertTaskDefinition, listFamilies, listTaskDefinitionRows, loadTaskDefinitionRow, nextRevision, parseDoc, saveTaskDefinition,
  type TaskDefinitionRef,
} from './store/index.js';
import { validateNewTags } from './tag-rules.js';
import { buildTaskDefinition } from './task-definition-rules.js';

const MAX_DELETE = 10;

/** Parses a reference; undefined for another account's or region's ARN or a malformed one. */
function parseTaskDefinitionRef(ctx: RequestContext, ref: string): TaskDefinitionRef | undefined {
  let body = ref;
  if (ref.startsWith('arn:')) {
    const arn = parseArn(ref);
    if (!arn || arn.service !== 'ecs' || !arn.resource.startsWith('task-definition/')) return undefined;
    if (arn.account !== ctx.account || arn.region !== ctx.region) return undefined;
    body = arn.resource.slice('task-definition/'.length);
  }
  const colon = body.indexOf(':');
  if (colon < 0) return body ? { family: body } : undefined;
  const revision = body.slice(colon + 1);
  if (!/^\d{1,9}$/.test(revision) || Number(revision) < 1) {
    throw clientException(`Invalid revision number. Number: ${revision}`);
  }
  return { family: body.slice(0, colon), revision: Number(revision) };
}

/** The task definition a reference names (any status), for RunTask, CreateService and tagging. */
export function findTaskDefinition(ctx: RequestContext, ref: string): TaskDefinition | undefined {
  const parsed = parseTaskDefinitionRef(ctx, ref);
  return parsed ? parseDoc<TaskDefinition>(loadTaskDefinitionRow(ctx, parsed)) : undefined;
}

export function registerTaskDefinition(ctx: RequestContext, input: RegisterTaskDefinitionRequest): RegisterTaskDefinitionResponse {
  const body = buildTaskDefinition(input);
  validateNewTags(input.tags);
  const family = body.family!;
  const revision = nextRevision(ctx, family);
  // Epoch seconds with millisecond precision, as ECS timestamps are sent.
  const registeredAt = ctx.clock.now() / 1000;
  const def: TaskDefinition = {
    taskDefinitionArn: ecsArn.taskDefinition(ctx.region, ctx.account, family, revision),
    ...body,
    revision,
    status: 'ACTIVE',
    registeredAt: new Date(ctx.clock.now()),
    registeredBy: ctx.principalArn,
  };
  insertTaskDefinition(ctx, def, registeredAt);
  if (input.tags?.length) putTags(ctx, def.taskDefinitionArn!, input.tags.map((t) => ({ key: t.key!, value: t.value ?? '' })));
  return { taskDefinition: def, ...(input.tags?.length ? { tags: input.tags } : {}) };
}

export function describeTaskDefinition(ctx: RequestContext, input: DescribeTaskDefinitionRequest): DescribeTaskDefinitionResponse {
  const ref = parseTaskDefinitionRef(ctx, input.taskDefinition ?? '');
  const def = ref ? parseDoc<TaskDefinition>(loadTaskDefinitionRow(ctx, ref)) : undefined;
  if (!def) throw clientException('Unable to describe task definition.');
  for (const field of input.include ?? []) {
    if (field !== 'TAGS') throw invalidParameter(`Invalid include value: ${field}. Valid values are TAGS.`);
  }
  return { taskDefinition: def, ...(input.include?.includes('TAGS') ? { tags: getTags(ctx, def.taskDefinitionArn!) } : {}) };
}

function checkEnum(value: string | undefined, allowed: string[], name: string) {
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidParameter(`Invalid ${name}: ${value}. Valid values are ${allowed.join(', ')}.`);
  }
}

export function listTaskDefinitions(ctx: RequestContext, input: ListTaskDefinitionsRequest): ListTaskDefinitionsResponse {
  checkEnum(input.status, ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'], 'status');
  checkEnum(input.sort, ['ASC', 'DESC'], 'sort');
  const limit = pageSize(input.maxResults, 100);
  const desc = input.sort === 'DESC';
  const after = decodeNextToken<string>(input.nextToken, '');
  const [afterFamily, afterRevision] = after ? [after.slice(0, after.lastIndexOf(':')), Number(after.slice(after.lastIndexOf(':') + 1))] : ['', 0];
  // familyPrefix here is the full family name (unlike ListTaskDefinitionFamilies).
  const rows = listTaskDefinitionRows(ctx, {
    status: input.status ?? 'ACTIVE', family: input.familyPrefix, desc, after, afterFamily, afterRevision, limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const lastRow = page[page.length - 1];
  return {
    taskDefinitionArns: page.map((r) => ecsArn.taskDefinition(ctx.region, ctx.account, r.family, r.revision)),
    nextToken: rows.length > limit ? encodeNextToken(`${lastRow.family}:${lastRow.revision}`) : undefined,
  };
}

export function listTaskDefinitionFamilies(
  ctx: RequestContext,
  input: ListTaskDefinitionFamiliesRequest,
): ListTaskDefinitionFamiliesResponse {
  checkEnum(input.status, ['ACTIVE', 'INACTIVE', 'ALL'], 'status');
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken<string>(input.nextToken, '');
  // ACTIVE: families with an ACTIVE revision; INACTIVE: families with none; ALL (the default): both.
  const families = listFamilies(ctx, input.status ?? 'ALL', input.familyPrefix ?? '', after, limit + 1);
  const page = families.slice(0, limit);
  return {
    families: page,
    nextToken: families.length > limit ? encodeNextToken(page[page.length - 1]) : undefined,
  };
}

export function deregisterTaskDefinition(
  ctx: RequestContext,
  input: DeregisterTaskDefinitionRequest,
): DeregisterTaskDefinitionResponse {
  const ref = parseTaskDefinitionRef(ctx, input.taskDefinition ?? '');
  if (ref && ref.revision === undefined) {
    throw clientException('A task definition revision must be specified: use family:revision or the full ARN.');
  }
  const def = ref ? parseDoc<TaskDefinition>(loadTaskDefinitionRow(ctx, ref)) : undefined;
  if (!def) throw clientException('Unable to describe task definition.');
  if (def.status === 'DELETE_IN_PROGRESS') throw clientException('The specified task definition is in the process of being deleted.');
  // Deregistering an INACTIVE revision again is a no-op.
  if (def.status === 'ACTIVE') {
    def.status = 'INACTIVE';
    def.deregisteredAt = new Date(ctx.clock.now());
    saveTaskDefinition(ctx, def);
  }
  return { taskDefinition: def };
}

export function deleteTaskDefinitions(ctx: RequestContext, input: DeleteTaskDefinitionsRequest): DeleteTaskDefinitionsResponse {
  const refs = input.taskDefinitions ?? [];
  if (refs.length === 0) throw invalidParameter('taskDefinitions must contain at least one task definition.');
  if (refs.length > MAX_DELETE) throw invalidParameter(`You can delete at most ${MAX_DELETE} task definitions in one request.`);
  const taskDefinitions: TaskDefinition[] = [];
  const failures: Failure[] = [];
  for (const raw of refs) {
    let ref: TaskDefinitionRef | undefined;
    try {
      ref = parseTaskDefinitionRef(ctx, raw);
    } catch {
      ref = undefined;
    }
    const arn = ref ? ecsArn.taskDefinition(ctx.region, ctx.account, ref.family, ref.revision ?? 0) : raw;
    if (ref && ref.revision === undefined) {
      failures.push({ arn: raw, reason: 'A task definition revision must be specified: use family:revision or the full ARN.' });
      continue;
    }
    const def = ref ? parseDoc<TaskDefinition>(loadTaskDefinitionRow(ctx, ref)) : undefined;
    if (!def) {
      failures.push({ arn, reason: 'The specified task definition does not exist. Specify a valid account, family, revision and try again.' });
    } else if (def.status === 'ACTIVE') {
      failures.push({ arn, reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' });
    } else {
      if (def.status === 'INACTIVE') {
        def.status = 'DELETE_IN_PROGRESS';
        def.deleteRequestedAt = new Date(ctx.clock.now());
        saveTaskDefinition(ctx, def);
      }
      taskDefinitions.push(def);
    }
  }
  return { taskDefinitions, failures };
}

/** True if the ARN names a task definition revision in this scope that can carry tags. */
export function taskDefinitionArnExists(ctx: RequestContext, arn: string): boolean {
  const ref = (() => {
    try {
      return parseTaskDefinitionRef(ctx, arn);
    } catch {
      return undefined;
    }
  })();
  if (!ref || ref.revision === undefined) return false;
  const row = loadTaskDefinitionRow(ctx, ref);
  return !!row && row.status !== 'DELETE_IN_PROGRESS';
}
