/**
 * Scaling activities: each launch, termination and failed attempt a group makes, in AWS's words — Description
 * ("Launching a new EC2 instance: i-…", "Terminating EC2 instance: i-…"), Cause (what changed the desired capacity,
 * then what the group did about it, each sentence stamped "At <time>"), StatusCode, Progress, start and end times,
 * Details (subnet and zone). A launch or termination stays open (InProgress, MidLifecycleAction) until its instance
 * is in service or gone. DescribeScalingActivities lists them newest first; six weeks are kept.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/as-verify-scaling-activity.html
 */
import type { Activity, ActivitiesType, DescribeScalingActivitiesType } from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import type { Scope } from '../../state/scope.js';
import type { RequestContext } from '../provider.js';
import { validationError } from './errors.js';
import { page } from './pages.js';
import { findGroup } from './store.js';

/** A stored activity: times are real epoch ms. */
export interface ActivityDoc {
  ActivityId: string;
  AutoScalingGroupName: string;
  AutoScalingGroupARN?: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime?: number;
  StatusCode: string;
  StatusMessage?: string;
  Progress: number;
  Details: string;
}

/** What an open activity is about: an instance's launch or termination. */
export type ActivityKind = 'launch' | 'terminate' | 'other';

/** AWS's stamps in causes: seconds, `Z`. */
export const causeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const FINAL = new Set(['Successful', 'Failed', 'Cancelled']);
/** AWS keeps six weeks of activities. */
const KEEP_MS = 42 * 86_400_000;

export function newActivity(group: { AutoScalingGroupName: string; AutoScalingGroupARN?: string }, fields: Omit<ActivityDoc, 'ActivityId' | 'AutoScalingGroupName' | 'AutoScalingGroupARN'>): ActivityDoc {
  return { ActivityId: randomUUID(), AutoScalingGroupName: group.AutoScalingGroupName, AutoScalingGroupARN: group.AutoScalingGroupARN, ...fields };
}

export function addActivity(s: Scope, a: ActivityDoc, kind: ActivityKind = 'other', instanceId?: string): void {
  s.sql.get(`INSERT INTO autoscaling_activities (account, region, group_name, activity_id, instance_id, kind, done, ts, doc)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(s.account, s.region, a.AutoScalingGroupName, a.ActivityId, instanceId ?? null, kind, FINAL.has(a.StatusCode) ? 1 : 0, a.StartTime, JSON.stringify(a));
  s.sql.get('DELETE FROM autoscaling_activities WHERE ts < ?').run(a.StartTime - KEEP_MS);
}

/** The group's newest activity. */
export function lastActivity(s: Scope, group: string): ActivityDoc | undefined {
  const doc = s.sql.get('SELECT doc FROM autoscaling_activities WHERE account = ? AND region = ? AND group_name = ? ORDER BY id DESC LIMIT 1')
    .pluck().get(s.account, s.region, group) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

/** The instance's open launch or termination activity. */
export function openActivity(s: Scope, instanceId: string, kind: ActivityKind): ActivityDoc | undefined {
  const doc = s.sql.get('SELECT doc FROM autoscaling_activities WHERE account = ? AND region = ? AND instance_id = ? AND kind = ? AND done = 0 ORDER BY id DESC LIMIT 1')
    .pluck().get(s.account, s.region, instanceId, kind) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}

export function saveActivity(s: Scope, a: ActivityDoc): void {
  s.sql.get('UPDATE autoscaling_activities SET doc = ?, done = ? WHERE activity_id = ?').run(JSON.stringify(a), FINAL.has(a.StatusCode) ? 1 : 0, a.ActivityId);
}

const out = (a: ActivityDoc, deleted: boolean): Activity => ({
  ...a, StartTime: new Date(a.StartTime), EndTime: a.EndTime === undefined ? undefined : new Date(a.EndTime),
  ...(deleted ? { AutoScalingGroupState: 'Deleted' } : {}),
}) as Activity;

export function describeScalingActivities(ctx: RequestContext, input: DescribeScalingActivitiesType): ActivitiesType {
  const ids = input.ActivityIds ?? [];
  if (ids.length > 50) throw validationError('The number of ActivityIds must not exceed 50.');
  const rows = ctx.sql.get(`SELECT doc FROM autoscaling_activities WHERE account = ? AND region = ? ${input.AutoScalingGroupName ? 'AND group_name = ?' : ''}
                            ORDER BY ts DESC, id DESC`).pluck()
    .all(ctx.account, ctx.region, ...(input.AutoScalingGroupName ? [input.AutoScalingGroupName] : [])) as string[];
  const live = new Map<string, boolean>();
  const exists = (name: string) => live.get(name) ?? live.set(name, !!findGroup(ctx, name)).get(name)!;
  const all = rows.map((d) => JSON.parse(d) as ActivityDoc)
    .filter((a) => (!ids.length || ids.includes(a.ActivityId)) && (input.IncludeDeletedGroups || exists(a.AutoScalingGroupName)));
  // Activity ids are not ordered: the page token is an offset into the newest-first list.
  const { items, NextToken } = page(all.map((a, i) => ({ a, i })), (x) => String(x.i).padStart(12, '0'), input.MaxRecords, input.NextToken, 100);
  return { Activities: items.map((x) => out(x.a, !exists(x.a.AutoScalingGroupName))), ...(NextToken ? { NextToken } : {}) };
}
