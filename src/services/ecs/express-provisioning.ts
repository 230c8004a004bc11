/**
 * What ECS Express Mode makes for a service, made through each service's own door and operations inside the
 * Express call's transaction (one implementation: the same checks, tags and change notices as their APIs):
 * security groups (EC2), the log group (CloudWatch Logs), the service URL's certificate from Berth's local CA (ACM),
 * the shared Application Load Balancer with its HTTP and HTTPS listeners, a target group and a Host-header rule per
 * service on each listener (ELBv2), and the scalable target with its target-tracking policy (Application Auto Scaling). https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html
 */
import type { ExpressGatewayScalingTarget, Tag } from '@aws-sdk/client-ecs';
import type { Subnet } from '@aws-sdk/client-ec2';
import { AwsError } from '../../protocol/errors.js';
import { randomHex } from '../../shared/ids.js';
import type { RequestContext } from '../provider.js';
import {
  authorizeSecurityGroupIngress, createSecurityGroup, defaultVpcId, deleteSecurityGroup, ensureDefaultNetwork, getDoc, listStored,
} from '../ec2/index.js';
import {
  addListenerCertificates, createListener, createLoadBalancer, createRule, createTargetGroup, deleteLoadBalancer, deleteRule, deleteTargetGroup,
  describeListenerCertificates, describeListeners, describeRules, modifyListener, modifyTargetGroup, removeListenerCertificates,
} from '../elastic-load-balancing-v2/operations.js';
import { deleteCertificate, requestCertificate } from '../acm/operations.js';
import { createLogGroup, deleteLogGroup, findGroup } from '../logs/index.js';
import { deregisterScalableTarget, putScalingPolicy, registerScalableTarget } from '../application-auto-scaling/index.js';
import { invalidParameter } from './errors.js';
import type { ExpressResources } from './store/express-services.js';

/** The tag Express puts on everything it makes, beside the request's own tags. */
export const MANAGED_TAG = { key: 'AmazonECSManaged', value: 'true' };

/** Express's defaults (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/express-service-work.html). */
export const EXPRESS_DEFAULTS = { minTaskCount: 1, maxTaskCount: 20, metric: 'AVERAGE_CPU', target: 60, port: 80, healthCheckPath: '/' } as const;

const PREDEFINED_METRIC: Record<string, string> = {
  AVERAGE_CPU: 'ECSServiceAverageCPUUtilization',
  AVERAGE_MEMORY: 'ECSServiceAverageMemoryUtilization',
  REQUEST_COUNT_PER_TARGET: 'ALBRequestCountPerTarget',
};

const allTags = (tags: Tag[] | undefined) => [MANAGED_TAG, ...(tags ?? []).filter((t) => t.key !== MANAGED_TAG.key)];
const elbTags = (tags: Tag[] | undefined) => allTags(tags).map((t) => ({ Key: t.key!, Value: t.value ?? '' }));
const ec2Tags = (tags: Tag[] | undefined) => [{ ResourceType: 'security-group' as const, Tags: allTags(tags).map((t) => ({ Key: t.key!, Value: t.value ?? '' })) }];

export interface Network {
  vpcId: string;
  subnets: string[];
}

/** The request's subnets (all in one VPC, at least two zones for the load balancer), or the default VPC's. */
export function resolveNetwork(ctx: RequestContext, subnets: string[] | undefined): Network {
  ensureDefaultNetwork(ctx.sql, ctx.account, ctx.region);
  if (!subnets?.length) {
    const vpcId = defaultVpcId(ctx.sql, ctx.account, ctx.region);
    if (!vpcId) throw invalidParameter('No default VPC exists: specify networkConfiguration.subnets.');
    const ids = listStored<Subnet>(ctx, 'subnet', { vpcId }).filter((s) => s.doc.DefaultForAz).map((s) => s.id);
    return { vpcId, subnets: ids };
  }
  const found = subnets.map((id) => {
    const subnet = getDoc<Subnet>(ctx, 'subnet', id);
    if (!subnet) throw invalidParameter(`The subnet ID '${id}' does not exist.`);
    return subnet;
  });
  const vpcs = new Set(found.map((s) => s.VpcId));
  if (vpcs.size > 1) throw invalidParameter('The subnets must all be in the same VPC.');
  if (new Set(found.map((s) => s.AvailabilityZone)).size < 2) {
    throw invalidParameter('The subnets must span at least two Availability Zones: the Application Load Balancer needs two.');
  }
  return { vpcId: found[0].VpcId!, subnets };
}

export function checkSecurityGroups(ctx: RequestContext, vpcId: string, ids: string[] | undefined): void {
  for (const id of ids ?? []) {
    const group = getDoc<{ VpcId?: string }>(ctx, 'security-group', id);
    if (!group) throw invalidParameter(`The security group '${id}' does not exist.`);
    if (group.VpcId !== vpcId) throw invalidParameter(`The security group '${id}' is not in VPC ${vpcId}.`);
  }
}

/** A host name for the service URL in Express's shape (`<name>-<id>.ecs.<region>.on.aws`), under `.localhost`. */
export function endpointFor(serviceName: string, region: string): string {
  const label = serviceName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 50) || 'svc';
  return `${label}-${randomHex(3)}.ecs.${region}.localhost`;
}

export interface Shared {
  loadBalancerArn: string;
  listenerArn: string;
  httpsListenerArn?: string;
  loadBalancerSecurityGroupId: string;
}

const NOT_FOUND = { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' } };

/**
 * The certificate the service's URL is served with: issued by Berth's local CA for its host names, ISSUED at once (the
 * names are Express's own, as AWS's `on.aws` names need no validation by the customer). EC P-256: its key is made
 * inside the create call, and an RSA key takes a hundred times longer.
 */
export function requestServiceCertificate(ctx: RequestContext, hosts: string[], tags: Tag[] | undefined): string {
  return requestCertificate(ctx, {
    DomainName: hosts[0], SubjectAlternativeNames: hosts, ValidationMethod: 'DNS', KeyAlgorithm: 'EC_prime256v1',
    Tags: allTags(tags).map((t) => ({ Key: t.key!, Value: t.value ?? '' })),
  }, { validated: true }).CertificateArn!;
}

/** The shared load balancer's HTTPS:443 listener (404 by default), serving `certificateArn` as its default certificate. */
function createHttpsListener(ctx: RequestContext, loadBalancerArn: string, certificateArn: string, tags: Tag[] | undefined): string {
  return createListener(ctx, {
    LoadBalancerArn: loadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certificateArn }],
    DefaultActions: [NOT_FOUND], Tags: elbTags(tags),
  }).Listeners![0].ListenerArn!;
}

/**
 * Serves the service's certificate on the shared HTTPS listener (SNI picks it by host name): added beside the others,
 * or the listener itself when the load balancer has none yet (one made before Berth served Express over HTTPS).
 */
export function serveCertificate(ctx: RequestContext, shared: Shared, certificateArn: string, tags: Tag[] | undefined): string {
  const existing = shared.httpsListenerArn
    ?? (describeListeners(ctx, { LoadBalancerArn: shared.loadBalancerArn }).Listeners ?? []).find((l) => l.Protocol === 'HTTPS')?.ListenerArn;
  if (!existing) return createHttpsListener(ctx, shared.loadBalancerArn, certificateArn, tags);
  addListenerCertificates(ctx, { ListenerArn: existing, Certificates: [{ CertificateArn: certificateArn }] });
  return existing;
}

/** The cluster's Express load balancer in this VPC: a new one (with its security group, HTTP and HTTPS listeners). */
export function createSharedLoadBalancer(ctx: RequestContext, net: Network, tags: Tag[] | undefined, certificateArn: string): Shared & { httpsListenerArn: string } {
  const id = randomHex(4);
  const sg = createSecurityGroup(ctx, {
    GroupName: `ecs-express-gateway-alb-${id}`, Description: 'Managed by Amazon ECS Express Mode: load balancer ingress',
    VpcId: net.vpcId, TagSpecifications: ec2Tags(tags),
  });
  authorizeSecurityGroupIngress(ctx, {
    GroupId: sg.GroupId!,
    IpPermissions: [80, 443].map((port) => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] })),
  });
  const lb = createLoadBalancer(ctx, {
    Name: `ecs-express-gateway-alb-${id}`, Type: 'application', Scheme: 'internet-facing', Subnets: net.subnets,
    SecurityGroups: [sg.GroupId!], Tags: elbTags(tags),
  }).LoadBalancers![0];
  // AWS's listener is HTTPS:443 with an ACM certificate. Berth adds HTTP:80 with the same Host rules: Berth's main port
  // serves an exact `.localhost` Host of an HTTP listener's rule, so the URL answers there too, over plain HTTP.
  const listener = createListener(ctx, { LoadBalancerArn: lb.LoadBalancerArn!, Protocol: 'HTTP', Port: 80, Tags: elbTags(tags), DefaultActions: [NOT_FOUND] }).Listeners![0];
  const httpsListenerArn = createHttpsListener(ctx, lb.LoadBalancerArn!, certificateArn, tags);
  return { loadBalancerArn: lb.LoadBalancerArn!, listenerArn: listener.ListenerArn!, httpsListenerArn, loadBalancerSecurityGroupId: sg.GroupId! };
}

/** The service's task security group: ingress on its container port from the load balancer's group only. */
export function createTaskSecurityGroup(ctx: RequestContext, net: Network, serviceName: string, lbGroup: string, port: number, tags: Tag[] | undefined): string {
  const sg = createSecurityGroup(ctx, {
    GroupName: `ecs-express-${serviceName.slice(0, 200)}-${randomHex(4)}`, Description: 'Managed by Amazon ECS Express Mode: service tasks',
    VpcId: net.vpcId, TagSpecifications: ec2Tags(tags),
  });
  authorizeSecurityGroupIngress(ctx, {
    GroupId: sg.GroupId!,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: port, ToPort: port, UserIdGroupPairs: [{ GroupId: lbGroup }] }],
  });
  return sg.GroupId!;
}

/** The log group the primary container's awslogs writes to; created unless it exists (then it is not Express's). */
export function ensureLogGroup(ctx: RequestContext, name: string, tags: Tag[] | undefined): boolean {
  if (findGroup(ctx.sql, ctx, name)) return false;
  createLogGroup(ctx, { logGroupName: name, tags: Object.fromEntries(allTags(tags).map((t) => [t.key!, t.value ?? ''])) });
  return true;
}

/** The service's target group (ip targets, its health check path) and the Host-header rules forwarding to it (HTTP and HTTPS). */
export function createRouting(ctx: RequestContext, shared: Shared & { httpsListenerArn: string }, net: Network, hosts: string[], port: number, healthCheckPath: string, tags: Tag[] | undefined) {
  const tg = createTargetGroup(ctx, {
    Name: `ecs-gateway-tg-${randomHex(4)}`, Protocol: 'HTTP', Port: port, VpcId: net.vpcId, TargetType: 'ip',
    HealthCheckPath: healthCheckPath, Tags: elbTags(tags),
  }).TargetGroups![0];
  const hostRule = (listenerArn: string) => {
    const used = (describeRules(ctx, { ListenerArn: listenerArn }).Rules ?? []).filter((r) => !r.IsDefault).map((r) => Number(r.Priority));
    return createRule(ctx, {
      ListenerArn: listenerArn, Priority: used.length ? Math.max(...used) + 1 : 1,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: hosts } }],
      Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn! }], Tags: elbTags(tags),
    }).Rules![0].RuleArn!;
  };
  return { targetGroupArn: tg.TargetGroupArn!, ruleArn: hostRule(shared.listenerArn), httpsRuleArn: hostRule(shared.httpsListenerArn) };
}

export function setHealthCheckPath(ctx: RequestContext, targetGroupArn: string, path: string): void {
  modifyTargetGroup(ctx, { TargetGroupArn: targetGroupArn, HealthCheckPath: path });
}

/** Registers (or updates) the service's scalable target and puts its target-tracking policy. */
export function applyScaling(ctx: RequestContext, cluster: string, serviceName: string, scaling: Required<ExpressGatewayScalingTarget>, r: Pick<ExpressResources, 'loadBalancerArn' | 'targetGroupArn'>, tags: Tag[] | undefined) {
  const ResourceId = `service/${cluster}/${serviceName}`;
  const key = { ServiceNamespace: 'ecs' as const, ResourceId, ScalableDimension: 'ecs:service:DesiredCount' as const };
  const target = registerScalableTarget(ctx, {
    ...key, MinCapacity: scaling.minTaskCount, MaxCapacity: scaling.maxTaskCount,
    Tags: Object.fromEntries(allTags(tags).map((t) => [t.key!, t.value ?? ''])),
  });
  const type = PREDEFINED_METRIC[scaling.autoScalingMetric];
  // ALBRequestCountPerTarget names its target group as app/<lb>/<id>/targetgroup/<tg>/<id>.
  const label = type === 'ALBRequestCountPerTarget'
    ? `${r.loadBalancerArn.split(':loadbalancer/')[1]}/${r.targetGroupArn.split(':')[5]}`
    : undefined;
  const policyName = `${serviceName}-express-scaling`;
  const policy = putScalingPolicy(ctx, {
    ...key, PolicyName: policyName, PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: scaling.autoScalingTargetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: type as 'ECSServiceAverageCPUUtilization', ...(label ? { ResourceLabel: label } : {}) },
    },
  });
  return { scalableTargetArn: target.ScalableTargetARN, policyArn: policy.PolicyARN!, policyName, alarmArns: (policy.Alarms ?? []).map((a) => a.AlarmARN!) };
}

/** What DeleteExpressGatewayService removes at once: scaling, the service's routing, and the load balancer when it was the last. */
export function removeRouting(ctx: RequestContext, cluster: string, serviceName: string, r: ExpressResources, lastOnLoadBalancer: boolean): void {
  if (r.scalableTargetArn) {
    tryDelete(() => deregisterScalableTarget(ctx, { ServiceNamespace: 'ecs', ResourceId: `service/${cluster}/${serviceName}`, ScalableDimension: 'ecs:service:DesiredCount' }));
  }
  tryDelete(() => deleteRule(ctx, { RuleArn: r.ruleArn }));
  if (r.httpsRuleArn) tryDelete(() => deleteRule(ctx, { RuleArn: r.httpsRuleArn! }));
  tryDelete(() => deleteTargetGroup(ctx, { TargetGroupArn: r.targetGroupArn }));
  if (lastOnLoadBalancer) tryDelete(() => deleteLoadBalancer(ctx, { LoadBalancerArn: r.loadBalancerArn }));
  else if (r.httpsListenerArn && r.certificateArn) tryDelete(() => stopServingCertificate(ctx, r.httpsListenerArn!, r.certificateArn!));
  if (r.certificateArn) tryDelete(() => deleteCertificate(ctx, { CertificateArn: r.certificateArn }));
}

/** Takes the service's certificate off the shared HTTPS listener: another service's becomes the default if it was. */
function stopServingCertificate(ctx: RequestContext, listenerArn: string, certificateArn: string): void {
  const certs = describeListenerCertificates(ctx, { ListenerArn: listenerArn }).Certificates ?? [];
  const mine = certs.find((c) => c.CertificateArn === certificateArn);
  if (!mine) return;
  if (!mine.IsDefault) {
    removeListenerCertificates(ctx, { ListenerArn: listenerArn, Certificates: [{ CertificateArn: certificateArn }] });
    return;
  }
  const next = certs.find((c) => !c.IsDefault);
  // The last certificate stays until the listener goes with the load balancer (a listener keeps a default one).
  if (next) modifyListener(ctx, { ListenerArn: listenerArn, Certificates: [{ CertificateArn: next.CertificateArn }] });
}

/**
 * What waits for the service's tasks to stop (their network interfaces hold the groups): the task security groups
 * Express made, the load balancer's group when the load balancer went, and the log group Express made.
 * Returns false while a group is still in use.
 */
export function removeLeftovers(ctx: RequestContext, r: ExpressResources, loadBalancerGone: boolean): boolean {
  for (const id of r.taskSecurityGroupIds) {
    if (getDoc(ctx, 'security-group', id) && !tryDelete(() => deleteSecurityGroup(ctx, { GroupId: id }))) return false;
  }
  const lbGroup = r.loadBalancerSecurityGroupId;
  if (loadBalancerGone && getDoc(ctx, 'security-group', lbGroup) && !tryDelete(() => deleteSecurityGroup(ctx, { GroupId: lbGroup }))) return false;
  if (r.ownsLogGroup && r.logGroupName && findGroup(ctx.sql, ctx, r.logGroupName)) tryDelete(() => deleteLogGroup(ctx, { logGroupName: r.logGroupName }));
  return true;
}

/** Runs a deletion; a refusal (AwsError: removed or changed by hand already) leaves it, a bug still throws. */
function tryDelete(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    return false;
  }
}
