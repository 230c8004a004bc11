/** Application Auto Scaling: the operation table. Each group of operations lives in its own file. */
import type { Provider } from '../provider.js';
import { describeScalingActivities } from './activities.js';
import { deleteScalingPolicy, describeScalingPolicies, getPredictiveScalingForecast, putScalingPolicy } from './policies.js';
import { deleteScheduledAction, describeScheduledActions, putScheduledAction } from './scheduled-actions.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import { deregisterScalableTarget, describeScalableTargets, registerScalableTarget } from './targets.js';

export const provider: Provider = {
  registerScalableTarget,
  deregisterScalableTarget,
  describeScalableTargets,

  putScalingPolicy,
  describeScalingPolicies,
  deleteScalingPolicy,
  getPredictiveScalingForecast,

  putScheduledAction,
  describeScheduledActions,
  deleteScheduledAction,

  describeScalingActivities,

  tagResource,
  untagResource,
  listTagsForResource,
};
