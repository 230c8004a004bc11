/**
 * The data plane's view of ELBv2 state: every load balancer with its
 * listeners and compiled rules, every target group with its targets, their
 * health and the address each is reached at. Berth's main process reads it
 * from SQLite (snapshot-loader.ts) whenever the ELBv2 generation moves (any
 * API write, a registration by ECS, a health verdict) as plain data, which it
 * also sends to the data plane's worker processes; each side compiles it
 * here, so a request never touches the database.
 */
import type { Action, FixedResponseActionConfig, RedirectActionConfig, RuleCondition, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, StoredHealth } from '../services/elastic-load-balancing-v2/store.js';
import type { CertificateMaterial } from '../services/acm/store.js';
import { Destinations } from './destinations.js';
import { compileConditions, type Predicate } from './rule-matcher.js';
import type { ResolvedTarget } from './target-resolver.js';

/** What an HTTPS or TLS listener serves: its certificates (the default one first) and security policy. */
export interface ListenerTls {
  policy: string;
  certificates: CertificateMaterial[];
  /** Changes whenever the policy, the certificate list or a certificate's material does. */
  key: string;
}

// ---- plain data (JSON-serializable: crosses the IPC channel to workers) ----------------------

export interface TargetData {
  id: string;
  port: number;
  state: StoredHealth;
  reason: string | null;
  drainUntil: number | null;
  healthySince: number | null;
  /** Where the data plane connects (resolved by the main process); null when nothing answers. */
  addr: ResolvedTarget | null;
}

/** A target group with its targets: as data for workers (TargetData) or compiled as a view (TargetView). */
interface TargetGroupOf<T> {
  arn: string;
  account: string;
  region: string;
  doc: TargetGroup;
  attributes: Attributes;
  inUse: boolean;
  targets: T[];
}

export type TargetGroupData = TargetGroupOf<TargetData>;

export interface RuleData {
  arn: string;
  priority: number | 'default';
  conditions: RuleCondition[];
  actions: Action[];
}

export interface ListenerData {
  arn: string;
  port: number;
  protocol: string;
  attributes: Attributes;
  rules: RuleData[];
  tls?: ListenerTls;
}

/** What a load balancer is, apart from its listeners (as data for workers, or compiled as a view). */
interface LoadBalancerBase {
  arn: string;
  account: string;
  region: string;
  name: string;
  type: string;
  dnsName: string;
  attributes: Attributes;
}

export interface LoadBalancerData extends LoadBalancerBase {
  listeners: ListenerData[];
}

export interface SnapshotData {
  generation: number;
  loadBalancers: LoadBalancerData[];
  targetGroups: TargetGroupData[];
  /** Hosts of configured container engines: with loopback, the only addresses the data plane connects to. */
  engineHosts: string[];
}

// ---- compiled views ----------------------------------------------------------------------

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
  addr: ResolvedTarget | null;
}

export type TargetGroupView = TargetGroupOf<TargetView>;

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

export interface LoadBalancerView extends LoadBalancerBase {
  listeners: ListenerView[];
}

export interface Snapshot {
  generation: number;
  /** Where connections may go (see destinations.ts). */
  destinations: Destinations;
  loadBalancers: LoadBalancerView[];
  byDnsName: Map<string, LoadBalancerView>;
  /**
   * Exact `*.localhost` host names that an application load balancer's HTTP listener routes by a host-header rule
   * (ECS Express Mode's service URLs): such a name resolves to loopback, so Berth's main port serves it too.
   */
  byRuleHost: Map<string, ListenerView>;
  listeners: Map<string, ListenerView>;
  targetGroups: Map<string, TargetGroupView>;
}

export const EMPTY_DATA: SnapshotData = { generation: -1, loadBalancers: [], targetGroups: [], engineHosts: [] };

export const EMPTY_SNAPSHOT: Snapshot = {
  generation: -1, destinations: new Destinations(), loadBalancers: [], byDnsName: new Map(), byRuleHost: new Map(), listeners: new Map(), targetGroups: new Map(),
};

/** A host-header condition's exact `.localhost` names (no wildcards): the names Berth's main port may serve. */
function localHostNames(conditions: RuleCondition[]): string[] {
  return conditions
    .filter((c) => c.Field === 'host-header')
    .flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? [])
    .map((v) => v.toLowerCase())
    .filter((v) => v.endsWith('.localhost') && !/[*?]/.test(v));
}

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

/** Compiles snapshot data: views linked to each other, rule conditions turned into predicates. */
export function buildSnapshot(data: SnapshotData): Snapshot {
  const targetGroups = new Map<string, TargetGroupView>();
  for (const tg of data.targetGroups) {
    const targets: TargetView[] = tg.targets.map((t) => ({
      key: `${tg.arn}|${t.id}|${t.port}`, id: t.id, port: t.port, state: t.state, reason: t.reason, draining: t.drainUntil !== null,
      drainUntil: t.drainUntil, healthySince: t.healthySince, addr: t.addr,
    }));
    targetGroups.set(tg.arn, { arn: tg.arn, account: tg.account, region: tg.region, doc: tg.doc, attributes: tg.attributes, inUse: tg.inUse, targets });
  }
  const loadBalancers: LoadBalancerView[] = [];
  const byDnsName = new Map<string, LoadBalancerView>();
  const byRuleHost = new Map<string, ListenerView>();
  const listeners = new Map<string, ListenerView>();
  for (const lb of data.loadBalancers) {
    const view: LoadBalancerView = {
      arn: lb.arn, account: lb.account, region: lb.region, name: lb.name, type: lb.type, dnsName: lb.dnsName, attributes: lb.attributes, listeners: [],
    };
    for (const l of lb.listeners) {
      const rules: CompiledRule[] = l.rules.map((r) => ({
        arn: r.arn,
        priority: r.priority,
        match: compileConditions(r.priority === 'default' ? [] : r.conditions),
        action: compileAction(r.actions, targetGroups),
      }));
      const lv: ListenerView = { arn: l.arn, port: l.port, protocol: l.protocol, attributes: l.attributes, rules, lb: view, tls: l.tls };
      view.listeners.push(lv);
      listeners.set(l.arn, lv);
      if (lb.type === 'application' && l.protocol === 'HTTP') {
        for (const r of l.rules) for (const host of localHostNames(r.conditions)) if (!byRuleHost.has(host)) byRuleHost.set(host, lv);
      }
    }
    loadBalancers.push(view);
    byDnsName.set(view.dnsName, view);
  }
  return { generation: data.generation, destinations: new Destinations(data.engineHosts), loadBalancers, byDnsName, byRuleHost, listeners, targetGroups };
}
