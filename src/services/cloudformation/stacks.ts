/**
 * Stacks: CreateStack, UpdateStack, DeleteStack, DescribeStacks, ListStacks, UpdateTerminationProtection,
 * SetStackPolicy, GetStackPolicy. Each records the stack's requested operation (its status *_IN_PROGRESS and a
 * stack event); the stacks controller runs it (engine.ts).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html
 */
import { randomUUID } from 'node:crypto';
import type {
  CreateStackInput, CreateStackOutput, DeleteStackInput, DescribeStacksInput, DescribeStacksOutput, GetStackPolicyInput, GetStackPolicyOutput,
  ListStacksInput, ListStacksOutput, Parameter, SetStackPolicyInput, Stack, StackSummary, Tag, UpdateStackInput, UpdateStackOutput,
  UpdateTerminationProtectionInput, UpdateTerminationProtectionOutput,
} from '@aws-sdk/client-cloudformation';
import type { Later, RequestContext } from '../provider.js';
import { alreadyExists, stackNotFound, validationError } from './errors.js';
import { stackEvent } from './events.js';
import { resolveParameters } from './parameters.js';
import { checkCapabilities, checkRules, templateOf, withTemplate } from './sources.js';
import { allStacks, findStack, insertStack, saveStack, stackKey, type StackRecord } from './store.js';
import type { Template } from './template.js';

const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
/** States an update may start from. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-describing-stacks.html */
const UPDATABLE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE']);

export const nowIso = (ctx: RequestContext) => new Date(ctx.clock.now()).toISOString() as unknown as Date;
export const changed = (ctx: RequestContext, rec: StackRecord) => ctx.changed('cloudformation.stack', stackKey(ctx.account, ctx.region, rec.stack.StackId));

export function checkStackName(name: string | undefined) {
  if (!name || name.length > 128 || !STACK_NAME.test(name)) {
    throw validationError(`1 validation error detected: Value '${name ?? ''}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
}

/** The stack's record before any operation: REVIEW_IN_PROGRESS for a change set, else about to be created. */
export function newStack(ctx: RequestContext, name: string, fields: { tags?: Tag[]; roleArn?: string; notificationArns?: string[] }): StackRecord {
  return {
    stack: {
      StackId: `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${name}/${randomUUID()}`, StackName: name, StackStatus: 'REVIEW_IN_PROGRESS',
      CreationTime: nowIso(ctx), NotificationARNs: fields.notificationArns ?? [], Capabilities: [], Tags: fields.tags ?? [], Parameters: [],
      DisableRollback: false, EnableTerminationProtection: false, RollbackConfiguration: {}, DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
      ...(fields.roleArn ? { RoleARN: fields.roleArn } : {}),
    },
    template: { Resources: {} }, templateBody: '', values: {}, generation: 0,
    caller: { account: ctx.account, region: ctx.region, principalArn: ctx.principalArn, accessKeyId: ctx.accessKeyId },
  };
}

export interface Operation {
  template: Template;
  body: string;
  parameters: Parameter[] | undefined;
  capabilities: string[] | undefined;
  disableRollback?: boolean;
  tags?: Tag[];
  changeSetId?: string;
}

/** The checks a template and its parameters pass before an operation starts; the resolved values. */
export function prepare(ctx: RequestContext, rec: StackRecord, op: Pick<Operation, 'template' | 'parameters' | 'capabilities'>) {
  checkCapabilities(op.template, op.capabilities);
  const resolved = resolveParameters(ctx, op.template, op.parameters, rec.values);
  checkRules(op.template, { stack: rec.stack, values: resolved.values, caller: rec.caller });
  return resolved;
}

/** Starts the create (a new or REVIEW_IN_PROGRESS stack) or update of `rec` with `op`. */
export function startOperation(ctx: RequestContext, rec: StackRecord, op: Operation): void {
  const resolved = prepare(ctx, rec, op);
  const creating = rec.stack.StackStatus === 'REVIEW_IN_PROGRESS';
  if (!creating) {
    rec.previous = { template: rec.template, templateBody: rec.templateBody, values: rec.values, parameters: rec.stack.Parameters ?? [], description: rec.stack.Description };
    rec.stack.LastUpdatedTime = nowIso(ctx);
  }
  rec.template = op.template;
  rec.templateBody = op.body;
  rec.values = resolved.values;
  rec.generation += 1;
  rec.changeSetId = op.changeSetId;
  rec.stack.Parameters = resolved.described;
  rec.stack.Capabilities = (op.capabilities ?? []) as StackRecord['stack']['Capabilities'];
  if (op.template.Description !== undefined) rec.stack.Description = op.template.Description;
  else delete rec.stack.Description;
  if (op.disableRollback !== undefined) rec.stack.DisableRollback = op.disableRollback;
  if (op.tags) rec.stack.Tags = op.tags;
  stackEvent(ctx.sql, rec, ctx.clock.now(), creating ? 'CREATE_IN_PROGRESS' : 'UPDATE_IN_PROGRESS', 'User Initiated');
}

export function createStack(ctx: RequestContext, input: CreateStackInput): CreateStackOutput | Later<CreateStackOutput> {
  checkStackName(input.StackName);
  return withTemplate(ctx, input, (body) => {
    const template = templateOf(body);
    const name = input.StackName!;
    const existing = findStack(ctx, name);
    if (existing) throw alreadyExists(name);
    const rec = newStack(ctx, name, { tags: input.Tags, roleArn: input.RoleARN, notificationArns: input.NotificationARNs });
    rec.stack.EnableTerminationProtection = input.EnableTerminationProtection ?? false;
    if (input.TimeoutInMinutes !== undefined) rec.stack.TimeoutInMinutes = input.TimeoutInMinutes;
    if (input.StackPolicyBody) rec.stackPolicy = input.StackPolicyBody;
    // DisableRollback or OnFailure=DO_NOTHING keep a failed stack as it stands; OnFailure=DELETE is treated as ROLLBACK.
    if (input.DisableRollback !== undefined && input.OnFailure !== undefined) throw validationError('You may not specify both DisableRollback and OnFailure.');
    const disableRollback = input.DisableRollback ?? input.OnFailure === 'DO_NOTHING';
    startOperation(ctx, rec, { template, body: body!, parameters: input.Parameters, capabilities: input.Capabilities, disableRollback, tags: input.Tags });
    insertStack(ctx, rec);
    changed(ctx, rec);
    return { StackId: rec.stack.StackId };
  });
}

/** The stack a request names, live (not deleted). */
export function requireStack(ctx: RequestContext, nameOrId: string | undefined): StackRecord {
  const rec = nameOrId ? findStack(ctx, nameOrId) : undefined;
  if (!rec || rec.stack.StackStatus === 'DELETE_COMPLETE') throw stackNotFound(nameOrId ?? '');
  return rec;
}

export function checkUpdatable(rec: StackRecord) {
  if (!UPDATABLE.has(rec.stack.StackStatus)) {
    throw validationError(`Stack:${rec.stack.StackId} is in ${rec.stack.StackStatus} state and can not be updated.`);
  }
}

const stableJson = (v: unknown) => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Whether `op` would change nothing: same template, parameter values and tags. */
export function unchanged(ctx: RequestContext, rec: StackRecord, op: Operation): boolean {
  const values = prepare(ctx, rec, op).values;
  return stableJson(op.template) === stableJson(rec.template) && stableJson(values) === stableJson(rec.values)
    && (op.tags === undefined || stableJson(op.tags) === stableJson(rec.stack.Tags ?? []));
}

export function updateStack(ctx: RequestContext, input: UpdateStackInput): UpdateStackOutput | Later<UpdateStackOutput> {
  const run = (body: string | undefined): UpdateStackOutput => {
    const rec = requireStack(ctx, input.StackName);
    checkUpdatable(rec);
    if (input.UsePreviousTemplate && body !== undefined) throw validationError('You cannot specify both usePreviousTemplate and Template Body/Template URL.');
    const template = input.UsePreviousTemplate ? rec.template : templateOf(body);
    const op: Operation = {
      template, body: input.UsePreviousTemplate ? rec.templateBody : body!, parameters: input.Parameters, capabilities: input.Capabilities,
      disableRollback: input.DisableRollback, tags: input.Tags,
    };
    if (unchanged(ctx, rec, op)) throw validationError('No updates are to be performed.');
    if (input.StackPolicyBody) rec.stackPolicy = input.StackPolicyBody;
    startOperation(ctx, rec, op);
    saveStack(ctx, rec);
    changed(ctx, rec);
    return { StackId: rec.stack.StackId };
  };
  return input.UsePreviousTemplate ? run(undefined) : withTemplate(ctx, input, run);
}

export function deleteStack(ctx: RequestContext, input: DeleteStackInput): Record<string, never> {
  const rec = findStack(ctx, input.StackName!);
  // Deleting a stack that does not exist (or is deleted) succeeds, as on AWS.
  if (!rec || rec.stack.StackStatus === 'DELETE_COMPLETE' || rec.stack.StackStatus === 'DELETE_IN_PROGRESS') return {};
  if (rec.stack.EnableTerminationProtection) {
    throw validationError(`Stack [${rec.stack.StackName}] cannot be deleted while TerminationProtection is enabled`);
  }
  if (input.RetainResources?.length) {
    if (rec.stack.StackStatus !== 'DELETE_FAILED') throw validationError('Invalid operation on stack, RetainResources can only be specified when a stack is in DELETE_FAILED state');
    rec.retain = input.RetainResources;
  }
  const inReview = rec.stack.StackStatus === 'REVIEW_IN_PROGRESS';
  rec.generation += 1;
  delete rec.blockedSince;
  stackEvent(ctx.sql, rec, ctx.clock.now(), 'DELETE_IN_PROGRESS', 'User Initiated');
  if (inReview) {
    // A stack still in review has made nothing: it is deleted at once.
    rec.stack.DeletionTime = nowIso(ctx);
    stackEvent(ctx.sql, rec, ctx.clock.now(), 'DELETE_COMPLETE');
  }
  saveStack(ctx, rec);
  changed(ctx, rec);
  return {};
}

/** A stack as DescribeStacks answers it (NoEcho values masked already). */
export const described = (rec: StackRecord) => rec.stack as Stack;

const PAGE = 100;
const token = (n: number) => Buffer.from(String(n)).toString('base64');
const offset = (t: string | undefined) => {
  if (t === undefined) return 0;
  const n = Number(Buffer.from(t, 'base64').toString());
  if (!Number.isInteger(n) || n < 0) throw validationError('Invalid NextToken');
  return n;
};

export function paged<T>(items: T[], nextToken: string | undefined, size = PAGE): { page: T[]; next?: string } {
  const start = offset(nextToken);
  const page = items.slice(start, start + size);
  return { page, ...(start + size < items.length ? { next: token(start + size) } : {}) };
}

export function describeStacks(ctx: RequestContext, input: DescribeStacksInput): DescribeStacksOutput {
  if (input.StackName) {
    const rec = findStack(ctx, input.StackName);
    // By name, a deleted stack does not exist; by id it is still described (DELETE_COMPLETE) for a while.
    if (!rec || (rec.stack.StackStatus === 'DELETE_COMPLETE' && !input.StackName.startsWith('arn:'))) throw stackNotFound(input.StackName);
    return { Stacks: [described(rec)] };
  }
  const { page, next } = paged(allStacks(ctx, false), input.NextToken);
  return { Stacks: page.map(described), ...(next ? { NextToken: next } : {}) };
}

export function listStacks(ctx: RequestContext, input: ListStacksInput): ListStacksOutput {
  const filter = new Set(input.StackStatusFilter ?? []);
  const all = allStacks(ctx, true).filter((r) => !filter.size || filter.has(r.stack.StackStatus as never));
  const { page, next } = paged(all, input.NextToken);
  return {
    StackSummaries: page.map((r): StackSummary => ({
      StackId: r.stack.StackId, StackName: r.stack.StackName, CreationTime: r.stack.CreationTime, StackStatus: r.stack.StackStatus as StackSummary['StackStatus'],
      ...(r.stack.Description !== undefined ? { TemplateDescription: r.stack.Description } : {}),
      ...(r.stack.LastUpdatedTime ? { LastUpdatedTime: r.stack.LastUpdatedTime } : {}),
      ...(r.stack.DeletionTime ? { DeletionTime: r.stack.DeletionTime } : {}),
      ...(r.stack.StackStatusReason ? { StackStatusReason: r.stack.StackStatusReason } : {}),
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    })),
    ...(next ? { NextToken: next } : {}),
  };
}

export function updateTerminationProtection(ctx: RequestContext, input: UpdateTerminationProtectionInput): UpdateTerminationProtectionOutput {
  const rec = requireStack(ctx, input.StackName);
  rec.stack.EnableTerminationProtection = input.EnableTerminationProtection!;
  saveStack(ctx, rec);
  return { StackId: rec.stack.StackId };
}

export function setStackPolicy(ctx: RequestContext, input: SetStackPolicyInput): Record<string, never> {
  const rec = requireStack(ctx, input.StackName);
  if (input.StackPolicyURL) throw validationError('StackPolicyURL is not supported by Berth; send StackPolicyBody.');
  if (input.StackPolicyBody !== undefined) {
    try {
      JSON.parse(input.StackPolicyBody);
    } catch {
      throw validationError('Error validating stack policy: Invalid stack policy');
    }
  }
  rec.stackPolicy = input.StackPolicyBody;
  saveStack(ctx, rec);
  return {};
}

export function getStackPolicy(ctx: RequestContext, input: GetStackPolicyInput): GetStackPolicyOutput {
  const rec = requireStack(ctx, input.StackName);
  return rec.stackPolicy ? { StackPolicyBody: rec.stackPolicy } : {};
}
