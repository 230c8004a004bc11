/**
 * EC2 Auto Scaling's front door for the controllers and EventBridge: its store (groups and their instances), ECS
 * managed scaling's moves, running policies an alarm names, running scheduled actions, the lifecycle-hook waits and
 * activities the group controller keeps, and the event outbox.
 */
export * from './store.js';
export * from './managed-capacity.js';
export { addActivity, causeTime, lastActivity, newActivity, openActivity, saveActivity, type ActivityDoc } from './activities.js';
export { activityEvent, appendEvent, takeAutoScalingEvents, type AutoScalingEvent } from './events.js';
export { beginLifecycleActions, dropLifecycleActions, LAUNCHING, nextLifecycleDeadline, settleLifecycleActions, TERMINATING } from './lifecycle-hooks.js';
export { executeGroupPolicy, isGroupPolicy, type GroupScalingEnv } from './policy-execution.js';
export { allScheduledUpdateArns, runScheduledUpdate } from './scheduled-actions.js';
export { forgetGroup } from './groups.js';
export { groupMetricValues, groupsCollectingMetrics } from './metrics-collection.js';
export { WARMED_READY, warmPoolCounts, warmPoolTarget, type WarmGroup } from './warm-pools.js';
