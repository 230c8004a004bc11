/**
 * express-teardown: a deleted ECS Express service (key = its ARN) is finished once its ECS service is INACTIVE.
 * DeleteExpressGatewayService removes at once what traffic and scaling use (rule, target group, the shared load
 * balancer when it was the last, scalable target) and drains the service; the security groups its tasks' network
 * interfaces hold, and the log group they write to, can only go after the tasks have stopped. Each ECS service
 * change, and each task state change in a cluster with an Express service being deleted, pokes its key (a pass is
 * one indexed read when the service is not an Express service being deleted); a resync looks at every Express
 * service still DRAINING.
 */
import { randomUUID } from 'node:crypto';
import { drainingExpressArns, drainingExpressInCluster, finishExpressTeardown } from '../services/ecs/index.js';
import type { RequestContext } from '../services/provider.js';
import { iamArn, parseEcsArn } from '../shared/arns.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface ExpressTeardownDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

const RESYNC_MS = 30_000;
/** A task's interface released a moment after its service turned INACTIVE: look again soon. */
const RETRY_MS = 1_000;

export class ExpressTeardown implements Controller {
  readonly name = 'express-teardown';
  readonly watches: Watches;

  constructor(private readonly d: ExpressTeardownDeps) {
    this.watches = {
      changes: [
        { kind: 'ecs.service' },
        // The service turns INACTIVE when its last task stops: a task stopping in a cluster with an Express service
        // being deleted looks at it (one indexed read, nothing for clusters without one).
        { kind: 'ecs.task-state', keys: (taskArn) => this.drainingOf(taskArn) },
      ],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? drainingExpressArns(this.d.sql) : []) }],
    };
  }

  private drainingOf(taskArn: string): string[] {
    const t = parseEcsArn(taskArn);
    return t?.cluster && this.d.db.open ? drainingExpressInCluster(this.d.sql, t.account, t.region, t.cluster) : [];
  }

  async reconcile(serviceArn: string): Promise<ReconcileResult | void> {
    const { db, sql, clock, log, changes } = this.d;
    const s = parseEcsArn(serviceArn);
    if (!db.open || !s?.cluster) return;
    // Berth acts for ECS Express here, as the account's root: its own changes go out once committed.
    const ctx: RequestContext = {
      account: s.account, region: s.region, requestId: randomUUID(), principalArn: iamArn.root(s.account), accessKeyId: '',
      db, sql, clock, log, metricsPeriod: this.d.metricsPeriod,
      changed: (kind, key) => queueMicrotask(() => changes.publish(kind, key)),
    };
    const outcome = db.transaction(() => finishExpressTeardown(ctx, serviceArn))();
    if (outcome === 'done') log.info('express service deleted', { service: serviceArn });
    // Waiting on the ECS service is woken by its change; waiting on a group still held is not, so look again.
    if (outcome === 'waiting') return { requeueAfterMs: RETRY_MS };
  }
}
