/**
 * Events AWS services send to each account's default bus, in AWS's shape: ECS (`source: aws.ecs`, the detail type ECS
 * names, `resources` the task's or service's ARN, `detail` ECS's document) and ECR (`source: aws.ecr`: `ECR Image
 * Action` for pushes and deletes, `ECR Image Scan` when a basic scan finishes; ECR's store shapes them) and EC2 Auto Scaling
 * (`source: aws.autoscaling`: instance launches, terminations and lifecycle actions, in AWS's shapes). Each service appends its
 * events to its own outbox in the transaction that makes the change; this drains the outboxes in order, routing each
 * event and forgetting it in one transaction, so none is lost or repeated across a crash and a resource's events keep
 * their order.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeKind } from '../../state/change-feed.js';
import type { Statements } from '../../state/db.js';
import { takeEcrEvents } from '../ecr/store/index.js';
import { takeEcsEvents } from '../ecs/index.js';
import { takeAutoScalingEvents } from '../auto-scaling/index.js';
import type { DeliveryDeps } from './delivery.js';
import { eventTime, routeEvent } from './routing.js';
import { DEFAULT_BUS, ensureDefaultBus } from './store.js';
import type { BusEvent } from './types.js';

const BATCH = 200;

interface Outboxed { account: string; region: string; at: number; source: string; detailType: string; resources: string[]; detail: object }

/** Each service's outbox, as events to route. */
const OUTBOXES: ((sql: Statements) => { events: Outboxed[]; done(): void })[] = [
  (sql) => {
    const t = takeEcsEvents(sql, BATCH);
    return { events: t.events.map((e) => ({ ...e, source: 'aws.ecs' })), done: t.done };
  },
  (sql) => {
    const t = takeEcrEvents(sql, BATCH);
    return { events: t.events.map((e) => ({ ...e, source: 'aws.ecr' })), done: t.done };
  },
  (sql) => {
    const t = takeAutoScalingEvents(sql, BATCH);
    return { events: t.events.map((e) => ({ ...e, source: 'aws.autoscaling' })), done: t.done };
  },
];

/** Drains one batch of each outbox; returns true when more may be waiting. */
export function drainServiceEvents(d: Omit<DeliveryDeps, 'log'>): boolean {
  const changes: [ChangeKind, string][] = [];
  const more = d.db.transaction(() => {
    let full = false;
    const now = d.clock.now();
    for (const take of OUTBOXES) {
      const { events, done } = take(d.sql);
      for (const e of events) {
        const scope = { account: e.account, region: e.region };
        ensureDefaultBus(d.sql, scope, now);
        const event: BusEvent = {
          version: '0', id: randomUUID(), 'detail-type': e.detailType, source: e.source, account: e.account, time: eventTime(e.at),
          region: e.region, resources: e.resources, detail: e.detail,
        };
        routeEvent(d.sql, scope, DEFAULT_BUS, event, now, (kind, key) => changes.push([kind, key]));
      }
      done();
      full ||= events.length === BATCH;
    }
    return full;
  })();
  for (const [kind, key] of changes) d.publish(kind, key);
  return more;
}
