/**
 * Delivering queued events to a rule's target, oldest first (the event-delivery controller calls `deliverNext` per
 * `<rule ARN> <target id>`). Each delivery is one transaction: the target's effect (a message in a queue, an event
 * on a bus, tasks recorded by RunTask) and the delivery's removal commit together, so a kill -9 neither loses nor
 * repeats it.
 *
 * Targets: SQS queues (through SQS's door: SendMessage's rules; FIFO with SqsParameters.MessageGroupId and the event
 * id as deduplication id), event buses (the event routed again on that bus), ECS clusters (RunTask through ECS's
 * door, `startedBy: events-rule/<rule name>`; the target's input, when it is an object, is the task's overrides).
 *
 * Failures (retry.ts): a refusal by the target's service (an AwsError from a client fault: a missing queue, an invalid
 * task definition) is not retried, as EventBridge does not retry client errors; anything else is retried with backoff
 * until the target's RetryPolicy runs out (default 185 attempts or 24 hours). Then the event goes to the target's
 * dead-letter queue, when it has one, with the attributes EventBridge sets (RULE_ARN, TARGET_ARN, ERROR_CODE in
 * EventBridge's codes, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION when a retry condition ran out, RETRY_ATTEMPTS);
 * otherwise it is dropped (and logged).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 *
 * Bus to bus: a delivery remembers the buses its event came through before the rule's; an event that already
 * crossed from one bus to another is not sent on to a third (retry.ts HOP_REFUSED), so buses cannot loop.
 */
import { randomUUID } from 'node:crypto';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { RunTaskRequest } from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import { parseArn } from '../../shared/arns.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { ChangeKind } from '../../state/change-feed.js';
import type { Db, Statements } from '../../state/db.js';
import { runTask } from '../ecs/index.js';
import type { RequestContext } from '../provider.js';
import { sendToQueue } from '../sqs/index.js';
import { targetInput } from './input.js';
import { afterFailure, HOP_REFUSED, ruleErrorCode } from './retry.js';
import { deliveryKey, routeEvent } from './routing.js';
import { busArn, deleteDelivery, findBus, oldestDelivery, retryDelivery, ruleByArn, targetOf, type DeliveryRow } from './store.js';
import { targetKind } from './targets.js';
import type { BusEvent, Rule, Target } from './types.js';

export interface DeliveryDeps {
  db: Db;
  sql: Statements;
  clock: Clock;
  log: Logger;
  metricsPeriod: number;
  /** Publishes a change once the transaction that made it has committed. */
  publish(kind: ChangeKind, key: string): void;
}

/** Deliveries per pass before the key goes back in the queue (other targets get their turn). */
const PER_PASS = 50;

/** A context for acting in another service as EventBridge does, in the target's account and region. */
function serviceContext(d: Omit<DeliveryDeps, 'publish'>, account: string, region: string, principal: string, changes: [ChangeKind, string][]): RequestContext {
  return {
    account, region, requestId: randomUUID(), principalArn: principal, accessKeyId: '', db: d.db, sql: d.sql, clock: d.clock, log: d.log,
    metricsPeriod: d.metricsPeriod, changed: (kind, key) => changes.push([kind, key]),
  };
}

/**
 * Delivers what is due for one rule's target. Returns ms until it should look again (a retry's backoff, or 0 when
 * more are waiting), or undefined when nothing waits.
 */
export function deliverNext(d: DeliveryDeps, key: string): number | undefined {
  const space = key.lastIndexOf(' ');
  const ruleArnText = key.slice(0, space);
  const targetId = key.slice(space + 1);
  for (let i = 0; i < PER_PASS; i++) {
    const changes: [ChangeKind, string][] = [];
    const wait = d.db.transaction(() => deliverOne(d, ruleArnText, targetId, changes))();
    for (const [kind, k] of changes) d.publish(kind, k);
    if (wait !== 0) return wait;
  }
  return 0;
}

/** 0: delivered (or dropped) one; a number: wait that long; undefined: nothing waits. */
function deliverOne(d: DeliveryDeps, ruleArnText: string, targetId: string, changes: [ChangeKind, string][]): number | undefined {
  const row = oldestDelivery(d.sql, ruleArnText, targetId);
  if (!row) return undefined;
  const now = d.clock.now();
  if (row.due_at > now) return row.due_at - now;
  const rule = ruleByArn(d.sql, ruleArnText)?.rule;
  const target = rule && targetOf(d.sql, ruleArnText, targetId);
  if (!rule || !target) {
    deleteDelivery(d.sql, row.id);
    return 0;
  }
  const event = JSON.parse(row.event) as BusEvent;
  // Whatever happens next (delivered, retried or dropped), the rule's waiting deliveries moved.
  changes.push(['events.targets', ruleArnText]);
  try {
    // A savepoint: a target that fails halfway leaves nothing behind.
    d.db.transaction(() => deliverTo(d, rule, target, row, event, now, changes))();
    deleteDelivery(d.sql, row.id);
    return 0;
  } catch (err) {
    return failed(d, rule, target, row, event, err, now, changes);
  }
}

function deliverTo(d: DeliveryDeps, rule: Rule, target: Target, row: DeliveryRow, event: BusEvent, now: number, changes: [ChangeKind, string][]) {
  const input = targetInput(target, event, { ruleArn: rule.Arn, ruleName: rule.Name, ingestionTime: new Date(now).toISOString() });
  if (targetKind(target.Arn) === 'event-bus') {
    const earlier = row.chain ? (JSON.parse(row.chain) as string[]) : [];
    if (earlier.length) {
      throw new AwsError(HOP_REFUSED, `The event came to event bus ${rule.EventBusName} from ${earlier[earlier.length - 1]}: EventBridge does not send it on to a third event bus.`);
    }
    const p = parseArn(target.Arn)!;
    const bus = p.resource.slice('event-bus/'.length);
    if (!findBus(d.sql, p, bus)) throw new AwsError('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
    const ruleScope = parseArn(rule.Arn)!;
    routeEvent(d.sql, p, bus, event, now, (kind, key) => changes.push([kind, key]), [busArn(ruleScope, rule.EventBusName)]);
    return;
  }
  // What ECS shows for tasks an EventBridge rule started.
  invokeTarget(d, { ...target, RoleArn: target.RoleArn ?? rule.RoleArn }, input, { startedBy: `events-rule/${rule.Name}`, deduplicationId: event.id }, changes);
}

/** A target as both EventBridge rules and EventBridge Scheduler name one. */
export interface InvokedTarget {
  Arn: string;
  RoleArn?: string;
  EcsParameters?: Target['EcsParameters'];
  SqsParameters?: Target['SqsParameters'];
}

/**
 * Invokes an SQS or ECS target with an input text, in the caller's transaction (EventBridge rules and EventBridge
 * Scheduler alike): the queue gets the text as its body; the cluster runs EcsParameters' task with the text as overrides
 * when it is an object of override members. Throws the target service's AwsError when it refuses.
 */
export function invokeTarget(
  d: Omit<DeliveryDeps, 'publish'>, target: InvokedTarget, input: string, opts: { startedBy?: string; deduplicationId: string }, changes: [ChangeKind, string][],
) {
  const p = parseArn(target.Arn);
  if (!p) throw new AwsError('ValidationException', `Invalid target ARN ${target.Arn}.`);
  const principal = target.RoleArn ?? `arn:aws:iam::${p.account}:root`;
  const ctx = serviceContext(d, p.account, p.region, principal, changes);
  switch (targetKind(target.Arn)) {
    case 'sqs':
      sendToQueue(ctx, target.Arn, { body: input, groupId: target.SqsParameters?.MessageGroupId, deduplicationId: opts.deduplicationId });
      return;
    case 'ecs':
      runEcsTask(ctx, target, input, opts.startedBy);
      return;
    default:
      throw new AwsError('ValidationException', `Berth does not deliver to ${target.Arn}.`);
  }
}

/** ECS's RunTask fields that EcsParameters carries (EventBridge spells some members differently). */
function runEcsTask(ctx: RequestContext, target: InvokedTarget, input: string, startedBy: string | undefined) {
  const p = target.EcsParameters!;
  const vpc = p.NetworkConfiguration?.awsvpcConfiguration;
  const request: RunTaskRequest = {
    cluster: target.Arn,
    taskDefinition: p.TaskDefinitionArn,
    count: p.TaskCount ?? 1,
    launchType: p.LaunchType,
    capacityProviderStrategy: p.CapacityProviderStrategy,
    networkConfiguration: vpc ? { awsvpcConfiguration: { subnets: vpc.Subnets, securityGroups: vpc.SecurityGroups, assignPublicIp: vpc.AssignPublicIp } } : undefined,
    platformVersion: p.PlatformVersion,
    group: p.Group,
    enableECSManagedTags: p.EnableECSManagedTags,
    enableExecuteCommand: p.EnableExecuteCommand,
    placementConstraints: p.PlacementConstraints as RunTaskRequest['placementConstraints'],
    placementStrategy: p.PlacementStrategy as RunTaskRequest['placementStrategy'],
    propagateTags: p.PropagateTags,
    referenceId: p.ReferenceId,
    tags: tagsOf(p.Tags),
    startedBy,
    overrides: overridesOf(input),
  };
  const result = runTask(ctx, request);
  if (!result.tasks?.length && result.failures?.length) {
    const f = result.failures[0];
    // No room for the task (RESOURCE:…, no container instances, an agent away) can change: retried (retry.ts).
    // Other failures (a missing task definition) cannot.
    const capacity = /^RESOURCE:|^AGENT$|No Container Instances/.test(f.reason ?? '');
    throw new AwsError('ECSFailure', `${f.reason ?? 'RunTask failed'}${f.arn ? ` (${f.arn})` : ''}`, capacity ? { status: 503, sender: false } : {});
  }
}

/** EventBridge's tags are `{Key, Value}`; Scheduler's ECS tags are maps of key to value. */
function tagsOf(tags: unknown): RunTaskRequest['tags'] {
  if (!Array.isArray(tags)) return undefined;
  return tags.flatMap((t: Record<string, string>) => ('Key' in t ? [{ key: t.Key, value: t.Value }] : Object.entries(t).map(([key, value]) => ({ key, value }))));
}

/** A target input that is a JSON object holding task overrides is used as RunTask's `overrides`, as on AWS. */
function overridesOf(input: string): RunTaskRequest['overrides'] {
  let v: unknown;
  try {
    v = JSON.parse(input);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = ['containerOverrides', 'cpu', 'memory', 'taskRoleArn', 'executionRoleArn', 'ephemeralStorage', 'inferenceAcceleratorOverrides'];
  const out = Object.fromEntries(Object.entries(v).filter(([k]) => keys.includes(k)));
  return Object.keys(out).length ? (out as RunTaskRequest['overrides']) : undefined;
}

function failed(
  d: DeliveryDeps, rule: Rule, target: Target, row: DeliveryRow, event: BusEvent, err: unknown, now: number, changes: [ChangeKind, string][],
): number {
  const code = ruleErrorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const attempts = row.attempts + 1;
  const next = afterFailure(err, attempts, row.accepted_at, now, target.RetryPolicy);
  if ('retryAt' in next) {
    retryDelivery(d.sql, row.id, attempts, next.retryAt);
    d.log.debug('eventbridge delivery failed; retrying', { rule: rule.Arn, target: target.Id, attempts, error: message });
    return next.retryAt - now;
  }
  deleteDelivery(d.sql, row.id);
  const dlq = target.DeadLetterConfig?.Arn;
  if (!dlq) {
    d.log.warn('eventbridge delivery failed; event dropped (no dead-letter queue)', { rule: rule.Arn, target: target.Id, code, error: message });
    return 0;
  }
  const p = parseArn(dlq)!;
  const attrs: Record<string, MessageAttributeValue> = {
    RULE_ARN: { DataType: 'String', StringValue: rule.Arn },
    TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
    ERROR_CODE: { DataType: 'String', StringValue: code },
    ERROR_MESSAGE: { DataType: 'String', StringValue: message.slice(0, 1000) || code },
    ...(next.giveUp ? { EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: next.giveUp } } : {}),
    RETRY_ATTEMPTS: { DataType: 'String', StringValue: String(attempts - 1) },
  };
  try {
    d.db.transaction(() => sendToQueue(serviceContext(d, p.account, p.region, `arn:aws:iam::${p.account}:root`, changes), dlq, {
      body: JSON.stringify(event), attributes: attrs, groupId: rule.Name, deduplicationId: event.id,
    }))();
  } catch (dlqErr) {
    d.log.warn('eventbridge dead-letter queue refused the event; dropped', { rule: rule.Arn, target: target.Id, dlq, error: String(dlqErr) });
  }
  return 0;
}

export { deliveryKey };
