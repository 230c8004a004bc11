/**
 * ECS services and task sets can name a Classic Load Balancer (`loadBalancerName`).
 * Berth serves Elastic Load Balancing v2 only (the classic 2012-06-01 API is refused
 * at the gateway too), so such a reference is refused here, before anything is stored.
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import { invalidParameter } from './errors.js';

/** Throws InvalidParameterException when the entry names a Classic Load Balancer. */
export function refuseClassicLoadBalancer(lb: LoadBalancer): void {
  if (!lb.loadBalancerName) return;
  throw invalidParameter(
    `Berth does not implement Classic Load Balancers (loadBalancerName ${lb.loadBalancerName}): ` +
      'it serves Elastic Load Balancing v2 target groups only; give targetGroupArn instead.',
  );
}
