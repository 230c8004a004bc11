/**
 * Scaling policies: PutScalingPolicy (SimpleScaling, StepScaling, TargetTrackingScaling — which owns two CloudWatch
 * alarms; PredictiveScaling stored), DescribePolicies, DeletePolicy (its alarms with it), ExecutePolicy. Running a
 * policy is policy-execution.ts. ARNs as AWS forms them:
 * `arn:aws:autoscaling:<region>:<account>:scalingPolicy:<uuid>:autoScalingGroupName/<group>:policyName/<name>`.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScalingPolicy.html
 */
import type {
  DeletePolicyType, DescribePoliciesType, ExecutePolicyType, PoliciesType, PolicyARNType, PutScalingPolicyType,
} from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import { alarmsNamingAction, deleteOwnedAlarms, putTargetTrackingAlarms, type WatchedMetric } from '../cloudwatch/index.js';
import { ADJUSTMENT_TYPES, stepIntervalProblem } from '../../shared/step-scaling.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, scalingActivityInProgress, validationError } from './errors.js';
import { managedPolicyArn } from './managed-capacity.js';
import { page } from './pages.js';
import { runGroupPolicy } from './policy-execution.js';
import { policiesOf, policyByArn, savePolicy, type PolicyDoc } from './policy-store.js';
import { findGroup } from './store.js';

const POLICY_TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'];

function removePolicy(ctx: RequestContext, p: PolicyDoc): void {
  if (p.PolicyType === 'TargetTrackingScaling') deleteOwnedAlarms(ctx, p.Alarms.map((a) => a.AlarmName));
  ctx.sql.get('DELETE FROM autoscaling_policies WHERE arn = ?').run(p.PolicyARN);
}

/** A deleted group's policies go with it, with the alarms target tracking made. */
export function forgetGroupPolicies(ctx: RequestContext, group: string): void {
  for (const p of policiesOf(ctx, group)) removePolicy(ctx, p);
}

/** A policy by name or ARN (DeletePolicy, ExecutePolicy, DescribePolicies take either). */
function findPolicy(ctx: RequestContext, group: string | undefined, nameOrArn: string): PolicyDoc | undefined {
  if (nameOrArn.startsWith('arn:')) {
    const found = policyByArn(ctx.sql, nameOrArn);
    return found && found.scope.account === ctx.account && found.scope.region === ctx.region ? found.policy : undefined;
  }
  return group ? policiesOf(ctx, group).find((p) => p.PolicyName === nameOrArn) : undefined;
}

// ------------------------------------------------------------------ target tracking's metric

type Dim = { Name: string; Value: string };

/** The predefined metrics of EC2 Auto Scaling target tracking: the group's average over its instances, or the ALB's requests per target. */
const PREDEFINED: Record<string, { namespace: string; metric: string; statistic: string; unit?: string }> = {
  ASGAverageCPUUtilization: { namespace: 'AWS/EC2', metric: 'CPUUtilization', statistic: 'Average', unit: 'Percent' },
  ASGAverageNetworkIn: { namespace: 'AWS/EC2', metric: 'NetworkIn', statistic: 'Average', unit: 'Bytes' },
  ASGAverageNetworkOut: { namespace: 'AWS/EC2', metric: 'NetworkOut', statistic: 'Average', unit: 'Bytes' },
  ALBRequestCountPerTarget: { namespace: 'AWS/ApplicationELB', metric: 'RequestCountPerTarget', statistic: 'Sum' },
};

function watchedMetric(group: string, c: NonNullable<PutScalingPolicyType['TargetTrackingConfiguration']>): WatchedMetric {
  const pre = c.PredefinedMetricSpecification;
  const custom = c.CustomizedMetricSpecification;
  if (!!pre === !!custom) throw validationError('Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.');
  if (pre) {
    const spec = PREDEFINED[pre.PredefinedMetricType!];
    if (!spec) throw validationError(`Unsupported predefined metric type ${pre.PredefinedMetricType} for Auto Scaling group.`);
    let dims: Dim[] = [{ Name: 'AutoScalingGroupName', Value: group }];
    if (pre.PredefinedMetricType === 'ALBRequestCountPerTarget') {
      // ResourceLabel: app/<lb>/<lb-id>/targetgroup/<tg>/<tg-id>; the alarm's dimension is the target group's part.
      const m = pre.ResourceLabel && /^app\/[^/]+\/[^/]+\/(targetgroup\/[^/]+\/[^/]+)$/.exec(pre.ResourceLabel);
      if (!m) throw validationError(`Invalid ResourceLabel for predefined metric type ALBRequestCountPerTarget: ${pre.ResourceLabel ?? '(none)'}.`);
      dims = [{ Name: 'TargetGroup', Value: m[1] }];
    } else if (pre.ResourceLabel) throw validationError(`ResourceLabel is only supported for predefined metric type ALBRequestCountPerTarget.`);
    return { Namespace: spec.namespace, MetricName: spec.metric, Dimensions: dims, Statistic: spec.statistic as never, Unit: spec.unit as never };
  }
  if (custom!.Metrics?.length) {
    if (custom!.MetricName || custom!.Namespace) throw validationError('CustomizedMetricSpecification must specify either Metrics or MetricName and Namespace, not both.');
    return {
      Metrics: custom!.Metrics.map((q) => ({
        Id: q.Id, Expression: q.Expression, Label: q.Label, ReturnData: q.ReturnData,
        MetricStat: q.MetricStat ? { Metric: q.MetricStat.Metric as never, Stat: q.MetricStat.Stat, Unit: q.MetricStat.Unit as never, Period: q.MetricStat.Period ?? 60 } : undefined,
      })),
    };
  }
  if (!custom!.MetricName || !custom!.Namespace || !custom!.Statistic) {
    throw validationError('CustomizedMetricSpecification must specify MetricName, Namespace and Statistic, or Metrics.');
  }
  return {
    Namespace: custom!.Namespace, MetricName: custom!.MetricName, Dimensions: (custom!.Dimensions ?? []) as Dim[], Statistic: custom!.Statistic as never,
    Unit: custom!.Unit as never, ...(custom!.Period ? { Period: custom!.Period } : {}),
  };
}

// ------------------------------------------------------------------ operations

/** PutScalingPolicy's checks, in Auto Scaling's words where known (README: not all were compared with AWS). */
function check(input: PutScalingPolicyType, type: string) {
  if (!POLICY_TYPES.includes(type)) throw validationError(`Invalid policy type: ${type}. Valid values are ${POLICY_TYPES.join(', ')}.`);
  const simple = type === 'SimpleScaling';
  const step = type === 'StepScaling';
  if (input.AdjustmentType !== undefined && !ADJUSTMENT_TYPES.includes(input.AdjustmentType)) throw validationError(`Invalid adjustment type: ${input.AdjustmentType}`);
  if (simple || step) {
    if (!input.AdjustmentType) throw validationError(`AdjustmentType must be specified for a ${type} policy.`);
    if (input.MinAdjustmentMagnitude !== undefined && input.AdjustmentType !== 'PercentChangeInCapacity') {
      throw validationError('MinAdjustmentMagnitude is only supported with AdjustmentType PercentChangeInCapacity.');
    }
  } else if (input.AdjustmentType || input.MinAdjustmentMagnitude !== undefined) throw validationError(`AdjustmentType is not supported for policy type ${type}.`);
  if (simple && input.ScalingAdjustment === undefined) throw validationError('Scaling increment must be specified for a SimpleScaling policy');
  if (!simple && input.ScalingAdjustment !== undefined) throw validationError(`ScalingAdjustment is not supported for policy type ${type}.`);
  if (!simple && input.Cooldown !== undefined) throw validationError(`Cooldown is not supported for policy type ${type}.`);
  if (step) {
    const problem = stepIntervalProblem(input.StepAdjustments ?? []);
    if (problem === 'empty') throw validationError('StepAdjustments must be specified for a StepScaling policy.');
    if (problem === 'bounds') throw validationError('MetricIntervalLowerBound must be less than MetricIntervalUpperBound.');
    if (problem === 'overlap') throw validationError('The step adjustments overlap.');
    if (problem === 'gap') throw validationError('There is a gap between the step adjustments.');
    const agg = input.MetricAggregationType;
    if (agg !== undefined && !['Minimum', 'Maximum', 'Average'].includes(agg)) throw validationError(`Invalid MetricAggregationType: ${agg}. Valid values are Minimum, Maximum, and Average.`);
  } else {
    if (input.StepAdjustments?.length) throw validationError(`StepAdjustments are not supported for policy type ${type}.`);
    if (input.MetricAggregationType) throw validationError(`MetricAggregationType is not supported for policy type ${type}.`);
  }
  if (simple && input.EstimatedInstanceWarmup !== undefined) throw validationError('EstimatedInstanceWarmup is not supported for policy type SimpleScaling.');
  if (type === 'TargetTrackingScaling' && !input.TargetTrackingConfiguration) throw validationError('TargetTrackingConfiguration must be specified for a TargetTrackingScaling policy.');
  if (type !== 'TargetTrackingScaling' && input.TargetTrackingConfiguration) throw validationError(`TargetTrackingConfiguration is not supported for policy type ${type}.`);
  if (type === 'PredictiveScaling' && !input.PredictiveScalingConfiguration) throw validationError('PredictiveScalingConfiguration must be specified for a PredictiveScaling policy.');
}

export function putScalingPolicy(ctx: RequestContext, input: PutScalingPolicyType): PolicyARNType {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const type = input.PolicyType ?? 'SimpleScaling';
  check(input, type);
  const existing = policiesOf(ctx, group).find((p) => p.PolicyName === input.PolicyName);
  if (existing && existing.PolicyType !== type) throw validationError(`The policy type of ${input.PolicyName} cannot be changed from ${existing.PolicyType} to ${type}.`);
  const arn = existing?.PolicyARN ?? managedPolicyArn(ctx.account, ctx.region, group, randomUUID(), input.PolicyName!);
  const p: PolicyDoc = {
    AutoScalingGroupName: group, PolicyName: input.PolicyName!, PolicyARN: arn, PolicyType: type,
    ...(input.AdjustmentType ? { AdjustmentType: input.AdjustmentType } : {}),
    ...(input.MinAdjustmentMagnitude !== undefined ? { MinAdjustmentMagnitude: input.MinAdjustmentMagnitude, MinAdjustmentStep: input.MinAdjustmentMagnitude } : {}),
    ...(input.ScalingAdjustment !== undefined ? { ScalingAdjustment: input.ScalingAdjustment } : {}),
    ...(input.Cooldown !== undefined ? { Cooldown: input.Cooldown } : {}),
    ...(type === 'StepScaling' ? { StepAdjustments: input.StepAdjustments, MetricAggregationType: input.MetricAggregationType ?? 'Average' } : {}),
    ...(input.EstimatedInstanceWarmup !== undefined ? { EstimatedInstanceWarmup: input.EstimatedInstanceWarmup } : {}),
    ...(input.TargetTrackingConfiguration ? { TargetTrackingConfiguration: { ...input.TargetTrackingConfiguration, DisableScaleIn: input.TargetTrackingConfiguration.DisableScaleIn ?? false } } : {}),
    ...(input.PredictiveScalingConfiguration ? { PredictiveScalingConfiguration: input.PredictiveScalingConfiguration } : {}),
    Alarms: [],
    Enabled: input.Enabled ?? true,
  };
  if (type === 'TargetTrackingScaling') {
    const c = input.TargetTrackingConfiguration!;
    p.Alarms = putTargetTrackingAlarms(ctx, { resource: group, policyArn: arn, watched: watchedMetric(group, c), target: c.TargetValue!, disableScaleIn: c.DisableScaleIn },
      existing?.Alarms.map((a) => a.AlarmName) ?? []);
  }
  savePolicy(ctx, p);
  return { PolicyARN: arn, ...(type === 'TargetTrackingScaling' ? { Alarms: p.Alarms } : {}) };
}

export function describePolicies(ctx: RequestContext, input: DescribePoliciesType): PoliciesType {
  const names = input.PolicyNames ?? [];
  const types = input.PolicyTypes ?? [];
  const all = policiesOf(ctx, input.AutoScalingGroupName)
    .filter((p) => (!names.length || names.includes(p.PolicyName) || names.includes(p.PolicyARN)) && (!types.length || types.includes(p.PolicyType)));
  const { items, NextToken } = page(all, (p) => `${p.AutoScalingGroupName}\u0000${p.PolicyName}`, input.MaxRecords, input.NextToken);
  // A step or simple policy's alarms are the user's: those whose actions name it, as AWS lists them.
  const shown = items.map((p) => (p.PolicyType === 'TargetTrackingScaling' ? p : { ...p, Alarms: alarmsNamingAction(ctx, p.PolicyARN) }));
  return { ScalingPolicies: shown, ...(NextToken ? { NextToken } : {}) };
}

export function deletePolicy(ctx: RequestContext, input: DeletePolicyType): Record<string, never> {
  const p = findPolicy(ctx, input.AutoScalingGroupName, input.PolicyName!);
  if (!p) {
    if (input.AutoScalingGroupName && !findGroup(ctx, input.AutoScalingGroupName)) throw groupNotFound(input.AutoScalingGroupName);
    throw validationError(`Policy ${input.PolicyName} does not exist.`);
  }
  removePolicy(ctx, p);
  return {};
}

export function executePolicy(ctx: RequestContext, input: ExecutePolicyType): Record<string, never> {
  const p = findPolicy(ctx, input.AutoScalingGroupName, input.PolicyName!);
  if (!p) {
    if (input.AutoScalingGroupName && !findGroup(ctx, input.AutoScalingGroupName)) throw groupNotFound(input.AutoScalingGroupName);
    throw validationError(`Policy ${input.PolicyName} does not exist.`);
  }
  if (p.PolicyType === 'TargetTrackingScaling' || p.PolicyType === 'PredictiveScaling') throw validationError(`ExecutePolicy is not supported for policy type ${p.PolicyType}.`);
  if (p.PolicyType === 'StepScaling' && (input.MetricValue === undefined || input.BreachThreshold === undefined)) {
    throw validationError('MetricValue and BreachThreshold are required for a StepScaling policy.');
  }
  const found = policyByArn(ctx.sql, p.PolicyARN)!;
  const r = runGroupPolicy(ctx, found.policy, found.cooldowns, {
    by: 'user', honorCooldown: !!input.HonorCooldown, value: input.MetricValue, threshold: input.BreachThreshold,
  }, { now: ctx.clock.now(), metricsPeriod: ctx.metricsPeriod ?? 60, changed: (kind, key) => ctx.changed(kind, key) });
  if (r === 'cooldown') throw scalingActivityInProgress('Scaling activity is in progress: the group is in its cooldown period.');
  return {};
}
