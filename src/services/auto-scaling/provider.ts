/**
 * EC2 Auto Scaling (groups with launch templates, scaling policies, activities, scheduled actions, lifecycle hooks):
 * the operation table. Everything else answers 501.
 */
import type { Provider } from '../provider.js';
import { describeScalingActivities } from './activities.js';
import * as groups from './groups.js';
import * as hooks from './lifecycle-hooks.js';
import * as metrics from './metrics-collection.js';
import * as policies from './policies.js';
import * as scheduled from './scheduled-actions.js';
import * as warm from './warm-pools.js';

export const provider: Provider = {
  createAutoScalingGroup: groups.createAutoScalingGroup,
  updateAutoScalingGroup: groups.updateAutoScalingGroup,
  describeAutoScalingGroups: groups.describeAutoScalingGroups,
  describeAutoScalingInstances: groups.describeAutoScalingInstances,
  setDesiredCapacity: groups.setDesiredCapacity,
  setInstanceProtection: groups.setInstanceProtection,
  terminateInstanceInAutoScalingGroup: groups.terminateInstanceInAutoScalingGroup,
  deleteAutoScalingGroup: groups.deleteAutoScalingGroup,
  describeScalingActivities,
  putScalingPolicy: policies.putScalingPolicy,
  describePolicies: policies.describePolicies,
  deletePolicy: policies.deletePolicy,
  executePolicy: policies.executePolicy,
  putScheduledUpdateGroupAction: scheduled.putScheduledUpdateGroupAction,
  batchPutScheduledUpdateGroupAction: scheduled.batchPutScheduledUpdateGroupAction,
  describeScheduledActions: scheduled.describeScheduledActions,
  deleteScheduledAction: scheduled.deleteScheduledAction,
  batchDeleteScheduledAction: scheduled.batchDeleteScheduledAction,
  putLifecycleHook: hooks.putLifecycleHook,
  describeLifecycleHooks: hooks.describeLifecycleHooks,
  deleteLifecycleHook: hooks.deleteLifecycleHook,
  describeLifecycleHookTypes: hooks.describeLifecycleHookTypes,
  completeLifecycleAction: hooks.completeLifecycleAction,
  recordLifecycleActionHeartbeat: hooks.recordLifecycleActionHeartbeat,
  enableMetricsCollection: metrics.enableMetricsCollection,
  disableMetricsCollection: metrics.disableMetricsCollection,
  describeMetricCollectionTypes: metrics.describeMetricCollectionTypes,
  putWarmPool: warm.putWarmPool,
  describeWarmPool: warm.describeWarmPool,
  deleteWarmPool: warm.deleteWarmPool,
};
