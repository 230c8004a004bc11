/** Schedule groups: CreateScheduleGroup, GetScheduleGroup, ListScheduleGroups, DeleteScheduleGroup; tags of groups. */
import { countTags, dropAllTags, getTags, putTags, removeTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { conflict, groupNotFound, notFound, validation } from './errors.js';
import { decodeToken, encodeToken, maxResults } from './pages.js';
import { DEFAULT_GROUP, deleteGroupRow, ensureDefaultGroup, findGroup, groupArn, groupsOf, insertGroup, type GroupRow } from './store.js';

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const MAX_TAGS = 200;

type Tag = { Key: string; Value: string };

function validTags(tags: Tag[] | undefined) {
  const pairs = (tags ?? []).map((t) => ({ key: t.Key, value: t.Value ?? '' }));
  for (const t of pairs) if (!t.key || t.key.length > 128 || t.key.startsWith('aws:') || t.value.length > 256) throw validation(`Invalid tag key or value: ${t.key}.`);
  return pairs;
}

export function createScheduleGroup(ctx: RequestContext, input: { Name: string; Tags?: Tag[] }) {
  if (!NAME.test(input.Name)) throw validation(`Invalid schedule group name ${input.Name}.`);
  const now = ctx.clock.now();
  ensureDefaultGroup(ctx.sql, ctx, now);
  if (findGroup(ctx.sql, ctx, input.Name)) throw conflict(`Schedule group ${input.Name} already exists.`);
  insertGroup(ctx.sql, ctx, input.Name, now);
  const tags = validTags(input.Tags);
  if (tags.length) putTags(ctx, groupArn(ctx, input.Name), tags);
  return { ScheduleGroupArn: groupArn(ctx, input.Name) };
}

export function requireGroup(ctx: RequestContext, name: string | undefined): GroupRow {
  ensureDefaultGroup(ctx.sql, ctx, ctx.clock.now());
  const g = findGroup(ctx.sql, ctx, name ?? DEFAULT_GROUP);
  if (!g) throw groupNotFound(name ?? DEFAULT_GROUP);
  return g;
}

const described = (g: GroupRow) => ({
  Arn: g.arn, Name: g.name, State: 'ACTIVE', CreationDate: new Date(g.created_at), LastModificationDate: new Date(g.modified_at),
});

export const getScheduleGroup = (ctx: RequestContext, input: { Name: string }) => described(requireGroup(ctx, input.Name));

export function listScheduleGroups(ctx: RequestContext, input: { NamePrefix?: string; NextToken?: string; MaxResults?: number }) {
  ensureDefaultGroup(ctx.sql, ctx, ctx.clock.now());
  const limit = maxResults(input.MaxResults);
  const rows = groupsOf(ctx.sql, ctx, input.NamePrefix ?? '', decodeToken(input.NextToken), limit + 1);
  const page = rows.slice(0, limit);
  return { ScheduleGroups: page.map(described), NextToken: rows.length > limit ? encodeToken(page[page.length - 1].name) : undefined };
}

export function deleteScheduleGroup(ctx: RequestContext, input: { Name: string }) {
  if (input.Name === DEFAULT_GROUP) throw validation('The default schedule group cannot be deleted.');
  const g = requireGroup(ctx, input.Name);
  // Its schedules go with it (AWS deletes them asynchronously; Berth at once).
  for (const arn of deleteGroupRow(ctx.sql, g)) ctx.changed('scheduler.schedule', arn);
  dropAllTags(ctx, g.arn);
  return {};
}

/** Only schedule groups take tags. */
function taggedGroup(ctx: RequestContext, arn: string): string {
  const m = /^arn:aws:scheduler:([^:]+):(\d{12}):schedule-group\/(.+)$/.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.account) throw notFound(`Resource ${arn} does not exist.`);
  requireGroup(ctx, m[3]);
  return arn;
}

export function tagResource(ctx: RequestContext, input: { ResourceArn: string; Tags: Tag[] }) {
  const arn = taggedGroup(ctx, input.ResourceArn);
  const pairs = validTags(input.Tags);
  const fresh = pairs.filter((p) => !getTags(ctx, arn).some((t) => t.key === p.key)).length;
  if (countTags(ctx, arn) + fresh > MAX_TAGS) throw validation(`A schedule group can have at most ${MAX_TAGS} tags.`);
  putTags(ctx, arn, pairs);
  return {};
}

export function untagResource(ctx: RequestContext, input: { ResourceArn: string; TagKeys: string[] }) {
  removeTags(ctx, taggedGroup(ctx, input.ResourceArn), input.TagKeys ?? []);
  return {};
}

export function listTagsForResource(ctx: RequestContext, input: { ResourceArn: string }) {
  return { Tags: getTags(ctx, taggedGroup(ctx, input.ResourceArn)).map((t) => ({ Key: t.key, Value: t.value })) };
}
