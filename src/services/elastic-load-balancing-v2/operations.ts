/**
 * ELBv2's operations themselves, for a service that provisions load balancing on a caller's behalf inside its own
 * call's transaction (ECS Express Mode makes its shared ALB, its HTTP and HTTPS listeners and their certificates, a target group and Host-header rules; App Runner adds its URL's host to that rule and answers for a paused service from it): one
 * implementation, the same checks and change notices as the API. Apart from index.ts because the load balancer
 * data plane and ACM load index.ts before Berth's ready line, and these pull in every operation and EC2's network.
 */
export { createLoadBalancer, deleteLoadBalancer } from './load-balancers.js';
export { createListener, deleteListener, describeListeners, modifyListener } from './listeners.js';
export { addListenerCertificates, describeListenerCertificates, removeListenerCertificates } from './certificates.js';
export { createTargetGroup, deleteTargetGroup, modifyTargetGroup, modifyTargetGroupAttributes } from './target-groups.js';
export { createRule, deleteRule, describeRules, modifyRule } from './rules.js';
