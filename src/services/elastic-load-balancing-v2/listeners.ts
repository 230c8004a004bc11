/**
 * Listeners: CreateListener, DescribeListeners, ModifyListener, DeleteListener,
 * Describe/ModifyListenerAttributes. HTTP and HTTPS for Application Load
 * Balancers, TCP and TLS for Network Load Balancers (HTTPS and TLS take an ACM
 * certificate and a security policy: certificates.ts). Each listener owns a
 * default rule holding its default actions, which DescribeRules lists last
 * with Priority "default".
 */
import type {
  Action, CreateListenerInput, CreateListenerOutput, DeleteListenerInput, DeleteListenerOutput,
  DescribeListenerAttributesInput, DescribeListenerAttributesOutput, DescribeListenersInput, DescribeListenersOutput,
  Listener, ModifyListenerAttributesInput, ModifyListenerAttributesOutput, ModifyListenerInput, ModifyListenerOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { randomHex } from '../../shared/ids.js';
import { elbArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { checkActions } from './actions.js';
import { applyAttributes, attributeList, listenerDefaults } from './attributes.js';
import { checkListenerTls, dropListenerCertificates, recordListenerTls } from './certificates.js';
import {
  duplicateListener, notSupportedByBerth, tooManyListeners, validationError,
} from './errors.js';
import { requireListener, requireLoadBalancer } from './lookup.js';
import { paginate } from './pagination.js';
import {
  deleteListenerRow, insertListener, insertRule, listenerOnPort, listenersOf, resetTargetsToInitial, rulesOf, saveListener,
  saveRule, setForwards, targetGroupInUse, type RuleDoc, type Scope, type Stored,
} from './store.js';
import { applyTags, checkTags } from './tags.js';

const MAX_LISTENERS = 50;
const PROTOCOLS: Record<string, string[]> = { application: ['HTTP', 'HTTPS'], network: ['TCP', 'TLS', 'UDP', 'TCP_UDP'] };

/** Records what an owner (a rule) forwards to; groups that start receiving traffic go back to initial health. */
export function forwardTo(s: Scope, ownerArn: string, lbArn: string, tgArns: string[]): void {
  const fresh = tgArns.filter((tg) => !targetGroupInUse(s.sql, tg));
  setForwards(s.sql, ownerArn, lbArn, tgArns);
  for (const tg of fresh) resetTargetsToInitial(s.sql, tg);
}

function checkProtocolAndPort(lbType: string, protocol: string | undefined, port: number | undefined) {
  if (!protocol) throw validationError('A listener protocol must be specified');
  const allowed = PROTOCOLS[lbType] ?? [];
  if (!allowed.includes(protocol)) throw validationError(`Listener protocol '${protocol}' must be one of '${allowed.join(', ')}'`);
  if (port === undefined) throw validationError('A listener port must be specified');
  if (port < 1 || port > 65535) throw validationError(`Listener port '${port}' must be between 1 and 65535`);
  if (protocol === 'UDP' || protocol === 'TCP_UDP') throw notSupportedByBerth(`Listener protocol '${protocol}'`);
}

const ruleIdPath = (listenerArn: string) => listenerArn.slice(listenerArn.indexOf(':listener/') + ':listener/'.length);

function defaultRuleOf(s: Scope, listenerArn: string): RuleDoc | undefined {
  return rulesOf(s.sql, listenerArn).find((r) => r.IsDefault);
}

export function createListener(ctx: RequestContext, input: CreateListenerInput): CreateListenerOutput {
  const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
  const type = lb.doc.Type!;
  checkProtocolAndPort(type, input.Protocol, input.Port);
  const tls = checkListenerTls(ctx, input.Protocol!, input);
  if (input.AlpnPolicy?.length && input.Protocol !== 'TLS') throw validationError('ALPN policies are supported only for TLS listeners');
  checkTags(input.Tags);
  const { actions, targetGroups } = checkActions(ctx, input.DefaultActions, { lbArn: lb.arn, lbType: type, listenerProtocol: input.Protocol! });

  const existing = listenerOnPort(ctx.sql, lb.arn, input.Port!);
  if (existing) {
    // CreateListener is idempotent for identical settings.
    if (existing.doc.Protocol === input.Protocol && JSON.stringify(existing.doc.DefaultActions) === JSON.stringify(actions)
      && JSON.stringify([existing.doc.Certificates, existing.doc.SslPolicy]) === JSON.stringify([tls.Certificates, tls.SslPolicy])) {
      return { Listeners: [existing.doc] };
    }
    throw duplicateListener(lb.arn);
  }
  if (listenersOf(ctx.sql, lb.arn).length >= MAX_LISTENERS) throw tooManyListeners(MAX_LISTENERS);

  const lbPath = lb.arn.slice(lb.arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  const arn = elbArn.listener(ctx.region, ctx.account, lbPath, randomHex(8));
  const listener: Listener = {
    ListenerArn: arn,
    LoadBalancerArn: lb.arn,
    Port: input.Port,
    Protocol: input.Protocol,
    ...tls,
    DefaultActions: actions,
  };
  insertListener(ctx, listener, listenerDefaults(input.Protocol));
  recordListenerTls(ctx, listener);
  const ruleArn = elbArn.rule(ctx.region, ctx.account, ruleIdPath(arn), randomHex(8));
  insertRule(ctx, { RuleArn: ruleArn, ListenerArn: arn, Priority: 'default', Conditions: [], Actions: actions, IsDefault: true });
  forwardTo(ctx, ruleArn, lb.arn, targetGroups);
  applyTags(ctx, arn, input.Tags);
  ctx.changed('elbv2', arn);
  return { Listeners: [listener] };
}

export function describeListeners(ctx: RequestContext, input: DescribeListenersInput): DescribeListenersOutput {
  const arns = input.ListenerArns ?? [];
  if (!input.LoadBalancerArn && !arns.length) throw validationError('You must specify either listener ARNs or a load balancer ARN');
  if (input.LoadBalancerArn && arns.length) throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
  let all: Stored<Listener>[];
  if (input.LoadBalancerArn) {
    all = listenersOf(ctx.sql, requireLoadBalancer(ctx, input.LoadBalancerArn).arn);
  } else {
    all = arns.map((arn) => requireListener(ctx, arn)).sort((a, b) => a.seq - b.seq);
  }
  const { page, NextMarker } = paginate(all, (l) => l.seq, input.Marker, input.PageSize);
  return { Listeners: page.map((l) => l.doc), NextMarker };
}

export function modifyListener(ctx: RequestContext, input: ModifyListenerInput): ModifyListenerOutput {
  const current = requireListener(ctx, input.ListenerArn);
  const lb = requireLoadBalancer(ctx, current.doc.LoadBalancerArn);
  const protocol = input.Protocol ?? current.doc.Protocol!;
  const port = input.Port ?? current.doc.Port!;
  checkProtocolAndPort(lb.doc.Type!, protocol, port);
  const tls = checkListenerTls(ctx, protocol, input, current.doc);
  if (port !== current.doc.Port && listenerOnPort(ctx.sql, lb.arn, port)) throw duplicateListener(lb.arn);
  const listener: Listener = { ...current.doc, Port: port, Protocol: protocol as Listener['Protocol'], Certificates: tls.Certificates, SslPolicy: tls.SslPolicy };
  const rule = defaultRuleOf(ctx, current.arn)!;
  // A protocol change re-checks the existing actions against the new protocol.
  const wanted: Action[] | undefined = input.DefaultActions ?? (protocol !== current.doc.Protocol ? current.doc.DefaultActions : undefined);
  if (wanted) {
    const { actions, targetGroups } = checkActions(ctx, wanted, { lbArn: lb.arn, lbType: lb.doc.Type!, listenerProtocol: protocol });
    listener.DefaultActions = actions;
    saveRule(ctx, { ...rule, Actions: actions });
    forwardTo(ctx, rule.RuleArn!, lb.arn, targetGroups);
  }
  saveListener(ctx, listener, current.attributes);
  recordListenerTls(ctx, listener);
  ctx.changed('elbv2', listener.ListenerArn!);
  return { Listeners: [listener] };
}

/** Deletes a listener with its rules, their forwards and tags. */
export function deleteListenerCascade(ctx: RequestContext, listenerArn: string): void {
  for (const rule of rulesOf(ctx.sql, listenerArn)) dropAllTags(ctx, rule.arn);
  deleteListenerRow(ctx, listenerArn);
  dropListenerCertificates(ctx.sql, listenerArn);
  dropAllTags(ctx, listenerArn);
}

export function deleteListener(ctx: RequestContext, input: DeleteListenerInput): DeleteListenerOutput {
  const listener = requireListener(ctx, input.ListenerArn);
  deleteListenerCascade(ctx, listener.arn);
  ctx.changed('elbv2', listener.arn);
  return {};
}

export function describeListenerAttributes(ctx: RequestContext, input: DescribeListenerAttributesInput): DescribeListenerAttributesOutput {
  return { Attributes: attributeList(requireListener(ctx, input.ListenerArn).attributes) };
}

export function modifyListenerAttributes(ctx: RequestContext, input: ModifyListenerAttributesInput): ModifyListenerAttributesOutput {
  const listener = requireListener(ctx, input.ListenerArn);
  const attributes = applyAttributes(listener.attributes, input.Attributes);
  saveListener(ctx, listener.doc, attributes);
  ctx.changed('elbv2', listener.arn);
  return { Attributes: attributeList(attributes) };
}
