/** Event buses: CreateEventBus, DescribeEventBus, ListEventBuses, UpdateEventBus, DeleteEventBus. The `default` bus always exists. */
import { putTags, dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { alreadyExists, validation } from './errors.js';
import { busOf, decodeToken, encodeToken, pageLimit } from './names.js';
import { busArn, busesOf, DEFAULT_BUS, deleteBusRow, deleteRuleRow, ensureDefaultBus, findBus, insertBus, rulesOf, updateBusDoc, type BusRow } from './store.js';
import type { DeadLetterConfig, Tag } from './types.js';
import { validTags } from './tags.js';

interface BusDoc { Description?: string; KmsKeyIdentifier?: string; DeadLetterConfig?: DeadLetterConfig; LogConfig?: unknown; Policy?: string }

const NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

export function createEventBus(ctx: RequestContext, input: { Name: string; EventSourceName?: string; Tags?: Tag[] } & BusDoc) {
  const name = input.Name;
  // AWS's words for a slash (https://github.com/getmoto/moto mirrors them); the other refusals come from the model's pattern.
  if (name.includes('/')) throw validation("Event bus name must not contain '/'.");
  if (!NAME.test(name)) throw validation(`Event bus name ${name} is not valid.`);
  if (input.EventSourceName) throw validation('Partner event sources are not supported by Berth.');
  // AWS reserves the `aws.` prefix for partner buses and `default` for the account's own.
  if (name.startsWith('aws.')) throw validation(`Event bus name must not start with 'aws.'.`);
  ensureDefaultBus(ctx.sql, ctx, ctx.clock.now());
  if (findBus(ctx.sql, ctx, name)) throw alreadyExists(`Event bus ${name} already exists.`);
  const doc: BusDoc = pick(input);
  insertBus(ctx.sql, ctx, name, doc, ctx.clock.now());
  const tags = validTags(input.Tags);
  if (tags.length) putTags(ctx, busArn(ctx, name), tags);
  ctx.changed('events.bus', busArn(ctx, name));
  return { EventBusArn: busArn(ctx, name), ...doc };
}

function pick(input: BusDoc): BusDoc {
  const doc: BusDoc = {};
  if (input.Description !== undefined) doc.Description = input.Description;
  if (input.KmsKeyIdentifier !== undefined) doc.KmsKeyIdentifier = input.KmsKeyIdentifier;
  if (input.DeadLetterConfig !== undefined) doc.DeadLetterConfig = input.DeadLetterConfig;
  if (input.LogConfig !== undefined) doc.LogConfig = input.LogConfig;
  return doc;
}

function described(b: BusRow) {
  const doc = JSON.parse(b.doc) as BusDoc;
  return { Name: b.name, Arn: b.arn, ...doc, CreationTime: new Date(b.created_at), LastModifiedTime: new Date(b.modified_at) };
}

export function describeEventBus(ctx: RequestContext, input: { Name?: string }) {
  return described(busOf(ctx, input.Name));
}

export function updateEventBus(ctx: RequestContext, input: { Name?: string } & BusDoc) {
  const b = busOf(ctx, input.Name);
  const doc = { ...(JSON.parse(b.doc) as BusDoc), ...pick(input) };
  updateBusDoc(ctx.sql, b, doc, ctx.clock.now());
  ctx.changed('events.bus', b.arn);
  return { Arn: b.arn, Name: b.name, ...doc };
}

export function listEventBuses(ctx: RequestContext, input: { NamePrefix?: string; NextToken?: string; Limit?: number }) {
  ensureDefaultBus(ctx.sql, ctx, ctx.clock.now());
  const limit = pageLimit(input.Limit);
  const rows = busesOf(ctx.sql, ctx, input.NamePrefix ?? '', decodeToken(input.NextToken), limit + 1);
  const page = rows.slice(0, limit);
  return {
    EventBuses: page.map((b) => {
      const { Name, Arn, Description, Policy, CreationTime, LastModifiedTime } = described(b);
      return { Name, Arn, Description, Policy, CreationTime, LastModifiedTime };
    }),
    NextToken: rows.length > limit ? encodeToken(page[page.length - 1].name) : undefined,
  };
}

export function deleteEventBus(ctx: RequestContext, input: { Name: string }) {
  if (input.Name === DEFAULT_BUS) throw validation('Cannot delete event bus default.');
  const b = findBus(ctx.sql, ctx, input.Name);
  // Deleting a bus that is not there succeeds, as on AWS.
  if (!b) return {};
  for (const r of rulesOf(ctx.sql, ctx, b.name, '', '', 1_000_000)) {
    deleteRuleRow(ctx.sql, r.Arn);
    ctx.sql.get('DELETE FROM events_targets WHERE rule_arn = ?').run(r.Arn);
    dropAllTags(ctx, r.Arn);
    ctx.changed('events.rule', r.Arn);
  }
  deleteBusRow(ctx.sql, b);
  dropAllTags(ctx, b.arn);
  ctx.changed('events.bus', b.arn);
  return {};
}
