/**
 * EventBridge's door for the controllers: delivering queued events to targets and draining ECS's and ECR's events
 * onto the default bus (event-delivery), ticking scheduled rules (event-schedules), and what each needs to list at start;
 * for other services: invoking targets and the retry rules (EventBridge Scheduler), putting an AWS service's event on
 * the default bus (Application Auto Scaling).
 */
import type { Statements } from '../../state/db.js';
import { deliveryKey } from './routing.js';
import { pendingDeliveryKeys, scheduledRuleArns } from './store.js';

export { deliverNext, invokeTarget, type DeliveryDeps, type InvokedTarget } from './delivery.js';
export { afterFailure, type RetryPolicy } from './retry.js';
export { putEventOnBus, putServiceEvent } from './routing.js';
export { tickSchedule } from './scheduled.js';
export { drainServiceEvents } from './service-events.js';
export { scheduledRuleArns } from './store.js';

/** Every `<rule ARN> <target id>` with deliveries waiting. */
export const pendingDeliveries = (sql: Statements): string[] => pendingDeliveryKeys(sql).map((r) => deliveryKey(r.rule_arn, r.target_id));
