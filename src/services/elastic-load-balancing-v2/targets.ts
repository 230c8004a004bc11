/**
 * Targets: RegisterTargets, DeregisterTargets, DescribeTargetHealth, and the
 * same operations as plain functions for other services (the ECS scheduler
 * registers a service's tasks) to call synchronously inside their own
 * transaction:
 *
 *   registerTargets(sql, { account, region, targetGroupArn, targets: [{ id, port }] })
 *   deregisterTargets(sql, { account, region, targetGroupArn, targets: [{ id, port }] })
 *   targetGroupExists(sql, { account, region, targetGroupArn }) → boolean
 *   targetGroupOf(sql, { account, region, targetGroupArn }) → TargetGroup & { attributes } | undefined
 *   targetHealthOf(sql, { account, region, targetGroupArn, targets? }) → TargetHealthDescription[]
 *
 * Health states as DescribeTargetHealth reports them: initial
 * (Elb.RegistrationInProgress, then Elb.InitialHealthChecking), healthy,
 * unhealthy (Target.ResponseCodeMismatch / Target.Timeout /
 * Target.FailedHealthChecks), draining (Target.DeregistrationInProgress),
 * unused (Target.NotInUse, Target.NotRegistered), unavailable
 * (Target.HealthCheckDisabled). The data plane (src/lb/health-checker.ts)
 * writes the verdicts; deregistered targets drain for
 * deregistration_delay.timeout_seconds and are then removed.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html#target-health-states
 */
import { isIPv4, isIPv6 } from 'node:net';
import type {
  DeregisterTargetsInput, DeregisterTargetsOutput, DescribeTargetHealthInput, DescribeTargetHealthOutput,
  RegisterTargetsInput, RegisterTargetsOutput, TargetDescription, TargetGroup, TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Statements } from '../../state/db.js';
import type { RequestContext } from '../provider.js';
import { invalidTarget, targetGroupNotFound, tooManyTargets, validationError } from './errors.js';
import { requireTargetGroup } from './lookup.js';
import {
  countTargets, deleteTarget, insertTarget, setDrainUntil, setTargetHealth, targetGroupByArn, targetGroupInUse, targetRow,
  targetsOf, type Attributes, type Scope, type Stored, type TargetRow,
} from './store.js';

const MAX_TARGETS = 1000;

export interface TargetRef {
  id: string;
  port?: number;
  availabilityZone?: string;
}

export interface TargetGroupRef {
  account: string;
  region: string;
  targetGroupArn: string;
}

export interface TargetsRequest extends TargetGroupRef {
  targets: TargetRef[];
  /** Epoch ms (defaults to now). */
  now?: number;
}

const scopeOf = (sql: Statements, ref: { account: string; region: string }): Scope => ({ sql, account: ref.account, region: ref.region });

function checkTarget(tg: TargetGroup, t: TargetRef): void {
  if (!t.id) throw validationError('A target ID must be specified');
  if (tg.TargetType === 'ip') {
    const ok = tg.IpAddressType === 'ipv6' ? isIPv6(t.id) : isIPv4(t.id);
    if (!ok) throw invalidTarget(`The IP address '${t.id}' is not a valid ${tg.IpAddressType === 'ipv6' ? 'IPv6' : 'IPv4'} address`);
  } else if (tg.TargetType === 'instance' && !/^i-[0-9a-zA-Z]+$/.test(t.id)) {
    throw invalidTarget(`The following targets are not valid instances: '${t.id}'`);
  }
  if (t.port !== undefined && (t.port < 1 || t.port > 65535)) throw validationError(`Target port '${t.port}' must be between 1 and 65535`);
}

function register(s: Scope, tg: Stored<TargetGroup>, targets: TargetRef[], now: number): void {
  for (const t of targets) checkTarget(tg.doc, t);
  const fresh = targets.filter((t) => !targetRow(s.sql, tg.arn, t.id, t.port ?? tg.doc.Port!));
  if (countTargets(s.sql, tg.arn) + new Set(fresh.map((t) => `${t.id}:${t.port ?? tg.doc.Port}`)).size > MAX_TARGETS) throw tooManyTargets(MAX_TARGETS);
  for (const t of targets) {
    const port = t.port ?? tg.doc.Port!;
    const row = targetRow(s.sql, tg.arn, t.id, port);
    if (!row) {
      insertTarget(s.sql, {
        tg_arn: tg.arn, id: t.id, port, az: t.availabilityZone ?? null, state: 'initial',
        reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress', registered_at: now,
      });
    } else if (row.drain_until !== null) {
      // Registering a draining target again cancels the deregistration; it is health checked afresh.
      setDrainUntil(s.sql, tg.arn, t.id, port, null);
      setTargetHealth(s.sql, tg.arn, t.id, port, 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress', now);
    }
  }
}

function deregister(s: Scope, tg: Stored<TargetGroup>, attributes: Attributes, targets: TargetRef[], now: number): void {
  const rows = targets.map((t) => ({ t, port: t.port ?? tg.doc.Port!, row: targetRow(s.sql, tg.arn, t.id, t.port ?? tg.doc.Port!) }));
  const missing = rows.filter((r) => !r.row);
  if (missing.length) {
    throw invalidTarget(`The following targets are not registered in target group '${tg.arn}': ${missing.map((m) => `'${m.t.id}'`).join(', ')}`);
  }
  const delayMs = Number(attributes['deregistration_delay.timeout_seconds'] ?? '300') * 1000;
  const inUse = targetGroupInUse(s.sql, tg.arn);
  for (const { t, port, row } of rows) {
    if (row!.drain_until !== null) continue;
    // A group no load balancer uses has no connections to drain.
    if (!inUse || delayMs === 0) deleteTarget(s.sql, tg.arn, t.id, port);
    else setDrainUntil(s.sql, tg.arn, t.id, port, now + delayMs);
  }
}

/** One registered target as DescribeTargetHealth reports it. */
export function describeTarget(tg: TargetGroup, inUse: boolean, row: TargetRow, now: number): TargetHealthDescription {
  const target = { Id: row.id, Port: row.port, ...(row.az ? { AvailabilityZone: row.az } : {}) };
  const healthCheckPort = tg.HealthCheckPort === 'traffic-port' || !tg.HealthCheckPort ? String(row.port) : tg.HealthCheckPort;
  let health: TargetHealthDescription['TargetHealth'];
  if (row.drain_until !== null && row.drain_until > now) {
    health = { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
  } else if (row.drain_until !== null) {
    health = { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' };
  } else if (!inUse) {
    health = { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
  } else if (tg.HealthCheckEnabled === false) {
    health = { State: 'unavailable', Reason: 'Target.HealthCheckDisabled', Description: 'Health checks are disabled' };
  } else if (row.state === 'healthy') {
    health = { State: 'healthy' };
  } else {
    health = { State: row.state, ...(row.reason ? { Reason: row.reason as 'Target.Timeout' } : {}), ...(row.description ? { Description: row.description } : {}) };
  }
  return { Target: target, HealthCheckPort: healthCheckPort, TargetHealth: health };
}

function health(s: Scope, tg: Stored<TargetGroup>, wanted: TargetRef[] | undefined, now: number): TargetHealthDescription[] {
  const inUse = targetGroupInUse(s.sql, tg.arn);
  const rows = targetsOf(s.sql, tg.arn);
  if (!wanted?.length) return rows.filter((r) => r.drain_until === null || r.drain_until > now).map((r) => describeTarget(tg.doc, inUse, r, now));
  return wanted.map((t) => {
    const port = t.port ?? tg.doc.Port!;
    const row = rows.find((r) => r.id === t.id && r.port === port);
    if (row) return describeTarget(tg.doc, inUse, row, now);
    return {
      Target: { Id: t.id, Port: port },
      HealthCheckPort: tg.doc.HealthCheckPort === 'traffic-port' ? String(port) : tg.doc.HealthCheckPort,
      TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
    };
  });
}

const fromSdk = (targets: TargetDescription[] | undefined): TargetRef[] =>
  (targets ?? []).map((t) => ({ id: t.Id ?? '', port: t.Port, availabilityZone: t.AvailabilityZone }));

// ---- the API ------------------------------------------------------------------

export function registerTargetsOp(ctx: RequestContext, input: RegisterTargetsInput): RegisterTargetsOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  if (!input.Targets?.length) throw validationError('At least one target must be specified');
  register(ctx, tg, fromSdk(input.Targets), ctx.clock.now());
  ctx.changed('elbv2', tg.arn);
  return {};
}

export function deregisterTargetsOp(ctx: RequestContext, input: DeregisterTargetsInput): DeregisterTargetsOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  if (!input.Targets?.length) throw validationError('At least one target must be specified');
  deregister(ctx, tg, tg.attributes, fromSdk(input.Targets), ctx.clock.now());
  ctx.changed('elbv2', tg.arn);
  return {};
}

export function describeTargetHealth(ctx: RequestContext, input: DescribeTargetHealthInput): DescribeTargetHealthOutput {
  const tg = requireTargetGroup(ctx, input.TargetGroupArn);
  return { TargetHealthDescriptions: health(ctx, tg, input.Targets?.length ? fromSdk(input.Targets) : undefined, ctx.clock.now()) };
}

// ---- for other services ------------------------------------------------------------

function requireGroup(sql: Statements, ref: TargetGroupRef): Stored<TargetGroup> {
  const tg = targetGroupByArn(scopeOf(sql, ref), ref.targetGroupArn);
  if (!tg) throw targetGroupNotFound();
  return tg;
}

/** Registers targets (idempotent); throws TargetGroupNotFound, InvalidTarget, TooManyTargets as the API does. */
export function registerTargets(sql: Statements, req: TargetsRequest): void {
  register(scopeOf(sql, req), requireGroup(sql, req), req.targets, req.now ?? Date.now());
}

/** Starts draining targets (or removes them at once when the group is unused or its delay is 0). Unregistered targets are ignored. */
export function deregisterTargets(sql: Statements, req: TargetsRequest): void {
  const tg = requireGroup(sql, req);
  const registered = req.targets.filter((t) => targetRow(sql, tg.arn, t.id, t.port ?? tg.doc.Port!));
  if (registered.length) deregister(scopeOf(sql, req), tg, tg.attributes, registered, req.now ?? Date.now());
}

export function targetGroupExists(sql: Statements, ref: TargetGroupRef): boolean {
  return !!targetGroupByArn(scopeOf(sql, ref), ref.targetGroupArn);
}

/** The target group as DescribeTargetGroups shows it, with its attributes; undefined if it does not exist. */
export function targetGroupOf(sql: Statements, ref: TargetGroupRef): (TargetGroup & { attributes: Attributes }) | undefined {
  const tg = targetGroupByArn(scopeOf(sql, ref), ref.targetGroupArn);
  if (!tg) return undefined;
  const lbs = sql.get('SELECT DISTINCT lb_arn FROM elbv2_forwards WHERE tg_arn = ? ORDER BY lb_arn').pluck().all(tg.arn) as string[];
  return { ...tg.doc, LoadBalancerArns: lbs, attributes: tg.attributes };
}

/** DescribeTargetHealth for a group (all registered targets, or the ones named); throws TargetGroupNotFound. */
export function targetHealthOf(sql: Statements, ref: TargetGroupRef & { targets?: TargetRef[]; now?: number }): TargetHealthDescription[] {
  return health(scopeOf(sql, ref), requireGroup(sql, ref), ref.targets, ref.now ?? Date.now());
}
