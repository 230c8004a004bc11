/**
 * The data plane's view of ELBv2 state: every load balancer with its
 * listeners and compiled rules, every target group in use with its targets and
 * their health. Rebuilt from SQLite whenever the ELBv2 generation moves (any
 * API write, a registration by ECS, a health verdict), so a request never
 * touches the database.
 */
import type { Action, Listener, LoadBalancer, RedirectActionConfig, FixedResponseActionConfig, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  everyForwardedTargetGroup, everyLoadBalancer, everyTargetGroup, listenersOf, rulesOf, targetsOf, type Attributes, type StoredHealth,
} from '../services/elastic-load-balancing-v2/store.js';
import type { Statements } from '../state/db.js';
import { compileConditions, type Predicate } from './rule-matcher.js';
import { loadListenerTls, type ListenerTls } from './tls.js';

export interface TargetView {
  /** tg arn | id | port: stable across reloads (round robin, stickiness, health counters). */
  key: string;
  id: string;
  port: number;
  state: StoredHealth;
  reason: string | null;
  draining: boolean;
  drainUntil: number | null;
  healthySince: number | null;
}

export interface TargetGroupView {
  arn: string;
  account: string;
  region: string;
  doc: TargetGroup;
  attributes: Attributes;
  inUse: boolean;
  targets: TargetView[];
}

export interface WeightedGroup {
  group: TargetGroupView;
  weight: number;
}

export type CompiledAction =
  | { type: 'forward'; groups: WeightedGroup[]; stickySeconds: number | undefined }
  | { type: 'redirect'; config: RedirectActionConfig }
  | { type: 'fixed-response'; config: FixedResponseActionConfig };

export interface CompiledRule {
  arn: string;
  priority: number | 'default';
  match: Predicate;
  action: CompiledAction;
}

export interface ListenerView {
  arn: string;
  port: number;
  protocol: string;
  attributes: Attributes;
  rules: CompiledRule[];
  lb: LoadBalancerView;
  /** HTTPS and TLS listeners: the certificates and security policy they serve. */
  tls?: ListenerTls;
}

export interface LoadBalancerView {
  arn: string;
  account: string;
  region: string;
  name: string;
  type: string;
  dnsName: string;
  attributes: Attributes;
  listeners: ListenerView[];
}

export interface Snapshot {
  generation: number;
  loadBalancers: LoadBalancerView[];
  byDnsName: Map<string, LoadBalancerView>;
  listeners: Map<string, ListenerView>;
  targetGroups: Map<string, TargetGroupView>;
}

export const EMPTY_SNAPSHOT: Snapshot = { generation: -1, loadBalancers: [], byDnsName: new Map(), listeners: new Map(), targetGroups: new Map() };

function compileAction(actions: Action[] | undefined, groups: Map<string, TargetGroupView>): CompiledAction {
  // Only the terminal action acts; authenticate-* actions are refused by the API.
  const terminal = [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).pop();
  if (terminal?.Type === 'redirect') return { type: 'redirect', config: terminal.RedirectConfig! };
  if (terminal?.Type === 'fixed-response') return { type: 'fixed-response', config: terminal.FixedResponseConfig! };
  const config = terminal?.ForwardConfig;
  const list = config?.TargetGroups?.length ? config.TargetGroups : terminal?.TargetGroupArn ? [{ TargetGroupArn: terminal.TargetGroupArn, Weight: 1 }] : [];
  const weighted: WeightedGroup[] = [];
  for (const g of list) {
    const group = groups.get(g.TargetGroupArn ?? '');
    if (group) weighted.push({ group, weight: g.Weight ?? 1 });
  }
  const sticky = config?.TargetGroupStickinessConfig;
  return { type: 'forward', groups: weighted, stickySeconds: sticky?.Enabled ? sticky.DurationSeconds ?? 3600 : undefined };
}

export function loadSnapshot(sql: Statements, generation: number, now: number): Snapshot {
  const inUse = everyForwardedTargetGroup(sql);
  const targetGroups = new Map<string, TargetGroupView>();
  for (const tg of everyTargetGroup(sql)) {
    const targets: TargetView[] = targetsOf(sql, tg.arn)
      .filter((t) => t.drain_until === null || t.drain_until > now)
      .map((t) => ({
        key: `${tg.arn}|${t.id}|${t.port}`, id: t.id, port: t.port, state: t.state, reason: t.reason, draining: t.drain_until !== null,
        drainUntil: t.drain_until, healthySince: t.healthy_since,
      }));
    targetGroups.set(tg.arn, { arn: tg.arn, account: tg.account, region: tg.region, doc: tg.doc, attributes: tg.attributes, inUse: inUse.has(tg.arn), targets });
  }
  const loadBalancers: LoadBalancerView[] = [];
  const byDnsName = new Map<string, LoadBalancerView>();
  const listeners = new Map<string, ListenerView>();
  for (const lb of everyLoadBalancer(sql)) {
    const doc: LoadBalancer = lb.doc;
    const view: LoadBalancerView = {
      arn: lb.arn, account: lb.account, region: lb.region, name: doc.LoadBalancerName!, type: doc.Type!, dnsName: doc.DNSName!.toLowerCase(),
      attributes: lb.attributes, listeners: [],
    };
    for (const l of listenersOf(sql, lb.arn)) {
      const ldoc: Listener = l.doc;
      const rules: CompiledRule[] = rulesOf(sql, l.arn).map((r) => ({
        arn: r.arn,
        priority: r.IsDefault ? 'default' : Number(r.Priority),
        match: compileConditions(r.IsDefault ? [] : r.Conditions),
        action: compileAction(r.Actions, targetGroups),
      }));
      const lv: ListenerView = {
        arn: l.arn, port: ldoc.Port!, protocol: ldoc.Protocol!, attributes: l.attributes, rules, lb: view, tls: loadListenerTls(sql, l.arn, ldoc),
      };
      view.listeners.push(lv);
      listeners.set(l.arn, lv);
    }
    loadBalancers.push(view);
    byDnsName.set(view.dnsName, view);
  }
  return { generation, loadBalancers, byDnsName, listeners, targetGroups };
}
