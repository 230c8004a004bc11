/** PutEvents (entries accepted onto their buses, per-entry results) and TestEventPattern. */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../provider.js';
import { validation } from './errors.js';
import { busName } from './names.js';
import { compilePattern, matches } from './pattern.js';
import { eventTime, routeEvent } from './routing.js';
import { ensureDefaultBus, findBus } from './store.js';
import type { BusEvent, PutEventsRequestEntry } from './types.js';

/** PutEvents takes at most 10 entries and 256 KB in all. */
const MAX_ENTRIES = 10;
const MAX_BYTES = 256 * 1024;

/** An entry's size as EventBridge counts it: time, source, detail type, detail, resources. */
function entrySize(e: PutEventsRequestEntry): number {
  let n = e.Time ? 14 : 0;
  for (const s of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) if (s) n += Buffer.byteLength(s, 'utf8');
  return n;
}

type Result = { EventId?: string; ErrorCode?: string; ErrorMessage?: string };

export function putEvents(ctx: RequestContext, input: { Entries: PutEventsRequestEntry[]; EndpointId?: string }) {
  const entries = input.Entries ?? [];
  if (!entries.length || entries.length > MAX_ENTRIES) {
    throw validation(`1 validation error detected: Value '[${entries.length} entries]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
  }
  if (input.EndpointId) throw validation('Global endpoints are not supported by Berth.');
  if (entries.reduce((n, e) => n + entrySize(e), 0) > MAX_BYTES) throw validation('Total size of the entries in the request is over the limit.');
  // An entry without Source, DetailType and Detail fails; a request none of whose entries has them fails whole.
  if (entries.every((e) => !e.Source || !e.DetailType || !e.Detail)) {
    throw validation('Parameter(s) Source, DetailType, Detail must be specified.');
  }
  const now = ctx.clock.now();
  ensureDefaultBus(ctx.sql, ctx, now);
  const results: Result[] = entries.map((e) => acceptEntry(ctx, e, now));
  return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
}

function acceptEntry(ctx: RequestContext, e: PutEventsRequestEntry, now: number): Result {
  for (const [name, v] of [['Source', e.Source], ['DetailType', e.DetailType], ['Detail', e.Detail]] as const) {
    if (!v) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.` };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail!);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (e.Source!.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let bus: string;
  try {
    bus = busName(ctx, e.EventBusName);
  } catch (err) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: (err as Error).message };
  }
  if (!findBus(ctx.sql, ctx, bus)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  const event: BusEvent = {
    version: '0', id: randomUUID(), 'detail-type': e.DetailType!, source: e.Source!, account: ctx.account,
    time: eventTime(e.Time ? new Date(e.Time).getTime() : now), region: ctx.region, resources: e.Resources ?? [], detail,
  };
  routeEvent(ctx.sql, ctx, bus, event, now, ctx.changed);
  return { EventId: event.id };
}

/** The event fields TestEventPattern requires, as EventBridge checks them. */
const REQUIRED_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

export function testEventPattern(_ctx: RequestContext, input: { EventPattern: string; Event: string }) {
  const pattern = compilePattern(input.EventPattern);
  let event: unknown;
  try {
    event = JSON.parse(input.Event);
  } catch {
    throw validation('Parameter Event is not valid.');
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw validation('Parameter Event is not valid.');
  const missing = REQUIRED_FIELDS.filter((f) => !(f in (event as object)));
  if (missing.length) throw validation(`Parameter Event is not valid. Reason: Event is missing the field(s) ${missing.join(', ')}.`);
  return { Result: matches(pattern, event) };
}
