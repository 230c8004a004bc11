/**
 * Lifecycle hooks: PutLifecycleHook, DescribeLifecycleHooks, DeleteLifecycleHook, DescribeLifecycleHookTypes,
 * CompleteLifecycleAction, RecordLifecycleActionHeartbeat — and the waits they impose, which the group controller
 * reads: a launching instance stays in `Pending:Wait`, a terminating one in `Terminating:Wait`, until every hook of
 * the transition has its result (CompleteLifecycleAction) or its heartbeat timeout passes (the hook's DefaultResult).
 * ABANDON on launch terminates the instance (the group replaces it); on termination both results terminate it.
 * Timeouts are seconds of metric time, so `--metrics-period` compresses them as it compresses cooldowns.
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html
 */
import type {
  CompleteLifecycleActionType, DeleteLifecycleHookType, DescribeLifecycleHookTypesAnswer, DescribeLifecycleHooksAnswer, DescribeLifecycleHooksType,
  LifecycleHook, LifecycleHookSpecification, PutLifecycleHookType, RecordLifecycleActionHeartbeatType,
} from '@aws-sdk/client-auto-scaling';
import { randomUUID } from 'node:crypto';
import type { Scope } from '../../state/scope.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, limitExceeded, validationError } from './errors.js';
import { appendEvent, type EventScope } from './events.js';
import { findGroup, groupKey, type StoredGroup } from './store.js';

export const LAUNCHING = 'autoscaling:EC2_INSTANCE_LAUNCHING';
export const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const TRANSITIONS = [LAUNCHING, TERMINATING];
/** AWS's limits: 50 hooks per group; heartbeat 30–7200 s (default 3600); the global timeout 100 heartbeats or 48 hours. */
const MAX_HOOKS = 50;
const DEFAULT_HEARTBEAT = 3600;
const MAX_GLOBAL = 172_800;

type StoredHook = LifecycleHook & { LifecycleHookName: string; AutoScalingGroupName: string };

// ------------------------------------------------------------------ store

export function hooksOf(s: Scope, group: string): StoredHook[] {
  return (s.sql.get('SELECT doc FROM autoscaling_lifecycle_hooks WHERE account = ? AND region = ? AND group_name = ? ORDER BY seq')
    .pluck().all(s.account, s.region, group) as string[]).map((d) => JSON.parse(d));
}

function saveHook(s: Scope, h: StoredHook): void {
  s.sql.get(`INSERT INTO autoscaling_lifecycle_hooks (account, region, group_name, name, doc, seq)
             VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM autoscaling_lifecycle_hooks))
             ON CONFLICT (account, region, group_name, name) DO UPDATE SET doc = excluded.doc`)
    .run(s.account, s.region, h.AutoScalingGroupName, h.LifecycleHookName, JSON.stringify(h));
}

interface ActionRow { group_name: string; instance_id: string; hook: string; transition: string; token: string; deadline: number; global_deadline: number; result: string | null }

function actionsOf(s: Scope, instanceId: string, transition?: string): ActionRow[] {
  return s.sql.get(`SELECT * FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND instance_id = ? ${transition ? 'AND transition = ?' : ''}`)
    .all(s.account, s.region, instanceId, ...(transition ? [transition] : [])) as ActionRow[];
}

/** Everything of a group's that goes with it (DeleteAutoScalingGroup): its hooks and their outstanding actions. */
export function forgetGroupHooks(s: Scope, group: string): void {
  s.sql.get('DELETE FROM autoscaling_lifecycle_hooks WHERE account = ? AND region = ? AND group_name = ?').run(s.account, s.region, group);
  s.sql.get('DELETE FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND group_name = ?').run(s.account, s.region, group);
}

// ------------------------------------------------------------------ operations

const groupChanged = (ctx: RequestContext, name: string) => ctx.changed('autoscaling.group', groupKey(ctx.account, ctx.region, name));

function hookFrom(group: string, spec: LifecycleHookSpecification | PutLifecycleHookType, existing?: StoredHook): StoredHook {
  const transition = spec.LifecycleTransition ?? existing?.LifecycleTransition;
  if (!transition) throw validationError('LifecycleTransition must be specified when creating a lifecycle hook.');
  if (!TRANSITIONS.includes(transition)) throw validationError(`Invalid Lifecycle Transition: ${transition}`);
  const heartbeat = spec.HeartbeatTimeout ?? existing?.HeartbeatTimeout ?? DEFAULT_HEARTBEAT;
  if (heartbeat < 30 || heartbeat > 7200) throw validationError(`HeartbeatTimeout must be between 30 and 7200 seconds. ${heartbeat} is not valid.`);
  const result = spec.DefaultResult ?? existing?.DefaultResult ?? 'ABANDON';
  if (result !== 'CONTINUE' && result !== 'ABANDON') throw validationError(`Invalid DefaultResult: ${result}. Valid values are CONTINUE and ABANDON.`);
  const roleArn = spec.RoleARN ?? existing?.RoleARN;
  const target = spec.NotificationTargetARN ?? existing?.NotificationTargetARN;
  const metadata = spec.NotificationMetadata ?? existing?.NotificationMetadata;
  return {
    LifecycleHookName: spec.LifecycleHookName!, AutoScalingGroupName: group, LifecycleTransition: transition,
    ...(target ? { NotificationTargetARN: target } : {}), ...(roleArn ? { RoleARN: roleArn } : {}), ...(metadata !== undefined ? { NotificationMetadata: metadata } : {}),
    HeartbeatTimeout: heartbeat, GlobalTimeout: Math.min(100 * heartbeat, MAX_GLOBAL), DefaultResult: result,
  };
}

/** Hooks named at CreateAutoScalingGroup (LifecycleHookSpecificationList), so the group's first instances wait too. */
export function putHooksAtCreation(s: Scope, group: string, specs: LifecycleHookSpecification[]): void {
  if (specs.length > MAX_HOOKS) throw limitExceeded(`Cannot put more than ${MAX_HOOKS} lifecycle hooks on an Auto Scaling group.`);
  for (const spec of specs) saveHook(s, hookFrom(group, spec));
}

export function putLifecycleHook(ctx: RequestContext, input: PutLifecycleHookType): Record<string, never> {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const hooks = hooksOf(ctx, group);
  const existing = hooks.find((h) => h.LifecycleHookName === input.LifecycleHookName);
  if (!existing && hooks.length >= MAX_HOOKS) throw limitExceeded(`Cannot put more than ${MAX_HOOKS} lifecycle hooks on an Auto Scaling group.`);
  saveHook(ctx, hookFrom(group, input, existing));
  return {};
}

export function describeLifecycleHooks(ctx: RequestContext, input: DescribeLifecycleHooksType): DescribeLifecycleHooksAnswer {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const names = input.LifecycleHookNames ?? [];
  return { LifecycleHooks: hooksOf(ctx, group).filter((h) => !names.length || names.includes(h.LifecycleHookName)) };
}

export function deleteLifecycleHook(ctx: RequestContext, input: DeleteLifecycleHookType): Record<string, never> {
  const group = input.AutoScalingGroupName!;
  if (!findGroup(ctx, group)) throw groupNotFound(group);
  const hook = hooksOf(ctx, group).find((h) => h.LifecycleHookName === input.LifecycleHookName);
  if (!hook) throw validationError(`No Lifecycle Hook found with name ${input.LifecycleHookName} for the Auto Scaling group ${group}`);
  removeHook(ctx, group, hook.LifecycleHookName);
  groupChanged(ctx, group);
  return {};
}

/** Deletes a hook; its outstanding actions complete: launching instances are abandoned, terminating ones proceed (AWS). */
export function removeHook(s: Scope, group: string, name: string): void {
  s.sql.get('DELETE FROM autoscaling_lifecycle_hooks WHERE account = ? AND region = ? AND group_name = ? AND name = ?').run(s.account, s.region, group, name);
  s.sql.get(`UPDATE autoscaling_lifecycle_actions SET result = CASE transition WHEN ? THEN 'ABANDON' ELSE 'CONTINUE' END
             WHERE account = ? AND region = ? AND group_name = ? AND hook = ? AND result IS NULL`).run(LAUNCHING, s.account, s.region, group, name);
}

/** Puts a hook another service owns on a group (ECS managed draining's), as PutLifecycleHook would. */
export function putOwnedHook(s: Scope, group: string, spec: LifecycleHookSpecification): void {
  saveHook(s, hookFrom(group, spec));
}

/** The instances with an outstanding action of this hook (no result yet). */
export function instancesHeldBy(s: Scope, group: string, hook: string): string[] {
  return s.sql.get('SELECT instance_id FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND group_name = ? AND hook = ? AND result IS NULL ORDER BY instance_id')
    .pluck().all(s.account, s.region, group, hook) as string[];
}

/** Completes an instance's outstanding action of this hook (CompleteLifecycleAction by instance id); false when there is none. */
export function completeHeldAction(s: Scope, group: string, hook: string, instanceId: string, result: 'CONTINUE' | 'ABANDON'): boolean {
  return s.sql.get('UPDATE autoscaling_lifecycle_actions SET result = ? WHERE account = ? AND region = ? AND group_name = ? AND hook = ? AND instance_id = ? AND result IS NULL')
    .run(result, s.account, s.region, group, hook, instanceId).changes > 0;
}

/** Pushes an outstanding action's heartbeat deadline on (RecordLifecycleActionHeartbeat), within its global timeout. */
export function heartbeatHeldAction(s: Scope, group: string, hook: string, instanceId: string, now: number, metricsPeriod: number): void {
  const h = hooksOf(s, group).find((x) => x.LifecycleHookName === hook);
  s.sql.get(`UPDATE autoscaling_lifecycle_actions SET deadline = MIN(?, global_deadline)
             WHERE account = ? AND region = ? AND group_name = ? AND hook = ? AND instance_id = ? AND result IS NULL`)
    .run(now + realMs(h?.HeartbeatTimeout ?? DEFAULT_HEARTBEAT, metricsPeriod), s.account, s.region, group, hook, instanceId);
}

export function describeLifecycleHookTypes(): DescribeLifecycleHookTypesAnswer {
  return { LifecycleHookTypes: [...TRANSITIONS] };
}

/** The outstanding action a Complete/Heartbeat call names, by token or instance id; AWS's refusal when there is none. */
function findAction(ctx: RequestContext, input: { AutoScalingGroupName?: string; LifecycleHookName?: string; LifecycleActionToken?: string; InstanceId?: string }): ActionRow {
  if (!input.LifecycleActionToken && !input.InstanceId) throw validationError('Either LifecycleActionToken or InstanceId must be specified.');
  if (!findGroup(ctx, input.AutoScalingGroupName!)) throw groupNotFound(input.AutoScalingGroupName!);
  const row = ctx.sql.get(`SELECT * FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND group_name = ? AND hook = ? AND result IS NULL
                           AND ${input.LifecycleActionToken ? 'token = ?' : 'instance_id = ?'}`)
    .get(ctx.account, ctx.region, input.AutoScalingGroupName, input.LifecycleHookName, input.LifecycleActionToken ?? input.InstanceId) as ActionRow | undefined;
  if (!row) {
    throw validationError(input.LifecycleActionToken ? `No active Lifecycle Action found with token ${input.LifecycleActionToken}`
      : `No active Lifecycle Action found with instance ID ${input.InstanceId}`);
  }
  return row;
}

export function completeLifecycleAction(ctx: RequestContext, input: CompleteLifecycleActionType): Record<string, never> {
  const result = input.LifecycleActionResult!;
  if (result !== 'CONTINUE' && result !== 'ABANDON') throw validationError(`Invalid LifecycleActionResult: ${result}. Valid values are CONTINUE and ABANDON.`);
  const row = findAction(ctx, input);
  ctx.sql.get('UPDATE autoscaling_lifecycle_actions SET result = ? WHERE token = ?').run(result, row.token);
  groupChanged(ctx, row.group_name);
  return {};
}

/** Heartbeat timeouts in real ms: seconds of metric time (`--metrics-period`). */
const realMs = (seconds: number, metricsPeriod: number) => seconds * 1000 * (metricsPeriod / 60);

export function recordLifecycleActionHeartbeat(ctx: RequestContext, input: RecordLifecycleActionHeartbeatType): Record<string, never> {
  const row = findAction(ctx, input);
  const hook = hooksOf(ctx, row.group_name).find((h) => h.LifecycleHookName === row.hook);
  const deadline = Math.min(ctx.clock.now() + realMs(hook?.HeartbeatTimeout ?? DEFAULT_HEARTBEAT, ctx.metricsPeriod ?? 60), row.global_deadline);
  ctx.sql.get('UPDATE autoscaling_lifecycle_actions SET deadline = ? WHERE token = ?').run(deadline, row.token);
  groupChanged(ctx, row.group_name);
  return {};
}

// ------------------------------------------------------------------ the waits (the group controller)

/**
 * Starts the group's hooks for an instance's transition (one action each, with its token and heartbeat deadline, and
 * the "EC2 Instance-launch/terminate Lifecycle Action" event). True when some hook holds the instance.
 */
export function beginLifecycleActions(s: EventScope, g: StoredGroup, instanceId: string, transition: string, now: number, metricsPeriod: number): boolean {
  const hooks = hooksOf(s, g.AutoScalingGroupName).filter((h) => h.LifecycleTransition === transition);
  for (const h of hooks) {
    const token = randomUUID();
    s.sql.get(`INSERT OR REPLACE INTO autoscaling_lifecycle_actions (account, region, group_name, instance_id, hook, transition, token, deadline, global_deadline, result)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`)
      .run(s.account, s.region, g.AutoScalingGroupName, instanceId, h.LifecycleHookName, transition, token,
        now + realMs(h.HeartbeatTimeout!, metricsPeriod), now + realMs(h.GlobalTimeout!, metricsPeriod));
    const launch = transition === LAUNCHING;
    appendEvent(s, launch ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action', [g.AutoScalingGroupARN], {
      LifecycleActionToken: token, AutoScalingGroupName: g.AutoScalingGroupName, LifecycleHookName: h.LifecycleHookName, EC2InstanceId: instanceId,
      LifecycleTransition: transition, ...(h.NotificationMetadata !== undefined ? { NotificationMetadata: h.NotificationMetadata } : {}),
      Origin: launch ? 'EC2' : 'AutoScalingGroup', Destination: launch ? 'AutoScalingGroup' : 'EC2',
    }, now);
  }
  return hooks.length > 0;
}

/**
 * Where an instance's actions for a transition stand: `waiting` while one has neither a result nor a passed deadline;
 * else the outcome (a timed-out action takes its hook's DefaultResult; any ABANDON wins), and the actions are forgotten.
 * No actions: CONTINUE.
 */
export function settleLifecycleActions(s: Scope, g: StoredGroup, instanceId: string, transition: string, now: number): { outcome: 'waiting' | 'CONTINUE' | 'ABANDON'; timedOut?: boolean } {
  const rows = actionsOf(s, instanceId, transition);
  if (!rows.length) return { outcome: 'CONTINUE' };
  const hooks = hooksOf(s, g.AutoScalingGroupName);
  let abandon = false;
  let timedOut = false;
  for (const r of rows) {
    if (r.result === null && now < r.deadline) return { outcome: 'waiting' };
    const result = r.result ?? hooks.find((h) => h.LifecycleHookName === r.hook)?.DefaultResult ?? 'ABANDON';
    if (r.result === null) timedOut = true;
    if (result === 'ABANDON') abandon = true;
  }
  s.sql.get('DELETE FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND instance_id = ? AND transition = ?').run(s.account, s.region, instanceId, transition);
  return { outcome: abandon ? 'ABANDON' : 'CONTINUE', timedOut };
}

/** The earliest heartbeat deadline among a group's outstanding actions (real ms): when its controller must look again. */
export function nextLifecycleDeadline(s: Scope, group: string): number | undefined {
  const v = s.sql.get('SELECT MIN(deadline) FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND group_name = ? AND result IS NULL')
    .pluck().get(s.account, s.region, group) as number | null;
  return v ?? undefined;
}

/** An instance gone from its group: its outstanding actions go with it. */
export function dropLifecycleActions(s: Scope, instanceId: string): void {
  s.sql.get('DELETE FROM autoscaling_lifecycle_actions WHERE account = ? AND region = ? AND instance_id = ?').run(s.account, s.region, instanceId);
}
