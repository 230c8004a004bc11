/**
 * event-delivery: moves ECS's, ECR's and EC2 Auto Scaling's events onto the default bus (key SERVICE_EVENTS_KEY, poked by
 * ECS's task and service changes, ECR's image actions and Auto Scaling's outbox), and hands EventBridge's queued events to their targets (key = `<rule ARN> <target id>`), oldest first,
 * each delivery one transaction (services/eventbridge/delivery.ts). A PutEvents, a match of an ECS event or a
 * schedule's tick pokes the key; at start every key with deliveries waiting is enqueued, so what was accepted
 * before a kill -9 is delivered after the restart. A failed delivery requeues itself for its retry.
 */
import { deliverNext, drainServiceEvents, pendingDeliveries } from '../services/eventbridge/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EventDeliveryDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

/** A safety net: keys with deliveries waiting are enqueued this often too (each pass is cheap when none is due). */
const RESYNC_MS = 60_000;
/** ECS's and ECR's outboxes are looked at this often besides when ECS changes something (one indexed read when empty). */
const SERVICE_EVENTS_RESYNC_MS = 10_000;
export const SERVICE_EVENTS_KEY = '#service-events';

export class EventDelivery implements Controller {
  readonly name = 'event-delivery';
  readonly concurrency = 2;
  readonly watches: Watches;

  constructor(private readonly d: EventDeliveryDeps) {
    this.watches = {
      changes: [
        { kind: 'events.delivery' },
        ...(['ecs.task', 'ecs.task-state', 'ecs.service', 'ecr.image-action', 'autoscaling.event'] as const).map((kind) => ({ kind, keys: () => [SERVICE_EVENTS_KEY] })),
      ],
      resync: [
        { periodMs: RESYNC_MS, keys: () => (this.d.db.open ? pendingDeliveries(this.d.sql) : []) },
        { periodMs: SERVICE_EVENTS_RESYNC_MS, keys: () => [SERVICE_EVENTS_KEY] },
      ],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.d.db.open) return;
    const deps = { ...this.d, publish: (kind: Parameters<ChangeFeed['publish']>[0], k: string) => this.d.changes.publish(kind, k) };
    if (key === SERVICE_EVENTS_KEY) return drainServiceEvents(deps) ? { requeueAfterMs: 0 } : undefined;
    const wait = deliverNext(deps, key);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
