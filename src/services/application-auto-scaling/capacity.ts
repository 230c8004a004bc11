/**
 * Changing a scalable target's capacity. Berth acts on ECS services' desired count only — through ECS's own
 * path (setDesiredCount + the service's change, as UpdateService does), so deployments, events and the scheduler
 * behave as for a user's update; every other namespace gets an activity saying Berth cannot act on it.
 * Each change is recorded as a scaling activity in AWS's words.
 */
import type { Service } from '@aws-sdk/client-ecs';
import { randomUUID } from 'node:crypto';
import { saveService, setDesiredCount } from '../ecs/store/index.js';
import { putServiceEvent } from '../eventbridge/index.js';
import type { ChangeKind } from '../../state/change-feed.js';
import type { Scope } from '../../state/scope.js';
import { ecsServiceOf, isEcsService } from './resources.js';
import { addActivity, lastActivity, type ActivityDoc, type TargetDoc } from './store.js';

/** What a scaling run needs beyond the state: the real time, the compression, and where changes are told. */
export interface ScalingEnv {
  /** Real epoch ms. */
  now: number;
  /** Real seconds per CloudWatch minute: cooldowns and schedules run on it. */
  metricsPeriod: number;
  changed(kind: ChangeKind, key: string): void;
}

export type NotScaledCode = 'AlreadyAtMaxCapacity' | 'AlreadyAtMinCapacity' | 'AlreadyAtDesiredCapacity';

/** The ECS service behind the target and its counts, or why Berth cannot scale it. */
export function ecsCapacity(s: Scope, t: TargetDoc): { service: Service; running: number; desired: number } | { error: string } {
  if (!isEcsService(t)) {
    return { error: `Berth cannot act on ${t.ServiceNamespace} scalable targets (${t.ScalableDimension}); only ECS services' desired count is scaled.` };
  }
  const service = ecsServiceOf(s, t.ResourceId);
  if (!service) return { error: `ECS service doesn't exist: ${t.ResourceId}` };
  return { service, running: service.runningCount ?? 0, desired: service.desiredCount ?? 0 };
}

/** A deployment in progress suspends ECS scale-in (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-auto-scaling.html). */
export const deploying = (service: Service) =>
  (service.deployments ?? []).length > 1 || (service.deployments ?? []).some((d) => d.status === 'PRIMARY' && d.rolloutState === 'IN_PROGRESS');

const activity = (t: TargetDoc, fields: Omit<ActivityDoc, 'ActivityId' | 'ServiceNamespace' | 'ResourceId' | 'ScalableDimension'>): ActivityDoc => ({
  ActivityId: randomUUID(), ServiceNamespace: t.ServiceNamespace, ResourceId: t.ResourceId, ScalableDimension: t.ScalableDimension, ...fields,
});

/**
 * Sets the ECS service's desired count and records the Successful activity. A scale-out that takes the target to its
 * maximum sends "Application Auto Scaling Scaling Activity State Change" (`scaledToMax`) to the default bus: the one
 * event Application Auto Scaling emits (https://docs.aws.amazon.com/autoscaling/application/userguide/monitoring-eventbridge.html).
 */
export function setEcsDesired(s: Scope, t: TargetDoc, service: Service, count: number, cause: string, env: ScalingEnv): void {
  const old = service.desiredCount ?? 0;
  if (count > old && count >= t.MaxCapacity) {
    const time = new Date(Math.floor(env.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    putServiceEvent(s.sql, s, {
      source: 'aws.application-autoscaling', detailType: 'Application Auto Scaling Scaling Activity State Change', resources: [],
      detail: {
        startTime: time, endTime: time, newDesiredCapacity: count, oldDesiredCapacity: old, minCapacity: t.MinCapacity, maxCapacity: t.MaxCapacity,
        resourceId: t.ResourceId, scalableDimension: t.ScalableDimension, serviceNamespace: t.ServiceNamespace, statusCode: 'Successful',
        scaledToMax: true, direction: 'scale-out',
      },
    }, env.now, env.changed);
  }
  setDesiredCount(service, count, env.now);
  saveService(s.sql, service);
  env.changed('ecs.service', service.serviceArn!);
  addActivity(s, activity(t, {
    Description: `Setting desired count to ${count}.`, Cause: cause, StartTime: env.now, EndTime: env.now, StatusCode: 'Successful',
    StatusMessage: `Successfully set desired count to ${count}. Change successfully fulfilled by ecs.`,
  }));
}

/**
 * A not-scaled activity (listed with IncludeNotScaledActivities). A policy re-invoked each period while its alarm
 * stays in ALARM would repeat the same one: it is recorded once until something else happens.
 */
export function notScaled(s: Scope, t: TargetDoc, wanted: number, current: number, code: NotScaledCode, cause: string, env: ScalingEnv): void {
  const last = lastActivity(s, t);
  if (last?.NotScaledReasons?.[0]?.Code === code && last.Cause === cause) return;
  addActivity(s, activity(t, {
    Description: `Attempting to set desired count to ${wanted}.`, Cause: cause, StartTime: env.now, EndTime: env.now, StatusCode: 'Failed',
    StatusMessage: code === 'AlreadyAtDesiredCapacity' ? `Desired count is already ${current}.`
      : `Desired count is already at the ${code === 'AlreadyAtMaxCapacity' ? 'maximum' : 'minimum'} capacity (${current}).`,
    NotScaledReasons: [{ Code: code, CurrentCapacity: current, ...(code === 'AlreadyAtMaxCapacity' ? { MaxCapacity: t.MaxCapacity } : {}), ...(code === 'AlreadyAtMinCapacity' ? { MinCapacity: t.MinCapacity } : {}) }],
  }));
}

/** An activity Berth could not carry out (a namespace it does not act on, a service gone). Recorded once per cause. */
export function failed(s: Scope, t: TargetDoc, cause: string, message: string, env: ScalingEnv): void {
  const last = lastActivity(s, t);
  if (last?.StatusCode === 'Failed' && last.Cause === cause && last.StatusMessage === message) return;
  addActivity(s, activity(t, { Description: 'Attempting to scale the target.', Cause: cause, StartTime: env.now, EndTime: env.now, StatusCode: 'Failed', StatusMessage: message }));
}
