/**
 * auto-scaling-groups: converges one EC2 Auto Scaling group (key
 * account/region/name) to its desired capacity through EC2's door. A pass
 * first reads what became of its instances (pending → Pending, running →
 * InService; terminated or gone: dropped; stopped: unhealthy, so replaced),
 * then launches from its launch template into the zone of its subnets with
 * the fewest instances, or terminates from the zone with the most (oldest
 * first, never one protected from scale-in), as the default termination
 * policy balances zones. A group being force-deleted terminates everything,
 * then goes. Instances carry `aws:autoscaling:groupName` and the group's
 * PropagateAtLaunch tags. Lifecycle hooks hold a launched instance in
 * Pending:Wait and a chosen victim in Terminating:Wait until their actions
 * complete or time out (the pass requeues for the earliest deadline). Each
 * launch and termination is a scaling activity, open until its instance is in
 * service or gone, and ends with its EventBridge event.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-termination-policies.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html
 */
import type { Instance as GroupInstance } from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import {
  activityEvent, addActivity, allGroupKeys, appendEvent, beginLifecycleActions, causeTime, deleteGroupRow, dropLifecycleActions, findGroup, forgetGroup, groupKeysOfInstance,
  LAUNCHING, lastActivity, newActivity, nextLifecycleDeadline, openActivity, parseGroupKey, saveActivity, saveGroup, settleLifecycleActions, TERMINATING, type StoredGroup,
  WARMED_READY, warmPoolTarget, type WarmGroup,
} from '../services/auto-scaling/index.js';
import {
  findSubnets, instanceState, launchInstances, putSystemTag, startInstances, stopInstances, terminateInstances, defaultSubnets, type InstanceContext,
} from '../services/ec2/index.js';
import type { RequestContext } from '../services/provider.js';
import { iamArn } from '../shared/arns.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Scope } from '../state/scope.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface AutoScalingDeps extends StateDeps {
  changes: ChangeFeed;
  /** Real seconds per CloudWatch minute: lifecycle hooks' heartbeat timeouts run on it. */
  metricsPeriod: number;
}

/** Every group is looked at this often (its instances may be terminated or stopped behind its back). */
const RESYNC_MS = 10_000;
/** While instances are pending or terminating, the group is looked at again this soon. */
const SETTLING_MS = 1_000;
/** A launch that failed is tried again after this long. */
const RETRY_MS = 10_000;

export class AutoScalingGroups implements Controller {
  readonly name = 'auto-scaling-groups';

  readonly watches: Watches = {
    // A group hears about its instances' state changes (EC2's feed) as well as its own.
    changes: [{ kind: 'autoscaling.group' }, { kind: 'ec2.instance', keys: (k) => groupKeysOfInstance(this.d.sql, k) }],
    resync: [{ periodMs: RESYNC_MS, keys: () => allGroupKeys(this.d.sql) }],
  };

  constructor(private readonly d: AutoScalingDeps) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const k = parseGroupKey(key);
    if (!k) return;
    const published: [ChangeKind, string][] = [];
    const ctx: InstanceContext = {
      sql: this.d.sql, account: k.account, region: k.region, clock: this.d.clock, changed: (kind, key2) => published.push([kind, key2]),
    };
    let requeue: number | undefined;
    this.d.db.transaction(() => {
      const g = findGroup(ctx, k.name);
      if (g) requeue = this.converge(ctx, g);
    })();
    for (const [kind, key2] of published) this.d.changes.publish(kind, key2);
    if (requeue !== undefined) return { requeueAfterMs: requeue };
  }

  /** One pass over a group; the delay before the next, if one is needed soon. */
  private converge(ctx: InstanceContext, g: StoredGroup): number | undefined {
    const now = this.d.clock.now();
    const members: GroupInstance[] = [];
    for (const m of g.Instances ?? []) {
      const id = m.InstanceId!;
      const st = instanceState(ctx, id);
      if (!st || st.state === 'terminated') {
        this.gone(ctx, g, id, now);
        continue;
      }
      members.push(m);
      // Lifecycle hooks hold an instance in a wait state until each is completed or times out (lifecycle-hooks.ts).
      if (m.LifecycleState === 'Pending:Wait') {
        const r = settleLifecycleActions(ctx, g, id, LAUNCHING, now);
        if (r.outcome === 'waiting') continue;
        if (r.outcome === 'ABANDON') {
          this.finishLaunch(ctx, g, id, now, 'Cancelled', "Instance failed to complete user's Lifecycle Action: Lifecycle Action was abandoned: Lifecycle Action Completed with ABANDON Result");
          terminateInstances(ctx, { InstanceIds: [id] });
          m.LifecycleState = 'Terminating';
          continue;
        }
        m.LifecycleState = 'Pending:Proceed';
      }
      if (m.LifecycleState === 'Terminating:Wait') {
        if (settleLifecycleActions(ctx, g, id, TERMINATING, now).outcome === 'waiting') continue;
        terminateInstances(ctx, { InstanceIds: [id] });
        m.LifecycleState = 'Terminating:Proceed';
        const a = openActivity(ctx, id, 'terminate');
        if (a) saveActivity(ctx, { ...a, StatusCode: 'InProgress', Progress: 50 });
        continue;
      }
      const terminating = m.LifecycleState?.startsWith('Terminating');
      if (st.state === 'shutting-down') {
        if (!terminating) m.LifecycleState = 'Terminating';
      } else if (st.state === 'pending') {
        if (m.LifecycleState !== 'Pending:Proceed') m.LifecycleState = 'Pending';
      } else if (st.state === 'running' && !terminating) {
        if (m.LifecycleState !== 'InService') this.finishLaunch(ctx, g, id, now, 'Successful');
        m.LifecycleState = 'InService';
      } else if ((st.state === 'stopped' || st.state === 'stopping') && !terminating) {
        // An instance that is not running fails the EC2 status check: the group replaces it.
        m.HealthStatus = 'Unhealthy';
        terminateInstances(ctx, { InstanceIds: [id] });
        m.LifecycleState = 'Terminating';
        this.startTermination(ctx, g, m, now, `At ${causeTime(now)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`, false);
      }
    }
    g.Instances = members;
    const warmSettling = this.settleWarm(ctx, g as WarmGroup, now);
    if (g.Status === 'Delete in progress') {
      for (const w of (g as WarmGroup).BerthWarmInstances ?? []) {
        if (w.LifecycleState === 'Warmed:Terminating') continue;
        terminateInstances(ctx, { InstanceIds: [w.InstanceId!] });
        w.LifecycleState = 'Warmed:Terminating';
      }
      // A forced delete does not wait for lifecycle hooks: their outstanding actions go (AWS).
      for (const m of members) {
        dropLifecycleActions(ctx, m.InstanceId!);
        if (m.LifecycleState === 'Terminating' || m.LifecycleState === 'Terminating:Proceed') continue;
        terminateInstances(ctx, { InstanceIds: [m.InstanceId!] });
        m.LifecycleState = 'Terminating';
      }
      if (!members.length && !(g as WarmGroup).BerthWarmInstances?.length) {
        deleteGroupRow(ctx, g.AutoScalingGroupName);
        forgetGroup(this.requestContext(ctx), g.AutoScalingGroupName);
        return undefined;
      }
      saveGroup(ctx, g);
      return SETTLING_MS;
    }
    let active = members.filter((m) => !m.LifecycleState?.startsWith('Terminating'));
    let failed = false;
    const subnets = this.subnetsOf(ctx, g);
    const before = active.length;
    const desired = g.DesiredCapacity!;
    while (active.length < desired && !failed) {
      const target = leastUsed(subnets, active);
      const cause = `At ${causeTime(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${before} to ${desired}.`;
      // A warmed instance goes first: started if stopped, then in service as a launched one would be.
      const warmed = this.takeWarm(ctx, g as WarmGroup);
      if (warmed) {
        members.push(warmed);
        active.push(warmed);
        this.startLaunch(ctx, g, warmed, now, cause, `Launching a new EC2 instance from warm pool: ${warmed.InstanceId}`);
        continue;
      }
      try {
        const m = this.launch(ctx, g, target);
        members.push(m);
        active.push(m);
        this.startLaunch(ctx, g, m, now, cause);
      } catch (err) {
        failed = true;
        const message = err instanceof Error ? err.message : String(err);
        this.d.log.warn('auto scaling group could not launch an instance', { group: g.AutoScalingGroupName, error: message });
        this.launchFailed(ctx, g, now, message, cause);
      }
    }
    while (active.length > desired) {
      const victim = chooseVictim(active);
      if (!victim) break;
      active = active.filter((m) => m !== victim);
      this.startTermination(ctx, g, victim, now, `At ${causeTime(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${before} to ${desired}.  At ${causeTime(now)} instance ${victim.InstanceId} was selected for termination.`, true);
    }
    // The change that asked for this capacity has been acted on: later launches (replacements) have causes of their own.
    if (!failed && active.length === desired) delete g.BerthCause;
    if (!failed) failed = !this.fillWarm(ctx, g as WarmGroup, subnets, now);
    saveGroup(ctx, g);
    if (failed) return RETRY_MS;
    const warmMoving = warmSettling || ((g as WarmGroup).BerthWarmInstances ?? []).some((w) => !WARMED_READY.has(w.LifecycleState ?? ''));
    if (warmMoving || members.some((m) => m.LifecycleState !== 'InService' && !m.LifecycleState?.endsWith(':Wait'))) return SETTLING_MS;
    const deadline = nextLifecycleDeadline(ctx, g.AutoScalingGroupName);
    return deadline === undefined ? undefined : Math.max(1, deadline - now);
  }

  /** The cause a launch or termination carries: what changed the desired capacity (if anything did), then what the group did. */
  private cause(g: StoredGroup, what: string): string {
    return g.BerthCause ? `${g.BerthCause}  ${what}` : what;
  }

  private startLaunch(ctx: InstanceContext, g: StoredGroup, m: GroupInstance, now: number, what: string, description = `Launching a new EC2 instance: ${m.InstanceId}`): void {
    const id = m.InstanceId!;
    const held = beginLifecycleActions(ctx, g, id, LAUNCHING, now, this.d.metricsPeriod);
    if (held) m.LifecycleState = 'Pending:Wait';
    addActivity(ctx, newActivity(g, {
      Description: description, Cause: this.cause(g, what), StartTime: now,
      StatusCode: held ? 'MidLifecycleAction' : 'PreInService', Progress: 30,
      Details: JSON.stringify({ 'Subnet ID': instanceState(ctx, id)?.subnetId ?? '', 'Availability Zone': m.AvailabilityZone }),
    }), 'launch', id);
  }

  /** Takes an instance out of service: held by termination hooks (Terminating:Wait), or terminated now. */
  private startTermination(ctx: InstanceContext, g: StoredGroup, m: GroupInstance, now: number, what: string, terminate: boolean): void {
    const id = m.InstanceId!;
    const held = terminate && beginLifecycleActions(ctx, g, id, TERMINATING, now, this.d.metricsPeriod);
    if (terminate && !held) terminateInstances(ctx, { InstanceIds: [id] });
    m.LifecycleState = held ? 'Terminating:Wait' : 'Terminating';
    addActivity(ctx, newActivity(g, {
      Description: `Terminating EC2 instance: ${id}`, Cause: this.cause(g, what), StartTime: now, StatusCode: held ? 'MidLifecycleAction' : 'InProgress', Progress: held ? 30 : 50,
      Details: JSON.stringify({ 'Subnet ID': instanceState(ctx, id)?.subnetId ?? '', 'Availability Zone': m.AvailabilityZone }),
    }), 'terminate', id);
  }

  /** A launch that failed is a Failed activity (once while the same failure repeats on each retry), with its event. */
  private launchFailed(ctx: InstanceContext, g: StoredGroup, now: number, message: string, what: string): void {
    const last = lastActivity(ctx, g.AutoScalingGroupName);
    if (last?.StatusCode === 'Failed' && last.StatusMessage === message) return;
    const a = newActivity(g, {
      Description: `Launching a new EC2 instance.  Status Reason: ${message}. Launching EC2 instance failed.`, Cause: this.cause(g, what), StartTime: now, EndTime: now,
      StatusCode: 'Failed', StatusMessage: message, Progress: 100, Details: '{}',
    });
    addActivity(ctx, a);
    appendEvent(ctx, 'EC2 Instance Launch Unsuccessful', [g.AutoScalingGroupARN], {
      Origin: 'EC2', Destination: 'AutoScalingGroup', StatusCode: 'Failed', Description: a.Description, AutoScalingGroupName: g.AutoScalingGroupName,
      ActivityId: a.ActivityId, Details: {}, RequestId: a.ActivityId, StatusMessage: message, EndTime: causeTime(now), EC2InstanceId: '', StartTime: causeTime(now), Cause: a.Cause,
    }, now);
  }

  /** A launch's activity ends: in service (Successful), abandoned (Cancelled) or lost (Failed); with its event. */
  private finishLaunch(ctx: InstanceContext, g: StoredGroup, id: string, now: number, status: 'Successful' | 'Cancelled' | 'Failed', message?: string): void {
    const a = openActivity(ctx, id, 'launch');
    if (!a) return;
    const done = { ...a, StatusCode: status, Progress: 100, EndTime: now, ...(message ? { StatusMessage: message, Description: `${a.Description}.  Status Reason: ${message}` } : {}) };
    saveActivity(ctx, done);
    activityEvent(ctx, g.AutoScalingGroupARN, status === 'Successful' ? 'EC2 Instance Launch Successful' : 'EC2 Instance Launch Unsuccessful', done, id, now);
  }

  /** An instance gone from EC2: its termination is done (or its launch was lost), its hooks' actions go. */
  private gone(ctx: InstanceContext, g: StoredGroup, id: string, now: number): void {
    dropLifecycleActions(ctx, id);
    this.finishLaunch(ctx, g, id, now, 'Failed', 'The instance was terminated before it was in service.');
    const a = openActivity(ctx, id, 'terminate');
    if (!a) return;
    const done = { ...a, StatusCode: 'Successful', Progress: 100, EndTime: now };
    saveActivity(ctx, done);
    activityEvent(ctx, g.AutoScalingGroupARN, 'EC2 Instance Terminate Successful', done, id, now);
  }

  /**
   * The warm pool's instances follow EC2: launched ones are prepared (`Warmed:Pending`), then stopped for a Stopped or
   * Hibernated pool or left running, their activity ending then; gone ones leave the pool. Whether any is still moving.
   */
  private settleWarm(ctx: InstanceContext, g: WarmGroup, now: number): boolean {
    if (!g.BerthWarmInstances) return false;
    const pool = g.WarmPoolConfiguration?.PoolState ?? 'Stopped';
    const kept: GroupInstance[] = [];
    let moving = false;
    for (const w of g.BerthWarmInstances) {
      const id = w.InstanceId!;
      const st = instanceState(ctx, id);
      if (!st || st.state === 'terminated') {
        this.gone(ctx, g, id, now);
        continue;
      }
      kept.push(w);
      if (w.LifecycleState === 'Warmed:Terminating') {
        moving = true;
        continue;
      }
      if (w.LifecycleState !== 'Warmed:Pending') continue;
      moving = true;
      if (st.state === 'running') {
        if (pool === 'Running') {
          w.LifecycleState = 'Warmed:Running';
          this.finishLaunch(ctx, g, id, now, 'Successful');
        } else stopInstances(ctx, { InstanceIds: [id] });
      } else if (st.state === 'stopped') {
        w.LifecycleState = pool === 'Hibernated' ? 'Warmed:Hibernated' : 'Warmed:Stopped';
        this.finishLaunch(ctx, g, id, now, 'Successful');
      }
    }
    g.BerthWarmInstances = kept;
    return moving;
  }

  /** A warmed instance for a scale-out, out of the pool (started if it is not running), or none. */
  private takeWarm(ctx: InstanceContext, g: WarmGroup): GroupInstance | undefined {
    const i = (g.BerthWarmInstances ?? []).findIndex((w) => WARMED_READY.has(w.LifecycleState ?? ''));
    if (i < 0) return undefined;
    const [w] = g.BerthWarmInstances!.splice(i, 1);
    if (instanceState(ctx, w.InstanceId!)?.state === 'stopped') startInstances(ctx, { InstanceIds: [w.InstanceId!] });
    return { ...w, LifecycleState: 'Pending', ProtectedFromScaleIn: !!g.NewInstancesProtectedFromScaleIn };
  }

  /** Keeps the pool at its size (launching into it, or terminating the newest); a deleted pool goes once empty. False when a launch failed. */
  private fillWarm(ctx: InstanceContext, g: WarmGroup, subnets: { subnetId: string; zone: string }[], now: number): boolean {
    if (!g.WarmPoolConfiguration) return true;
    const pool = g.BerthWarmInstances ??= [];
    const live = pool.filter((w) => w.LifecycleState !== 'Warmed:Terminating');
    const target = warmPoolTarget(g);
    let ok = true;
    while (live.length < target) {
      try {
        const m = this.launch(ctx, g, leastUsed(subnets, live));
        m.LifecycleState = 'Warmed:Pending';
        pool.push(m);
        live.push(m);
        addActivity(ctx, newActivity(g, {
          Description: `Launching a new EC2 instance into warm pool: ${m.InstanceId}`, StartTime: now, StatusCode: 'PreInService', Progress: 30,
          Cause: `At ${causeTime(now)} an instance was launched into the warm pool in response to a difference between its size and the size it should have, ${target}.`,
          Details: JSON.stringify({ 'Subnet ID': instanceState(ctx, m.InstanceId!)?.subnetId ?? '', 'Availability Zone': m.AvailabilityZone }),
        }), 'launch', m.InstanceId!);
      } catch (err) {
        this.d.log.warn('warm pool could not launch an instance', { group: g.AutoScalingGroupName, error: err instanceof Error ? err.message : String(err) });
        ok = false;
        break;
      }
    }
    while (live.length > target) {
      const w = live.pop()!;
      terminateInstances(ctx, { InstanceIds: [w.InstanceId!] });
      w.LifecycleState = 'Warmed:Terminating';
      addActivity(ctx, newActivity(g, {
        Description: `Terminating EC2 instance from warm pool: ${w.InstanceId}`, StartTime: now, StatusCode: 'InProgress', Progress: 50,
        Cause: `At ${causeTime(now)} an instance was taken out of the warm pool in response to a difference between its size and the size it should have, ${target}.`,
        Details: JSON.stringify({ 'Availability Zone': w.AvailabilityZone }),
      }), 'terminate', w.InstanceId!);
    }
    g.WarmPoolSize = pool.length;
    if (g.WarmPoolConfiguration.Status === 'PendingDelete' && !pool.length) {
      delete g.WarmPoolConfiguration;
      delete g.WarmPoolSize;
      delete g.BerthWarmInstances;
    }
    return ok;
  }

  /** What removing a deleted group's policies (and their alarms) needs: a request context of the controller's own. */
  private requestContext(ctx: InstanceContext): RequestContext {
    const { db, sql, clock, log, metricsPeriod } = this.d;
    return { account: ctx.account, region: ctx.region, requestId: randomUUID(), principalArn: iamArn.root(ctx.account), accessKeyId: '', db, sql, clock, log, metricsPeriod, changed: ctx.changed };
  }

  /** The group's subnets with their zones (zones alone: their default subnets). */
  private subnetsOf(s: Scope, g: StoredGroup): { subnetId: string; zone: string }[] {
    const ids = (g.VPCZoneIdentifier ?? '').split(',').filter(Boolean);
    if (ids.length) return findSubnets(s.sql, s.account, s.region, ids).found.map((x) => ({ subnetId: x.subnetId, zone: x.availabilityZone }));
    const defaults = defaultSubnets(s.sql, s.account, s.region);
    return (g.AvailabilityZones ?? []).flatMap((zone) => defaults.filter((x) => x.availabilityZone === zone).map((x) => ({ subnetId: x.subnetId, zone })));
  }

  private launch(ctx: InstanceContext, g: StoredGroup, target: { subnetId: string; zone: string } | undefined): GroupInstance {
    const spec = g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const tags = (g.Tags ?? []).filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' }));
    const r = launchInstances(ctx, {
      MinCount: 1, MaxCount: 1,
      LaunchTemplate: { LaunchTemplateId: spec?.LaunchTemplateId, Version: spec?.Version },
      ...(target ? { SubnetId: target.subnetId } : {}),
      ...(tags.length ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags }] } : {}),
    });
    const i = r.Instances![0];
    putSystemTag(ctx, i.InstanceId!, 'aws:autoscaling:groupName', g.AutoScalingGroupName);
    return {
      InstanceId: i.InstanceId, InstanceType: i.InstanceType, AvailabilityZone: i.Placement?.AvailabilityZone, LifecycleState: 'Pending',
      HealthStatus: 'Healthy', LaunchTemplate: spec, ProtectedFromScaleIn: !!g.NewInstancesProtectedFromScaleIn,
    };
  }
}

/** The subnet whose zone has the fewest of the group's instances (the first such, in the group's order). */
function leastUsed(subnets: { subnetId: string; zone: string }[], active: GroupInstance[]) {
  let best: { subnetId: string; zone: string } | undefined;
  let bestCount = Infinity;
  for (const sn of subnets) {
    const n = active.filter((m) => m.AvailabilityZone === sn.zone).length;
    if (n < bestCount) {
      best = sn;
      bestCount = n;
    }
  }
  return best;
}

/** The default termination policy, simplified: from the zone with the most instances, the newest unprotected one last launched. */
function chooseVictim(active: GroupInstance[]): GroupInstance | undefined {
  const candidates = active.filter((m) => !m.ProtectedFromScaleIn);
  if (!candidates.length) return undefined;
  const perZone = new Map<string, number>();
  for (const m of active) perZone.set(m.AvailabilityZone!, (perZone.get(m.AvailabilityZone!) ?? 0) + 1);
  const most = Math.max(...candidates.map((m) => perZone.get(m.AvailabilityZone!)!));
  const inZone = candidates.filter((m) => perZone.get(m.AvailabilityZone!) === most);
  // Pending ones first (not yet serving), then in launch order: the first launched goes first (closest to its billing hour).
  return inZone.find((m) => m.LifecycleState === 'Pending') ?? inZone[0];
}
