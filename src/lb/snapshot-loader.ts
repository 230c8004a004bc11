/**
 * Reads the data plane's snapshot (snapshot.ts) from SQLite, in Berth's main
 * process: load balancers, listeners with their rules and TLS material, and
 * target groups with their targets' health and the address each is reached
 * at (asked of the target resolvers on each reload, for groups a rule
 * forwards to: null when a target cannot be reached; workers have no
 * database and no resolvers). LoadBalancing reloads when ELBv2 state moves
 * and when a target's address does (see index.ts).
 */
import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import { certificateMaterial, type CertificateMaterial } from '../services/acm/store.js';
import { DEFAULT_SSL_POLICY, listenerCertificates } from '../services/elastic-load-balancing-v2/index.js';
import {
  everyForwardedTargetGroup, everyLoadBalancer, everyTargetGroup, listenersOf, rulesOf, targetsOf,
} from '../services/elastic-load-balancing-v2/store.js';
import type { Statements } from '../state/db.js';
import type { Destinations } from './destinations.js';
import type { ListenerData, ListenerTls, LoadBalancerData, SnapshotData, TargetGroupData } from './snapshot.js';
import { isResolved, type TargetResolvers } from './target-resolver.js';

/** What an HTTPS or TLS listener serves, read from state (undefined for other protocols). */
export function loadListenerTls(sql: Statements, listenerArn: string, doc: Listener): ListenerTls | undefined {
  if (doc.Protocol !== 'HTTPS' && doc.Protocol !== 'TLS') return undefined;
  const certificates = listenerCertificates(sql, listenerArn)
    .map((c) => certificateMaterial(sql, c.certificateArn))
    .filter((c): c is CertificateMaterial => !!c);
  const policy = doc.SslPolicy ?? DEFAULT_SSL_POLICY;
  return { policy, certificates, key: [policy, ...certificates.map((c) => `${c.arn}@${c.version}`)].join('|') };
}

export function loadSnapshotData(sql: Statements, generation: number, now: number, resolvers: TargetResolvers): SnapshotData {
  const inUse = everyForwardedTargetGroup(sql);
  const destinations = resolvers.destinations();
  const targetGroups: TargetGroupData[] = [];
  for (const tg of everyTargetGroup(sql)) {
    const used = inUse.has(tg.arn);
    const type = tg.doc.TargetType ?? 'instance';
    const targets = targetsOf(sql, tg.arn)
      .filter((t) => t.drain_until === null || t.drain_until > now)
      .map((t) => ({
        id: t.id, port: t.port, state: t.state, reason: t.reason, drainUntil: t.drain_until, healthySince: t.healthy_since,
        addr: used ? addressOf(resolvers, tg.account, tg.region, type, t.id, t.port, destinations) : null,
      }));
    targetGroups.push({ arn: tg.arn, account: tg.account, region: tg.region, doc: tg.doc, attributes: tg.attributes, inUse: used, targets });
  }
  const loadBalancers: LoadBalancerData[] = [];
  for (const lb of everyLoadBalancer(sql)) {
    const listeners: ListenerData[] = listenersOf(sql, lb.arn).map((l) => ({
      arn: l.arn, port: l.doc.Port!, protocol: l.doc.Protocol!, attributes: l.attributes,
      rules: rulesOf(sql, l.arn).map((r) => ({
        arn: r.arn, priority: r.IsDefault ? 'default' as const : Number(r.Priority), conditions: r.Conditions ?? [], actions: r.Actions ?? [],
      })),
      tls: loadListenerTls(sql, l.arn, l.doc),
    }));
    loadBalancers.push({
      arn: lb.arn, account: lb.account, region: lb.region, name: lb.doc.LoadBalancerName!, type: lb.doc.Type!,
      dnsName: lb.doc.DNSName!.toLowerCase(), attributes: lb.attributes, listeners,
    });
  }
  return { generation, loadBalancers, targetGroups, engineHosts: destinations.engineHosts };
}

function addressOf(resolvers: TargetResolvers, account: string, region: string, type: string, id: string, port: number, destinations: Destinations) {
  const r = resolvers.resolve(account, region, type, id, port, destinations);
  return isResolved(r) ? r : null;
}
