/**
 * Scaling policies: PutScalingPolicy (step, target tracking — which owns two CloudWatch alarms — and predictive,
 * stored), DescribeScalingPolicies, DeleteScalingPolicy, GetPredictiveScalingForecast.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html
 */
import type {
  DeleteScalingPolicyRequest, DescribeScalingPoliciesRequest, DescribeScalingPoliciesResponse, GetPredictiveScalingForecastRequest,
  GetPredictiveScalingForecastResponse, PutScalingPolicyRequest, PutScalingPolicyResponse, ScalingPolicy,
} from '@aws-sdk/client-application-auto-scaling';
import { randomUUID } from 'node:crypto';
import { arn } from '../../shared/arns.js';
import { ADJUSTMENT_TYPES, stepIntervalProblem } from '../../shared/step-scaling.js';
import type { RequestContext } from '../provider.js';
import { objectNotFound, validation } from './errors.js';
import { page } from './pages.js';
import { deletePolicy, getPolicy, listPolicies, savePolicy, type PolicyDoc } from './store.js';
import { deleteTargetTrackingAlarms, putTargetTrackingAlarms } from './target-tracking-alarms.js';
import { keyOf, requireTarget } from './targets.js';

const STEP_PROBLEMS: Record<string, string> = {
  empty: 'StepAdjustments must contain at least one step.',
  bounds: 'MetricIntervalLowerBound must be less than MetricIntervalUpperBound.',
  overlap: 'Step adjustment intervals may not overlap.',
  gap: 'Step adjustment intervals may not have gaps between them.',
};

function checkStepConfig(c: Record<string, any> | undefined) {
  if (!c) throw validation('StepScalingPolicyConfiguration is required for policy type StepScaling.');
  if (!c.AdjustmentType) throw validation('AdjustmentType is required for a StepScaling policy.');
  if (!ADJUSTMENT_TYPES.includes(c.AdjustmentType)) throw validation(`Invalid AdjustmentType: ${c.AdjustmentType}`);
  if (c.MinAdjustmentMagnitude !== undefined && c.AdjustmentType !== 'PercentChangeInCapacity') {
    throw validation('MinAdjustmentMagnitude is only supported with AdjustmentType PercentChangeInCapacity.');
  }
  const problem = stepIntervalProblem(c.StepAdjustments ?? []);
  if (problem) throw validation(STEP_PROBLEMS[problem]);
}

export function putScalingPolicy(ctx: RequestContext, input: PutScalingPolicyRequest): PutScalingPolicyResponse {
  const k = keyOf(input);
  requireTarget(ctx, k);
  const type = input.PolicyType ?? 'StepScaling';
  const existing = getPolicy(ctx, k, input.PolicyName!);
  if (type === 'StepScaling') checkStepConfig(input.StepScalingPolicyConfiguration);
  else if (type === 'TargetTrackingScaling') {
    if (!input.TargetTrackingScalingPolicyConfiguration) throw validation('TargetTrackingScalingPolicyConfiguration is required for policy type TargetTrackingScaling.');
  } else if (type === 'PredictiveScaling') {
    if (k.ServiceNamespace !== 'ecs') throw validation(`PredictiveScaling policies are not supported for service namespace ${k.ServiceNamespace}.`);
    if (!input.PredictiveScalingPolicyConfiguration) throw validation('PredictiveScalingPolicyConfiguration is required for policy type PredictiveScaling.');
  }
  const policy: PolicyDoc = {
    ...k,
    PolicyARN: existing?.PolicyARN
      ?? arn('autoscaling', ctx.region, ctx.account, `scalingPolicy:${randomUUID()}:resource/${k.ServiceNamespace}/${k.ResourceId}:policyName/${input.PolicyName}`),
    PolicyName: input.PolicyName!,
    PolicyType: type,
    StepScalingPolicyConfiguration: type === 'StepScaling' ? input.StepScalingPolicyConfiguration : undefined,
    TargetTrackingScalingPolicyConfiguration: type === 'TargetTrackingScaling' ? input.TargetTrackingScalingPolicyConfiguration : undefined,
    PredictiveScalingPolicyConfiguration: type === 'PredictiveScaling' ? input.PredictiveScalingPolicyConfiguration : undefined,
    Alarms: [],
    CreationTime: existing?.CreationTime ?? ctx.clock.now(),
  };
  if (type === 'TargetTrackingScaling') policy.Alarms = putTargetTrackingAlarms(ctx, policy, existing?.Alarms ?? []);
  else if (existing?.Alarms.length) deleteTargetTrackingAlarms(ctx, existing);
  // A step policy keeps the alarms that name it (the user's); AWS lists them on the policy.
  savePolicy(ctx, policy);
  return { PolicyARN: policy.PolicyARN, Alarms: policy.Alarms };
}

/** Deletes a policy and the alarms it owns (DeleteScalingPolicy, DeregisterScalableTarget). */
export function removePolicy(ctx: RequestContext, p: PolicyDoc): void {
  if (p.PolicyType === 'TargetTrackingScaling') deleteTargetTrackingAlarms(ctx, p);
  deletePolicy(ctx, p, p.PolicyName);
}

export function deleteScalingPolicy(ctx: RequestContext, input: DeleteScalingPolicyRequest): Record<string, never> {
  const k = keyOf(input);
  const p = getPolicy(ctx, k, input.PolicyName!);
  if (!p) {
    throw objectNotFound(`No scaling policy found for service namespace: ${k.ServiceNamespace}, resource ID: ${k.ResourceId}, scalable dimension: ${k.ScalableDimension}, policy name: ${input.PolicyName}`);
  }
  removePolicy(ctx, p);
  return {};
}

const policyOut = (p: PolicyDoc): ScalingPolicy => ({ ...p, CreationTime: new Date(p.CreationTime) } as ScalingPolicy);

export function describeScalingPolicies(ctx: RequestContext, input: DescribeScalingPoliciesRequest): DescribeScalingPoliciesResponse {
  const names = input.PolicyNames?.length ? new Set(input.PolicyNames) : undefined;
  const all = listPolicies(ctx, input.ServiceNamespace!).filter((p) => (!names || names.has(p.PolicyName))
    && (!input.ResourceId || p.ResourceId === input.ResourceId) && (!input.ScalableDimension || p.ScalableDimension === input.ScalableDimension));
  const { items, NextToken } = page(all, input);
  return { ScalingPolicies: items.map(policyOut), NextToken };
}

/**
 * Berth keeps no load history to forecast from, so a predictive policy's forecast is empty — what AWS answers
 * too until a policy has 24 hours of metric data (README).
 */
export function getPredictiveScalingForecast(ctx: RequestContext, input: GetPredictiveScalingForecastRequest): GetPredictiveScalingForecastResponse {
  const k = keyOf(input);
  const p = getPolicy(ctx, k, input.PolicyName!);
  if (!p) {
    throw objectNotFound(`No scaling policy found for service namespace: ${k.ServiceNamespace}, resource ID: ${k.ResourceId}, scalable dimension: ${k.ScalableDimension}, policy name: ${input.PolicyName}`);
  }
  if (p.PolicyType !== 'PredictiveScaling') throw validation(`Policy ${input.PolicyName} is not a PredictiveScaling policy.`);
  if (input.StartTime && input.EndTime && input.EndTime <= input.StartTime) throw validation('EndTime must be after StartTime.');
  return { LoadForecast: [], CapacityForecast: { Timestamps: [], Values: [] }, UpdateTime: new Date(ctx.clock.now()) };
}
