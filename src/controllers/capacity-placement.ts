/**
 * capacity-placement: places the EC2 tasks that wait in PROVISIONING for a capacity provider's instances (key: the
 * cluster's ARN), as ECS does once managed scaling's instances register or a task frees room: oldest first, each by
 * the placement it was launched with (its constraints and strategies, its provider's instances only). A task that
 * waits longer than ECS lets one wait stops (TaskFailedToStart) and, for a service, is replaced as a failed start.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/managed-scaling-behavior.html
 *
 * A pass comes when an instance of the cluster registers or changes (`ecs.cluster`), and every second for the
 * clusters with a waiting task (a task elsewhere stopping frees room; read from a partial index of the waiting rows).
 */
import {
  asksTaskGroups, clustersWithWaitingTasks, definitionDemand, findTaskDefinitionByArn, instanceZone, place, placementCandidates, placeWaitingTask,
  saveTaskDesired, waitingTasks, type RecordedTask,
} from '../services/ecs/index.js';
import { ecsArn, parseEcsArn } from '../shared/arns.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface CapacityPlacementDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

const RESYNC_MS = 1_000;
/**
 * "Provisioning tasks will wait for capacity for between 10 and 30 minutes before transitioning to stopped" (Deep
 * Dive on Amazon ECS Cluster Auto Scaling). Berth waits the 30, in metric minutes (--metrics-period compresses them).
 */
export const CAPACITY_WAIT_MINUTES = 30;
/**
 * The stopped reason ECS gives such a task, as users report it (ECS does not document it): stop code
 * TaskFailedToStart, "EMPTY CAPACITY PROVIDER".
 */
export const CAPACITY_WAIT_REASON = 'TaskFailedToStart: EMPTY CAPACITY PROVIDER';

export class CapacityPlacement implements Controller {
  readonly name = 'capacity-placement';
  readonly watches: Watches;

  constructor(private readonly d: CapacityPlacementDeps) {
    this.watches = {
      // Instances registered, changed state or left: the cluster's waiting tasks look again.
      changes: [{ kind: 'ecs.cluster' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => clustersWithWaitingTasks(d.sql).map((r) => ecsArn.cluster(r.region, r.account, r.cluster)) }],
    };
  }

  async reconcile(clusterArn: string): Promise<ReconcileResult | void> {
    const c = parseEcsArn(clusterArn);
    if (!c?.name || !this.d.db.open) return;
    const scope = { sql: this.d.sql, account: c.account, region: c.region };
    const waitMs = CAPACITY_WAIT_MINUTES * this.d.metricsPeriod * 1000;
    const touched: string[] = [];
    let placed = 0;
    this.d.db.transaction(() => {
      const now = this.d.clock.now();
      for (const t of waitingTasks(scope, c.name) as RecordedTask[]) {
        const w = t.berthAwaitingCapacity;
        if (t.desiredStatus !== 'RUNNING' || !w) continue;
        const def = findTaskDefinitionByArn(this.d.sql, t.taskDefinitionArn!);
        if (!def) continue;
        const group = t.group ?? `family:${def.family}`;
        // Candidates are read afresh for each task: the one placed before it already holds its share of its instance.
        const candidates = placementCandidates(scope, c.name, { group, all: asksTaskGroups(w.constraints) }, 'EC2', t.capacityProviderName);
        const result = candidates.length ? place(candidates, {
          demand: definitionDemand(def, { cpu: t.overrides?.cpu, memory: t.overrides?.memory }),
          requiredAttributes: (def.requiresAttributes ?? []).map((a) => a.name!).filter(Boolean),
          constraints: w.constraints, strategies: w.strategies, count: 1, group,
        }) : { placements: [] };
        if (result.placements.length) {
          const instance = result.placements[0];
          placeWaitingTask(this.d.sql, t, instance, instanceZone(this.d.sql, instance));
          touched.push(t.taskArn!);
          placed++;
        } else if (now - w.since >= waitMs) {
          t.desiredStatus = 'STOPPED';
          t.stopCode = 'TaskFailedToStart';
          t.stoppedReason = CAPACITY_WAIT_REASON;
          t.version = (t.version ?? 0) + 1;
          saveTaskDesired(this.d.sql, t);
          touched.push(t.taskArn!);
        }
      }
    })();
    for (const arn of touched) this.d.changes.publish('ecs.task', arn);
    if (placed) this.d.log.info('tasks placed on new capacity', { cluster: clusterArn, placed });
  }
}
