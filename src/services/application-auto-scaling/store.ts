/**
 * Application Auto Scaling's tables: scalable targets, scaling policies, scheduled actions and scaling
 * activities, each row scoped by account and region and keyed by (namespace, resource id, dimension).
 * Documents are SDK-shaped JSON; times are real epoch ms.
 */
import { ecsArn } from '../../shared/arns.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

export interface TargetKey {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

export interface TargetDoc extends TargetKey {
  ScalableTargetARN: string;
  MinCapacity: number;
  MaxCapacity: number;
  RoleARN: string;
  CreationTime: number;
  SuspendedState: { DynamicScalingInSuspended: boolean; DynamicScalingOutSuspended: boolean; ScheduledScalingSuspended: boolean };
  PredictedCapacity?: number;
}

export interface PolicyDoc extends TargetKey {
  PolicyARN: string;
  PolicyName: string;
  PolicyType: string;
  StepScalingPolicyConfiguration?: Record<string, any>;
  TargetTrackingScalingPolicyConfiguration?: Record<string, any>;
  PredictiveScalingPolicyConfiguration?: Record<string, any>;
  Alarms: { AlarmName: string; AlarmARN: string }[];
  CreationTime: number;
}

/** When the policy last scaled each way (real ms), and to what: what cooldowns are measured from. */
export interface Cooldowns {
  outAt?: number;
  outTo?: number;
  /** The capacity the scale-out that began the current scale-out cooldown started from (step scaling counts from it). */
  outFrom?: number;
  inAt?: number;
}

export interface ScheduledDoc extends TargetKey {
  ScheduledActionName: string;
  ScheduledActionARN: string;
  Schedule: string;
  Timezone?: string;
  StartTime?: number;
  EndTime?: number;
  ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number };
  CreationTime: number;
}

export interface ActivityDoc extends TargetKey {
  ActivityId: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime?: number;
  StatusCode: string;
  StatusMessage?: string;
  Details?: string;
  NotScaledReasons?: { Code: string; MaxCapacity?: number; MinCapacity?: number; CurrentCapacity?: number }[];
}

const KEY = 'account = ? AND region = ? AND namespace = ? AND resource_id = ? AND dimension = ?';
const keyArgs = (s: Scope, k: TargetKey) => [s.account, s.region, k.ServiceNamespace, k.ResourceId, k.ScalableDimension];
const nextSeq = (sql: Statements, table: string) => (sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;

// ------------------------------------------------------------------ targets

export function getTarget(s: Scope, k: TargetKey): TargetDoc | undefined {
  const row = s.sql.get(`SELECT doc FROM appscaling_targets WHERE ${KEY}`).get(...keyArgs(s, k)) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function targetByArn(sql: Statements, arn: string): TargetDoc | undefined {
  const row = sql.get('SELECT doc FROM appscaling_targets WHERE arn = ?').get(arn) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function saveTarget(s: Scope, t: TargetDoc): void {
  s.sql.get(`INSERT INTO appscaling_targets (account, region, namespace, resource_id, dimension, arn, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (account, region, namespace, resource_id, dimension) DO UPDATE SET doc = excluded.doc`)
    .run(...keyArgs(s, t), t.ScalableTargetARN, JSON.stringify(t), nextSeq(s.sql, 'appscaling_targets'));
}

export function deleteTarget(s: Scope, k: TargetKey): void {
  s.sql.get(`DELETE FROM appscaling_targets WHERE ${KEY}`).run(...keyArgs(s, k));
}

export function listTargets(s: Scope, namespace: string): TargetDoc[] {
  return (s.sql.get('SELECT doc FROM appscaling_targets WHERE account = ? AND region = ? AND namespace = ? ORDER BY seq')
    .pluck().all(s.account, s.region, namespace) as string[]).map((d) => JSON.parse(d));
}

/** The ECS services every ECS scalable target names, as service ARNs (the clean-up controller's resync). */
export function ecsTargetServiceArns(sql: Statements): string[] {
  return (sql.get("SELECT account, region, resource_id AS id FROM appscaling_targets WHERE namespace = 'ecs'").all() as { account: string; region: string; id: string }[])
    .map((r) => {
      const [, cluster, name] = r.id.split('/');
      return ecsArn.service(r.region, r.account, cluster, name);
    });
}

// ------------------------------------------------------------------ policies

export function getPolicy(s: Scope, k: TargetKey, name: string): PolicyDoc | undefined {
  const row = s.sql.get(`SELECT doc FROM appscaling_policies WHERE ${KEY} AND name = ?`).get(...keyArgs(s, k), name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function policyByArn(sql: Statements, arn: string): { scope: { account: string; region: string }; policy: PolicyDoc; cooldowns: Cooldowns } | undefined {
  const row = sql.get('SELECT account, region, doc, cooldowns FROM appscaling_policies WHERE arn = ?').get(arn) as
    { account: string; region: string; doc: string; cooldowns: string } | undefined;
  return row ? { scope: { account: row.account, region: row.region }, policy: JSON.parse(row.doc), cooldowns: JSON.parse(row.cooldowns) } : undefined;
}

export function savePolicy(s: Scope, p: PolicyDoc): void {
  s.sql.get(`INSERT INTO appscaling_policies (account, region, namespace, resource_id, dimension, name, arn, doc, cooldowns, seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)
    ON CONFLICT (account, region, namespace, resource_id, dimension, name) DO UPDATE SET doc = excluded.doc`)
    .run(...keyArgs(s, p), p.PolicyName, p.PolicyARN, JSON.stringify(p), nextSeq(s.sql, 'appscaling_policies'));
}

export function saveCooldowns(sql: Statements, arn: string, c: Cooldowns): void {
  sql.get('UPDATE appscaling_policies SET cooldowns = ? WHERE arn = ?').run(JSON.stringify(c), arn);
}

export function deletePolicy(s: Scope, k: TargetKey, name: string): void {
  s.sql.get(`DELETE FROM appscaling_policies WHERE ${KEY} AND name = ?`).run(...keyArgs(s, k), name);
}

export function listPolicies(s: Scope, namespace: string): PolicyDoc[] {
  return (s.sql.get('SELECT doc FROM appscaling_policies WHERE account = ? AND region = ? AND namespace = ? ORDER BY seq')
    .pluck().all(s.account, s.region, namespace) as string[]).map((d) => JSON.parse(d));
}

// ------------------------------------------------------------------ scheduled actions

export function getScheduled(s: Scope, k: TargetKey, name: string): ScheduledDoc | undefined {
  const row = s.sql.get(`SELECT doc FROM appscaling_scheduled_actions WHERE ${KEY} AND name = ?`).get(...keyArgs(s, k), name) as { doc: string } | undefined;
  return row ? JSON.parse(row.doc) : undefined;
}

export function scheduledByArn(sql: Statements, arn: string): { scope: { account: string; region: string }; action: ScheduledDoc; lastRun: number | null } | undefined {
  const row = sql.get('SELECT account, region, doc, last_run FROM appscaling_scheduled_actions WHERE arn = ?').get(arn) as
    { account: string; region: string; doc: string; last_run: number | null } | undefined;
  return row ? { scope: { account: row.account, region: row.region }, action: JSON.parse(row.doc), lastRun: row.last_run } : undefined;
}

export function saveScheduled(s: Scope, a: ScheduledDoc): void {
  s.sql.get(`INSERT INTO appscaling_scheduled_actions (account, region, namespace, resource_id, dimension, name, arn, doc, last_run, seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)
    ON CONFLICT (account, region, namespace, resource_id, dimension, name) DO UPDATE SET doc = excluded.doc, last_run = NULL`)
    .run(...keyArgs(s, a), a.ScheduledActionName, a.ScheduledActionARN, JSON.stringify(a), nextSeq(s.sql, 'appscaling_scheduled_actions'));
}

export function markScheduledRun(sql: Statements, arn: string, at: number): void {
  sql.get('UPDATE appscaling_scheduled_actions SET last_run = ? WHERE arn = ?').run(at, arn);
}

export function deleteScheduled(s: Scope, k: TargetKey, name: string): void {
  s.sql.get(`DELETE FROM appscaling_scheduled_actions WHERE ${KEY} AND name = ?`).run(...keyArgs(s, k), name);
}

export function listScheduled(s: Scope, namespace: string): ScheduledDoc[] {
  return (s.sql.get('SELECT doc FROM appscaling_scheduled_actions WHERE account = ? AND region = ? AND namespace = ? ORDER BY seq')
    .pluck().all(s.account, s.region, namespace) as string[]).map((d) => JSON.parse(d));
}

/** Every scheduled action's ARN (the scheduler controller's resync). */
export function allScheduledArns(sql: Statements): string[] {
  return sql.get('SELECT arn FROM appscaling_scheduled_actions').pluck().all() as string[];
}

// ------------------------------------------------------------------ activities

/** AWS keeps six weeks of activities. */
const ACTIVITY_KEEP_MS = 42 * 86400_000;

export function addActivity(s: Scope, a: ActivityDoc): void {
  s.sql.get('INSERT INTO appscaling_activities (account, region, namespace, resource_id, dimension, ts, scaled, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(...keyArgs(s, a), a.StartTime, a.NotScaledReasons ? 0 : 1, JSON.stringify(a));
  s.sql.get('DELETE FROM appscaling_activities WHERE ts < ?').run(a.StartTime - ACTIVITY_KEEP_MS);
}

export function listActivities(s: Scope, namespace: string, includeNotScaled: boolean): ActivityDoc[] {
  return (s.sql.get(`SELECT doc FROM appscaling_activities WHERE account = ? AND region = ? AND namespace = ? ${includeNotScaled ? '' : 'AND scaled = 1'}
    ORDER BY ts DESC, id DESC`).pluck().all(s.account, s.region, namespace) as string[]).map((d) => JSON.parse(d));
}

/** An ECS service's successful scaling activities since `from` (ms), oldest first, at most `limit` (the console's chart marks). */
export function serviceScalingActivities(s: Scope, cluster: string, service: string, from: number, limit = 50): { at: number; description: string }[] {
  const docs = s.sql.get(`SELECT doc FROM appscaling_activities WHERE account = ? AND region = ? AND namespace = 'ecs' AND resource_id = ?
    AND dimension = 'ecs:service:DesiredCount' AND ts >= ? AND scaled = 1 ORDER BY ts DESC, id DESC LIMIT ?`)
    .pluck().all(s.account, s.region, `service/${cluster}/${service}`, from, limit) as string[];
  return docs.reverse().map((d) => JSON.parse(d) as ActivityDoc).map((a) => ({ at: a.StartTime, description: a.Description }));
}

/** The target's newest activity (not-scaled ones included). */
export function lastActivity(s: Scope, k: TargetKey): ActivityDoc | undefined {
  const doc = s.sql.get(`SELECT doc FROM appscaling_activities WHERE ${KEY} ORDER BY ts DESC, id DESC LIMIT 1`).pluck().get(...keyArgs(s, k)) as string | undefined;
  return doc ? JSON.parse(doc) : undefined;
}
