/**
 * EventBridge rows: event buses, rules (the Rule document, plus a scheduled rule's clock), targets, and the
 * deliveries waiting for a target (one row per matched event and target, in acceptance order). The front door for
 * everything outside the service (the delivery and schedule controllers go through ./index.ts, which uses these).
 */
import type { Statements } from '../../state/db.js';
import { arn } from '../../shared/arns.js';
import type { Rule, Target } from './types.js';

export interface Scope {
  account: string;
  region: string;
}

export interface BusRow {
  account: string;
  region: string;
  name: string;
  arn: string;
  /** JSON: Description, KmsKeyIdentifier, DeadLetterConfig, LogConfig, Policy. */
  doc: string;
  created_at: number;
  modified_at: number;
}

export interface RuleRow {
  account: string;
  region: string;
  bus: string;
  name: string;
  arn: string;
  doc: string;
  /** Scheduled rules: when the schedule's clock started (real ms), and the virtual time of its last tick. */
  origin: number | null;
  last_tick: number | null;
}

export interface DeliveryRow {
  id: number;
  rule_arn: string;
  target_id: string;
  /** The event as matched (JSON). */
  event: string;
  attempts: number;
  due_at: number;
  accepted_at: number;
  /** JSON: the ARNs of the buses the event came through before the rule's (null: it was put on the rule's bus). */
  chain: string | null;
}

export const DEFAULT_BUS = 'default';
export const busArn = (scope: Scope, name: string) => arn('events', scope.region, scope.account, `event-bus/${name}`);
export const ruleArn = (scope: Scope, bus: string, name: string) =>
  arn('events', scope.region, scope.account, bus === DEFAULT_BUS ? `rule/${name}` : `rule/${bus}/${name}`);

/** Every account and region has a `default` bus; it is written on first use. */
export function ensureDefaultBus(sql: Statements, scope: Scope, now: number) {
  sql.get('INSERT OR IGNORE INTO events_buses (account, region, name, arn, doc, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(scope.account, scope.region, DEFAULT_BUS, busArn(scope, DEFAULT_BUS), '{}', now, now);
}

export function findBus(sql: Statements, scope: Scope, name: string): BusRow | undefined {
  return sql.get('SELECT * FROM events_buses WHERE account = ? AND region = ? AND name = ?').get(scope.account, scope.region, name) as BusRow | undefined;
}

export function insertBus(sql: Statements, scope: Scope, name: string, doc: object, now: number) {
  sql.get('INSERT INTO events_buses (account, region, name, arn, doc, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(scope.account, scope.region, name, busArn(scope, name), JSON.stringify(doc), now, now);
}

export function updateBusDoc(sql: Statements, b: BusRow, doc: object, now: number) {
  sql.get('UPDATE events_buses SET doc = ?, modified_at = ? WHERE arn = ?').run(JSON.stringify(doc), now, b.arn);
}

export function deleteBusRow(sql: Statements, b: BusRow) {
  sql.get('DELETE FROM events_buses WHERE arn = ?').run(b.arn);
}

export function busesOf(sql: Statements, scope: Scope, prefix: string, after: string, limit: number): BusRow[] {
  return sql.get('SELECT * FROM events_buses WHERE account = ? AND region = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?')
    .all(scope.account, scope.region, prefix.length, prefix, after, limit) as BusRow[];
}

export function findRule(sql: Statements, scope: Scope, bus: string, name: string): (RuleRow & { rule: Rule }) | undefined {
  const row = sql.get('SELECT * FROM events_rules WHERE account = ? AND region = ? AND bus = ? AND name = ?').get(scope.account, scope.region, bus, name) as RuleRow | undefined;
  return row && { ...row, rule: JSON.parse(row.doc) as Rule };
}

export function ruleByArn(sql: Statements, ruleArnText: string): (RuleRow & { rule: Rule }) | undefined {
  const row = sql.get('SELECT * FROM events_rules WHERE arn = ?').get(ruleArnText) as RuleRow | undefined;
  return row && { ...row, rule: JSON.parse(row.doc) as Rule };
}

export function upsertRule(sql: Statements, scope: Scope, rule: Rule, origin: number | null) {
  sql.get(`INSERT INTO events_rules (account, region, bus, name, arn, doc, origin, last_tick) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
      ON CONFLICT (account, region, bus, name) DO UPDATE SET doc = excluded.doc, origin = excluded.origin, last_tick = NULL`)
    .run(scope.account, scope.region, rule.EventBusName, rule.Name, rule.Arn, JSON.stringify(rule), origin);
}

export function setRuleDoc(sql: Statements, rule: Rule, origin: number | null) {
  sql.get('UPDATE events_rules SET doc = ?, origin = ?, last_tick = NULL WHERE arn = ?').run(JSON.stringify(rule), origin, rule.Arn);
}

export function setLastTick(sql: Statements, ruleArnText: string, virtual: number) {
  sql.get('UPDATE events_rules SET last_tick = ? WHERE arn = ?').run(virtual, ruleArnText);
}

export function deleteRuleRow(sql: Statements, ruleArnText: string) {
  sql.get('DELETE FROM events_rules WHERE arn = ?').run(ruleArnText);
  sql.get('DELETE FROM events_deliveries WHERE rule_arn = ?').run(ruleArnText);
}

export function rulesOf(sql: Statements, scope: Scope, bus: string, prefix: string, after: string, limit: number): Rule[] {
  return (sql.get('SELECT doc FROM events_rules WHERE account = ? AND region = ? AND bus = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?')
    .pluck().all(scope.account, scope.region, bus, prefix.length, prefix, after, limit) as string[]).map((d) => JSON.parse(d) as Rule);
}

export function countRules(sql: Statements, scope: Scope, bus: string): number {
  return sql.get('SELECT COUNT(*) FROM events_rules WHERE account = ? AND region = ? AND bus = ?').pluck().get(scope.account, scope.region, bus) as number;
}

/** A bus's rules with an event pattern, in name order (what PutEvents matches against). */
export function patternRules(sql: Statements, scope: Scope, bus: string): Rule[] {
  return (sql.get("SELECT doc FROM events_rules WHERE account = ? AND region = ? AND bus = ? AND json_extract(doc, '$.EventPattern') IS NOT NULL ORDER BY name")
    .pluck().all(scope.account, scope.region, bus) as string[]).map((d) => JSON.parse(d) as Rule);
}

/** Every scheduled rule's ARN (the schedule controller's keys). */
export function scheduledRuleArns(sql: Statements): string[] {
  return sql.get("SELECT arn FROM events_rules WHERE json_extract(doc, '$.ScheduleExpression') IS NOT NULL").pluck().all() as string[];
}

export function targetsOf(sql: Statements, ruleArnText: string): Target[] {
  return (sql.get('SELECT doc FROM events_targets WHERE rule_arn = ? ORDER BY id').pluck().all(ruleArnText) as string[]).map((d) => JSON.parse(d) as Target);
}

export function targetOf(sql: Statements, ruleArnText: string, id: string): Target | undefined {
  const doc = sql.get('SELECT doc FROM events_targets WHERE rule_arn = ? AND id = ?').pluck().get(ruleArnText, id) as string | undefined;
  return doc ? (JSON.parse(doc) as Target) : undefined;
}

export function putTargetRow(sql: Statements, ruleArnText: string, t: Target) {
  sql.get('INSERT INTO events_targets (rule_arn, id, arn, doc) VALUES (?, ?, ?, ?) ON CONFLICT (rule_arn, id) DO UPDATE SET arn = excluded.arn, doc = excluded.doc')
    .run(ruleArnText, t.Id, t.Arn, JSON.stringify(t));
}

export function deleteTargetRow(sql: Statements, ruleArnText: string, id: string): boolean {
  const r = sql.get('DELETE FROM events_targets WHERE rule_arn = ? AND id = ?').run(ruleArnText, id);
  sql.get('DELETE FROM events_deliveries WHERE rule_arn = ? AND target_id = ?').run(ruleArnText, id);
  return r.changes > 0;
}

export function countTargets(sql: Statements, ruleArnText: string): number {
  return sql.get('SELECT COUNT(*) FROM events_targets WHERE rule_arn = ?').pluck().get(ruleArnText) as number;
}

/** Names of a bus's rules with a target of this ARN. */
export function ruleNamesByTarget(sql: Statements, scope: Scope, bus: string, targetArn: string, after: string, limit: number): string[] {
  return sql.get(`SELECT DISTINCT r.name FROM events_targets t JOIN events_rules r ON r.arn = t.rule_arn
      WHERE t.arn = ? AND r.account = ? AND r.region = ? AND r.bus = ? AND r.name > ? ORDER BY r.name LIMIT ?`)
    .pluck().all(targetArn, scope.account, scope.region, bus, after, limit) as string[];
}

export function insertDelivery(sql: Statements, ruleArnText: string, targetId: string, event: string, now: number, chain: string | null = null) {
  sql.get('INSERT INTO events_deliveries (rule_arn, target_id, event, attempts, due_at, accepted_at, chain) VALUES (?, ?, ?, 0, ?, ?, ?)')
    .run(ruleArnText, targetId, event, now, now, chain);
}

/** The oldest waiting delivery of a rule's target (deliveries go in acceptance order). */
export function oldestDelivery(sql: Statements, ruleArnText: string, targetId: string): DeliveryRow | undefined {
  return sql.get('SELECT * FROM events_deliveries WHERE rule_arn = ? AND target_id = ? ORDER BY id LIMIT 1').get(ruleArnText, targetId) as DeliveryRow | undefined;
}

export function retryDelivery(sql: Statements, id: number, attempts: number, dueAt: number) {
  sql.get('UPDATE events_deliveries SET attempts = ?, due_at = ? WHERE id = ?').run(attempts, dueAt, id);
}

export function deleteDelivery(sql: Statements, id: number) {
  sql.get('DELETE FROM events_deliveries WHERE id = ?').run(id);
}

/** The oldest deliveries still waiting for their targets (the console's events page): delivered ones are not kept. */
export function waitingDeliveries(sql: Statements, limit: number): DeliveryRow[] {
  return sql.get('SELECT * FROM events_deliveries ORDER BY id LIMIT ?').all(limit) as DeliveryRow[];
}

/** Every (rule, target) with deliveries waiting. */
export function pendingDeliveryKeys(sql: Statements): { rule_arn: string; target_id: string }[] {
  return sql.get('SELECT DISTINCT rule_arn, target_id FROM events_deliveries').all() as { rule_arn: string; target_id: string }[];
}

/** Every account and region with an event bus (the console's list). */
export function busScopes(sql: Statements): Scope[] {
  return sql.get('SELECT DISTINCT account, region FROM events_buses ORDER BY account, region').all() as Scope[];
}

/** A rule's waiting deliveries per target: how many, the most tries any has had, and when the next is due. */
export function waitingByTarget(sql: Statements, ruleArnText: string): { target_id: string; waiting: number; attempts: number; due_at: number }[] {
  return sql.get(`SELECT target_id, COUNT(*) AS waiting, MAX(attempts) AS attempts, MIN(due_at) AS due_at FROM events_deliveries
      WHERE rule_arn = ? GROUP BY target_id`).all(ruleArnText) as { target_id: string; waiting: number; attempts: number; due_at: number }[];
}
