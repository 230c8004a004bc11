/**
 * ELBv2 rows. Each resource is a row keyed by its ARN with the SDK-shaped
 * document in `doc` plus the columns queries filter on; attributes are a JSON
 * object of AWS's attribute keys. `elbv2_forwards` records which listener or
 * rule forwards to which target group (for ResourceInUse, LoadBalancerArns and
 * "in use" health); `elbv2_targets` holds registrations and their health.
 *
 * Every write bumps `elbv2_generation` so the data plane (src/lb/) knows to
 * reload, also for writes made by other services inside their transactions.
 * Functions take a Scope (or bare Statements) rather than a RequestContext so
 * the ECS scheduler and the load balancer data plane can call them too.
 */
import type { Listener, LoadBalancer, Rule, TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';

export type { Scope };

export type Attributes = Record<string, string>;

export interface Stored<T> {
  arn: string;
  doc: T;
  attributes: Attributes;
  seq: number;
}

interface DocRow {
  arn: string;
  doc: string;
  attributes: string;
  seq: number;
}

const toStored = <T>(r: DocRow): Stored<T> => ({ arn: r.arn, doc: JSON.parse(r.doc) as T, attributes: JSON.parse(r.attributes), seq: r.seq });

const nextSeq = (sql: Statements, table: string) => (sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;

/** Marks ELBv2 state as changed for the data plane. */
export function bumpGeneration(sql: Statements): void {
  // An upsert: a reset of ELBv2 state (state/reset.ts) deletes the row too.
  sql.get('INSERT INTO elbv2_generation (id, gen) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET gen = gen + 1').run();
}

export function generation(sql: Statements): number {
  return (sql.get('SELECT gen FROM elbv2_generation WHERE id = 1').get() as { gen: number } | undefined)?.gen ?? 0;
}

// ---- load balancers -------------------------------------------------------

export function insertLoadBalancer(s: Scope, lb: LoadBalancer, attributes: Attributes): void {
  s.sql
    .get('INSERT INTO elbv2_load_balancers (arn, account, region, name, type, dns_name, doc, attributes, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(lb.LoadBalancerArn, s.account, s.region, lb.LoadBalancerName, lb.Type, lb.DNSName!.toLowerCase(), JSON.stringify(lb), JSON.stringify(attributes), nextSeq(s.sql, 'elbv2_load_balancers'));
  bumpGeneration(s.sql);
}

export function loadBalancerByArn(s: Scope, arn: string): Stored<LoadBalancer> | undefined {
  const r = s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_load_balancers WHERE arn = ? AND account = ? AND region = ?').get(arn, s.account, s.region) as DocRow | undefined;
  return r && toStored(r);
}

export function loadBalancerByName(s: Scope, name: string): Stored<LoadBalancer> | undefined {
  const r = s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_load_balancers WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as DocRow | undefined;
  return r && toStored(r);
}

export function listLoadBalancers(s: Scope): Stored<LoadBalancer>[] {
  return (s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_load_balancers WHERE account = ? AND region = ? ORDER BY seq').all(s.account, s.region) as DocRow[]).map(toStored<LoadBalancer>);
}

export function saveLoadBalancer(s: Scope, lb: LoadBalancer, attributes: Attributes): void {
  s.sql.get('UPDATE elbv2_load_balancers SET doc = ?, attributes = ? WHERE arn = ?').run(JSON.stringify(lb), JSON.stringify(attributes), lb.LoadBalancerArn);
  bumpGeneration(s.sql);
}

export function deleteLoadBalancerRow(s: Scope, arn: string): void {
  s.sql.get('DELETE FROM elbv2_load_balancers WHERE arn = ?').run(arn);
  s.sql.get('DELETE FROM elbv2_capacity_reservations WHERE lb_arn = ?').run(arn);
  bumpGeneration(s.sql);
}

// ---- capacity reservations ---------------------------------------------------

/** A load balancer's LCU reservation: what was asked, when, and the decreases counted for the day. */
export interface StoredReservation {
  /** Absent after a reset. */
  capacityUnits?: number;
  /** Epoch ms of the last ModifyCapacityReservation. */
  modifiedAt: number;
  /** The UTC day (epoch ms / 86400000, floored) `decreases` counts for. */
  day: number;
  decreases: number;
}

export function capacityReservationOf(s: Scope, lbArn: string): StoredReservation | undefined {
  const r = s.sql.get('SELECT doc FROM elbv2_capacity_reservations WHERE lb_arn = ? AND account = ? AND region = ?').get(lbArn, s.account, s.region) as
    | { doc: string }
    | undefined;
  return r ? (JSON.parse(r.doc) as StoredReservation) : undefined;
}

export function saveCapacityReservation(s: Scope, lbArn: string, reservation: StoredReservation): void {
  s.sql.get('INSERT INTO elbv2_capacity_reservations (lb_arn, account, region, doc) VALUES (?, ?, ?, ?) ON CONFLICT (lb_arn) DO UPDATE SET doc = excluded.doc')
    .run(lbArn, s.account, s.region, JSON.stringify(reservation));
}

// ---- target groups ----------------------------------------------------------

export function insertTargetGroup(s: Scope, tg: TargetGroup, attributes: Attributes): void {
  s.sql
    .get('INSERT INTO elbv2_target_groups (arn, account, region, name, doc, attributes, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(tg.TargetGroupArn, s.account, s.region, tg.TargetGroupName, JSON.stringify(tg), JSON.stringify(attributes), nextSeq(s.sql, 'elbv2_target_groups'));
  bumpGeneration(s.sql);
}

export function targetGroupByArn(s: Scope, arn: string): Stored<TargetGroup> | undefined {
  const r = s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_target_groups WHERE arn = ? AND account = ? AND region = ?').get(arn, s.account, s.region) as DocRow | undefined;
  return r && toStored(r);
}

export function targetGroupByName(s: Scope, name: string): Stored<TargetGroup> | undefined {
  const r = s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_target_groups WHERE account = ? AND region = ? AND name = ?').get(s.account, s.region, name) as DocRow | undefined;
  return r && toStored(r);
}

export function listTargetGroups(s: Scope): Stored<TargetGroup>[] {
  return (s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_target_groups WHERE account = ? AND region = ? ORDER BY seq').all(s.account, s.region) as DocRow[]).map(toStored<TargetGroup>);
}

export function saveTargetGroup(s: Scope, tg: TargetGroup, attributes: Attributes): void {
  s.sql.get('UPDATE elbv2_target_groups SET doc = ?, attributes = ? WHERE arn = ?').run(JSON.stringify(tg), JSON.stringify(attributes), tg.TargetGroupArn);
  bumpGeneration(s.sql);
}

export function deleteTargetGroupRow(s: Scope, arn: string): void {
  s.sql.get('DELETE FROM elbv2_target_groups WHERE arn = ?').run(arn);
  s.sql.get('DELETE FROM elbv2_targets WHERE tg_arn = ?').run(arn);
  bumpGeneration(s.sql);
}

// ---- listeners --------------------------------------------------------------

export function insertListener(s: Scope, l: Listener, attributes: Attributes): void {
  s.sql
    .get('INSERT INTO elbv2_listeners (arn, account, region, lb_arn, port, protocol, doc, attributes, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(l.ListenerArn, s.account, s.region, l.LoadBalancerArn, l.Port, l.Protocol, JSON.stringify(l), JSON.stringify(attributes), nextSeq(s.sql, 'elbv2_listeners'));
  bumpGeneration(s.sql);
}

export function listenerByArn(s: Scope, arn: string): Stored<Listener> | undefined {
  const r = s.sql.get('SELECT arn, doc, attributes, seq FROM elbv2_listeners WHERE arn = ? AND account = ? AND region = ?').get(arn, s.account, s.region) as DocRow | undefined;
  return r && toStored(r);
}

export function listenersOf(sql: Statements, lbArn: string): Stored<Listener>[] {
  return (sql.get('SELECT arn, doc, attributes, seq FROM elbv2_listeners WHERE lb_arn = ? ORDER BY seq').all(lbArn) as DocRow[]).map(toStored<Listener>);
}

export function listenerOnPort(sql: Statements, lbArn: string, port: number): Stored<Listener> | undefined {
  const r = sql.get('SELECT arn, doc, attributes, seq FROM elbv2_listeners WHERE lb_arn = ? AND port = ?').get(lbArn, port) as DocRow | undefined;
  return r && toStored(r);
}

export function saveListener(s: Scope, l: Listener, attributes: Attributes): void {
  s.sql.get('UPDATE elbv2_listeners SET port = ?, protocol = ?, doc = ?, attributes = ? WHERE arn = ?').run(l.Port, l.Protocol, JSON.stringify(l), JSON.stringify(attributes), l.ListenerArn);
  bumpGeneration(s.sql);
}

export function deleteListenerRow(s: Scope, arn: string): void {
  for (const rule of rulesOf(s.sql, arn)) deleteRuleRow(s, rule.arn);
  s.sql.get('DELETE FROM elbv2_listeners WHERE arn = ?').run(arn);
  bumpGeneration(s.sql);
}

/** Where the data plane actually bound a listener (its own port when it was free). */
export function setBoundPort(sql: Statements, listenerArn: string, port: number | null): void {
  sql.get('UPDATE elbv2_listeners SET bound_port = ? WHERE arn = ?').run(port, listenerArn);
}

export function boundPortOf(sql: Statements, listenerArn: string): number | undefined {
  return (sql.get('SELECT bound_port FROM elbv2_listeners WHERE arn = ?').get(listenerArn) as { bound_port: number | null } | undefined)?.bound_port ?? undefined;
}

// ---- rules ------------------------------------------------------------------

/** Rules store the listener ARN beside the SDK shape; the default rule has no priority. */
export interface RuleDoc extends Rule {
  ListenerArn: string;
}

export function insertRule(s: Scope, rule: RuleDoc): void {
  s.sql
    .get('INSERT INTO elbv2_rules (arn, account, region, listener_arn, priority, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(rule.RuleArn, s.account, s.region, rule.ListenerArn, rule.IsDefault ? null : Number(rule.Priority), JSON.stringify(rule), nextSeq(s.sql, 'elbv2_rules'));
  bumpGeneration(s.sql);
}

export function ruleByArn(s: Scope, arn: string): RuleDoc | undefined {
  const r = s.sql.get('SELECT doc FROM elbv2_rules WHERE arn = ? AND account = ? AND region = ?').get(arn, s.account, s.region) as { doc: string } | undefined;
  return r && (JSON.parse(r.doc) as RuleDoc);
}

/** A listener's rules by priority, the default rule last. */
export function rulesOf(sql: Statements, listenerArn: string): (RuleDoc & { arn: string; seq: number })[] {
  const rows = sql
    .get('SELECT arn, doc, seq FROM elbv2_rules WHERE listener_arn = ? ORDER BY priority IS NULL, priority')
    .all(listenerArn) as { arn: string; doc: string; seq: number }[];
  return rows.map((r) => ({ ...(JSON.parse(r.doc) as RuleDoc), arn: r.arn, seq: r.seq }));
}

export function saveRule(s: Scope, rule: RuleDoc): void {
  s.sql.get('UPDATE elbv2_rules SET priority = ?, doc = ? WHERE arn = ?').run(rule.IsDefault ? null : Number(rule.Priority), JSON.stringify(rule), rule.RuleArn);
  bumpGeneration(s.sql);
}

export function deleteRuleRow(s: Scope, arn: string): void {
  s.sql.get('DELETE FROM elbv2_rules WHERE arn = ?').run(arn);
  setForwards(s.sql, arn, '', []);
  bumpGeneration(s.sql);
}

// ---- which listener or rule forwards to which target group ----------------------

export function setForwards(sql: Statements, ownerArn: string, lbArn: string, tgArns: string[]): void {
  sql.get('DELETE FROM elbv2_forwards WHERE owner_arn = ?').run(ownerArn);
  const put = sql.get('INSERT OR IGNORE INTO elbv2_forwards (owner_arn, tg_arn, lb_arn) VALUES (?, ?, ?)');
  for (const tg of tgArns) put.run(ownerArn, tg, lbArn);
}

/** The load balancers whose listeners or rules forward to a target group. */
export function loadBalancersOfTargetGroup(sql: Statements, tgArn: string): string[] {
  return sql.get('SELECT DISTINCT lb_arn FROM elbv2_forwards WHERE tg_arn = ? ORDER BY lb_arn').pluck().all(tgArn) as string[];
}

export function targetGroupInUse(sql: Statements, tgArn: string): boolean {
  return !!sql.get('SELECT 1 FROM elbv2_forwards WHERE tg_arn = ? LIMIT 1').get(tgArn);
}

// ---- targets ----------------------------------------------------------------

export type StoredHealth = 'initial' | 'healthy' | 'unhealthy';

export interface TargetRow {
  tg_arn: string;
  id: string;
  port: number;
  az: string | null;
  /** Health as last checked; draining is drain_until being set. */
  state: StoredHealth;
  reason: string | null;
  description: string | null;
  registered_at: number;
  healthy_since: number | null;
  drain_until: number | null;
}

const TARGET_COLUMNS = 'tg_arn, id, port, az, state, reason, description, registered_at, healthy_since, drain_until';

export function targetsOf(sql: Statements, tgArn: string): TargetRow[] {
  return sql.get(`SELECT ${TARGET_COLUMNS} FROM elbv2_targets WHERE tg_arn = ? ORDER BY seq`).all(tgArn) as TargetRow[];
}

export function countTargets(sql: Statements, tgArn: string): number {
  return (sql.get('SELECT COUNT(*) AS n FROM elbv2_targets WHERE tg_arn = ?').get(tgArn) as { n: number }).n;
}

export function targetRow(sql: Statements, tgArn: string, id: string, port: number): TargetRow | undefined {
  return sql.get(`SELECT ${TARGET_COLUMNS} FROM elbv2_targets WHERE tg_arn = ? AND id = ? AND port = ?`).get(tgArn, id, port) as TargetRow | undefined;
}

export function insertTarget(sql: Statements, t: Pick<TargetRow, 'tg_arn' | 'id' | 'port' | 'az' | 'state' | 'reason' | 'description' | 'registered_at'>): void {
  sql
    .get(`INSERT INTO elbv2_targets (tg_arn, id, port, az, state, reason, description, registered_at, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM elbv2_targets))`)
    .run(t.tg_arn, t.id, t.port, t.az, t.state, t.reason, t.description, t.registered_at);
  bumpGeneration(sql);
}

export function setDrainUntil(sql: Statements, tgArn: string, id: string, port: number, until: number | null): void {
  sql.get('UPDATE elbv2_targets SET drain_until = ? WHERE tg_arn = ? AND id = ? AND port = ?').run(until, tgArn, id, port);
  bumpGeneration(sql);
}

export function deleteTarget(sql: Statements, tgArn: string, id: string, port: number): void {
  sql.get('DELETE FROM elbv2_targets WHERE tg_arn = ? AND id = ? AND port = ?').run(tgArn, id, port);
  bumpGeneration(sql);
}

/** Records a health-check verdict; healthy_since starts the slow-start ramp. */
export function setTargetHealth(sql: Statements, tgArn: string, id: string, port: number, state: StoredHealth, reason: string | null, description: string | null, now: number): void {
  sql
    .get(`UPDATE elbv2_targets SET state = ?, reason = ?, description = ?,
            healthy_since = CASE WHEN ? = 'healthy' THEN COALESCE(CASE WHEN state = 'healthy' THEN healthy_since END, ?) ELSE NULL END
          WHERE tg_arn = ? AND id = ? AND port = ?`)
    .run(state, reason, description, state, now, tgArn, id, port);
  bumpGeneration(sql);
}

/** Puts every non-draining target of a group back to initial (a group that starts receiving traffic). */
export function resetTargetsToInitial(sql: Statements, tgArn: string): void {
  sql
    .get("UPDATE elbv2_targets SET state = 'initial', reason = 'Elb.RegistrationInProgress', description = 'Target registration is in progress', healthy_since = NULL WHERE tg_arn = ? AND drain_until IS NULL")
    .run(tgArn);
  bumpGeneration(sql);
}

/** Removes targets whose deregistration delay has passed. */
export function dropDrainedTargets(sql: Statements, now: number): number {
  const n = sql.get('DELETE FROM elbv2_targets WHERE drain_until IS NOT NULL AND drain_until <= ?').run(now).changes;
  if (n) bumpGeneration(sql);
  return n;
}

// ---- whole-state reads for the data plane ----------------------------------------

export interface Scoped<T> extends Stored<T> {
  account: string;
  region: string;
}

export function everyLoadBalancer(sql: Statements): Scoped<LoadBalancer>[] {
  const rows = sql.get('SELECT arn, account, region, doc, attributes, seq FROM elbv2_load_balancers ORDER BY seq').all() as (DocRow & { account: string; region: string })[];
  return rows.map((r) => ({ ...toStored<LoadBalancer>(r), account: r.account, region: r.region }));
}

export function everyTargetGroup(sql: Statements): Scoped<TargetGroup>[] {
  const rows = sql.get('SELECT arn, account, region, doc, attributes, seq FROM elbv2_target_groups ORDER BY seq').all() as (DocRow & { account: string; region: string })[];
  return rows.map((r) => ({ ...toStored<TargetGroup>(r), account: r.account, region: r.region }));
}

export function everyForwardedTargetGroup(sql: Statements): Set<string> {
  return new Set(sql.get('SELECT DISTINCT tg_arn FROM elbv2_forwards').pluck().all() as string[]);
}
