/**
 * Log groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, ListLogGroups,
 * PutRetentionPolicy, DeleteRetentionPolicy, PutLogGroupDeletionProtection.
 */
import type {
  CreateLogGroupRequest,
  DeleteLogGroupRequest,
  DeleteRetentionPolicyRequest,
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  ListLogGroupsRequest,
  ListLogGroupsResponse,
  LogGroup,
  PutLogGroupDeletionProtectionRequest,
  PutRetentionPolicyRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { constraint, groupExists, groupNotFound, invalidParameter, validation } from './errors.js';
import { checkGroupName, pageLimit, decodeToken, encodeToken, groupNameOf, isString, requireGroup } from './names.js';
import { deleteGroup, findGroup, groupArn, insertGroup, purgeExpired, type GroupRow } from './store.js';
import { putGroupTags } from './tags.js';

/** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function createLogGroup(ctx: RequestContext, input: CreateLogGroupRequest): Record<string, never> {
  const name = input.logGroupName!;
  checkGroupName(name);
  if (findGroup(ctx.sql, ctx, name)) throw groupExists();
  insertGroup(ctx.sql, ctx, {
    name, now: ctx.clock.now(), kmsKeyId: input.kmsKeyId, logGroupClass: input.logGroupClass,
    deletionProtection: input.deletionProtectionEnabled,
  });
  if (input.tags && Object.keys(input.tags).length) putGroupTags(ctx, groupArn(ctx, name), input.tags);
  return {};
}

export function deleteLogGroup(ctx: RequestContext, input: DeleteLogGroupRequest): Record<string, never> {
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/protecting-log-groups-from-deletion.html
  if (group.deletion_protection) throw validation('Cannot delete log group with deletion protection enabled. Disable deletion protection first.');
  deleteGroup(ctx.sql, group);
  dropAllTags(ctx, groupArn(ctx, group.name));
  return {};
}

function toLogGroup(ctx: RequestContext, g: GroupRow): LogGroup {
  const arn = groupArn(ctx, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.created_at,
    ...(g.retention_days ? { retentionInDays: g.retention_days } : {}),
    metricFilterCount: (ctx.sql.get('SELECT COUNT(*) AS n FROM logs_metric_filters WHERE group_id = ?').get(g.id) as { n: number }).n,
    arn: `${arn}:*`,
    storedBytes: g.stored_bytes,
    ...(g.kms_key_id ? { kmsKeyId: g.kms_key_id } : {}),
    logGroupClass: g.log_group_class as LogGroup['logGroupClass'],
    logGroupArn: arn,
    deletionProtectionEnabled: g.deletion_protection === 1,
  };
}

/** Groups in name order after `after`, filtered; one more than `limit` tells whether a next page exists. */
function pageOfGroups(ctx: RequestContext, f: { prefix?: string; pattern?: string; cls?: string; after?: string; names?: string[] }, limit: number): GroupRow[] {
  const where = ['account = ?', 'region = ?'];
  const args: unknown[] = [ctx.account, ctx.region];
  if (f.prefix) {
    where.push('substr(name, 1, ?) = ?');
    args.push(f.prefix.length, f.prefix);
  }
  if (f.pattern) {
    // logGroupNamePattern is a case-insensitive substring match.
    where.push('instr(lower(name), lower(?)) > 0');
    args.push(f.pattern);
  }
  if (f.cls) {
    where.push('log_group_class = ?');
    args.push(f.cls);
  }
  if (f.names) {
    where.push(`name IN (${f.names.map(() => '?').join(', ') || 'NULL'})`);
    args.push(...f.names);
  }
  if (f.after !== undefined) {
    where.push('name > ?');
    args.push(f.after);
  }
  args.push(limit + 1);
  return ctx.sql.get(`SELECT * FROM logs_groups WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`).all(...args) as GroupRow[];
}

export function describeLogGroups(ctx: RequestContext, input: DescribeLogGroupsRequest): DescribeLogGroupsResponse {
  const limit = pageLimit(input.limit, 50);
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
  }
  if (input.logGroupIdentifiers !== undefined && (input.logGroupNamePrefix !== undefined || input.logGroupNamePattern !== undefined)) {
    throw invalidParameter('logGroupIdentifiers is mutually exclusive with logGroupNamePrefix and logGroupNamePattern.');
  }
  if (input.logGroupNamePrefix !== undefined) checkGroupName(input.logGroupNamePrefix, 'logGroupNamePrefix');
  const names = input.logGroupIdentifiers?.map((id) => groupNameOf(ctx, id)).filter((n): n is string => n !== undefined);
  const after = decodeToken(input.nextToken, isString);
  const rows = pageOfGroups(ctx, {
    prefix: input.logGroupNamePrefix, pattern: input.logGroupNamePattern, cls: input.logGroupClass, after, names,
  }, limit);
  const page = rows.slice(0, limit);
  const now = ctx.clock.now();
  for (const g of page) if (purgeExpired(ctx.sql, g, now)) Object.assign(g, findGroup(ctx.sql, ctx, g.name));
  return {
    logGroups: page.map((g) => toLogGroup(ctx, g)),
    ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].name) } : {}),
  };
}

export function listLogGroups(ctx: RequestContext, input: ListLogGroupsRequest): ListLogGroupsResponse {
  const limit = pageLimit(input.limit, 1000);
  const after = decodeToken(input.nextToken, isString);
  // The pattern of ListLogGroups is a regular expression; Berth matches it as a case-insensitive substring (see README).
  const rows = pageOfGroups(ctx, { pattern: input.logGroupNamePattern, cls: input.logGroupClass, after }, limit);
  const page = rows.slice(0, limit);
  return {
    logGroups: page.map((g) => ({ logGroupName: g.name, logGroupArn: groupArn(ctx, g.name), logGroupClass: g.log_group_class as LogGroup['logGroupClass'] })),
    ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].name) } : {}),
  };
}

export function putRetentionPolicy(ctx: RequestContext, input: PutRetentionPolicyRequest): Record<string, never> {
  const days = input.retentionInDays!;
  if (!RETENTION_DAYS.includes(days)) {
    // Logs' frontend quotes numbers as it quotes strings (`Value '2'`), as in its model-constraint errors.
    throw constraint(String(days), 'retentionInDays', `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`);
  }
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  ctx.sql.get('UPDATE logs_groups SET retention_days = ? WHERE id = ?').run(days, group.id);
  purgeExpired(ctx.sql, { ...group, retention_days: days }, ctx.clock.now());
  return {};
}

export function deleteRetentionPolicy(ctx: RequestContext, input: DeleteRetentionPolicyRequest): Record<string, never> {
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  ctx.sql.get('UPDATE logs_groups SET retention_days = NULL WHERE id = ?').run(group.id);
  return {};
}

export function putLogGroupDeletionProtection(ctx: RequestContext, input: PutLogGroupDeletionProtectionRequest): Record<string, never> {
  const group = requireGroup(ctx, { logGroupIdentifier: input.logGroupIdentifier });
  ctx.sql.get('UPDATE logs_groups SET deletion_protection = ? WHERE id = ?').run(input.deletionProtectionEnabled ? 1 : 0, group.id);
  return {};
}
