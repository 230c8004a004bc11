/**
 * AWS::ApplicationAutoScaling::ScalableTarget and ScalingPolicy, through Application Auto Scaling's operations (its
 * API members are CloudFormation's property names). A target's Ref is `ResourceId|ScalableDimension|ServiceNamespace`,
 * which a policy's `ScalingTargetId` names; a policy's Ref is its ARN.
 */
import { gone, num, type Props, type ResourceContext, type ResourceType } from './types.js';

const aas = (ctx: ResourceContext, op: string, input: object) => ctx.invoke('application-auto-scaling', op, input);

interface TargetKey { ResourceId: string; ScalableDimension: string; ServiceNamespace: string }

const targetId = (k: TargetKey) => `${k.ResourceId}|${k.ScalableDimension}|${k.ServiceNamespace}`;

function parseTargetId(id: string): TargetKey {
  const [ResourceId, ScalableDimension, ServiceNamespace] = id.split('|');
  return { ResourceId, ScalableDimension, ServiceNamespace };
}

/** A ScheduledActions item as PutScheduledAction takes it. */
function scheduledAction(k: TargetKey, a: Props) {
  const range = a.ScalableTargetAction ?? {};
  return {
    ...k, ScheduledActionName: a.ScheduledActionName, Schedule: a.Schedule,
    ...(a.Timezone ? { Timezone: a.Timezone } : {}),
    ...(a.StartTime ? { StartTime: new Date(a.StartTime) } : {}),
    ...(a.EndTime ? { EndTime: new Date(a.EndTime) } : {}),
    ScalableTargetAction: { MinCapacity: num(range.MinCapacity), MaxCapacity: num(range.MaxCapacity) },
  };
}

async function registerTarget(ctx: ResourceContext, k: TargetKey, p: Props, old: Props | undefined) {
  const suspended = p.SuspendedState ?? {};
  await aas(ctx, 'RegisterScalableTarget', {
    ...k, MinCapacity: num(p.MinCapacity), MaxCapacity: num(p.MaxCapacity), ...(p.RoleARN ? { RoleARN: p.RoleARN } : {}),
    SuspendedState: {
      DynamicScalingInSuspended: suspended.DynamicScalingInSuspended === true || suspended.DynamicScalingInSuspended === 'true',
      DynamicScalingOutSuspended: suspended.DynamicScalingOutSuspended === true || suspended.DynamicScalingOutSuspended === 'true',
      ScheduledScalingSuspended: suspended.ScheduledScalingSuspended === true || suspended.ScheduledScalingSuspended === 'true',
    },
  });
  const wanted = ((p.ScheduledActions ?? []) as Props[]);
  const names = new Set(wanted.map((a) => a.ScheduledActionName));
  for (const a of (old?.ScheduledActions ?? []) as Props[]) {
    if (!names.has(a.ScheduledActionName)) {
      await gone(() => aas(ctx, 'DeleteScheduledAction', { ...k, ScheduledActionName: a.ScheduledActionName }), 'ObjectNotFoundException');
    }
  }
  for (const a of wanted) await aas(ctx, 'PutScheduledAction', scheduledAction(k, a));
}

export const SCALABLE_TARGET: ResourceType = {
  replaceOn: ['ResourceId', 'ScalableDimension', 'ServiceNamespace'],
  async create(ctx, p) {
    const k: TargetKey = { ResourceId: p.ResourceId, ScalableDimension: p.ScalableDimension, ServiceNamespace: p.ServiceNamespace };
    await registerTarget(ctx, k, p, undefined);
    return { physicalId: targetId(k), attributes: { Id: targetId(k) } };
  },
  async update(ctx, id, p, old, attrs) {
    await registerTarget(ctx, parseTargetId(id), p, old);
    return { physicalId: id, attributes: attrs };
  },
  async delete(ctx, id) {
    // Deregistering a target deletes its policies and scheduled actions with it, as AWS does.
    await gone(() => aas(ctx, 'DeregisterScalableTarget', parseTargetId(id)), 'ObjectNotFoundException');
  },
};

/** The target a policy names: its ScalingTargetId, or the three properties. */
function policyTarget(p: Props): TargetKey {
  if (p.ScalingTargetId) return parseTargetId(String(p.ScalingTargetId));
  return { ResourceId: p.ResourceId, ScalableDimension: p.ScalableDimension, ServiceNamespace: p.ServiceNamespace };
}

/** The numbers of a target-tracking or step configuration typed as the API wants them (parameters arrive as strings). */
function numbers(config: Props | undefined, keys: readonly string[]): Props | undefined {
  if (!config) return undefined;
  const out: Props = { ...config };
  for (const k of keys) if (out[k] !== undefined) out[k] = num(out[k]);
  return out;
}

function policyInput(ctx: ResourceContext, name: string, p: Props) {
  const step = numbers(p.StepScalingPolicyConfiguration, ['Cooldown', 'MinAdjustmentMagnitude']);
  if (step?.StepAdjustments) {
    step.StepAdjustments = (step.StepAdjustments as Props[]).map((a) => numbers(a, ['MetricIntervalLowerBound', 'MetricIntervalUpperBound', 'ScalingAdjustment']));
  }
  const tracking = numbers(p.TargetTrackingScalingPolicyConfiguration, ['TargetValue', 'ScaleInCooldown', 'ScaleOutCooldown']);
  if (tracking?.DisableScaleIn !== undefined) tracking.DisableScaleIn = tracking.DisableScaleIn === true || tracking.DisableScaleIn === 'true';
  return {
    ...policyTarget(p), PolicyName: name, PolicyType: p.PolicyType,
    ...(step ? { StepScalingPolicyConfiguration: step } : {}),
    ...(tracking ? { TargetTrackingScalingPolicyConfiguration: tracking } : {}),
    ...(p.PredictiveScalingPolicyConfiguration ? { PredictiveScalingPolicyConfiguration: p.PredictiveScalingPolicyConfiguration } : {}),
  };
}

export const SCALING_POLICY: ResourceType = {
  replaceOn: ['PolicyName', 'ResourceId', 'ScalableDimension', 'ServiceNamespace', 'ScalingTargetId'],
  async create(ctx, p) {
    // An unnamed policy is named after its logical id, as CloudFormation names it.
    const name = p.PolicyName ?? ctx.logicalId;
    const out = await aas(ctx, 'PutScalingPolicy', policyInput(ctx, name, p));
    return { physicalId: out.PolicyARN, attributes: { Arn: out.PolicyARN, PolicyName: name } };
  },
  async update(ctx, arn, p, _old, attrs) {
    await aas(ctx, 'PutScalingPolicy', policyInput(ctx, String(attrs.PolicyName), p));
    return { physicalId: arn, attributes: attrs };
  },
  async delete(ctx, _arn, p, attrs) {
    await gone(() => aas(ctx, 'DeleteScalingPolicy', { ...policyTarget(p), PolicyName: attrs.PolicyName }), 'ObjectNotFoundException');
  },
};
