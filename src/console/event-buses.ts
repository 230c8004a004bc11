/**
 * The console's EventBridge views, read through EventBridge's door (services/eventbridge/store.ts) over the rows
 * ListEventBuses, ListRules and ListTargetsByRule read: every bus with its rules (pattern or schedule, state) and each
 * rule's targets (ARN, what input they get, retry policy and dead-letter queue), with the deliveries still waiting for
 * each target. Delivered events are not kept, so there is no delivery history to show.
 */
import { busScopes, busesOf, countRules, findBus, rulesOf, targetsOf, waitingByTarget, type BusRow, type Scope } from '../services/eventbridge/store.js';
import { parseArn } from '../shared/arns.js';
import type { Statements } from '../state/db.js';
import type { Scope as StateScope } from '../state/scope.js';
import type { EventBusesView, EventBusSummary, EventBusView, EventTargetView } from './views.js';

const MAX_BUSES = 100;
/** AWS's limit of rules per bus. */
const MAX_RULES = 300;

const iso = (ms: number) => new Date(ms).toISOString();

function kindOf(arn: string): EventTargetView['kind'] {
  const p = parseArn(arn);
  if (p?.service === 'sqs') return 'sqs';
  if (p?.service === 'ecs' && p.resource.startsWith('cluster/')) return 'ecs';
  if (p?.service === 'events' && p.resource.startsWith('event-bus/')) return 'event-bus';
  return null;
}

function waitingOn(sql: Statements, scope: Scope, bus: string): number {
  return rulesOf(sql, scope, bus, '', '', MAX_RULES).reduce((n, r) => n + waitingByTarget(sql, r.Arn).reduce((m, w) => m + w.waiting, 0), 0);
}

function summary(sql: Statements, scope: Scope, b: BusRow): EventBusSummary {
  const doc = JSON.parse(b.doc) as { Description?: string };
  return {
    name: b.name, arn: b.arn, description: doc.Description ?? null, createdAt: iso(b.created_at),
    rules: countRules(sql, scope, b.name), waiting: waitingOn(sql, scope, b.name),
  };
}

export function eventBusesView(sql: Statements): EventBusesView {
  return {
    scopes: busScopes(sql).map((scope) => ({
      ...scope,
      buses: busesOf(sql, scope, '', '', MAX_BUSES).map((b) => summary(sql, scope, b)),
    })),
  };
}

export function eventBusView(scope: StateScope, name: string): EventBusView | undefined {
  const b = findBus(scope.sql, scope, name);
  if (!b) return undefined;
  const doc = JSON.parse(b.doc) as { DeadLetterConfig?: { Arn?: string } };
  return {
    account: scope.account,
    region: scope.region,
    bus: summary(scope.sql, scope, b),
    deadLetterArn: doc.DeadLetterConfig?.Arn ?? null,
    rules: rulesOf(scope.sql, scope, b.name, '', '', MAX_RULES).map((r) => {
      const waiting = new Map(waitingByTarget(scope.sql, r.Arn).map((w) => [w.target_id, w]));
      return {
        name: r.Name,
        arn: r.Arn,
        state: r.State ?? 'ENABLED',
        pattern: r.EventPattern ?? null,
        schedule: r.ScheduleExpression ?? null,
        description: r.Description ?? null,
        targets: targetsOf(scope.sql, r.Arn).map((t): EventTargetView => {
          const w = waiting.get(t.Id);
          return {
            id: t.Id,
            arn: t.Arn,
            kind: kindOf(t.Arn),
            input: t.InputTransformer ? 'input transformer' : t.Input !== undefined ? 'constant' : t.InputPath !== undefined ? 'input path' : 'event',
            inputTransformer: t.InputTransformer ? { paths: t.InputTransformer.InputPathsMap ?? {}, template: t.InputTransformer.InputTemplate } : null,
            deadLetterArn: t.DeadLetterConfig?.Arn ?? null,
            retryPolicy: t.RetryPolicy
              ? { maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts ?? null, maximumEventAgeSeconds: t.RetryPolicy.MaximumEventAgeInSeconds ?? null }
              : null,
            waiting: w ? { count: w.waiting, attempts: w.attempts, nextAt: iso(w.due_at) } : null,
          };
        }),
      };
    }),
  };
}
