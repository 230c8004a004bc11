/**
 * The console's events feed, from what Berth keeps that is cheap to read: the ECS service events of every service
 * (ecs_service_events, the rows DescribeServices' `events` shows, newest first by their key), and the EventBridge
 * deliveries still waiting for their targets (events_deliveries: a delivered event is not kept, so this is what is
 * queued or retrying, with its attempts). Task state changes reach the services' events as the scheduler reports
 * them; they are not kept as a history of their own.
 */
import { recentServiceEvents } from '../services/ecs/store/index.js';
import { waitingDeliveries } from '../services/eventbridge/store.js';
import type { Statements } from '../state/db.js';
import type { EventsView } from './views.js';

const MAX_SERVICE_EVENTS = 300;
const MAX_DELIVERIES = 100;

/** arn:aws:ecs:<region>:<account>:service/<cluster>/<name> → its parts. */
function serviceOf(arn: string) {
  const [, , , region, account, resource] = arn.split(':');
  const [, cluster, service] = resource?.split('/') ?? [];
  return { account, region, cluster: cluster ?? '', service: service ?? '' };
}

export function eventsView(sql: Statements): EventsView {
  return {
    serviceEvents: recentServiceEvents(sql, MAX_SERVICE_EVENTS).map((e) => ({
      ...serviceOf(e.serviceArn), id: e.id ?? '', createdAt: String(e.createdAt), message: e.message ?? '',
    })),
    deliveries: waitingDeliveries(sql, MAX_DELIVERIES).map((d) => {
      const event = JSON.parse(d.event) as { source?: string; 'detail-type'?: string; time?: string };
      const [, , , region, account, resource] = d.rule_arn.split(':');
      return {
        account, region,
        rule: resource?.slice(resource.indexOf('/') + 1) ?? d.rule_arn,
        target: d.target_id,
        source: event.source ?? '',
        detailType: event['detail-type'] ?? '',
        attempts: d.attempts,
        acceptedAt: new Date(d.accepted_at).toISOString(),
        dueAt: new Date(d.due_at).toISOString(),
      };
    }),
  };
}
