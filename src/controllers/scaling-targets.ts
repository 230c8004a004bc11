/**
 * scaling-targets: an ECS service's scalable target goes with the service (key = the service's ARN). When a service
 * leaves ACTIVE (DeleteService), Application Auto Scaling's target for it is deregistered with its policies, their
 * alarms and its scheduled actions, as AWS does — users of AWS see the target gone once the service is deleted, and a
 * later DeregisterScalableTarget answers ObjectNotFoundException. Each service change pokes its key (a pass is one
 * indexed read when the service has no target); a resync looks at every ECS target.
 */
import { randomUUID } from 'node:crypto';
import { ecsTargetServiceArns, retireDeletedServiceTarget } from '../services/application-auto-scaling/index.js';
import type { RequestContext } from '../services/provider.js';
import { iamArn, parseEcsArn } from '../shared/arns.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface ScalingTargetsDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

const RESYNC_MS = 5 * 60_000;

export class ScalingTargets implements Controller {
  readonly name = 'scaling-targets';
  readonly watches: Watches;

  constructor(private readonly d: ScalingTargetsDeps) {
    this.watches = {
      changes: [{ kind: 'ecs.service' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? ecsTargetServiceArns(this.d.sql) : []) }],
    };
  }

  async reconcile(serviceArn: string): Promise<ReconcileResult | void> {
    const { db, sql, clock, log, changes } = this.d;
    const s = parseEcsArn(serviceArn);
    if (!db.open || !s?.cluster) return;
    // Berth acts for Application Auto Scaling here, as the account's root: its own changes go out once committed.
    const ctx: RequestContext = {
      account: s.account, region: s.region, requestId: randomUUID(), principalArn: iamArn.root(s.account), accessKeyId: '',
      db, sql, clock, log, metricsPeriod: this.d.metricsPeriod,
      changed: (kind, key) => queueMicrotask(() => changes.publish(kind, key)),
    };
    const retired = db.transaction(() => retireDeletedServiceTarget(ctx, s.cluster!, s.name))();
    if (retired) log.info('scalable target deregistered with its ECS service', { service: serviceArn });
  }
}
