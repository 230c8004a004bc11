/**
 * Application Auto Scaling's door for the controllers: running a scaling policy an alarm action names
 * (the CloudWatch evaluator's invoker), running scheduled actions (the scaling-schedules controller), and
 * deregistering a deleted ECS service's scalable target (the scaling-targets controller).
 */
export { executePolicy, isApplicationScalingPolicy } from './policy-execution.js';
export { runScheduledAction } from './scheduled-actions.js';
export { allScheduledArns, ecsTargetServiceArns } from './store.js';
/** The console's chart marks. */
export { serviceScalingActivities } from './store.js';
export { retireDeletedServiceTarget } from './targets.js';
export type { ScalingEnv } from './capacity.js';
/** The operations, for ECS Express Mode, which registers its service's target and policy inside its own call. */
export { registerScalableTarget, deregisterScalableTarget } from './targets.js';
export { putScalingPolicy } from './policies.js';
