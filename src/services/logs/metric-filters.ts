/**
 * Metric filters: PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter,
 * TestMetricFilter. What a filter emits is metric-store.ts's (applied to every
 * appended event).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
 */
import type {
  DeleteMetricFilterRequest,
  DescribeMetricFiltersRequest,
  DescribeMetricFiltersResponse,
  MetricFilter,
  MetricTransformation,
  PutMetricFilterRequest,
  TestMetricFilterRequest,
  TestMetricFilterResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { compileFilter } from './filter-pattern.js';
import type { MetricFilterRow } from './metric-store.js';
import { pageLimit, decodeToken, encodeToken } from './names.js';
import { findGroup } from './store.js';

/** CloudWatch Logs' quota of metric filters per log group. */
const MAX_FILTERS_PER_GROUP = 100;

export const filterNotFound = () => new AwsError('ResourceNotFoundException', 'The specified metric filter does not exist.');

/**
 * What the model cannot say about a transformation (its names' patterns and lengths, the unit's enum and
 * the single transformation are checked by the wire layer before the operation runs).
 */
function checkTransformation(t: MetricTransformation, pattern: string) {
  const value = t.metricValue!;
  if (!value.startsWith('$') && !Number.isFinite(Number(value))) {
    throw invalidParameter(`Invalid metric value: ${value} is neither a number nor a $ field reference.`);
  }
  const dims = Object.keys(t.dimensions ?? {});
  if (dims.length) {
    if (dims.length > 3) throw invalidParameter('Invalid metric transformation: a metric can have at most 3 dimensions.');
    if (t.defaultValue !== undefined) throw invalidParameter('Invalid metric transformation: dimensions and default value are mutually exclusive properties');
    const p = pattern.trim();
    // Dimensions name extracted fields: only JSON and space-delimited patterns extract any.
    if (!p.startsWith('{') && !p.startsWith('[')) throw invalidParameter('The specified filter pattern does not support dimensions');
    for (const [name, spec] of Object.entries(t.dimensions!)) {
      if (!spec.startsWith('$')) throw invalidParameter(`Invalid dimension value for ${name}: ${spec} must be a $ field reference.`);
    }
  }
}

export function putMetricFilter(ctx: RequestContext, input: PutMetricFilterRequest): Record<string, never> {
  const name = input.filterName!;
  const pattern = input.filterPattern!;
  const transformations = input.metricTransformations!;
  compileFilter(pattern);
  for (const t of transformations) checkTransformation(t, pattern);
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const existing = ctx.sql.get('SELECT created_at FROM logs_metric_filters WHERE group_id = ? AND name = ?').get(group.id, name) as { created_at: number } | undefined;
  if (!existing) {
    const { n } = ctx.sql.get('SELECT COUNT(*) AS n FROM logs_metric_filters WHERE group_id = ?').get(group.id) as { n: number };
    if (n >= MAX_FILTERS_PER_GROUP) throw new AwsError('LimitExceededException', 'Resource limit exceeded.');
  }
  const stored = transformations.map((t) => ({
    metricName: t.metricName, metricNamespace: t.metricNamespace, metricValue: t.metricValue,
    ...(t.defaultValue !== undefined ? { defaultValue: t.defaultValue } : {}),
    ...(t.dimensions && Object.keys(t.dimensions).length ? { dimensions: t.dimensions } : {}),
    ...(t.unit !== undefined ? { unit: t.unit } : {}),
  }));
  ctx.sql
    .get(`INSERT INTO logs_metric_filters (group_id, name, pattern, transformations, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, transformations = excluded.transformations`)
    .run(group.id, name, pattern, JSON.stringify(stored), ctx.clock.now());
  return {};
}

interface FilterToken { g: string; n: string }
const isFilterToken = (p: unknown): p is FilterToken =>
  !!p && typeof p === 'object' && typeof (p as FilterToken).g === 'string' && typeof (p as FilterToken).n === 'string';

export function describeMetricFilters(ctx: RequestContext, input: DescribeMetricFiltersRequest): DescribeMetricFiltersResponse {
  const limit = pageLimit(input.limit, 50);
  if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) {
    throw invalidParameter('If you specify metricName or metricNamespace, you must specify both.');
  }
  if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) {
    throw invalidParameter('If you specify filterNamePrefix, you must also specify logGroupName.');
  }
  const where = ['g.account = ?', 'g.region = ?'];
  const args: unknown[] = [ctx.account, ctx.region];
  if (input.logGroupName !== undefined) {
    const group = findGroup(ctx.sql, ctx, input.logGroupName);
    if (!group) throw groupNotFound();
    where.push('f.group_id = ?');
    args.push(group.id);
  }
  if (input.filterNamePrefix !== undefined) {
    where.push('substr(f.name, 1, ?) = ?');
    args.push(input.filterNamePrefix.length, input.filterNamePrefix);
  }
  const after = decodeToken(input.nextToken, isFilterToken);
  if (after) {
    where.push('(g.name, f.name) > (?, ?)');
    args.push(after.g, after.n);
  }
  const rows = ctx.sql
    .get(`SELECT f.*, g.name AS group_name FROM logs_metric_filters f JOIN logs_groups g ON g.id = f.group_id
          WHERE ${where.join(' AND ')} ORDER BY g.name, f.name`)
    .iterate(...args) as IterableIterator<MetricFilterRow & { group_name: string }>;
  const page: MetricFilter[] = [];
  let more = false;
  for (const r of rows) {
    const transformations = JSON.parse(r.transformations) as MetricTransformation[];
    if (input.metricName !== undefined
      && !transformations.some((t) => t.metricName === input.metricName && t.metricNamespace === input.metricNamespace)) continue;
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push({
      filterName: r.name, filterPattern: r.pattern, metricTransformations: transformations,
      creationTime: r.created_at, logGroupName: r.group_name, applyOnTransformedLogs: false,
    });
  }
  const last = page[page.length - 1];
  return { metricFilters: page, ...(more ? { nextToken: encodeToken({ g: last.logGroupName, n: last.filterName }) } : {}) };
}

export function deleteMetricFilter(ctx: RequestContext, input: DeleteMetricFilterRequest): Record<string, never> {
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const { changes } = ctx.sql.get('DELETE FROM logs_metric_filters WHERE group_id = ? AND name = ?').run(group.id, input.filterName!);
  if (!changes) throw filterNotFound();
  return {};
}

/** Matches each message as a metric filter would; `extractedValues` are the fields the pattern extracted. */
export function testMetricFilter(_ctx: RequestContext, input: TestMetricFilterRequest): TestMetricFilterResponse {
  const extract = compileFilter(input.filterPattern);
  const messages = input.logEventMessages!;
  const matches: NonNullable<TestMetricFilterResponse['matches']> = [];
  messages.forEach((message, i) => {
    const m = extract(message);
    if (m) matches.push({ eventNumber: i + 1, eventMessage: message, extractedValues: m.values });
  });
  return { matches };
}
