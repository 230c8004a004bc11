/**
 * ELBv2's front door for everything outside services/elastic-load-balancing-v2:
 * target groups and their targets (ECS services register their tasks; the
 * service-targets controller reads their health), listener certificates
 * (ACM asks which load balancers use one; the data plane loads them) and the
 * TLS settings of a security policy. The data plane's routing snapshot reads
 * the store (store.ts).
 */
export {
  deregisterTargets, registerTargets, targetGroupExists, targetGroupOf, targetHealthOf,
  type TargetGroupRef, type TargetRef, type TargetsRequest,
} from './targets.js';
export { certificateChanged, listenerCertificates, loadBalancersUsingCertificate, type ListenerCertificateRow } from './certificate-store.js';
export { DEFAULT_SSL_POLICY, tlsSettings } from './ssl-policies.js';
/**
 * The operations themselves, for a service that provisions load balancing on a caller's behalf inside its own
 * call's transaction (ECS Express Mode makes its shared ALB, listener, target group and Host-header rule): one
 * implementation, the same checks and change notices as the API.
 */
export { createLoadBalancer, deleteLoadBalancer } from './load-balancers.js';
export { createListener } from './listeners.js';
export { createTargetGroup, deleteTargetGroup, modifyTargetGroup } from './target-groups.js';
export { createRule, deleteRule, describeRules } from './rules.js';
