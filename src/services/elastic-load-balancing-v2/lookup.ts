/** Finding the resource a request names, or the NotFound error ELB answers. */
import type { Listener, LoadBalancer, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { loadBalancerNotFound, listenerNotFound, ruleNotFound, targetGroupNotFound, validationError } from './errors.js';
import {
  listenerByArn, loadBalancerByArn, ruleByArn, targetGroupByArn, type RuleDoc, type Scope, type Stored,
} from './store.js';

/** ELB checks an ARN's shape before looking it up: "'x' is not a valid load balancer ARN". */
function checkArn(arn: string | undefined, kind: ElbResourceKind, noun: string) {
  if (arn !== undefined && kindOfArn(arn) !== kind) throw validationError(`'${arn}' is not a valid ${noun} ARN`);
}

export function requireLoadBalancer(s: Scope, arn: string | undefined): Stored<LoadBalancer> {
  checkArn(arn, 'loadbalancer', 'load balancer');
  const lb = arn ? loadBalancerByArn(s, arn) : undefined;
  if (!lb) throw loadBalancerNotFound(`Load balancer '${arn ?? ''}' not found`);
  return lb;
}

export function requireTargetGroup(s: Scope, arn: string | undefined): Stored<TargetGroup> {
  checkArn(arn, 'targetgroup', 'target group');
  const tg = arn ? targetGroupByArn(s, arn) : undefined;
  if (!tg) throw targetGroupNotFound(`Target groups '${arn ?? ''}' not found`);
  return tg;
}

export function requireListener(s: Scope, arn: string | undefined): Stored<Listener> {
  checkArn(arn, 'listener', 'listener');
  const l = arn ? listenerByArn(s, arn) : undefined;
  if (!l) throw listenerNotFound(`Listener '${arn ?? ''}' not found`);
  return l;
}

export function requireRule(s: Scope, arn: string | undefined): RuleDoc {
  checkArn(arn, 'listener-rule', 'listener rule');
  const r = arn ? ruleByArn(s, arn) : undefined;
  if (!r) throw ruleNotFound(`Rule '${arn ?? ''}' not found`);
  return r;
}

export type ElbResourceKind = 'loadbalancer' | 'targetgroup' | 'listener' | 'listener-rule';

/** The kind of ELB resource an ARN names, from its resource part. */
export function kindOfArn(arn: string): ElbResourceKind | undefined {
  const m = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:(loadbalancer|targetgroup|listener|listener-rule)\//.exec(arn);
  return m?.[1] as ElbResourceKind | undefined;
}

/** Checks an ARN names an existing ELB resource of this account and region, else its kind's NotFound. */
export function requireAnyResource(s: Scope, arn: string): void {
  switch (kindOfArn(arn)) {
    case 'loadbalancer': requireLoadBalancer(s, arn); return;
    case 'targetgroup': requireTargetGroup(s, arn); return;
    case 'listener': requireListener(s, arn); return;
    case 'listener-rule': requireRule(s, arn); return;
    default: throw validationError(`'${arn}' is not a valid resource ARN`);
  }
}
