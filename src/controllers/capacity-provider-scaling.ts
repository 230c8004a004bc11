/**
 * capacity-provider-scaling: ECS managed scaling for Auto Scaling group capacity providers
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).
 *
 * Each metric period, for every ACTIVE provider with `managedScaling.status = ENABLED` and each cluster using it,
 * Berth publishes `AWS/ECS/ManagedScaling` `CapacityProviderReservation` = M ÷ N × 100, where N is the group's
 * instances (pending or in service) and M the instances the provider's tasks need: the group's instances holding
 * tasks plus, for the tasks waiting for capacity, fresh instances of the launch template's type bin-packed with
 * them (N = 0: 100 when nothing waits, else 200, as AWS defines it). It keeps the target-tracking policy AWS creates
 * on the group (`ECSManagedAutoScalingPolicy-<uuid>`, target = `targetCapacity`) as two CloudWatch alarms on that
 * metric, whose action (the policy ARN) `managedScalingInvoker` carries out: the group's desired capacity becomes
 * ceil(M × 100 ÷ target), one step within the minimum and maximum step sizes and the group's min and max. With
 * managed termination protection, instances holding tasks are protected from scale-in, so only empty ones go.
 */
import { randomUUID } from 'node:crypto';
import type { CapacityProvider } from '@aws-sdk/client-ecs';
import {
  findGroup, groupsWithManagedDraining, instancesAwaitingDrain, isAutoScalingPolicyArn, managedPolicyActive, managedPolicyArn, proceedTermination, protectBusyInstances,
  putManagedPolicy, removeManagedPolicy, setManagedDraining, stepDesiredCapacity, stillDraining,
} from '../services/auto-scaling/index.js';
import { deleteOwnedAlarms, putOwnedAlarm, recordOwnMetrics, RECORD_ONLY, type AlarmAction, type AlarmActionInvoker } from '../services/cloudwatch/index.js';
import { ecsCpuUnits, ecsMemoryMiB, instanceTypeSpec, launchTemplateInstanceType } from '../services/ec2/index.js';
import {
  autoScalingGroupProviders, clustersUsingProvider, drainForTermination, providerDemand, saveCapacityProvider,
} from '../services/ecs/index.js';
import type { RequestContext } from '../services/provider.js';
import { resourceId, iamArn } from '../shared/arns.js';
import type { Clock } from '../shared/clock.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Statements } from '../state/db.js';
import type { Scope } from '../state/scope.js';
import type { Controller, StateDeps, Watches } from './runtime.js';

export const MANAGED_SCALING_KEY = 'managed-scaling';

/** What Berth keeps on the provider's record: the policy it made on the group and that policy's alarms. */
interface ManagedPolicy {
  id: string;
  name: string;
  arn: string;
  group: string;
  cluster: string;
  target: number;
  /** instanceWarmupPeriod when the policy was made (the policy's EstimatedInstanceWarmup). */
  warmup?: number;
  alarms: string[];
  /** Clock ms of the policy's last scale-out: scale-in waits for its instances' warm-up. */
  scaledOutAt?: number;
}
type ProviderDoc = CapacityProvider & { berthManagedPolicy?: ManagedPolicy };

export interface CapacityScalingDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

/** M and N for one provider and cluster. */
export interface Reservation {
  needed: number;
  running: number;
  busy: Set<string>;
}

/** CapacityProviderReservation as AWS defines it, with its N = 0 cases. */
export function reservationPercent(r: { needed: number; running: number }): number {
  if (r.running === 0) return r.needed === 0 ? 100 : 200;
  return (r.needed / r.running) * 100;
}

/** M and N of a provider in one cluster, from the group's record, ECS's tasks and the launch template's instance type. */
export function measureReservation(s: Scope, provider: CapacityProvider, cluster: string): Reservation | undefined {
  const groupName = resourceId(provider.autoScalingGroupProvider!.autoScalingGroupArn!);
  const g = findGroup(s, groupName);
  if (!g) return undefined;
  const members = (g.Instances ?? []).filter((i) => i.LifecycleState === 'Pending' || i.LifecycleState === 'InService');
  const demand = providerDemand(s, cluster, provider.name!, members.map((i) => i.InstanceId!));
  let fresh = 0;
  if (demand.waiting.length) {
    const lt = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    let type: string | undefined;
    try {
      // The group keeps both the template's id and name; EC2 takes one of them.
      type = lt ? launchTemplateInstanceType(s, lt.LaunchTemplateId ? { LaunchTemplateId: lt.LaunchTemplateId, Version: lt.Version } : { LaunchTemplateName: lt.LaunchTemplateName, Version: lt.Version }) : undefined;
    } catch {
      type = undefined; // a deleted template: size by one task per instance
    }
    const spec = instanceTypeSpec(type);
    // Each group of waiting tasks with the same CPU and memory is packed onto fresh instances of the type.
    for (const w of demand.waiting) {
      const fit = spec ? Math.min(w.cpu ? Math.floor(ecsCpuUnits(spec) / w.cpu) : Infinity, w.memory ? Math.floor(ecsMemoryMiB(spec.memoryMiB) / w.memory) : Infinity) : 1;
      // A task bigger than the instance type can never be placed: it asks for no instance (it waits, then stops).
      if (fit >= 1) fresh += Math.ceil(w.count / (Number.isFinite(fit) ? fit : w.count));
    }
  }
  return { needed: demand.busyInstanceIds.length + fresh, running: members.length, busy: new Set(demand.busyInstanceIds) };
}

export class CapacityProviderScaling implements Controller {
  readonly name = 'capacity-provider-scaling';
  readonly watches: Watches;

  constructor(private readonly d: CapacityScalingDeps) {
    this.watches = { resync: [{ periodMs: Math.max(200, d.metricsPeriod * 1000), keys: () => [MANAGED_SCALING_KEY] }] };
  }

  async reconcile(): Promise<void> {
    const { db, sql, clock, log, changes, metricsPeriod } = this.d;
    if (!db.open) return;
    db.transaction(() => {
      const contextOf = (account: string, region: string): RequestContext => ({
        account, region, requestId: randomUUID(), principalArn: iamArn.root(account), accessKeyId: '', db, sql, clock, log, metricsPeriod,
        changed: (kind, key) => queueMicrotask(() => changes.publish(kind, key)),
      });
      const draining = new Set<string>();
      for (const { account, region, provider } of autoScalingGroupProviders(sql)) {
        const p = provider as ProviderDoc;
        if (this.manage(contextOf(account, region), p)) draining.add(`${account}/${region}/${resourceId(p.autoScalingGroupProvider!.autoScalingGroupArn!)}`);
      }
      // A group whose provider is gone (deleted once no cluster used it: no longer listed) loses the hook.
      for (const g of groupsWithManagedDraining(sql)) {
        if (!draining.has(`${g.account}/${g.region}/${g.name}`)) setManagedDraining(contextOf(g.account, g.region), g.name, false);
      }
    })();
  }

  /** One provider's pass; whether its group keeps the managed-draining hook. */
  private manage(ctx: RequestContext, p: ProviderDoc): boolean {
    const asg = p.autoScalingGroupProvider!;
    const groupName = resourceId(asg.autoScalingGroupArn!);
    const draining = p.status === 'ACTIVE' && asg.managedDraining !== 'DISABLED';
    this.drain(ctx, groupName, draining);
    // A deleted provider's policy goes with it.
    const enabled = p.status === 'ACTIVE' && asg.managedScaling?.status === 'ENABLED';
    const clusters = clustersUsingProvider(ctx, p.name!);
    syncPolicy(ctx, p, enabled ? clusters[0] : undefined);
    if (!enabled) return draining;
    const busy = new Set<string>();
    for (const cluster of clusters) {
      const r = measureReservation(ctx, p, cluster);
      if (!r) continue;
      for (const id of r.busy) busy.add(id);
      recordOwnMetrics(ctx.sql, [{
        account: ctx.account, region: ctx.region, namespace: 'AWS/ECS/ManagedScaling', name: 'CapacityProviderReservation',
        dimensions: [{ Name: 'CapacityProviderName', Value: p.name! }, { Name: 'ClusterName', Value: cluster }],
        values: [reservationPercent(r)], unit: 'Percent', timestamp: ctx.clock.now(),
      }], this.d.metricsPeriod);
    }
    if (asg.managedTerminationProtection === 'ENABLED') protectBusyInstances(ctx, groupName, busy);
    return draining;
  }

  /**
   * Managed draining: while it is on, the group carries ECS's termination lifecycle hook, so the instances it takes
   * out of service wait (Terminating:Wait); each one's container instance goes DRAINING, and once its tasks are gone
   * (a service's replaced elsewhere first) ECS completes its hook's action (the group terminates it when no other
   * hook holds it); until then each pass is the action's heartbeat.
   */
  private drain(ctx: RequestContext, groupName: string, on: boolean) {
    setManagedDraining(ctx, groupName, on);
    if (!on) return;
    const env = { sql: ctx.sql, account: ctx.account, region: ctx.region, now: ctx.clock.now(), log: ctx.log, changed: ctx.changed };
    for (const id of instancesAwaitingDrain(ctx, groupName)) {
      if (drainForTermination(env, id)) proceedTermination(ctx, groupName, id);
      else stillDraining(ctx, groupName, id, env.now, this.d.metricsPeriod);
    }
  }
}

/**
 * Makes (or removes) the provider's policy and alarms: present while managed scaling is enabled and a cluster uses
 * the provider, re-made when the target, the warm-up or the cluster changes. AWS names them as for any
 * target-tracking policy, and the policy is a record of the group's (DescribePolicies lists it).
 */
function syncPolicy(ctx: RequestContext, p: ProviderDoc, cluster: string | undefined) {
  const have = p.berthManagedPolicy;
  const target = p.autoScalingGroupProvider?.managedScaling?.targetCapacity ?? 100;
  const warmup = p.autoScalingGroupProvider?.managedScaling?.instanceWarmupPeriod ?? 300;
  if (have && cluster && have.cluster === cluster && have.target === target && (have.warmup ?? 300) === warmup) return;
  if (have) {
    deleteOwnedAlarms(ctx, have.alarms);
    removeManagedPolicy(ctx, have.arn);
  }
  if (!cluster) {
    if (have) {
      delete p.berthManagedPolicy;
      saveCapacityProvider(ctx, p);
    }
    return;
  }
  const group = resourceId(p.autoScalingGroupProvider!.autoScalingGroupArn!);
  const id = have?.id ?? randomUUID();
  const name = `ECSManagedAutoScalingPolicy-${id}`;
  const arn = managedPolicyArn(ctx.account, ctx.region, group, id, name);
  const base = {
    Namespace: 'AWS/ECS/ManagedScaling', MetricName: 'CapacityProviderReservation', Statistic: 'Average' as const, Period: 60, Unit: 'Percent' as const,
    Dimensions: [{ Name: 'CapacityProviderName', Value: p.name! }, { Name: 'ClusterName', Value: cluster }],
    ActionsEnabled: true, AlarmActions: [arn], Threshold: target,
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${arn}.`,
  };
  // ECS's managed-scaling policy scales out on one datapoint above the target and in after 15 below it.
  const high = `TargetTracking-${group}-AlarmHigh-${id}`;
  const low = `TargetTracking-${group}-AlarmLow-${id}`;
  const highArn = putOwnedAlarm(ctx, { ...base, AlarmName: high, EvaluationPeriods: 1, DatapointsToAlarm: 1, ComparisonOperator: 'GreaterThanThreshold' });
  const lowArn = putOwnedAlarm(ctx, { ...base, AlarmName: low, EvaluationPeriods: 15, DatapointsToAlarm: 15, ComparisonOperator: 'LessThanThreshold' });
  putManagedPolicy(ctx, {
    group, name, arn, capacityProvider: p.name!, cluster, target, warmup, alarms: [{ AlarmName: high, AlarmARN: highArn }, { AlarmName: low, AlarmARN: lowArn }],
  });
  p.berthManagedPolicy = { id, name, arn, group, cluster, target, warmup, alarms: [high, low] };
  saveCapacityProvider(ctx, p);
}

/** The capacity provider whose managed-scaling policy has this ARN, in its scope. */
function providerOfPolicy(sql: Statements, account: string, region: string, arn: string): ProviderDoc | undefined {
  return autoScalingGroupProviders(sql).find((r) => r.account === account && r.region === region && (r.provider as ProviderDoc).berthManagedPolicy?.arn === arn)?.provider as ProviderDoc | undefined;
}

/**
 * Carries out a managed-scaling policy's alarm action: the high alarm only scales out, the low one only in, to
 * ceil(M × 100 ÷ target) instances. Everything else goes to `next`.
 */
export function managedScalingInvoker(d: { clock: Clock; changes: ChangeFeed; metricsPeriod: number }, next: AlarmActionInvoker = RECORD_ONLY): AlarmActionInvoker {
  return {
    invoke(sql: Statements, a: AlarmAction) {
      if (!isAutoScalingPolicyArn(a.action)) return next.invoke(sql, a);
      const p = providerOfPolicy(sql, a.account, a.region, a.action);
      const policy = p?.berthManagedPolicy;
      if (!p || !policy) return next.invoke(sql, a);
      // Deleted by a user (DeletePolicy) or put with Enabled false: ECS's alarms no longer scale the group.
      if (!managedPolicyActive(sql, a.action)) return { ok: true, summary: `Successfully executed action ${a.action}: the policy is disabled` };
      const scope = { sql, account: a.account, region: a.region, changed: (kind: 'autoscaling.group', key: string) => queueMicrotask(() => d.changes.publish(kind, key)) };
      const r = measureReservation(scope, p, policy.cluster);
      if (!r) return { ok: false, summary: `Failed to execute action ${a.action}. Received error: "The Auto Scaling group ${policy.group} was not found."` };
      const wanted = Math.ceil((r.needed * 100) / policy.target);
      const current = findGroup(scope, policy.group)?.DesiredCapacity ?? 0;
      const outward = a.alarmName === policy.alarms[0];
      if (outward ? wanted <= current : wanted >= current) return { ok: true, summary: `Successfully executed action ${a.action}: desired capacity stays ${current}` };
      const ms = p.autoScalingGroupProvider!.managedScaling!;
      // Target tracking blocks scale-in while the instances of a scale-out warm up (instanceWarmupPeriod, in metric
      // time); scale-out already counts warming instances, as the desired capacity includes them.
      // https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html
      const warmUpMs = ((ms.instanceWarmupPeriod ?? 300) / 60) * d.metricsPeriod * 1000;
      const now = d.clock.now();
      if (!outward && policy.scaledOutAt !== undefined && now - policy.scaledOutAt < warmUpMs) {
        return { ok: true, summary: `Successfully executed action ${a.action}: desired capacity stays ${current} while instances warm up` };
      }
      const moved = stepDesiredCapacity(scope, policy.group, wanted, {
        minimumScalingStepSize: ms.minimumScalingStepSize ?? 1, maximumScalingStepSize: ms.maximumScalingStepSize ?? 10000,
      }, { at: a.at, alarm: a.alarmName, policy: policy.name });
      if (outward && moved && moved.to > moved.from) {
        policy.scaledOutAt = now;
        saveCapacityProvider(scope, p);
      }
      return moved
        ? { ok: true, summary: `Successfully executed action ${a.action}: changing the desired capacity from ${moved.from} to ${moved.to}` }
        : { ok: false, summary: `Failed to execute action ${a.action}. Received error: "The Auto Scaling group ${policy.group} is being deleted."` };
    },
  };
}
