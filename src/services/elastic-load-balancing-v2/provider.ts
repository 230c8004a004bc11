/** Elastic Load Balancing v2: the operation table. Each group of operations lives in its own file. */
import type { DescribeAccountLimitsInput, DescribeAccountLimitsOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Provider, RequestContext } from '../provider.js';
import * as capacity from './capacity-reservations.js';
import * as certificates from './certificates.js';
import * as listeners from './listeners.js';
import * as loadBalancers from './load-balancers.js';
import { paginate } from './pagination.js';
import * as rules from './rules.js';
import { describeSSLPolicies } from './ssl-policies.js';
import * as tags from './tags.js';
import * as targetGroups from './target-groups.js';
import * as targets from './targets.js';

/** The default quotas Berth enforces (and AWS reports) per account and region. */
const LIMITS: Record<string, string> = {
  'application-load-balancers': '50',
  'network-load-balancers': '50',
  'target-groups': '3000',
  'targets-per-application-load-balancer': '1000',
  'targets-per-network-load-balancer': '3000',
  'listeners-per-application-load-balancer': '50',
  'listeners-per-network-load-balancer': '50',
  'rules-per-application-load-balancer': '100',
  'condition-values-per-alb-rule': '5',
  'target-groups-per-action-on-application-load-balancer': '5',
  'targets-per-target-group': '1000',
};

function describeAccountLimits(_ctx: RequestContext, input: DescribeAccountLimitsInput): DescribeAccountLimitsOutput {
  // Pages like every other Describe call, so a bad Marker or PageSize is refused the same way.
  const limits = Object.entries(LIMITS).map(([Name, Max], i) => ({ Name, Max, i }));
  const { page, NextMarker } = paginate(limits, (l) => l.i, input.Marker, input.PageSize);
  return { Limits: page.map(({ Name, Max }) => ({ Name, Max })), NextMarker };
}

export const provider: Provider = {
  createLoadBalancer: loadBalancers.createLoadBalancer,
  describeLoadBalancers: loadBalancers.describeLoadBalancers,
  deleteLoadBalancer: loadBalancers.deleteLoadBalancer,
  describeLoadBalancerAttributes: loadBalancers.describeLoadBalancerAttributes,
  modifyLoadBalancerAttributes: loadBalancers.modifyLoadBalancerAttributes,
  setSecurityGroups: loadBalancers.setSecurityGroups,
  setSubnets: loadBalancers.setSubnets,
  setIpAddressType: loadBalancers.setIpAddressType,
  describeCapacityReservation: capacity.describeCapacityReservation,
  modifyCapacityReservation: capacity.modifyCapacityReservation,

  createTargetGroup: targetGroups.createTargetGroup,
  describeTargetGroups: targetGroups.describeTargetGroups,
  modifyTargetGroup: targetGroups.modifyTargetGroup,
  deleteTargetGroup: targetGroups.deleteTargetGroup,
  describeTargetGroupAttributes: targetGroups.describeTargetGroupAttributes,
  modifyTargetGroupAttributes: targetGroups.modifyTargetGroupAttributes,

  registerTargets: targets.registerTargetsOp,
  deregisterTargets: targets.deregisterTargetsOp,
  describeTargetHealth: targets.describeTargetHealth,

  createListener: listeners.createListener,
  describeListeners: listeners.describeListeners,
  modifyListener: listeners.modifyListener,
  deleteListener: listeners.deleteListener,
  describeListenerAttributes: listeners.describeListenerAttributes,
  modifyListenerAttributes: listeners.modifyListenerAttributes,
  addListenerCertificates: certificates.addListenerCertificates,
  removeListenerCertificates: certificates.removeListenerCertificates,
  describeListenerCertificates: certificates.describeListenerCertificates,
  describeSSLPolicies,

  createRule: rules.createRule,
  describeRules: rules.describeRules,
  modifyRule: rules.modifyRule,
  deleteRule: rules.deleteRule,
  setRulePriorities: rules.setRulePriorities,

  addTags: tags.addTags,
  removeTags: tags.removeTags,
  describeTags: tags.describeTags,

  describeAccountLimits,
};
