/**
 * EC2 Auto Scaling's events for EventBridge's default bus (source `aws.autoscaling`), in AWS's shapes: appended to an
 * outbox in the transaction that makes the change, drained in order by EventBridge (services/eventbridge/service-events.ts).
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html
 */
import { arn } from '../../shared/arns.js';
import type { ChangeKind } from '../../state/change-feed.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import type { ActivityDoc } from './activities.js';
import { causeTime } from './activities.js';

export type EventScope = Scope & { changed(kind: ChangeKind, key: string): void };

export type AutoScalingDetailType =
  | 'EC2 Instance Launch Successful' | 'EC2 Instance Launch Unsuccessful'
  | 'EC2 Instance Terminate Successful' | 'EC2 Instance Terminate Unsuccessful'
  | 'EC2 Instance-launch Lifecycle Action' | 'EC2 Instance-terminate Lifecycle Action';

export const OUTBOX_KEY = 'autoscaling';

export function appendEvent(s: EventScope, detailType: AutoScalingDetailType, resources: string[], detail: object, at: number): void {
  s.sql.get('INSERT INTO autoscaling_event_outbox (account, region, detail_type, resources, detail, at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(s.account, s.region, detailType, JSON.stringify(resources), JSON.stringify(detail), at);
  s.changed('autoscaling.event', OUTBOX_KEY);
}

const instanceArn = (s: Scope, id: string) => arn('ec2', s.region, s.account, `instance/${id}`);

/** "EC2 Instance Launch/Terminate Successful/Unsuccessful": the activity's fields, as AWS sends them. */
export function activityEvent(s: EventScope, groupArn: string, detailType: AutoScalingDetailType, a: ActivityDoc, instanceId: string, at: number): void {
  const launch = detailType.startsWith('EC2 Instance Launch');
  appendEvent(s, detailType, [groupArn, instanceArn(s, instanceId)], {
    Origin: launch ? 'EC2' : 'AutoScalingGroup', Destination: launch ? 'AutoScalingGroup' : 'EC2',
    StatusCode: a.StatusCode === 'Successful' ? 'InProgress' : a.StatusCode, Description: a.Description, AutoScalingGroupName: a.AutoScalingGroupName,
    ActivityId: a.ActivityId, Details: JSON.parse(a.Details || '{}'), RequestId: a.ActivityId, StatusMessage: a.StatusMessage ?? '',
    EndTime: causeTime(a.EndTime ?? at), EC2InstanceId: instanceId, StartTime: causeTime(a.StartTime), Cause: a.Cause,
  }, at);
}

export interface AutoScalingEvent { account: string; region: string; at: number; detailType: string; resources: string[]; detail: object }

/** The oldest `limit` events not yet drained, and a function that forgets them (call it in the same transaction). */
export function takeAutoScalingEvents(sql: Statements, limit: number): { events: AutoScalingEvent[]; done(): void } {
  const rows = sql.get('SELECT * FROM autoscaling_event_outbox ORDER BY id LIMIT ?').all(limit) as
    { id: number; account: string; region: string; detail_type: string; resources: string; detail: string; at: number }[];
  return {
    events: rows.map((r) => ({ account: r.account, region: r.region, at: r.at, detailType: r.detail_type, resources: JSON.parse(r.resources), detail: JSON.parse(r.detail) })),
    done: () => { if (rows.length) sql.get('DELETE FROM autoscaling_event_outbox WHERE id <= ?').run(rows[rows.length - 1].id); },
  };
}
