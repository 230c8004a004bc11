/** Rules: PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule, ListRuleNamesByTarget. */
import { dropAllTags, putTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { ruleNotFound, validation } from './errors.js';
import { busOf, decodeToken, encodeToken, pageLimit } from './names.js';
import { compilePattern } from './pattern.js';
import { parseRuleSchedule } from './schedule.js';
import {
  countTargets, DEFAULT_BUS, deleteRuleRow, findRule, ruleArn, ruleNamesByTarget, rulesOf, setRuleDoc, upsertRule,
} from './store.js';
import { validTags } from './tags.js';
import type { Rule, Tag } from './types.js';

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const STATES = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

interface PutRuleInput {
  Name: string; ScheduleExpression?: string; EventPattern?: string; State?: Rule['State']; Description?: string; RoleArn?: string;
  Tags?: Tag[]; EventBusName?: string;
}

export function putRule(ctx: RequestContext, input: PutRuleInput) {
  if (!NAME.test(input.Name)) {
    throw validation(`1 validation error detected: Value '${input.Name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  }
  const bus = busOf(ctx, input.EventBusName);
  if (!input.EventPattern && !input.ScheduleExpression) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  if (input.EventPattern) compilePattern(input.EventPattern);
  if (input.ScheduleExpression) {
    // Scheduled rules live on the default bus only.
    if (bus.name !== DEFAULT_BUS) throw validation('ScheduleExpression is supported only on the default event bus.');
    parseRuleSchedule(input.ScheduleExpression);
  }
  if (input.State && !STATES.has(input.State)) throw validation(`1 validation error detected: Value '${input.State}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`);
  const tags = validTags(input.Tags);
  const existing = findRule(ctx.sql, ctx, bus.name, input.Name);
  const rule: Rule = {
    Name: input.Name, Arn: ruleArn(ctx, bus.name, input.Name),
    ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
    ...(input.ScheduleExpression !== undefined ? { ScheduleExpression: input.ScheduleExpression } : {}),
    State: input.State ?? 'ENABLED',
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ...(input.RoleArn !== undefined ? { RoleArn: input.RoleArn } : {}),
    EventBusName: bus.name,
    CreatedBy: existing?.rule.CreatedBy ?? ctx.account,
  };
  upsertRule(ctx.sql, ctx, rule, rule.ScheduleExpression ? ctx.clock.now() : null);
  if (tags.length) putTags(ctx, rule.Arn, tags);
  ctx.changed('events.rule', rule.Arn);
  return { RuleArn: rule.Arn };
}

export function requireRule(ctx: RequestContext, name: string, busName: string | undefined) {
  const bus = busOf(ctx, busName);
  const row = findRule(ctx.sql, ctx, bus.name, name);
  if (!row) throw ruleNotFound(name, bus.name);
  return row;
}

export function describeRule(ctx: RequestContext, input: { Name: string; EventBusName?: string }) {
  return requireRule(ctx, input.Name, input.EventBusName).rule;
}

function setState(ctx: RequestContext, input: { Name: string; EventBusName?: string }, state: Rule['State']) {
  const row = requireRule(ctx, input.Name, input.EventBusName);
  if (row.rule.State === state) return {};
  const rule = { ...row.rule, State: state };
  // A schedule starts over when its rule is enabled again (no burst of missed ticks).
  setRuleDoc(ctx.sql, rule, rule.ScheduleExpression ? ctx.clock.now() : null);
  ctx.changed('events.rule', rule.Arn);
  return {};
}

export const enableRule = (ctx: RequestContext, input: { Name: string; EventBusName?: string }) => setState(ctx, input, 'ENABLED');
export const disableRule = (ctx: RequestContext, input: { Name: string; EventBusName?: string }) => setState(ctx, input, 'DISABLED');

export function deleteRule(ctx: RequestContext, input: { Name: string; EventBusName?: string; Force?: boolean }) {
  const bus = busOf(ctx, input.EventBusName);
  const row = findRule(ctx.sql, ctx, bus.name, input.Name);
  // Deleting a rule that is not there succeeds, as on AWS.
  if (!row) return {};
  if (countTargets(ctx.sql, row.arn) > 0) throw validation("Rule can't be deleted since it has targets.");
  deleteRuleRow(ctx.sql, row.arn);
  dropAllTags(ctx, row.arn);
  ctx.changed('events.rule', row.arn);
  return {};
}

export function listRules(ctx: RequestContext, input: { NamePrefix?: string; EventBusName?: string; NextToken?: string; Limit?: number }) {
  const bus = busOf(ctx, input.EventBusName);
  const limit = pageLimit(input.Limit);
  const rules = rulesOf(ctx.sql, ctx, bus.name, input.NamePrefix ?? '', decodeToken(input.NextToken), limit + 1);
  const page = rules.slice(0, limit);
  return {
    Rules: page.map(({ CreatedBy: _c, ...r }) => r),
    NextToken: rules.length > limit ? encodeToken(page[page.length - 1].Name) : undefined,
  };
}

export function listRuleNamesByTarget(ctx: RequestContext, input: { TargetArn: string; EventBusName?: string; NextToken?: string; Limit?: number }) {
  const bus = busOf(ctx, input.EventBusName);
  const limit = pageLimit(input.Limit);
  const names = ruleNamesByTarget(ctx.sql, ctx, bus.name, input.TargetArn, decodeToken(input.NextToken), limit + 1);
  const page = names.slice(0, limit);
  return { RuleNames: page, NextToken: names.length > limit ? encodeToken(page[page.length - 1]) : undefined };
}

