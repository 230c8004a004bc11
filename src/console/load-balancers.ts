/**
 * The console's load balancer view, read through ELBv2's doors (store.ts, and index.ts's targetHealthOf, which is
 * DescribeTargetHealth's own answer): every load balancer with its listeners, each listener's rules in priority order
 * and the address to open, and every target group with its targets' health as the data plane last judged it.
 */
import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { minuteSeries } from '../services/cloudwatch/index.js';
import { targetHealthOf } from '../services/elastic-load-balancing-v2/index.js';
import {
  boundPortOf, everyLoadBalancer, everyTargetGroup, listenersOf, loadBalancersOfTargetGroup, rulesOf,
} from '../services/elastic-load-balancing-v2/store.js';
import type { Statements } from '../state/db.js';
import type { ListenerView, LoadBalancersView, TargetGroupView } from './views.js';

const MAX_LOAD_BALANCERS = 200;
const MAX_TARGET_GROUPS = 500;

/** The last part of an ELBv2 ARN's name (…:targetgroup/<name>/<id> → <name>). */
const nameOf = (arn: string) => arn.split('/').at(-2) ?? arn;

function condition(c: RuleCondition): string {
  const values = c.HostHeaderConfig?.Values ?? c.PathPatternConfig?.Values ?? c.HttpRequestMethodConfig?.Values
    ?? c.SourceIpConfig?.Values ?? c.Values
    ?? c.HttpHeaderConfig?.Values?.map((v) => `${c.HttpHeaderConfig?.HttpHeaderName}: ${v}`)
    ?? c.QueryStringConfig?.Values?.map((v) => `${v.Key ?? ''}=${v.Value ?? ''}`) ?? [];
  return `${c.Field} ${values.join(' | ')}`;
}

function action(a: Action): string {
  switch (a.Type) {
    case 'forward': {
      // Weights matter only between several groups (AWS fills in 1 for a single one).
      const weighted = a.ForwardConfig?.TargetGroups ?? [];
      const groups = weighted.length > 1 ? weighted.map((g) => `${nameOf(g.TargetGroupArn ?? '')} (weight ${g.Weight ?? 1})`)
        : [nameOf(weighted[0]?.TargetGroupArn ?? a.TargetGroupArn ?? '')];
      return `forward to ${groups.join(', ')}`;
    }
    case 'fixed-response': return `fixed response ${a.FixedResponseConfig?.StatusCode ?? ''}`;
    case 'redirect': return `redirect ${a.RedirectConfig?.StatusCode ?? ''} to ${a.RedirectConfig?.Protocol ?? '#{protocol}'}://${a.RedirectConfig?.Host ?? '#{host}'}:${a.RedirectConfig?.Port ?? '#{port}'}${a.RedirectConfig?.Path ?? '/#{path}'}`;
    default: return a.Type ?? '';
  }
}

function listenerView(sql: Statements, arn: string, port: number, protocol: string): Omit<ListenerView, 'rules'> {
  // Berth binds each listener's port on 127.0.0.1 when it is free (design.md, "Ports"), else another it records.
  const bound = boundPortOf(sql, arn);
  const scheme = protocol === 'HTTPS' ? 'https://' : protocol === 'HTTP' ? 'http://' : '';
  return { arn, port, protocol, address: bound ? `${scheme}127.0.0.1:${bound}` : null };
}

/** An ALB's RequestCount (an NLB's NewFlowCount) per minute over the last hour, as Berth's data plane recorded it. */
function requests(sql: Statements, lb: { account: string; region: string; arn: string; type: string }, now: number, metricsPeriod?: number) {
  const from = now - 60 * (metricsPeriod ?? 60) * 1000;
  // The LoadBalancer dimension is the ARN's tail after loadbalancer/ (app/<name>/<id>).
  const dimension = lb.arn.slice(lb.arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  const metric = lb.type === 'network' ? { namespace: 'AWS/NetworkELB', name: 'NewFlowCount' } : { namespace: 'AWS/ApplicationELB', name: 'RequestCount' };
  const points = minuteSeries(sql, lb, { ...metric, dimensions: [{ Name: 'LoadBalancer', Value: dimension }] }, from, now + 1, 'Sum', metricsPeriod);
  return { metric: metric.name, from: new Date(from).toISOString(), to: new Date(now).toISOString(), points };
}

export function loadBalancersView(sql: Statements, now: number, metricsPeriod?: number): LoadBalancersView {
  const scopes = new Map<string, LoadBalancersView['scopes'][number]>();
  const scopeOf = (account: string, region: string) => {
    const k = `${account}/${region}`;
    let s = scopes.get(k);
    if (!s) scopes.set(k, (s = { account, region, loadBalancers: [], targetGroups: [] }));
    return s;
  };
  for (const lb of everyLoadBalancer(sql).slice(0, MAX_LOAD_BALANCERS)) {
    scopeOf(lb.account, lb.region).loadBalancers.push({
      name: lb.doc.LoadBalancerName ?? '',
      arn: lb.arn,
      type: lb.doc.Type ?? '',
      scheme: lb.doc.Scheme ?? '',
      state: lb.doc.State?.Code ?? '',
      dnsName: lb.doc.DNSName ?? '',
      requests: requests(sql, { account: lb.account, region: lb.region, arn: lb.arn, type: lb.doc.Type ?? '' }, now, metricsPeriod),
      listeners: listenersOf(sql, lb.arn).map((l) => ({
        ...listenerView(sql, l.arn, l.doc.Port ?? 0, l.doc.Protocol ?? ''),
        rules: rulesOf(sql, l.arn).map((r) => ({
          priority: r.IsDefault ? 'default' : String(r.Priority ?? ''),
          conditions: (r.Conditions ?? []).map(condition),
          actions: (r.Actions ?? []).sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).map(action),
        })),
      })),
    });
  }
  for (const tg of everyTargetGroup(sql).slice(0, MAX_TARGET_GROUPS)) {
    const view: TargetGroupView = {
      name: tg.doc.TargetGroupName ?? '',
      arn: tg.arn,
      protocol: tg.doc.Protocol ?? null,
      port: tg.doc.Port ?? null,
      targetType: tg.doc.TargetType ?? '',
      healthCheckPath: tg.doc.HealthCheckPath ?? null,
      loadBalancers: loadBalancersOfTargetGroup(sql, tg.arn).map(nameOf),
      targets: targetHealthOf(sql, { account: tg.account, region: tg.region, targetGroupArn: tg.arn, now }).map((t) => ({
        id: t.Target?.Id ?? '',
        port: t.Target?.Port ?? null,
        state: t.TargetHealth?.State ?? '',
        reason: t.TargetHealth?.Reason ?? null,
        description: t.TargetHealth?.Description ?? null,
      })),
    };
    scopeOf(tg.account, tg.region).targetGroups.push(view);
  }
  return { scopes: [...scopes.values()] };
}
