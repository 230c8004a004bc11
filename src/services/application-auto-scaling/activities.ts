/**
 * DescribeScalingActivities: newest first, six weeks kept; not-scaled activities only with
 * IncludeNotScaledActivities. https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingActivities.html
 */
import type { DescribeScalingActivitiesRequest, DescribeScalingActivitiesResponse, ScalingActivity } from '@aws-sdk/client-application-auto-scaling';
import type { RequestContext } from '../provider.js';
import { validation } from './errors.js';
import { page } from './pages.js';
import { listActivities, type ActivityDoc } from './store.js';

const out = (a: ActivityDoc): ScalingActivity => ({
  ...a, StartTime: new Date(a.StartTime), EndTime: a.EndTime === undefined ? undefined : new Date(a.EndTime),
} as ScalingActivity);

export function describeScalingActivities(ctx: RequestContext, input: DescribeScalingActivitiesRequest): DescribeScalingActivitiesResponse {
  if (input.ScalableDimension && !input.ResourceId) throw validation('ResourceId must be specified when ScalableDimension is specified.');
  const all = listActivities(ctx, input.ServiceNamespace!, !!input.IncludeNotScaledActivities)
    .filter((a) => (!input.ResourceId || a.ResourceId === input.ResourceId) && (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension));
  const { items, NextToken } = page(all, input);
  return { ScalingActivities: items.map(out), NextToken };
}
