/**
 * How an App Runner service runs on ECS Express Mode (one Express service each, in the `default` cluster, through
 * ECS's and ELBv2's doors inside the App Runner call's transaction):
 * - the image configuration becomes Express's primary container (the image pinned to the digest being deployed,
 *   port, start command, environment, secrets), the instance configuration its cpu, memory and task role;
 * - the App Runner URL's host joins the Express service's Host-header rules on the shared load balancer (HTTP:80,
 *   and HTTPS:443 whose certificate from Berth's local CA names it too), whose target group takes App Runner's
 *   health check and least-outstanding-requests balancing;
 * - App Runner scales by concurrency itself, so Express's scalable target is removed and App Runner sets the ECS
 *   service's desired count; a paused service's rule answers with a fixed response instead of forwarding;
 * - the ECS deployment circuit breaker (with rollback) makes a deployment that never turns healthy fail and leaves
 *   the old version serving.
 * ECS's and ELBv2's own errors are App Runner's InvalidRequestException here.
 */
import type { ExpressGatewayContainer, ExpressGatewayServiceConfiguration, Service as EcsService } from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { iamArn } from '../../shared/arns.js';
import { deregisterScalableTarget } from '../application-auto-scaling/index.js';
import { createExpressGatewayService, deleteExpressGatewayService, loadExpress, loadService as loadEcsService, updateExpressGatewayService, updateService } from '../ecs/index.js';
import {
  createListener, deleteListener, describeListeners, modifyListener, modifyRule, modifyTargetGroup, modifyTargetGroupAttributes,
} from '../elastic-load-balancing-v2/operations.js';
import type { RequestContext } from '../provider.js';
import { syncHosts } from './custom-domains.js';
import { invalidRequest } from './errors.js';
import type { ServiceDoc } from './store.js';

const CLUSTER = 'default';
/** What a paused service's URL answers (Berth's reading: no instance serves it, as for a URL App Runner does not know). */
export const PAUSED_RESPONSE = { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' };

/** ECS and ELBv2 refusals, as App Runner answers a request it cannot carry out. */
function asAppRunner<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof AwsError && !['InvalidRequestException', 'InvalidStateException', 'ResourceNotFoundException'].includes(err.code)) {
      throw invalidRequest(err.message);
    }
    throw err;
  }
}

/** App Runner's StartCommand as an argument list (shell-style words: quotes group, backslash escapes). */
export function commandWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) cur += command[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < command.length) {
      cur += command[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) words.push(cur);
  return words;
}

function container(doc: ServiceDoc, image: string): ExpressGatewayContainer {
  const plan = doc.berth.code?.plan;
  if (plan) {
    // A code source's build: its image's command is the start command; the plan's port, environment and secrets run it.
    return {
      image, containerPort: Number(plan.port),
      environment: Object.entries(plan.env).map(([name, value]) => ({ name, value })),
      secrets: Object.entries(plan.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    };
  }
  const ic = doc.SourceConfiguration.ImageRepository?.ImageConfiguration ?? {};
  return {
    image, containerPort: Number(ic.Port ?? '8080'),
    command: ic.StartCommand ? commandWords(ic.StartCommand) : undefined,
    environment: Object.entries((ic.RuntimeEnvironmentVariables ?? {}) as Record<string, string>).map(([name, value]) => ({ name, value })),
    secrets: Object.entries((ic.RuntimeEnvironmentSecrets ?? {}) as Record<string, string>).map(([name, valueFrom]) => ({ name, valueFrom })),
  };
}

/** The execution role Express needs to pull the image: App Runner's access role, else its ECR access role's usual name. */
const accessRole = (ctx: RequestContext, doc: ServiceDoc) =>
  doc.SourceConfiguration.AuthenticationConfiguration?.AccessRoleArn ?? iamArn.role(ctx.account, 'AppRunnerECRAccessRole', '/service-role/');

export interface Launched {
  expressArn: string;
  cluster: string;
  targetGroupArn: string;
  ruleArn: string;
  expressHost: string;
  deploymentId: string;
  /** The service's own HTTP listener (a port of its own: ownListener). */
  ownListenerArn: string;
}

/** The first port from which a service's own listener is numbered (each takes the next one free on the load balancer). */
const OWN_PORT_BASE = 8000;

/**
 * A port of the service's own (Berth's convenience: AWS has none): an HTTP listener on the shared load balancer whose
 * default action forwards to the service's target group, so every request to its port reaches the service whatever
 * its Host. The data plane binds the listener's port on 127.0.0.1 when free, else one of its own (`berth status`).
 */
function ownListener(ctx: RequestContext, doc: ServiceDoc, loadBalancerArn: string, targetGroupArn: string): string {
  const used = new Set((describeListeners(ctx, { LoadBalancerArn: loadBalancerArn }).Listeners ?? []).map((l) => l.Port));
  let port = OWN_PORT_BASE;
  while (used.has(port)) port++;
  return createListener(ctx, {
    LoadBalancerArn: loadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
    Tags: [{ Key: 'AppRunnerService', Value: doc.ServiceArn }],
  }).Listeners![0].ListenerArn!;
}

/** Creates the Express service running `image` (pinned by digest) with `instances` tasks. */
export function launch(ctx: RequestContext, doc: ServiceDoc, image: string, instances: number): Launched {
  return asAppRunner(() => {
    const ic = doc.InstanceConfiguration;
    const hc = doc.HealthCheckConfiguration;
    const { service } = createExpressGatewayService(ctx, {
      cluster: CLUSTER, serviceName: `${doc.ServiceName}-${doc.ServiceId.slice(0, 8)}`,
      executionRoleArn: accessRole(ctx, doc), infrastructureRoleArn: iamArn.role(ctx.account, 'AWSServiceRoleForAppRunner', '/aws-service-role/apprunner.amazonaws.com/'),
      ...(ic.InstanceRoleArn ? { taskRoleArn: ic.InstanceRoleArn } : {}),
      primaryContainer: container(doc, image), cpu: ic.Cpu, memory: ic.Memory,
      healthCheckPath: hc.Protocol === 'HTTP' ? hc.Path ?? '/' : '/',
      scalingTarget: { minTaskCount: Math.max(1, instances), maxTaskCount: Math.max(1, instances) },
      tags: [{ key: 'AppRunnerService', value: doc.ServiceArn }],
    }, { extraHosts: [doc.ServiceUrl] });
    const expressArn = service!.serviceArn!;
    const cfg = service!.activeConfigurations![0] as ExpressGatewayServiceConfiguration;
    const ecs = loadEcsService(ctx.sql, expressArn)!;
    const targetGroupArn = ecs.service.loadBalancers![0].targetGroupArn!;
    // App Runner scales by concurrency (the apprunner-services controller), not Express's target tracking.
    deregisterScalableTarget(ctx, { ServiceNamespace: 'ecs', ResourceId: `service/${CLUSTER}/${ecs.service.serviceName}`, ScalableDimension: 'ecs:service:DesiredCount' });
    updateService(ctx, {
      cluster: CLUSTER, service: ecs.service.serviceName!, desiredCount: instances,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, minimumHealthyPercent: 100, maximumPercent: 200 },
    });
    const expressHost = cfg.ingressPaths![0].endpoint!;
    const resources = loadExpress(ctx, expressArn)!.resources;
    const ruleArn = resources.ruleArn;
    modifyTargetGroupAttributes(ctx, {
      TargetGroupArn: targetGroupArn,
      Attributes: [{ Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' }, { Key: 'deregistration_delay.timeout_seconds', Value: '10' }],
    });
    applyHealthCheck(ctx, targetGroupArn, doc);
    const ownListenerArn = ownListener(ctx, doc, resources.loadBalancerArn, targetGroupArn);
    return { expressArn, cluster: CLUSTER, targetGroupArn, ruleArn, expressHost, deploymentId: primaryDeploymentId(ecs.service)!, ownListenerArn };
  });
}

/** App Runner's health check on the target group (ELB's ranges: interval ≥ 5 s, thresholds ≥ 2). TCP: any answer is healthy. */
export function applyHealthCheck(ctx: RequestContext, targetGroupArn: string, doc: ServiceDoc): void {
  const hc = doc.HealthCheckConfiguration;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const interval = clamp(hc.Interval ?? 5, 5, 300);
  asAppRunner(() => modifyTargetGroup(ctx, {
    TargetGroupArn: targetGroupArn, HealthCheckPath: hc.Protocol === 'HTTP' ? hc.Path ?? '/' : '/',
    HealthCheckIntervalSeconds: interval, HealthCheckTimeoutSeconds: clamp(hc.Timeout ?? 2, 2, interval - 1),
    HealthyThresholdCount: clamp(hc.HealthyThreshold ?? 1, 2, 10), UnhealthyThresholdCount: clamp(hc.UnhealthyThreshold ?? 5, 2, 10),
    Matcher: { HttpCode: hc.Protocol === 'HTTP' ? '200-399' : '200-499' },
  }));
}

/** Rolls out a new version (image pinned by digest, and the configuration now in `doc`): the new ECS deployment's id. */
export function deploy(ctx: RequestContext, doc: ServiceDoc, image: string): string {
  return asAppRunner(() => {
    const ic = doc.InstanceConfiguration;
    updateExpressGatewayService(ctx, {
      serviceArn: doc.berth.expressArn!, primaryContainer: container(doc, image),
      ...(ic.InstanceRoleArn ? { taskRoleArn: ic.InstanceRoleArn } : {}), cpu: ic.Cpu, memory: ic.Memory,
      healthCheckPath: doc.HealthCheckConfiguration.Protocol === 'HTTP' ? doc.HealthCheckConfiguration.Path ?? '/' : '/',
    });
    // Express re-registers its scalable target on update: App Runner keeps scaling itself.
    const ecs = ecsService(ctx, doc)!;
    try {
      deregisterScalableTarget(ctx, { ServiceNamespace: 'ecs', ResourceId: `service/${doc.berth.cluster}/${ecs.serviceName}`, ScalableDimension: 'ecs:service:DesiredCount' });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
    }
    applyHealthCheck(ctx, doc.berth.targetGroupArn!, doc);
    return primaryDeploymentId(ecs)!;
  });
}

export function ecsService(ctx: RequestContext, doc: ServiceDoc): EcsService | undefined {
  return doc.berth.expressArn ? loadEcsService(ctx.sql, doc.berth.expressArn)?.service : undefined;
}

export const primaryDeploymentId = (s: EcsService) => s.deployments?.find((d) => d.status === 'PRIMARY')?.id;

/** The number of tasks the ECS service runs. */
export function setInstances(ctx: RequestContext, doc: ServiceDoc, n: number): void {
  const ecs = ecsService(ctx, doc);
  if (!ecs || ecs.status !== 'ACTIVE' || ecs.desiredCount === n) return;
  asAppRunner(() => updateService(ctx, { cluster: doc.berth.cluster, service: ecs.serviceName!, desiredCount: n }));
}

/** A paused service's rules (HTTP and HTTPS) answer for it; a running one's forward to its target group. */
export function setServing(ctx: RequestContext, doc: ServiceDoc, serving: boolean): void {
  const https = doc.berth.expressArn ? loadExpress(ctx, doc.berth.expressArn)?.resources.httpsRuleArn : undefined;
  const extra = Object.values(doc.berth.servedHosts ?? {}).flatMap((h) => [h.httpRuleArn, ...(h.httpsRuleArn ? [h.httpsRuleArn] : [])]);
  for (const RuleArn of [doc.berth.ruleArn!, ...(https ? [https] : []), ...extra]) {
    asAppRunner(() => modifyRule(ctx, {
      RuleArn,
      Actions: serving ? [{ Type: 'forward', TargetGroupArn: doc.berth.targetGroupArn! }] : [{ Type: 'fixed-response', FixedResponseConfig: PAUSED_RESPONSE }],
    }));
  }
  const own = doc.berth.ownListenerArn;
  if (own) {
    asAppRunner(() => modifyListener(ctx, {
      ListenerArn: own,
      DefaultActions: serving ? [{ Type: 'forward', TargetGroupArn: doc.berth.targetGroupArn! }] : [{ Type: 'fixed-response', FixedResponseConfig: PAUSED_RESPONSE }],
    }));
  }
}

/** Deletes the Express service (its rule, target group, the shared load balancer when last; the rest once its tasks stop). */
export function remove(ctx: RequestContext, doc: ServiceDoc): void {
  // Custom domains' and ingress domains' rules forward to the target group Express deletes: they go first.
  syncHosts(ctx, doc, true);
  const own = doc.berth.ownListenerArn;
  if (own) {
    try {
      deleteListener(ctx, { ListenerArn: own });
    } catch (err) {
      if (!(err instanceof AwsError)) throw err;
    }
  }
  if (!doc.berth.expressArn) return;
  asAppRunner(() => deleteExpressGatewayService(ctx, { serviceArn: doc.berth.expressArn }));
}

/**
 * Where the service's ECS deployment `id` stands: 'done' once it is the only deployment and has converged healthy,
 * 'failed' when ECS failed it (the circuit breaker then rolls back to the previous version, if any), else 'running'.
 */
export function deploymentState(s: EcsService, id: string): 'done' | 'failed' | 'running' {
  const d = s.deployments?.find((x) => x.id === id);
  if (!d) return 'failed';
  if (d.rolloutState === 'FAILED') return 'failed';
  if (d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED' && s.deployments!.length === 1) return 'done';
  return 'running';
}

/** Whether the ECS service has settled at its desired count (one deployment, nothing pending). */
export function settled(s: EcsService): boolean {
  const p = s.deployments?.find((d) => d.status === 'PRIMARY');
  return !!p && s.deployments!.length === 1 && (p.runningCount ?? 0) === (s.desiredCount ?? 0) && (p.pendingCount ?? 0) === 0;
}
