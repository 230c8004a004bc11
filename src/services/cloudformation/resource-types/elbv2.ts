/**
 * AWS::ElasticLoadBalancingV2::LoadBalancer, TargetGroup, Listener and ListenerRule, through ELBv2's operations.
 * Their Ref is the ARN.
 */
import { generatedName, gone, num, tagsOf, type Props, type ResourceContext, type ResourceType } from './types.js';

const elb = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('elastic-load-balancing-v2', op, input);
const tags = (ctx: ResourceContext, given: unknown) => {
  const t = tagsOf(ctx, given);
  return t.length ? { Tags: t } : {};
};
const attrs = (list: unknown) => ((list ?? []) as Props[]).map((a) => ({ Key: a.Key, Value: String(a.Value) }));
/** ELB names: 32 characters, letters, digits and hyphens, no hyphen at either end. */
const elbName = (ctx: ResourceContext) => generatedName({ ...ctx, stackName: ctx.stackName.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'stack' }, 32)
  .replace(/[^A-Za-z0-9-]/g, '').replace(/^-+|-+$/g, '');

function actions(list: unknown): Props[] {
  return ((list ?? []) as Props[]).map((a) => ({ ...a, ...(a.Order !== undefined ? { Order: num(a.Order) } : {}) }));
}

export const LOAD_BALANCER: ResourceType = {
  replaceOn: ['Name', 'Scheme', 'Type'],
  async create(ctx, p) {
    const out = await elb(ctx, 'CreateLoadBalancer', {
      Name: p.Name ?? elbName(ctx), ...(p.Subnets ? { Subnets: p.Subnets } : {}), ...(p.SubnetMappings ? { SubnetMappings: p.SubnetMappings } : {}),
      ...(p.SecurityGroups ? { SecurityGroups: p.SecurityGroups } : {}), ...(p.Scheme ? { Scheme: p.Scheme } : {}), ...(p.Type ? { Type: p.Type } : {}),
      ...(p.IpAddressType ? { IpAddressType: p.IpAddressType } : {}), ...tags(ctx, p.Tags),
    });
    const lb = out.LoadBalancers[0] as Props;
    if (p.LoadBalancerAttributes?.length) await elb(ctx, 'ModifyLoadBalancerAttributes', { LoadBalancerArn: lb.LoadBalancerArn, Attributes: attrs(p.LoadBalancerAttributes) });
    const arn = lb.LoadBalancerArn as string;
    return {
      physicalId: arn,
      attributes: {
        LoadBalancerArn: arn, DNSName: lb.DNSName, CanonicalHostedZoneID: lb.CanonicalHostedZoneId, LoadBalancerName: lb.LoadBalancerName,
        LoadBalancerFullName: arn.split(':loadbalancer/')[1], SecurityGroups: lb.SecurityGroups ?? [],
      },
    };
  },
  async update(ctx, arn, p, old, a) {
    if (JSON.stringify(p.SecurityGroups) !== JSON.stringify(old.SecurityGroups) && p.SecurityGroups) await elb(ctx, 'SetSecurityGroups', { LoadBalancerArn: arn, SecurityGroups: p.SecurityGroups });
    if (JSON.stringify(p.Subnets) !== JSON.stringify(old.Subnets) && p.Subnets) await elb(ctx, 'SetSubnets', { LoadBalancerArn: arn, Subnets: p.Subnets });
    if (p.LoadBalancerAttributes?.length) await elb(ctx, 'ModifyLoadBalancerAttributes', { LoadBalancerArn: arn, Attributes: attrs(p.LoadBalancerAttributes) });
    return { physicalId: arn, attributes: { ...a, SecurityGroups: p.SecurityGroups ?? a.SecurityGroups } };
  },
  async delete(ctx, arn) {
    await gone(() => elb(ctx, 'DeleteLoadBalancer', { LoadBalancerArn: arn }), 'LoadBalancerNotFound');
  },
};

const HEALTH = ['HealthCheckEnabled', 'HealthCheckIntervalSeconds', 'HealthCheckPath', 'HealthCheckPort', 'HealthCheckProtocol', 'HealthCheckTimeoutSeconds', 'HealthyThresholdCount', 'UnhealthyThresholdCount', 'Matcher'];
const NUMERIC = new Set(['HealthCheckIntervalSeconds', 'HealthCheckTimeoutSeconds', 'HealthyThresholdCount', 'UnhealthyThresholdCount']);
const health = (p: Props) => Object.fromEntries(HEALTH.filter((k) => p[k] !== undefined).map((k) => [k, NUMERIC.has(k) ? num(p[k]) : k === 'HealthCheckEnabled' ? p[k] === true || p[k] === 'true' : p[k]]));

export const TARGET_GROUP: ResourceType = {
  replaceOn: ['Name', 'Port', 'Protocol', 'ProtocolVersion', 'TargetType', 'VpcId', 'IpAddressType'],
  async create(ctx, p) {
    const out = await elb(ctx, 'CreateTargetGroup', {
      Name: p.Name ?? elbName(ctx), ...(p.Protocol ? { Protocol: p.Protocol } : {}), ...(p.ProtocolVersion ? { ProtocolVersion: p.ProtocolVersion } : {}),
      ...(p.Port !== undefined ? { Port: num(p.Port) } : {}), ...(p.VpcId ? { VpcId: p.VpcId } : {}), ...(p.TargetType ? { TargetType: p.TargetType } : {}),
      ...health(p), ...tags(ctx, p.Tags),
    });
    const tg = out.TargetGroups[0] as Props;
    const arn = tg.TargetGroupArn as string;
    if (p.TargetGroupAttributes?.length) await elb(ctx, 'ModifyTargetGroupAttributes', { TargetGroupArn: arn, Attributes: attrs(p.TargetGroupAttributes) });
    if (p.Targets?.length) await elb(ctx, 'RegisterTargets', { TargetGroupArn: arn, Targets: (p.Targets as Props[]).map((t) => ({ Id: t.Id, ...(t.Port !== undefined ? { Port: num(t.Port) } : {}) })) });
    return {
      physicalId: arn,
      attributes: { TargetGroupArn: arn, TargetGroupName: tg.TargetGroupName, TargetGroupFullName: arn.split(':')[5], LoadBalancerArns: tg.LoadBalancerArns ?? [] },
    };
  },
  async update(ctx, arn, p, _old, a) {
    const h = health(p);
    if (Object.keys(h).length) await elb(ctx, 'ModifyTargetGroup', { TargetGroupArn: arn, ...h });
    if (p.TargetGroupAttributes?.length) await elb(ctx, 'ModifyTargetGroupAttributes', { TargetGroupArn: arn, Attributes: attrs(p.TargetGroupAttributes) });
    return { physicalId: arn, attributes: a };
  },
  async delete(ctx, arn) {
    await gone(() => elb(ctx, 'DeleteTargetGroup', { TargetGroupArn: arn }), 'TargetGroupNotFound');
  },
};

export const LISTENER: ResourceType = {
  replaceOn: ['LoadBalancerArn'],
  async create(ctx, p) {
    const out = await elb(ctx, 'CreateListener', {
      LoadBalancerArn: p.LoadBalancerArn, ...(p.Port !== undefined ? { Port: num(p.Port) } : {}), ...(p.Protocol ? { Protocol: p.Protocol } : {}),
      DefaultActions: actions(p.DefaultActions), ...(p.Certificates ? { Certificates: p.Certificates } : {}), ...(p.SslPolicy ? { SslPolicy: p.SslPolicy } : {}),
    });
    const arn = out.Listeners[0].ListenerArn as string;
    return { physicalId: arn, attributes: { ListenerArn: arn } };
  },
  async update(ctx, arn, p, _old, a) {
    await elb(ctx, 'ModifyListener', {
      ListenerArn: arn, ...(p.Port !== undefined ? { Port: num(p.Port) } : {}), ...(p.Protocol ? { Protocol: p.Protocol } : {}),
      DefaultActions: actions(p.DefaultActions), ...(p.Certificates ? { Certificates: p.Certificates } : {}), ...(p.SslPolicy ? { SslPolicy: p.SslPolicy } : {}),
    });
    return { physicalId: arn, attributes: a };
  },
  async delete(ctx, arn) {
    await gone(() => elb(ctx, 'DeleteListener', { ListenerArn: arn }), 'ListenerNotFound');
  },
};

export const LISTENER_RULE: ResourceType = {
  replaceOn: ['ListenerArn'],
  async create(ctx, p) {
    const out = await elb(ctx, 'CreateRule', { ListenerArn: p.ListenerArn, Priority: num(p.Priority), Conditions: p.Conditions, Actions: actions(p.Actions) });
    const arn = out.Rules[0].RuleArn as string;
    return { physicalId: arn, attributes: { RuleArn: arn, IsDefault: false } };
  },
  async update(ctx, arn, p, _old, a) {
    await elb(ctx, 'ModifyRule', { RuleArn: arn, Conditions: p.Conditions, Actions: actions(p.Actions) });
    return { physicalId: arn, attributes: a };
  },
  async delete(ctx, arn) {
    await gone(() => elb(ctx, 'DeleteRule', { RuleArn: arn }), 'RuleNotFound');
  },
};
