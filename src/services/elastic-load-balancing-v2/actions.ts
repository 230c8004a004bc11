/**
 * Listener and rule actions: forward (one target group, or weighted target
 * groups with group stickiness), redirect and fixed-response, checked as ELB
 * checks them and stored in the shape Describe returns (a forward always
 * carries its ForwardConfig; a single target group also its TargetGroupArn).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#rule-action-types
 */
import type { Action, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  incompatibleProtocols, invalidAction, notSupportedByBerth, targetGroupAssociationLimit, tooManyActions, validationError,
} from './errors.js';
import { isLayer4 } from './attributes.js';
import { requireTargetGroup } from './lookup.js';
import { loadBalancersOfTargetGroup, type Scope } from './store.js';

export interface ActionContext {
  lbArn: string;
  lbType: string;
  listenerProtocol: string;
}

const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];
const MAX_WEIGHTED_GROUPS = 5;

function checkTargetGroup(s: Scope, arn: string, a: ActionContext): TargetGroup {
  const tg = requireTargetGroup(s, arn);
  const tgLayer4 = isLayer4(tg.doc.Protocol);
  if (tgLayer4 !== isLayer4(a.listenerProtocol)) {
    throw incompatibleProtocols(`Listener protocol '${a.listenerProtocol}' is not supported with a target group with the protocol '${tg.doc.Protocol}'`);
  }
  if (a.listenerProtocol === 'TCP' && !['TCP', 'TCP_UDP'].includes(tg.doc.Protocol!)) {
    throw incompatibleProtocols(`Listener protocol 'TCP' is not supported with a target group with the protocol '${tg.doc.Protocol}'`);
  }
  // An instance or ip target group serves one load balancer.
  if (loadBalancersOfTargetGroup(s.sql, tg.arn).some((lb) => lb !== a.lbArn)) throw targetGroupAssociationLimit(tg.arn);
  return tg.doc;
}

function normalizeForward(s: Scope, action: Action, a: ActionContext): Action {
  const config = action.ForwardConfig;
  const groups = config?.TargetGroups ?? [];
  if (!action.TargetGroupArn && !groups.length) throw validationError('A target group ARN must be specified for a forward action');
  if (action.TargetGroupArn && groups.length && !(groups.length === 1 && groups[0].TargetGroupArn === action.TargetGroupArn)) {
    throw validationError('You cannot specify both a target group ARN and a forward config with different target groups');
  }
  if (groups.length > MAX_WEIGHTED_GROUPS) throw validationError(`A forward action can have at most ${MAX_WEIGHTED_GROUPS} target groups`);
  const list = groups.length ? groups : [{ TargetGroupArn: action.TargetGroupArn }];
  const seen = new Set<string>();
  const weighted = list.map((g) => {
    const arn = g.TargetGroupArn ?? '';
    if (seen.has(arn)) throw validationError(`Target group '${arn}' is specified more than once`);
    seen.add(arn);
    checkTargetGroup(s, arn, a);
    const weight = g.Weight ?? 1;
    if (weight < 0 || weight > 999) throw validationError(`Target group weight '${weight}' must be between 0 and 999`);
    return { TargetGroupArn: arn, Weight: weight };
  });
  const sticky = config?.TargetGroupStickinessConfig;
  if (isLayer4(a.listenerProtocol) && sticky?.Enabled) throw validationError('Target group stickiness is not supported for Network Load Balancers');
  const stickiness = sticky?.Enabled
    ? { Enabled: true, DurationSeconds: sticky.DurationSeconds ?? 3600 }
    : { Enabled: false };
  if (stickiness.Enabled && (stickiness.DurationSeconds! < 1 || stickiness.DurationSeconds! > 604800)) {
    throw validationError('Target group stickiness duration must be between 1 and 604800 seconds');
  }
  return {
    Type: 'forward',
    ...(weighted.length === 1 ? { TargetGroupArn: weighted[0].TargetGroupArn } : {}),
    ForwardConfig: { TargetGroups: weighted, TargetGroupStickinessConfig: stickiness },
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
  };
}

function normalizeRedirect(action: Action): Action {
  const c = action.RedirectConfig;
  if (!c) throw validationError('A redirect configuration must be specified for a redirect action');
  if (c.StatusCode !== 'HTTP_301' && c.StatusCode !== 'HTTP_302') throw validationError(`Redirect status code '${c.StatusCode ?? ''}' must be HTTP_301 or HTTP_302`);
  const config = {
    Protocol: c.Protocol ?? '#{protocol}',
    Port: c.Port ?? '#{port}',
    Host: c.Host ?? '#{host}',
    Path: c.Path ?? '/#{path}',
    Query: c.Query ?? '#{query}',
    StatusCode: c.StatusCode,
  };
  if (!['HTTP', 'HTTPS', '#{protocol}'].includes(config.Protocol)) throw validationError(`Redirect protocol '${config.Protocol}' must be HTTP, HTTPS or #{protocol}`);
  if (!config.Path.startsWith('/')) throw validationError(`Redirect path '${config.Path}' must begin with a '/' character`);
  if (config.Protocol === '#{protocol}' && config.Port === '#{port}' && config.Host === '#{host}' && config.Path === '/#{path}') {
    throw invalidAction('The redirect configuration is not valid because it creates a loop.');
  }
  return { Type: 'redirect', RedirectConfig: config, ...(action.Order !== undefined ? { Order: action.Order } : {}) };
}

function normalizeFixedResponse(action: Action): Action {
  const c = action.FixedResponseConfig;
  if (!c) throw validationError('A fixed response configuration must be specified for a fixed-response action');
  if (!/^[245]\d\d$/.test(c.StatusCode ?? '')) throw validationError(`Fixed response status code '${c.StatusCode ?? ''}' must be a 2XX, 4XX or 5XX code`);
  if (c.ContentType !== undefined && !CONTENT_TYPES.includes(c.ContentType)) throw validationError(`Content type '${c.ContentType}' is not valid`);
  if ((c.MessageBody ?? '').length > 1024) throw validationError('The fixed response message body can be at most 1024 characters long');
  return {
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode: c.StatusCode, ...(c.ContentType ? { ContentType: c.ContentType } : {}), ...(c.MessageBody !== undefined ? { MessageBody: c.MessageBody } : {}) },
    ...(action.Order !== undefined ? { Order: action.Order } : {}),
  };
}

/** Checks actions for a listener's default actions or a rule; returns them normalized and the target groups they forward to. */
export function checkActions(s: Scope, actions: Action[] | undefined, a: ActionContext): { actions: Action[]; targetGroups: string[] } {
  const list = actions ?? [];
  if (!list.length) throw validationError('At least one action must be specified');
  const orders = list.map((x) => x.Order).filter((o): o is number => o !== undefined);
  if (orders.some((o) => o < 1 || o > 50000)) throw validationError('Action order must be between 1 and 50000');
  if (new Set(orders).size !== orders.length) throw validationError('Action orders must be unique');
  const sorted = [...list].sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0));
  const terminal = sorted.filter((x) => x.Type === 'forward' || x.Type === 'redirect' || x.Type === 'fixed-response');
  if (terminal.length > 1) throw tooManyActions();
  const out = sorted.map((action) => {
    switch (action.Type) {
      case 'forward': return normalizeForward(s, action, a);
      case 'redirect':
      case 'fixed-response':
        if (isLayer4(a.listenerProtocol)) throw invalidAction(`Action type '${action.Type}' is not supported for Network Load Balancers`);
        return action.Type === 'redirect' ? normalizeRedirect(action) : normalizeFixedResponse(action);
      case 'authenticate-oidc':
      case 'authenticate-cognito':
        throw notSupportedByBerth(`The '${action.Type}' action`);
      default:
        throw validationError(`Action type '${action.Type ?? ''}' must be one of 'forward, redirect, fixed-response, authenticate-oidc, authenticate-cognito'`);
    }
  });
  if (!terminal.length || sorted[sorted.length - 1] !== terminal[0]) {
    throw invalidAction('The last action must be a forward, redirect or fixed-response action');
  }
  const targetGroups = out.flatMap((x) => x.ForwardConfig?.TargetGroups?.map((g) => g.TargetGroupArn!) ?? []);
  return { actions: out, targetGroups };
}
