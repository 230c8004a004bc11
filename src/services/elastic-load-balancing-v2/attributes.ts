/**
 * Load balancer, target group and listener attributes: AWS's keys with the
 * defaults a new resource reports, and the value checks ELB applies on Modify.
 * An unknown key is a ValidationError, as on AWS.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupAttribute.html
 */
import type { ProtocolEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes } from './store.js';
import { validationError } from './errors.js';

const S3_LOGS = (kind: string): Attributes => ({
  [`${kind}.s3.enabled`]: 'false',
  [`${kind}.s3.bucket`]: '',
  [`${kind}.s3.prefix`]: '',
});

/**
 * The attributes DescribeLoadBalancerAttributes reports for a new load balancer of `type`: every key the
 * load balancer type documents, with its default.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html#load-balancer-attributes
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/gateway-load-balancers.html#load-balancer-attributes
 */
export function loadBalancerDefaults(type: string, scheme?: string): Attributes {
  // IGW access to IPv6 addresses is blocked by default only for internal load balancers.
  const denyIgw = scheme === 'internal' ? 'true' : 'false';
  if (type === 'gateway') {
    return {
      'deletion_protection.enabled': 'false',
      'load_balancing.cross_zone.enabled': 'false',
    };
  }
  if (type === 'network') {
    return {
      ...S3_LOGS('access_logs'),
      'deletion_protection.enabled': 'false',
      'ipv6.deny_all_igw_traffic': denyIgw,
      'load_balancing.cross_zone.enabled': 'false',
      'dns_record.client_routing_policy': 'any_availability_zone',
      'secondary_ips.auto_assigned.per_subnet': '0',
      'zonal_shift.config.enabled': 'false',
    };
  }
  return {
    ...S3_LOGS('access_logs'),
    'ipv6.deny_all_igw_traffic': denyIgw,
    ...S3_LOGS('connection_logs'),
    ...S3_LOGS('health_check_logs'),
    'deletion_protection.enabled': 'false',
    'idle_timeout.timeout_seconds': '60',
    'client_keep_alive.seconds': '3600',
    'routing.http.desync_mitigation_mode': 'defensive',
    'routing.http.drop_invalid_header_fields.enabled': 'false',
    'routing.http.preserve_host_header.enabled': 'false',
    'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
    'routing.http.xff_client_port.enabled': 'false',
    'routing.http.xff_header_processing.mode': 'append',
    'routing.http2.enabled': 'true',
    'waf.fail_open.enabled': 'false',
    'zonal_shift.config.enabled': 'false',
    // Cross-zone load balancing is always on for Application Load Balancers.
    'load_balancing.cross_zone.enabled': 'true',
  };
}

const TG_HEALTH_ROUTING: Attributes = {
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
};

/** Layer-4 target groups (NLB) vs layer-7 (ALB). */
export const isLayer4 = (protocol: string | undefined) => protocol === 'TCP' || protocol === 'UDP' || protocol === 'TCP_UDP' || protocol === 'TLS';

export function targetGroupDefaults(protocol: ProtocolEnum | string | undefined, targetType: string): Attributes {
  if (isLayer4(protocol)) {
    return {
      'deregistration_delay.timeout_seconds': '300',
      'deregistration_delay.connection_termination.enabled': 'false',
      'stickiness.enabled': 'false',
      'stickiness.type': 'source_ip',
      'proxy_protocol_v2.enabled': 'false',
      // Client IP preservation defaults off only for ip targets over TCP or TLS.
      'preserve_client_ip.enabled': targetType === 'ip' && (protocol === 'TCP' || protocol === 'TLS') ? 'false' : 'true',
      'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
      'target_health_state.unhealthy.connection_termination.enabled': 'true',
      'target_health_state.unhealthy.draining_interval_seconds': '0',
      ...TG_HEALTH_ROUTING,
    };
  }
  return {
    'deregistration_delay.timeout_seconds': '300',
    'stickiness.enabled': 'false',
    'stickiness.type': 'lb_cookie',
    'stickiness.lb_cookie.duration_seconds': '86400',
    'stickiness.app_cookie.cookie_name': '',
    'stickiness.app_cookie.duration_seconds': '86400',
    'slow_start.duration_seconds': '0',
    'load_balancing.algorithm.type': 'round_robin',
    'load_balancing.algorithm.anomaly_mitigation': 'off',
    'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
    ...TG_HEALTH_ROUTING,
  };
}

export function listenerDefaults(protocol: string | undefined): Attributes {
  if (isLayer4(protocol)) return { 'tcp.idle_timeout.seconds': '350' };
  return {
    'routing.http.response.server.enabled': 'true',
  };
}

const BOOL = (v: string) => v === 'true' || v === 'false';
const INT = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const ONE_OF = (...values: string[]) => (v: string) => values.includes(v);
const ANY = () => true;

/** Value checks by key; keys not listed accept any string. */
const CHECKS: Record<string, (v: string) => boolean> = {
  'deletion_protection.enabled': BOOL,
  'access_logs.s3.enabled': BOOL,
  'connection_logs.s3.enabled': BOOL,
  'health_check_logs.s3.enabled': BOOL,
  'idle_timeout.timeout_seconds': INT(1, 4000),
  'client_keep_alive.seconds': INT(60, 604800),
  'routing.http.desync_mitigation_mode': ONE_OF('monitor', 'defensive', 'strictest'),
  'routing.http.drop_invalid_header_fields.enabled': BOOL,
  'routing.http.preserve_host_header.enabled': BOOL,
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': BOOL,
  'routing.http.xff_client_port.enabled': BOOL,
  'routing.http.xff_header_processing.mode': ONE_OF('append', 'preserve', 'remove'),
  'routing.http2.enabled': BOOL,
  'waf.fail_open.enabled': BOOL,
  'zonal_shift.config.enabled': BOOL,
  'ipv6.deny_all_igw_traffic': BOOL,
  // Extra private IPv4 addresses per subnet for a Network Load Balancer: 0 to 7.
  'secondary_ips.auto_assigned.per_subnet': INT(0, 7),
  'dns_record.client_routing_policy': ONE_OF('availability_zone_affinity', 'partial_availability_zone_affinity', 'any_availability_zone'),
  'deregistration_delay.timeout_seconds': INT(0, 3600),
  'deregistration_delay.connection_termination.enabled': BOOL,
  'stickiness.enabled': BOOL,
  'stickiness.lb_cookie.duration_seconds': INT(1, 604800),
  'stickiness.app_cookie.duration_seconds': INT(1, 604800),
  'stickiness.app_cookie.cookie_name': ANY,
  'slow_start.duration_seconds': (v) => v === '0' || INT(30, 900)(v),
  'load_balancing.algorithm.type': ONE_OF('round_robin', 'least_outstanding_requests', 'weighted_random'),
  'load_balancing.algorithm.anomaly_mitigation': ONE_OF('on', 'off'),
  'proxy_protocol_v2.enabled': BOOL,
  'preserve_client_ip.enabled': BOOL,
  'target_health_state.unhealthy.connection_termination.enabled': BOOL,
  'target_health_state.unhealthy.draining_interval_seconds': INT(0, 360000),
  'routing.http.response.server.enabled': BOOL,
  'tcp.idle_timeout.seconds': INT(60, 6000),
};

/**
 * Applies `changes` to `current` (whose keys are the valid ones for this
 * resource) and returns the result; the resource-specific cross checks are
 * the caller's.
 */
export function applyAttributes(current: Attributes, changes: { Key?: string; Value?: string }[] | undefined, extraKeys: (key: string) => boolean = () => false): Attributes {
  const next = { ...current };
  for (const { Key, Value } of changes ?? []) {
    const key = Key ?? '';
    const value = Value ?? '';
    if (!(key in current) && !extraKeys(key)) throw validationError(`Attribute key '${key}' is not recognized`);
    const check = CHECKS[key] ?? ANY;
    if (!check(value)) throw validationError(`Attribute value '${value}' is not valid for attribute key '${key}'`);
    next[key] = value;
  }
  return next;
}

export const attributeList = (attrs: Attributes) => Object.entries(attrs).map(([Key, Value]) => ({ Key, Value }));
