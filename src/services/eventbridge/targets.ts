/** Targets of a rule: PutTargets, RemoveTargets, ListTargetsByRule. Berth delivers to SQS queues, event buses and ECS clusters (RunTask). */
import { parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { limitExceeded, validation } from './errors.js';
import { compileInputPath } from './input.js';
import { decodeToken, encodeToken, pageLimit } from './names.js';
import { requireRule } from './rules.js';
import { busArn, countTargets, deleteTargetRow, putTargetRow, targetOf, targetsOf } from './store.js';
import type { Target } from './types.js';

/** AWS allows five targets per rule and ten per request. */
const MAX_TARGETS_PER_RULE = 5;
const MAX_ENTRIES = 10;
const ID = /^[.\-_A-Za-z0-9]{1,64}$/;

/** The kind of target an ARN names, if Berth delivers to it. */
export function targetKind(arnText: string): 'sqs' | 'event-bus' | 'ecs' | undefined {
  const p = parseArn(arnText);
  if (!p) return undefined;
  if (p.service === 'sqs') return 'sqs';
  if (p.service === 'events' && p.resource.startsWith('event-bus/')) return 'event-bus';
  if (p.service === 'ecs' && p.resource.startsWith('cluster/')) return 'ecs';
  return undefined;
}

/** A refusal of one entry (PutTargets reports it in FailedEntries and goes on with the others). */
class EntryFailure extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

function checkTarget(t: Target, ruleBusArn: string) {
  if (!ID.test(t.Id ?? '')) throw validation(`1 validation error detected: Value '${t.Id}' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  const inputs = [t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length;
  if (inputs > 1) throw validation('Only one of Input, InputPath, or InputTransformer must be provided.');
  if (t.Input !== undefined) {
    try { JSON.parse(t.Input); } catch { throw validation(`Input is not a valid JSON text for target ${t.Id}.`); }
  }
  if (t.InputPath !== undefined) compileInputPath(t.InputPath, 'InputPath');
  if (t.InputTransformer) {
    const paths = t.InputTransformer.InputPathsMap ?? {};
    if (Object.keys(paths).length > 100) throw validation('InputPathsMap can have at most 100 entries.');
    for (const [k, v] of Object.entries(paths)) {
      if (!/^[A-Za-z0-9_-]+$/.test(k) || k.startsWith('aws.')) throw validation(`InputPathsMap key ${k} is not valid.`);
      compileInputPath(v, `InputPathsMap[${k}]`);
    }
  }
  const r = t.RetryPolicy;
  if (r?.MaximumRetryAttempts !== undefined && (r.MaximumRetryAttempts < 0 || r.MaximumRetryAttempts > 185)) {
    throw validation('Parameter MaximumRetryAttempts must be between 0 and 185.');
  }
  if (r?.MaximumEventAgeInSeconds !== undefined && (r.MaximumEventAgeInSeconds < 60 || r.MaximumEventAgeInSeconds > 86400)) {
    throw validation('Parameter MaximumEventAgeInSeconds must be between 60 and 86400.');
  }
  if (t.DeadLetterConfig?.Arn && targetKind(t.DeadLetterConfig.Arn) !== 'sqs') throw validation('The dead-letter queue must be an Amazon SQS queue ARN.');
  const kind = targetKind(t.Arn);
  if (!kind) throw new EntryFailure('ValidationException', `Berth does not deliver to targets of ${parseArn(t.Arn)?.service ?? 'this'} ARN yet: ${t.Arn}`);
  if (kind === 'ecs') {
    if (!t.EcsParameters?.TaskDefinitionArn) throw validation(`Parameter(s) EcsParameters must be specified for target: ${t.Id}.`);
    if (!t.RoleArn) throw validation(`RoleArn is required for target arn: ${t.Arn}.`);
    const n = t.EcsParameters.TaskCount;
    if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 10)) throw validation('TaskCount must be between 1 and 10.');
    if (t.EcsParameters.LaunchType && t.EcsParameters.CapacityProviderStrategy?.length) {
      throw validation('Specifying both a launch type and capacity provider strategy is not supported.');
    }
  }
  // A rule sending to its own bus would match its own output forever.
  if (kind === 'event-bus' && t.Arn === ruleBusArn) throw validation(`The target event bus ${t.Arn} cannot be the rule's own event bus.`);
  if (kind === 'sqs' && t.Arn.endsWith('.fifo') && !t.SqsParameters?.MessageGroupId) {
    throw validation(`Parameter(s) SqsParameters must be specified for target: ${t.Id}.`);
  }
}

export function putTargets(ctx: RequestContext, input: { Rule: string; EventBusName?: string; Targets: Target[] }) {
  const row = requireRule(ctx, input.Rule, input.EventBusName);
  const targets = input.Targets ?? [];
  if (!targets.length || targets.length > MAX_ENTRIES) {
    throw validation(`1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
  }
  const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
  const accepted: Target[] = [];
  for (const t of targets) {
    try {
      checkTarget(t, busArn(ctx, row.bus));
      accepted.push(t);
    } catch (err) {
      if (!(err instanceof EntryFailure)) throw err;
      failed.push({ TargetId: t.Id, ErrorCode: err.code, ErrorMessage: err.message });
    }
  }
  const fresh = accepted.filter((t) => !targetOf(ctx.sql, row.arn, t.Id)).length;
  if (countTargets(ctx.sql, row.arn) + fresh > MAX_TARGETS_PER_RULE) throw limitExceeded('The requested resource exceeds the maximum number allowed.');
  for (const t of accepted) putTargetRow(ctx.sql, row.arn, t);
  if (accepted.length) ctx.changed('events.targets', row.arn);
  return { FailedEntryCount: failed.length, FailedEntries: failed };
}

export function removeTargets(ctx: RequestContext, input: { Rule: string; EventBusName?: string; Ids: string[]; Force?: boolean }) {
  const row = requireRule(ctx, input.Rule, input.EventBusName);
  // An id the rule does not have is not an error: RemoveTargets answers it with no failure, as on AWS.
  for (const id of input.Ids ?? []) deleteTargetRow(ctx.sql, row.arn, id);
  ctx.changed('events.targets', row.arn);
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(ctx: RequestContext, input: { Rule: string; EventBusName?: string; NextToken?: string; Limit?: number }) {
  const row = requireRule(ctx, input.Rule, input.EventBusName);
  const limit = pageLimit(input.Limit);
  const after = decodeToken(input.NextToken);
  const all = targetsOf(ctx.sql, row.arn).filter((t) => t.Id > after);
  const page = all.slice(0, limit);
  return { Targets: page, NextToken: all.length > limit ? encodeToken(page[page.length - 1].Id) : undefined };
}
