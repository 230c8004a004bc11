/**
 * event-delivery: hands EventBridge's queued events to their targets (key = `<rule ARN> <target id>`), oldest first,
 * each delivery one transaction (services/eventbridge/delivery.ts). A PutEvents, a match of an ECS event or a
 * schedule's tick pokes the key; at start every key with deliveries waiting is enqueued, so what was accepted
 * before a kill -9 is delivered after the restart. A failed delivery requeues itself for its retry.
 */
import { deliverNext, pendingDeliveries } from '../services/eventbridge/index.js';
import type { ChangeFeed } from '../state/change-feed.js';
import type { Controller, ReconcileResult, StateDeps, Watches } from './runtime.js';

export interface EventDeliveryDeps extends StateDeps {
  changes: ChangeFeed;
  metricsPeriod: number;
}

/** A safety net: keys with deliveries waiting are enqueued this often too (each pass is cheap when none is due). */
const RESYNC_MS = 60_000;

export class EventDelivery implements Controller {
  readonly name = 'event-delivery';
  readonly concurrency = 2;
  readonly watches: Watches;

  constructor(private readonly d: EventDeliveryDeps) {
    this.watches = {
      changes: [{ kind: 'events.delivery' }],
      resync: [{ periodMs: RESYNC_MS, keys: () => (this.d.db.open ? pendingDeliveries(this.d.sql) : []) }],
    };
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (!this.d.db.open) return;
    const wait = deliverNext({ ...this.d, publish: (kind, k) => this.d.changes.publish(kind, k) }, key);
    return wait === undefined ? undefined : { requeueAfterMs: wait };
  }
}
