/**
 * The two CloudWatch alarms a target-tracking policy owns, as Application Auto Scaling and EC2 Auto Scaling make them:
 * `TargetTracking-<resource>-AlarmHigh-<uuid>` (3 of 3 one-minute periods above the target) and `…-AlarmLow-<uuid>`
 * (15 of 15 below 90 % of it; not made when scale-in is disabled), described "DO NOT EDIT OR DELETE. For
 * TargetTrackingScaling policy <arn>.", whose action is the policy. Put through PutMetricAlarm's rules in the
 * owner's request, so DescribeAlarms shows them as AWS does.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-scaling-target-tracking.html
 */
import type { PutMetricAlarmInput } from '@aws-sdk/client-cloudwatch';
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../provider.js';
import { getAlarm, listAlarms } from './alarm-store.js';
import { alarmArn } from './alarm-evaluation.js';
import { deleteAlarms, putMetricAlarm } from './alarms.js';

/** What the alarms watch: one metric and statistic, or a metric-math query list. */
export type WatchedMetric = Pick<PutMetricAlarmInput, 'Namespace' | 'MetricName' | 'Dimensions' | 'Statistic' | 'Unit' | 'Metrics' | 'Period'>;

export interface TargetTrackingAlarmSpec {
  /** What the alarm names carry after `TargetTracking-` (`service/c/s`, an Auto Scaling group's name). */
  resource: string;
  policyArn: string;
  watched: WatchedMetric;
  target: number;
  disableScaleIn?: boolean;
}

export type OwnedAlarm = { AlarmName: string; AlarmARN: string };

const UUID = /-Alarm(?:High|Low)-([0-9a-f-]{36})$/;

/** True when the alarm is a target-tracking policy's high alarm (scale out); else its low one (scale in). */
export const isHighAlarm = (alarmName: string) => /-AlarmHigh-[0-9a-f-]{36}$/.test(alarmName);

/** Puts (or re-puts, keeping their uuid) the policy's alarms; deletes the low one when scale-in is disabled, and any other it had. */
export function putTargetTrackingAlarms(ctx: RequestContext, spec: TargetTrackingAlarmSpec, previous: string[]): OwnedAlarm[] {
  const uuid = previous.map((n) => UUID.exec(n)?.[1]).find(Boolean) ?? randomUUID();
  const base = {
    ...(spec.watched.Metrics ? {} : { Period: 60 }), ...spec.watched, ActionsEnabled: true, AlarmActions: [spec.policyArn],
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${spec.policyArn}.`,
  };
  const high = `TargetTracking-${spec.resource}-AlarmHigh-${uuid}`;
  const low = `TargetTracking-${spec.resource}-AlarmLow-${uuid}`;
  putMetricAlarm(ctx, { ...base, AlarmName: high, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: spec.target, ComparisonOperator: 'GreaterThanThreshold' });
  const alarms = [{ AlarmName: high, AlarmARN: alarmArn(ctx, high) }];
  if (spec.disableScaleIn) deleteNamedAlarms(ctx, [low]);
  else {
    const threshold = Number((spec.target * 0.9).toPrecision(15));
    putMetricAlarm(ctx, { ...base, AlarmName: low, EvaluationPeriods: 15, DatapointsToAlarm: 15, Threshold: threshold, ComparisonOperator: 'LessThanThreshold' });
    alarms.push({ AlarmName: low, AlarmARN: alarmArn(ctx, low) });
  }
  deleteNamedAlarms(ctx, previous.filter((n) => n !== high && n !== low));
  return alarms;
}

/** Deletes the named alarms that exist (an owner's clean-up: a missing one is not an error). */
export function deleteNamedAlarms(ctx: RequestContext, names: string[]): void {
  const present = names.filter((n) => getAlarm(ctx.sql, ctx, n));
  if (present.length) deleteAlarms(ctx, { AlarmNames: present });
}

/** The metric alarms whose actions name an ARN (AWS lists a step or simple policy's alarms this way). */
export function alarmsNamingAction(ctx: RequestContext, action: string): OwnedAlarm[] {
  return listAlarms(ctx.sql, ctx)
    .filter((a) => [...(a.doc.AlarmActions ?? []), ...(a.doc.OKActions ?? []), ...(a.doc.InsufficientDataActions ?? [])].includes(action))
    .map((a) => ({ AlarmName: a.name, AlarmARN: alarmArn(ctx, a.name) }));
}
