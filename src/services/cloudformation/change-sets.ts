/**
 * Change sets: CreateChangeSet, DescribeChangeSet, ExecuteChangeSet, DeleteChangeSet, ListChangeSets. A change set
 * of type CREATE makes its stack in REVIEW_IN_PROGRESS; its changes are computed at once (CREATE_COMPLETE, or
 * FAILED when there are none, with CloudFormation's reason); executing one starts the stack's create or update.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html
 */
import { randomUUID } from 'node:crypto';
import type {
  Change, CreateChangeSetInput, CreateChangeSetOutput, DeleteChangeSetInput, DescribeChangeSetInput, DescribeChangeSetOutput,
  ExecuteChangeSetInput, ListChangeSetsInput, ListChangeSetsOutput,
} from '@aws-sdk/client-cloudformation';
import { AwsError } from '../../protocol/errors.js';
import type { Later, RequestContext } from '../provider.js';
import { changeSetNotFound, invalidChangeSetStatus, stackNotFound, validationError } from './errors.js';
import { stackEvent } from './events.js';
import { asValidation } from './intrinsics.js';
import { planOf } from './plan.js';
import { RESOURCE_TYPES } from './resource-types/index.js';
import { templateOf, withTemplate } from './sources.js';
import {
  changed, checkStackName, checkUpdatable, newStack, nowIso, paged, prepare, startOperation, unchanged, type Operation,
} from './stacks.js';
import {
  changeSetsOf, deleteChangeSetRow, findChangeSet, findStack, insertStack, resourcesOf, saveChangeSet, saveStack, type ChangeSetRecord, type StackRecord,
} from './store.js';
import type { Template } from './template.js';

const NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

const stable = (v: unknown) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** The resource changes `template` makes to the stack as it stands (properties compared as written). */
function changesOf(ctx: RequestContext, rec: StackRecord, template: Template, values: Record<string, string>, paramsChanged: Set<string>): Change[] {
  let kept: Set<string>;
  try {
    kept = new Set(planOf(ctx, { stack: rec.stack, values, caller: rec.caller }, template, []).resources.keys());
  } catch (err) {
    asValidation(err);
  }
  const live = new Map(resourcesOf(ctx.sql, rec.stack.StackId).filter((r) => r.PhysicalResourceId && !r.ResourceStatus.startsWith('DELETE')).map((r) => [r.LogicalResourceId, r]));
  const changes: Change[] = [];
  for (const [id, def] of Object.entries(template.Resources)) {
    if (!kept!.has(id)) continue;
    const r = live.get(id);
    if (!r) {
      changes.push({ Type: 'Resource', ResourceChange: { Action: 'Add', LogicalResourceId: id, ResourceType: def.Type, Scope: [], Details: [] } });
      continue;
    }
    const before = rec.template.Resources[id];
    const text = stable(def.Properties ?? {});
    const touched = [...paramsChanged].some((p) => text.includes(`"Ref":${JSON.stringify(p)}`) || text.includes(`\${${p}}`));
    if (before && before.Type === def.Type && stable(before.Properties ?? {}) === text && !touched) continue;
    const replaceOn = RESOURCE_TYPES[def.Type]?.replaceOn ?? [];
    const changedKeys = Object.keys({ ...(before?.Properties ?? {}), ...(def.Properties ?? {}) })
      .filter((k) => stable(before?.Properties?.[k]) !== stable(def.Properties?.[k]));
    const replacement = before?.Type !== def.Type || !RESOURCE_TYPES[def.Type]?.update || changedKeys.some((k) => replaceOn.includes(k)) ? 'True' : touched ? 'Conditional' : 'False';
    changes.push({
      Type: 'Resource',
      ResourceChange: {
        Action: 'Modify', LogicalResourceId: id, PhysicalResourceId: r.PhysicalResourceId, ResourceType: def.Type, Replacement: replacement,
        Scope: ['Properties'], Details: changedKeys.map((k) => ({ Target: { Attribute: 'Properties', Name: k, RequiresRecreation: replaceOn.includes(k) ? 'Always' : 'Never' }, Evaluation: 'Static', ChangeSource: 'DirectModification' })),
      },
    });
  }
  for (const [id, r] of live) {
    if (!kept!.has(id)) {
      changes.push({ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: id, PhysicalResourceId: r.PhysicalResourceId, ResourceType: r.ResourceType, Scope: [], Details: [] } });
    }
  }
  return changes;
}

export function createChangeSet(ctx: RequestContext, input: CreateChangeSetInput): CreateChangeSetOutput | Later<CreateChangeSetOutput> {
  const name = input.ChangeSetName!;
  if (!NAME.test(name) || name.length > 128) {
    throw validationError(`1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
  const type = input.ChangeSetType ?? 'UPDATE';
  if (type === 'IMPORT') throw validationError('Berth does not import resources into stacks (ChangeSetType IMPORT).');
  const run = (body: string | undefined): CreateChangeSetOutput => {
    let rec = findStack(ctx, input.StackName!);
    if (rec?.stack.StackStatus === 'DELETE_COMPLETE') rec = undefined;
    if (type === 'CREATE') {
      if (rec && rec.stack.StackStatus !== 'REVIEW_IN_PROGRESS') {
        throw validationError(`Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${name}].`);
      }
      if (!rec) {
        checkStackName(input.StackName);
        rec = newStack(ctx, input.StackName!, { tags: input.Tags, roleArn: input.RoleARN, notificationArns: input.NotificationARNs });
        stackEvent(ctx.sql, rec, ctx.clock.now(), 'REVIEW_IN_PROGRESS', 'User Initiated');
        insertStack(ctx, rec);
      }
    } else {
      if (!rec || rec.stack.StackStatus === 'REVIEW_IN_PROGRESS') throw validationError(`Stack [${input.StackName}] does not exist`);
      checkUpdatable(rec);
    }
    if (findChangeSet(ctx, name, rec.stack.StackId)) throw new AwsError('AlreadyExistsException', `ChangeSet [${name}] already exists`, { status: 400 });
    if (input.UsePreviousTemplate && type === 'CREATE') throw validationError('UsePreviousTemplate cannot be used with ChangeSetType CREATE');
    const template = input.UsePreviousTemplate ? rec.template : templateOf(body);
    const templateBody = input.UsePreviousTemplate ? rec.templateBody : body!;
    const op: Operation = { template, body: templateBody, parameters: input.Parameters, capabilities: input.Capabilities, tags: input.Tags };
    const resolved = prepare(ctx, rec, op);
    const same = type === 'UPDATE' && unchanged(ctx, rec, op);
    const paramsChanged = new Set(Object.keys(resolved.values).filter((k) => rec!.values[k] !== resolved.values[k]));
    const id = `arn:aws:cloudformation:${ctx.region}:${ctx.account}:changeSet/${name}/${randomUUID()}`;
    const cs: ChangeSetRecord = {
      summary: {
        ChangeSetId: id, ChangeSetName: name, StackId: rec.stack.StackId, StackName: rec.stack.StackName, CreationTime: nowIso(ctx),
        Status: same ? 'FAILED' : 'CREATE_COMPLETE', ExecutionStatus: same ? 'UNAVAILABLE' : 'AVAILABLE',
        ...(same ? { StatusReason: NO_CHANGES } : {}), ...(input.Description ? { Description: input.Description } : {}),
        IncludeNestedStacks: false,
      },
      changeSetType: type, template, templateBody, values: resolved.values, parameters: input.Parameters ?? [], capabilities: input.Capabilities ?? [],
      tags: input.Tags ?? rec.stack.Tags ?? [], changes: same ? [] : changesOf(ctx, rec, template, resolved.values, paramsChanged), notificationArns: input.NotificationARNs,
      roleArn: input.RoleARN, disableRollback: input.OnStackFailure ? input.OnStackFailure === 'DO_NOTHING' : undefined,
    };
    saveChangeSet(ctx, cs);
    return { Id: id, StackId: rec.stack.StackId };
  };
  return input.UsePreviousTemplate ? run(undefined) : withTemplate(ctx, input, run);
}

function requireChangeSet(ctx: RequestContext, name: string, stack: string | undefined): ChangeSetRecord {
  if (!name.startsWith('arn:') && !stack) throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
  const cs = findChangeSet(ctx, name, stack);
  if (!cs) throw changeSetNotFound(name);
  return cs;
}

export function describeChangeSet(ctx: RequestContext, input: DescribeChangeSetInput): DescribeChangeSetOutput {
  const cs = requireChangeSet(ctx, input.ChangeSetName!, input.StackName);
  const { page, next } = paged(cs.changes as Change[], input.NextToken);
  return {
    ...cs.summary,
    Parameters: Object.entries(cs.values).map(([k, v]) => ({ ParameterKey: k, ParameterValue: cs.template.Parameters?.[k]?.NoEcho ? '****' : v })),
    NotificationARNs: cs.notificationArns ?? [], Capabilities: cs.capabilities as DescribeChangeSetOutput['Capabilities'], Tags: cs.tags,
    Changes: page, ...(next ? { NextToken: next } : {}),
    RollbackConfiguration: {},
  } as DescribeChangeSetOutput;
}

export function executeChangeSet(ctx: RequestContext, input: ExecuteChangeSetInput): Record<string, never> {
  const cs = requireChangeSet(ctx, input.ChangeSetName!, input.StackName);
  const rec = findStack(ctx, cs.summary.StackId);
  if (!rec) throw stackNotFound(cs.summary.StackName);
  if (cs.summary.ExecutionStatus !== 'AVAILABLE') {
    throw invalidChangeSetStatus(`ChangeSet [${cs.summary.ChangeSetId}] cannot be executed in its current execution status of [${cs.summary.ExecutionStatus}]`);
  }
  if (cs.changeSetType === 'UPDATE') checkUpdatable(rec);
  startOperation(ctx, rec, {
    template: cs.template, body: cs.templateBody, parameters: cs.parameters, capabilities: cs.capabilities, tags: cs.tags,
    disableRollback: input.DisableRollback ?? cs.disableRollback, changeSetId: cs.summary.ChangeSetId,
  });
  // Executing one change set makes the stack's others obsolete.
  for (const other of changeSetsOf(ctx.sql, rec.stack.StackId)) {
    if (other.summary.ChangeSetId !== cs.summary.ChangeSetId) deleteChangeSetRow(ctx.sql, other.summary.ChangeSetId);
  }
  cs.summary.ExecutionStatus = 'EXECUTE_IN_PROGRESS';
  saveChangeSet(ctx, cs);
  saveStack(ctx, rec);
  changed(ctx, rec);
  return {};
}

export function deleteChangeSet(ctx: RequestContext, input: DeleteChangeSetInput): Record<string, never> {
  const name = input.ChangeSetName!;
  // By name on a stack that exists, deleting a change set that is not there succeeds: CloudFormation answers so, and
  // the CDK CLI relies on it (it deletes its read-only diff change set's name before creating one).
  if (!name.startsWith('arn:') && input.StackName && !findChangeSet(ctx, name, input.StackName) && findStack(ctx, input.StackName)) return {};
  const cs = requireChangeSet(ctx, name, input.StackName);
  if (cs.summary.ExecutionStatus === 'EXECUTE_IN_PROGRESS') {
    throw invalidChangeSetStatus(`Cannot delete ChangeSet in status ${cs.summary.ExecutionStatus}`);
  }
  deleteChangeSetRow(ctx.sql, cs.summary.ChangeSetId);
  return {};
}

export function listChangeSets(ctx: RequestContext, input: ListChangeSetsInput): ListChangeSetsOutput {
  const rec = findStack(ctx, input.StackName!);
  if (!rec) throw stackNotFound(input.StackName!);
  const { page, next } = paged(changeSetsOf(ctx.sql, rec.stack.StackId).map((c) => c.summary), input.NextToken);
  return { Summaries: page, ...(next ? { NextToken: next } : {}) };
}
