/**
 * Application Auto Scaling's door for the controllers: running a scaling policy an alarm action names
 * (the CloudWatch evaluator's invoker), and running scheduled actions (the scaling-schedules controller).
 */
export { executePolicy, isApplicationScalingPolicy } from './policy-execution.js';
export { runScheduledAction } from './scheduled-actions.js';
export { allScheduledArns } from './store.js';
export type { ScalingEnv } from './capacity.js';
