/**
 * Accepting an event onto a bus: each ENABLED rule of the bus whose pattern matches gets one delivery per target,
 * stored in the same transaction (delivered later, in acceptance order, by the event-delivery controller).
 */
import type { Statements } from '../../state/db.js';
import { compilePattern, matches, type PatternNode } from './pattern.js';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol/errors.js';
import { DEFAULT_BUS, ensureDefaultBus, findBus, insertDelivery, patternRules, targetsOf, type Scope } from './store.js';
import type { BusEvent } from './types.js';

/** Compiled patterns by their text (a rule's pattern is compiled once, not per event). */
const compiled = new Map<string, PatternNode>();
const MAX_COMPILED = 1000;

export function patternOf(text: string): PatternNode {
  let p = compiled.get(text);
  if (!p) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    p = compilePattern(text);
    compiled.set(text, p);
  }
  return p;
}

/** What a change to deliveries is published as (the delivery controller's key). */
export const deliveryKey = (ruleArn: string, targetId: string) => `${ruleArn} ${targetId}`;

export type Changed = (kind: 'events.delivery', key: string) => void;

/**
 * Matches an event against a bus's rules and queues its deliveries; returns how many rules matched. `earlierBuses`:
 * the ARNs of the buses the event came through before this one (a bus target's delivery), which its deliveries keep.
 */
export function routeEvent(sql: Statements, scope: Scope, bus: string, event: BusEvent, now: number, changed: Changed, earlierBuses?: string[]): number {
  let matched = 0;
  const text = JSON.stringify(event);
  for (const rule of patternRules(sql, scope, bus)) {
    if (rule.State === 'DISABLED' || !rule.EventPattern || !matches(patternOf(rule.EventPattern), event)) continue;
    matched++;
    queueForRule(sql, rule.Arn, text, now, changed, earlierBuses);
  }
  return matched;
}

/** Queues an event for every target of a rule (a match, or a scheduled rule's tick). */
export function queueForRule(sql: Statements, ruleArn: string, eventText: string, now: number, changed: Changed, earlierBuses?: string[]) {
  for (const t of targetsOf(sql, ruleArn)) {
    insertDelivery(sql, ruleArn, t.Id, eventText, now, earlierBuses?.length ? JSON.stringify(earlierBuses) : null);
    changed('events.delivery', deliveryKey(ruleArn, t.Id));
  }
}

/** EventBridge's event time: ISO 8601 to the second. */
export const eventTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Puts one event on a bus as PutEvents would (EventBridge Scheduler's bus targets): a new event of the bus's account
 * and region, routed to the bus's rules. Throws ResourceNotFoundException when the bus is not there.
 */
export function putEventOnBus(
  sql: Statements, scope: Scope, bus: string, e: { source: string; detailType: string; detail: unknown; resources: string[] }, now: number, changed: Changed,
): string {
  if (!findBus(sql, scope, bus)) throw new AwsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  const event: BusEvent = {
    version: '0', id: randomUUID(), 'detail-type': e.detailType, source: e.source, account: scope.account, time: eventTime(now),
    region: scope.region, resources: e.resources, detail: e.detail,
  };
  routeEvent(sql, scope, bus, event, now, changed);
  return event.id;
}

/**
 * An AWS service's event (`aws.…` source) onto its account's default bus, routed in the caller's transaction: what
 * Application Auto Scaling sends when a scaling activity takes a target to its maximum. Durable and in order with
 * the change that makes it, like the ECS and ECR outboxes (service-events.ts).
 */
export function putServiceEvent(
  sql: Statements, scope: Scope, e: { source: string; detailType: string; detail: unknown; resources: string[] }, now: number, changed: Changed,
): void {
  ensureDefaultBus(sql, scope, now);
  const event: BusEvent = {
    version: '0', id: randomUUID(), 'detail-type': e.detailType, source: e.source, account: scope.account, time: eventTime(now),
    region: scope.region, resources: e.resources, detail: e.detail,
  };
  routeEvent(sql, scope, DEFAULT_BUS, event, now, changed);
}
