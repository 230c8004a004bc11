/**
 * ECS's events onto each account's default bus, in AWS's shape (`source: aws.ecs`, the detail type ECS names,
 * `resources` the task's or service's ARN, `detail` ECS's document). ECS appends them to its outbox in the
 * transaction that makes each change; this drains the outbox in order, routing each event and forgetting it in one
 * transaction, so none is lost or repeated across a crash and a resource's events keep their order.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeKind } from '../../state/change-feed.js';
import { takeEcsEvents } from '../ecs/index.js';
import type { DeliveryDeps } from './delivery.js';
import { eventTime, routeEvent } from './routing.js';
import { DEFAULT_BUS, ensureDefaultBus } from './store.js';
import type { BusEvent } from './types.js';

const BATCH = 200;

/** Drains one batch; returns true when more may be waiting. */
export function drainEcsEvents(d: Omit<DeliveryDeps, 'log'>): boolean {
  const changes: [ChangeKind, string][] = [];
  const more = d.db.transaction(() => {
    const { events, done } = takeEcsEvents(d.sql, BATCH);
    const now = d.clock.now();
    for (const e of events) {
      const scope = { account: e.account, region: e.region };
      ensureDefaultBus(d.sql, scope, now);
      const event: BusEvent = {
        version: '0', id: randomUUID(), 'detail-type': e.detailType, source: 'aws.ecs', account: e.account, time: eventTime(e.at),
        region: e.region, resources: e.resources, detail: e.detail,
      };
      routeEvent(d.sql, scope, DEFAULT_BUS, event, now, (kind, key) => changes.push([kind, key]));
    }
    done();
    return events.length === BATCH;
  })();
  for (const [kind, key] of changes) d.publish(kind, key);
  return more;
}
