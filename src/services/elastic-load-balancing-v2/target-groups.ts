/**
 * Target groups: CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup,
 * DeleteTargetGroup, Describe/ModifyTargetGroupAttributes. Health check
 * settings take AWS's defaults per protocol (HTTP/HTTPS: path /, 30 s interval,
 * 5 s timeout, 5 healthy / 2 unhealthy, matcher 200; TCP: 30 s, 10 s, 5 / 2;
 * an HTTP check of a TCP group: 6 s timeout, matcher 200-399).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html
 */
import type {
  CreateTargetGroupInput, CreateTargetGroupOutput, DeleteTargetGroupInput, DeleteTargetGroupOutput,
  DescribeTargetGroupAttributesInput, DescribeTargetGroupAttributesOutput, DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput, ModifyTargetGroupAttributesInput, ModifyTargetGroupAttributesOutput, ModifyTargetGroupInput,
  ModifyTargetGroupOutput, TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { applyAttributes, attributeList, isLayer4, targetGroupDefaults } from './attributes.js';
import { duplicateTargetGroupName, notSupportedByBerth, resourceInUse, targetGroupNotFound, validationError } from './errors.js';
import { requireLoadBalancer, requireTargetGroup } from './lookup.js';
import { checkVpc } from './network.js';
import { paginate } from './pagination.js';
import {
  deleteTargetGroupRow, insertTargetGroup, listTargetGroups, loadBalancersOfTargetGroup, saveTargetGroup, targetGroupByName,
  targetGroupInUse, type Scope, type Stored,
} from './store.js';
import { applyTags, checkTags } from './tags.js';

const NAME_RE = /^[a-zA-Z0-9-]+$/;
const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP'];
const HC_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP'];

function checkName(name: string) {
  if (!name.length) throw validationError('A target group name must be specified');
  if (name.length > 32) throw validationError(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!NAME_RE.test(name)) throw validationError(`Target group name '${name}' can only contain characters that are alphanumeric characters and hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`Target group name '${name}' cannot begin or end with '-' character`);
}

/** "200", "200,202", "200-299", within ALB's 200–499 or NLB's 200–599. */
export function checkMatcher(code: string, layer4: boolean) {
  const max = layer4 ? 599 : 499;
  const ok = code.split(',').every((part) => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = Number(m[2] ?? m[1]);
    return lo >= 200 && hi <= max && lo <= hi;
  });
  if (!ok) throw validationError(`Health check matcher HTTP code '${code}' must be within '200-${max}' inclusive`);
}

type HealthFields = Pick<TargetGroup,
  'HealthCheckProtocol' | 'HealthCheckPort' | 'HealthCheckEnabled' | 'HealthCheckPath' | 'HealthCheckIntervalSeconds' |
  'HealthCheckTimeoutSeconds' | 'HealthyThresholdCount' | 'UnhealthyThresholdCount' | 'Matcher'>;

function healthDefaults(protocol: string, hcProtocol: string): HealthFields {
  const http = hcProtocol !== 'TCP';
  const layer4 = isLayer4(protocol);
  return {
    HealthCheckProtocol: hcProtocol as TargetGroup['HealthCheckProtocol'],
    HealthCheckPort: 'traffic-port',
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: 30,
    HealthCheckTimeoutSeconds: layer4 ? (http ? 6 : 10) : 5,
    HealthyThresholdCount: 5,
    UnhealthyThresholdCount: 2,
    ...(http ? { HealthCheckPath: '/', Matcher: { HttpCode: layer4 ? '200-399' : '200' } } : {}),
  };
}

/** Merges given health check settings over `base` and checks the result as ELB does. */
function healthSettings(base: HealthFields, protocol: string, input: Partial<HealthFields>): HealthFields {
  const hcProtocol = input.HealthCheckProtocol ?? base.HealthCheckProtocol!;
  if (!HC_PROTOCOLS.includes(hcProtocol)) throw validationError(`Health check protocol '${hcProtocol}' is not valid`);
  if (!isLayer4(protocol) && hcProtocol === 'TCP') throw validationError(`Health check protocol 'TCP' is not supported for target groups with the protocol '${protocol}'`);
  // Switching between TCP and HTTP checks brings the other kind's defaults.
  const kindChanged = (hcProtocol === 'TCP') !== (base.HealthCheckProtocol === 'TCP');
  const start = kindChanged ? healthDefaults(protocol, hcProtocol) : base;
  const out: HealthFields = { ...start, HealthCheckProtocol: hcProtocol as TargetGroup['HealthCheckProtocol'] };
  for (const key of Object.keys(input) as (keyof HealthFields)[]) {
    if (input[key] !== undefined && key !== 'HealthCheckProtocol') (out as Record<string, unknown>)[key] = input[key];
  }
  if (hcProtocol === 'TCP') {
    if (input.HealthCheckPath !== undefined) throw validationError('Health check path cannot be specified for TCP health checks');
    if (input.Matcher !== undefined) throw validationError('Health check matcher cannot be specified for TCP health checks');
  } else {
    const path = out.HealthCheckPath ?? '/';
    if (!path.startsWith('/') || path.length > 1024) throw validationError(`Health check path '${path}' must begin with a '/' character and can be at most 1024 characters long`);
    if (out.Matcher?.GrpcCode) throw notSupportedByBerth('gRPC health check matchers');
    checkMatcher(out.Matcher?.HttpCode ?? '200', isLayer4(protocol));
  }
  const port = out.HealthCheckPort ?? 'traffic-port';
  if (port !== 'traffic-port' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw validationError(`Health check port '${port}' must be 'traffic-port' or a number between 1 and 65535`);
  }
  const interval = out.HealthCheckIntervalSeconds!;
  const timeout = out.HealthCheckTimeoutSeconds!;
  if (interval < 5 || interval > 300) throw validationError(`Health check interval '${interval}' must be between 5 and 300 seconds`);
  if (timeout < 2 || timeout > 120) throw validationError(`Health check timeout '${timeout}' must be between 2 and 120 seconds`);
  if (timeout >= interval) throw validationError(`Health check timeout '${timeout}' must be smaller than the interval '${interval}'`);
  for (const [name, n] of [['Healthy threshold', out.HealthyThresholdCount!], ['Unhealthy threshold', out.UnhealthyThresholdCount!]] as const) {
    if (n < 2 || n > 10) throw validationError(`${name} count '${n}' must be between 2 and 10`);
  }
  return out;
}

const healthInput = (input: CreateTargetGroupInput | ModifyTargetGroupInput): Partial<HealthFields> => ({
  HealthCheckProtocol: input.HealthCheckProtocol,
  HealthCheckPort: input.HealthCheckPort,
  HealthCheckEnabled: input.HealthCheckEnabled,
  HealthCheckPath: input.HealthCheckPath,
  HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds,
  HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds,
  HealthyThresholdCount: input.HealthyThresholdCount,
  UnhealthyThresholdCount: input.UnhealthyThresholdCount,
  Matcher: input.Matcher,
});

/** The group as Describe shows it: with the load balancers that forward to it. */
export const viewTargetGroup = (s: Scope, tg: Stored<TargetGroup>): TargetGroup => ({ ...tg.doc, LoadBalancerArns: loadBalancersOfTargetGroup(s.sql, tg.arn) });

export function createTargetGroup(ctx: RequestContext, input: CreateTargetGroupInput): CreateTargetGroupOutput {
  const name = input.Name ?? '';
  checkName(name);
  const targetType = input.TargetType ?? 'instance';
  if (targetType === 'lambda' || targetType === 'alb') throw notSupportedByBerth(`Target type '${targetType}'`);
  if (targetType !== 'instance' && targetType !== 'ip') throw validationError(`Target type '${targetType}' is not valid`);
  if (!input.Protocol) throw validationError('A protocol must be specified');
  if (input.Protocol === 'GENEVE') throw notSupportedByBerth('GENEVE target groups (Gateway Load Balancers)');
  if (!PROTOCOLS.includes(input.Protocol)) throw validationError(`Protocol '${input.Protocol}' is not valid`);
  if (input.Port === undefined) throw validationError('A port must be specified');
  if (input.Port < 1 || input.Port > 65535) throw validationError(`Port '${input.Port}' must be between 1 and 65535`);
  if (!input.VpcId) throw validationError('A VPC ID must be specified');
  const layer4 = isLayer4(input.Protocol);
  // The Terraform provider sends `ProtocolVersion=` when unset; ELBv2 treats an empty value as absent.
  if (input.ProtocolVersion !== undefined && input.ProtocolVersion !== '') {
    if (layer4) throw validationError(`Protocol version is not supported for target groups with the protocol '${input.Protocol}'`);
    if (input.ProtocolVersion === 'GRPC' || input.ProtocolVersion === 'HTTP2') throw notSupportedByBerth(`Protocol version '${input.ProtocolVersion}'`);
    if (input.ProtocolVersion !== 'HTTP1') throw validationError(`Protocol version '${input.ProtocolVersion}' is not valid`);
  }
  checkVpc(ctx, input.VpcId);
  checkTags(input.Tags);
  const defaultHc = layer4 ? 'TCP' : input.Protocol;
  const health = healthSettings(healthDefaults(input.Protocol, input.HealthCheckProtocol ?? defaultHc), input.Protocol, healthInput(input));

  const tg: TargetGroup = {
    TargetGroupArn: '',
    TargetGroupName: name,
    Protocol: input.Protocol,
    Port: input.Port,
    VpcId: input.VpcId,
    ...health,
    TargetType: targetType,
    ...(layer4 ? {} : { ProtocolVersion: 'HTTP1' }),
    IpAddressType: input.IpAddressType ?? 'ipv4',
  };
  const existing = targetGroupByName(ctx, name);
  if (existing) {
    // CreateTargetGroup is idempotent for identical settings.
    const { TargetGroupArn: _a, ...want } = tg;
    const { TargetGroupArn: _b, LoadBalancerArns: _c, ...have } = existing.doc;
    if (JSON.stringify(Object.entries(want).sort()) !== JSON.stringify(Object.entries(have).sort())) throw duplicateTargetGroupName(name);
    return { TargetGroups: [viewTargetGroup(ctx, existing)] };
  }
  tg.TargetGroupArn = elbArn.targetGroup(ctx.region, ctx.account, name, randomHex(8));
  insertTargetGroup(ctx, tg, targetGroupDefaults(input.Protocol, targetType));
  applyTags(ctx, tg.TargetGroupArn, input.Tags);
  ctx.changed('elbv2', tg.TargetGroupArn);
  return { TargetGroups: [{ ...tg, LoadBalancerArns: [] }] };
}

export function describeTargetGroups(ctx: RequestContext, input: DescribeTargetGroupsInput): DescribeTargetGroupsOutput {
  const arns = input.TargetGroupArns ?? [];
  const names = input.Names ?? [];
  if ([input.LoadBalancerArn ? 1 : 0, arns.length, names.length].filter(Boolean).length > 1) {
    throw validationError('Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time');
  }
  let all = listTargetGroups(ctx);
  if (input.LoadBalancerArn) {
    const lb = requireLoadBalancer(ctx, input.LoadBalancerArn);
    all = all.filter((tg) => loadBalancersOfTargetGroup(ctx.sql, tg.arn).includes(lb.arn));
  }
  if (arns.length) {
    for (const arn of arns) requireTargetGroup(ctx, arn);
    all = all.filter((tg) => arns.includes(tg.arn));
  }
  if (names.length) {
    if (names.some((n) => !all.some((tg) => tg.doc.TargetGroupName === n))) throw targetGroupNotFound();
    all = all.filter((tg) => names.includes(tg.doc.TargetGroupName!));
  }
  const { page, NextMarker } = paginate(all, (tg) => tg.seq, input.Marker, input.PageSize);
  return { TargetGroups: page.map((tg) => viewTargetGroup(ctx, tg)), NextMarker };
}

export function modifyTargetGroup(ctx: RequestContext, input: ModifyTargetGroupInput): ModifyTargetGroupOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  const current: HealthFields = { ...tg.doc };
  const health = healthSettings(current, tg.doc.Protocol!, healthInput(input));
  const doc: TargetGroup = { ...tg.doc, ...health };
  saveTargetGroup(ctx, doc, tg.attributes);
  ctx.changed('elbv2', tg.arn);
  return { TargetGroups: [viewTargetGroup(ctx, { ...tg, doc })] };
}

export function deleteTargetGroup(ctx: RequestContext, input: DeleteTargetGroupInput): DeleteTargetGroupOutput {
  let tg;
  try {
    tg = requireTargetGroup(ctx, input.TargetGroupArn);
  } catch (err) {
    // Deleting a target group that no longer exists succeeds.
    if ((err as { code?: string }).code === 'TargetGroupNotFound') return {};
    throw err;
  }
  if (targetGroupInUse(ctx.sql, tg.arn)) throw resourceInUse(`Target group '${tg.arn}' is currently in use by a listener or a rule`);
  deleteTargetGroupRow(ctx, tg.arn);
  dropAllTags(ctx, tg.arn);
  ctx.changed('elbv2', tg.arn);
  return {};
}

export function describeTargetGroupAttributes(ctx: RequestContext, input: DescribeTargetGroupAttributesInput): DescribeTargetGroupAttributesOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  return { Attributes: attributeList(tg.attributes) };
}

const STICKINESS_TYPES = { l7: ['lb_cookie', 'app_cookie'], l4: ['source_ip', 'source_ip_dest_ip', 'source_ip_dest_ip_proto'] };

export function modifyTargetGroupAttributes(ctx: RequestContext, input: ModifyTargetGroupAttributesInput): ModifyTargetGroupAttributesOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  const attributes = applyAttributes(tg.attributes, input.Attributes);
  const layer4 = isLayer4(tg.doc.Protocol);
  const stickiness = attributes['stickiness.type'];
  if (!(layer4 ? STICKINESS_TYPES.l4 : STICKINESS_TYPES.l7).includes(stickiness)) {
    throw validationError(`Stickiness type '${stickiness}' is not supported for target groups with the '${tg.doc.Protocol}' protocol`);
  }
  if (!layer4 && stickiness === 'app_cookie' && attributes['stickiness.enabled'] === 'true') {
    const cookie = attributes['stickiness.app_cookie.cookie_name'];
    if (!cookie) throw validationError('The cookie name must be specified for application-based stickiness');
    if (/^(AWSALB|AWSALBAPP|AWSALBTG)/i.test(cookie)) throw validationError(`The cookie name '${cookie}' is reserved`);
  }
  saveTargetGroup(ctx, tg.doc, attributes);
  ctx.changed('elbv2', tg.arn);
  return { Attributes: attributeList(attributes) };
}
