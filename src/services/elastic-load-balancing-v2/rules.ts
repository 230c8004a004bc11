/**
 * Listener rules: CreateRule, DescribeRules, ModifyRule, DeleteRule,
 * SetRulePriorities. Priorities 1–50000 are unique per listener; the default
 * rule (the listener's default actions) cannot be deleted or reprioritised,
 * and only its actions can change. Application Load Balancers only.
 */
import type {
  CreateRuleInput, CreateRuleOutput, DeleteRuleInput, DeleteRuleOutput, DescribeRulesInput, DescribeRulesOutput,
  ModifyRuleInput, ModifyRuleOutput, Rule, SetRulePrioritiesInput, SetRulePrioritiesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { checkActions } from './actions.js';
import { checkConditions } from './conditions.js';
import { operationNotPermitted, priorityInUse, tooManyRules, validationError } from './errors.js';
import { forwardTo } from './listeners.js';
import { requireListener, requireLoadBalancer, requireRule } from './lookup.js';
import { paginate } from './pagination.js';
import { deleteRuleRow, insertRule, listenerByArn, rulesOf, saveListener, saveRule, type RuleDoc } from './store.js';
import { applyTags, checkTags } from './tags.js';

const MAX_RULES = 100;

/** The rule as Describe shows it (without Berth's ListenerArn). */
export const viewRule = (r: RuleDoc): Rule => ({
  RuleArn: r.RuleArn, Priority: r.Priority, Conditions: r.Conditions, Actions: r.Actions, IsDefault: r.IsDefault,
});

function checkPriority(priority: number | undefined): number {
  if (priority === undefined) throw validationError('A rule priority must be specified');
  if (!Number.isInteger(priority) || priority < 1 || priority > 50000) throw validationError(`Priority '${priority}' must be between 1 and 50000`);
  return priority;
}

function actionContext(ctx: RequestContext, listenerArn: string) {
  const listener = requireListener(ctx, listenerArn);
  const lb = requireLoadBalancer(ctx, listener.doc.LoadBalancerArn);
  return { listener, a: { lbArn: lb.arn, lbType: lb.doc.Type!, listenerProtocol: listener.doc.Protocol! } };
}

export function createRule(ctx: RequestContext, input: CreateRuleInput): CreateRuleOutput {
  const { listener, a } = actionContext(ctx, input.ListenerArn!);
  if (a.lbType === 'network') throw validationError('Rules are not supported for Network Load Balancer listeners');
  if (input.Transforms?.length) throw validationError('Rule transforms are not supported by Berth yet (see services/elastic-load-balancing-v2/README.md).');
  const priority = checkPriority(input.Priority);
  const conditions = checkConditions(input.Conditions);
  checkTags(input.Tags);
  const rules = rulesOf(ctx.sql, listener.arn);
  if (rules.some((r) => !r.IsDefault && Number(r.Priority) === priority)) throw priorityInUse(priority);
  if (rules.filter((r) => !r.IsDefault).length >= MAX_RULES) throw tooManyRules(MAX_RULES);
  const { actions, targetGroups } = checkActions(ctx, input.Actions, a);
  const listenerPath = listener.arn.slice(listener.arn.indexOf(':listener/') + ':listener/'.length);
  const rule: RuleDoc = {
    RuleArn: elbArn.rule(ctx.region, ctx.account, listenerPath, randomHex(8)),
    ListenerArn: listener.arn,
    Priority: String(priority),
    Conditions: conditions,
    Actions: actions,
    IsDefault: false,
  };
  insertRule(ctx, rule);
  forwardTo(ctx, rule.RuleArn!, a.lbArn, targetGroups);
  applyTags(ctx, rule.RuleArn!, input.Tags);
  ctx.changed('elbv2', rule.RuleArn!);
  return { Rules: [viewRule(rule)] };
}

export function describeRules(ctx: RequestContext, input: DescribeRulesInput): DescribeRulesOutput {
  const arns = input.RuleArns ?? [];
  if (!input.ListenerArn && !arns.length) throw validationError('You must specify either listener ARNs or rule ARNs');
  if (input.ListenerArn && arns.length) throw validationError('A listener ARN and rule ARNs cannot be specified at the same time');
  let rules: (RuleDoc & { seq: number })[];
  if (input.ListenerArn) {
    rules = rulesOf(ctx.sql, requireListener(ctx, input.ListenerArn).arn);
  } else {
    for (const arn of arns) requireRule(ctx, arn);
    const listeners = [...new Set(arns.map((arn) => requireRule(ctx, arn).ListenerArn))];
    rules = listeners.flatMap((l) => rulesOf(ctx.sql, l)).filter((r) => arns.includes(r.RuleArn!));
  }
  // Rules page in listing order (priority, default last), which the index stands for.
  const indexed = rules.map((r, i) => ({ r, i }));
  const { page, NextMarker } = paginate(indexed, (x) => x.i, input.Marker, input.PageSize);
  return { Rules: page.map((x) => viewRule(x.r)), NextMarker };
}

export function modifyRule(ctx: RequestContext, input: ModifyRuleInput): ModifyRuleOutput {
  const rule = requireRule(ctx, input.RuleArn);
  if (input.Transforms?.length) throw validationError('Rule transforms are not supported by Berth yet (see services/elastic-load-balancing-v2/README.md).');
  const { listener, a } = actionContext(ctx, rule.ListenerArn);
  if (rule.IsDefault && input.Conditions?.length) throw operationNotPermitted('You cannot modify the conditions of the default rule');
  const next: RuleDoc = { ...rule };
  if (input.Conditions?.length) next.Conditions = checkConditions(input.Conditions);
  if (input.Actions?.length) {
    const { actions, targetGroups } = checkActions(ctx, input.Actions, a);
    next.Actions = actions;
    forwardTo(ctx, rule.RuleArn!, a.lbArn, targetGroups);
    if (rule.IsDefault) saveListener(ctx, { ...listener.doc, DefaultActions: actions }, listener.attributes);
  }
  saveRule(ctx, next);
  ctx.changed('elbv2', rule.RuleArn!);
  return { Rules: [viewRule(next)] };
}

export function deleteRule(ctx: RequestContext, input: DeleteRuleInput): DeleteRuleOutput {
  const rule = requireRule(ctx, input.RuleArn);
  if (rule.IsDefault) throw operationNotPermitted(`Default rule '${rule.RuleArn}' cannot be deleted`);
  deleteRuleRow(ctx, rule.RuleArn!);
  dropAllTags(ctx, rule.RuleArn!);
  ctx.changed('elbv2', rule.RuleArn!);
  return {};
}

export function setRulePriorities(ctx: RequestContext, input: SetRulePrioritiesInput): SetRulePrioritiesOutput {
  const changes = input.RulePriorities ?? [];
  const updated = new Map<string, RuleDoc>();
  for (const c of changes) {
    const rule = requireRule(ctx, c.RuleArn);
    if (rule.IsDefault) throw operationNotPermitted(`Default rule '${rule.RuleArn}' cannot be reprioritised`);
    updated.set(rule.RuleArn!, { ...rule, Priority: String(checkPriority(c.Priority)) });
  }
  // The priorities after the change must still be unique per listener.
  for (const listenerArn of new Set([...updated.values()].map((r) => r.ListenerArn))) {
    const used = new Map<number, string>();
    for (const r of rulesOf(ctx.sql, listenerArn)) {
      if (r.IsDefault) continue;
      const p = Number((updated.get(r.RuleArn!) ?? r).Priority);
      if (used.has(p)) throw priorityInUse(p);
      used.set(p, r.RuleArn!);
    }
  }
  for (const r of updated.values()) saveRule(ctx, r);
  if (updated.size) ctx.changed('elbv2', [...updated.keys()][0]);
  const listeners = [...new Set([...updated.values()].map((r) => r.ListenerArn))];
  const rules = listeners.filter((l) => listenerByArn(ctx, l)).flatMap((l) => rulesOf(ctx.sql, l)).filter((r) => updated.has(r.RuleArn!));
  return { Rules: rules.map((r) => viewRule(r)) };
}
