/**
 * apprunner-services: each App Runner service (key = its ARN) converges on its desired state through Express Mode
 * (services/apprunner/reconcile.ts): its operation ends as its ECS service's deployment completes or fails, a push to
 * its tracked ECR tag deploys with AutoDeploymentsEnabled, and its instances follow the concurrency the data plane
 * counted on its target group. App Runner's own changes, its ECS service's changes (a scheduler pass, a deployment
 * settling) and ECR image actions in its scope poke the key; a one-second resync samples concurrency for scaling.
 */
import { randomUUID } from 'node:crypto';
import { appRunnerArnForExpress, liveServiceArns, reconcileService, unfinishedServiceArns, type GroupLoad } from '../services/apprunner/index.js';
import type { RequestContext } from '../services/provider.js';
import { iamArn } from '../shared/arns.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface AppRunnerServicesDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
  /** The most requests in flight at once on a target group since the last call (the load balancer data plane's count). */
  groupLoad: (targetGroupArn: string) => GroupLoad;
}

/** How often concurrency is sampled for scaling (App Runner reacts within seconds). */
const SAMPLE_MS = 1_000;

export class AppRunnerServices implements Controller {
  readonly name = 'apprunner-services';
  readonly watches: Watches;

  constructor(private readonly d: AppRunnerServicesDeps) {
    const ours = (ecsArn: string) => {
      const arn = this.d.db.open ? appRunnerArnForExpress(this.d.sql, ecsArn) : undefined;
      return arn ? [arn] : [];
    };
    this.watches = {
      changes: [
        { kind: 'apprunner.service' },
        { kind: 'ecs.service', keys: ours },
        { kind: 'ecs.service-status', keys: ours },
        // key `<account>|<region>`: the scope's services look whether their tag moved.
        { kind: 'ecr.image-action', keys: (scope) => (this.d.db.open ? liveServiceArns(this.d.sql, ...(scope.split('|') as [string, string])) : []) },
      ],
      resync: [{ periodMs: SAMPLE_MS, keys: () => (this.d.db.open ? unfinishedServiceArns(this.d.sql) : []) }],
    };
  }

  async reconcile(arn: string): Promise<ReconcileResult | void> {
    const { db, sql, clock, log, changes } = this.d;
    const parts = arn.split(':');
    if (!db.open || parts.length < 6) return;
    // Berth acts for App Runner here, as the account's root: its own changes go out once committed.
    const ctx: RequestContext = {
      account: parts[4], region: parts[3], requestId: randomUUID(), principalArn: iamArn.root(parts[4]), accessKeyId: '',
      db, sql, clock, log, metricsPeriod: this.d.metricsPeriod,
      changed: (kind, key) => queueMicrotask(() => changes.publish(kind, key)),
    };
    const env = { takeLoad: this.d.groupLoad, minuteMs: this.d.metricsPeriod * 1000 };
    db.transaction(() => reconcileService(ctx, arn, env))();
  }
}
