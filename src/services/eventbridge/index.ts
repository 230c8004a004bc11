/**
 * EventBridge's door for the controllers: delivering queued events to targets and draining ECS's and ECR's events
 * onto the default bus (event-delivery), ticking scheduled rules (event-schedules), and what each needs to list at start.
 */
import type { Statements } from '../../state/db.js';
import { deliveryKey } from './routing.js';
import { pendingDeliveryKeys, scheduledRuleArns } from './store.js';

export { deliverNext, invokeTarget, type DeliveryDeps, type InvokedTarget } from './delivery.js';
export { putEventOnBus } from './routing.js';
export { nextFire, parseSchedule, type Schedule } from './schedule.js';
export { tickSchedule } from './scheduled.js';
export { drainServiceEvents } from './service-events.js';
export { scheduledRuleArns } from './store.js';

/** Every `<rule ARN> <target id>` with deliveries waiting. */
export const pendingDeliveries = (sql: Statements): string[] => pendingDeliveryKeys(sql).map((r) => deliveryKey(r.rule_arn, r.target_id));
