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
 * PropagateAtLaunch tags.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-termination-policies.html
 */
import type { Instance as GroupInstance } from '@aws-sdk/client-auto-scaling';
import {
  allGroupKeys, deleteGroupRow, drainsBeforeTermination, findGroup, groupKeysOfInstance, parseGroupKey, saveGroup, type StoredGroup,
} from '../services/auto-scaling/index.js';
import { findSubnets, instanceState, launchInstances, putSystemTag, terminateInstances, defaultSubnets, type InstanceContext } from '../services/ec2/index.js';
import type { ChangeFeed, ChangeKind } from '../state/change-feed.js';
import type { Scope } from '../state/scope.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface AutoScalingDeps extends StateDeps {
  changes: ChangeFeed;
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
    const members: GroupInstance[] = [];
    for (const m of g.Instances ?? []) {
      const st = instanceState(ctx, m.InstanceId!);
      if (!st || st.state === 'terminated') continue;
      if (st.state === 'shutting-down') m.LifecycleState = 'Terminating';
      else if (st.state === 'pending') m.LifecycleState = 'Pending';
      else if (st.state === 'running' && !m.LifecycleState?.startsWith('Terminating')) m.LifecycleState = 'InService';
      else if ((st.state === 'stopped' || st.state === 'stopping') && !m.LifecycleState?.startsWith('Terminating')) {
        // An instance that is not running fails the EC2 status check: the group replaces it.
        m.HealthStatus = 'Unhealthy';
        terminateInstances(ctx, { InstanceIds: [m.InstanceId!] });
        m.LifecycleState = 'Terminating';
      }
      members.push(m);
    }
    g.Instances = members;
    if (g.Status === 'Delete in progress') {
      for (const m of members) {
        if (m.LifecycleState === 'Terminating') continue;
        terminateInstances(ctx, { InstanceIds: [m.InstanceId!] });
        m.LifecycleState = 'Terminating';
      }
      if (!members.length) {
        deleteGroupRow(ctx, g.AutoScalingGroupName);
        return undefined;
      }
      saveGroup(ctx, g);
      return SETTLING_MS;
    }
    // ECS managed draining let these go (its lifecycle hook's CONTINUE): they terminate now.
    for (const m of members) {
      if (m.LifecycleState !== 'Terminating:Proceed') continue;
      terminateInstances(ctx, { InstanceIds: [m.InstanceId!] });
      m.LifecycleState = 'Terminating';
    }
    let active = members.filter((m) => !m.LifecycleState?.startsWith('Terminating'));
    let failed = false;
    const subnets = this.subnetsOf(ctx, g);
    while (active.length < g.DesiredCapacity! && !failed) {
      const target = leastUsed(subnets, active);
      try {
        const m = this.launch(ctx, g, target);
        members.push(m);
        active.push(m);
      } catch (err) {
        failed = true;
        this.d.log.warn('auto scaling group could not launch an instance', { group: g.AutoScalingGroupName, error: err instanceof Error ? err.message : String(err) });
      }
    }
    while (active.length > g.DesiredCapacity!) {
      const victim = chooseVictim(active);
      if (!victim) break;
      // With ECS managed draining the instance waits (Terminating:Wait) until ECS has moved its tasks off.
      if (drainsBeforeTermination(g)) victim.LifecycleState = 'Terminating:Wait';
      else {
        terminateInstances(ctx, { InstanceIds: [victim.InstanceId!] });
        victim.LifecycleState = 'Terminating';
      }
      active = active.filter((m) => m !== victim);
    }
    saveGroup(ctx, g);
    if (failed) return RETRY_MS;
    return members.some((m) => m.LifecycleState !== 'InService') ? SETTLING_MS : undefined;
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
