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
