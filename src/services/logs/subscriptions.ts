/**
 * Subscription filters (PutSubscriptionFilter, DescribeSubscriptionFilters,
 * DeleteSubscriptionFilter) and destinations (PutDestination,
 * PutDestinationPolicy, DescribeDestinations, DeleteDestination).
 *
 * What Berth delivers: nothing. A subscription's target is a Kinesis stream, a
 * Firehose stream or a Lambda function — directly, or behind a Logs destination —
 * and Berth serves none of those services. So:
 * - a subscription filter whose destination is a Kinesis, Firehose or Lambda ARN
 *   is refused, as AWS refuses one whose test message it cannot deliver, naming
 *   the service Berth does not serve;
 * - a Logs destination (`arn:…:logs:…:destination:NAME`, made by PutDestination)
 *   is accepted: the filter is stored and listed, and events are not sent on;
 * - PutDestination stores its Kinesis/Firehose target as given.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html
 */
import type {
  DeleteDestinationRequest,
  DeleteSubscriptionFilterRequest,
  DescribeDestinationsRequest,
  DescribeDestinationsResponse,
  DescribeSubscriptionFiltersRequest,
  DescribeSubscriptionFiltersResponse,
  Destination,
  PutDestinationPolicyRequest,
  PutDestinationRequest,
  PutDestinationResponse,
  PutSubscriptionFilterRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import { arn, parseArn } from '../../shared/arns.js';
import { dropAllTags } from '../../state/tags.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { compileFilter } from './filter-pattern.js';
import { pageLimit, decodeToken, encodeToken, isString } from './names.js';
import { findGroup } from './store.js';
import { putGroupTags } from './tags.js';

/** CloudWatch Logs' quota: two subscription filters per log group. */
const MAX_SUBSCRIPTIONS_PER_GROUP = 2;

/** What AWS says when it cannot deliver its test message, and why Berth cannot. */
const UNSERVED: Record<string, string> = {
  kinesis: 'Could not deliver test message to specified Kinesis stream. Berth does not serve Amazon Kinesis Data Streams (kinesis:PutRecords).',
  firehose: 'Could not deliver test message to specified Firehose stream. Berth does not serve Amazon Data Firehose (firehose:PutRecordBatch).',
  lambda: 'Could not execute the lambda function. Berth does not serve AWS Lambda (lambda:InvokeFunction).',
};

interface SubscriptionRow {
  group_id: number;
  name: string;
  pattern: string;
  destination_arn: string;
  role_arn: string | null;
  distribution: string;
  created_at: number;
}

interface DestinationRow {
  account: string;
  region: string;
  name: string;
  target_arn: string;
  role_arn: string;
  access_policy: string | null;
  created_at: number;
}

export const destinationArn = (ctx: RequestContext, name: string) => arn('logs', ctx.region, ctx.account, `destination:${name}`);
const destinationNotFound = () => new AwsError('ResourceNotFoundException', 'The specified destination does not exist.');

function findDestination(ctx: RequestContext, name: string): DestinationRow | undefined {
  return ctx.sql.get('SELECT * FROM logs_destinations WHERE account = ? AND region = ? AND name = ?').get(ctx.account, ctx.region, name) as DestinationRow | undefined;
}

/** Checks a subscription's destination: a Logs destination of this account and region; Kinesis, Firehose and Lambda are refused. */
function checkDestination(ctx: RequestContext, destination: string) {
  const a = parseArn(destination);
  if (!a) throw invalidParameter(`Invalid destinationArn: ${destination}`);
  if (a.service in UNSERVED) throw invalidParameter(UNSERVED[a.service]);
  if (a.service !== 'logs' || !a.resource.startsWith('destination:')) {
    throw invalidParameter(`Invalid destinationArn: ${destination}. Berth accepts CloudWatch Logs destinations (arn:aws:logs:<region>:<account>:destination:<name>).`);
  }
  // A destination of another account or region is reached through its access policy; Berth has one account's view.
  if (a.account === ctx.account && a.region === ctx.region && !findDestination(ctx, a.resource.slice('destination:'.length))) {
    throw destinationNotFound();
  }
}

export function putSubscriptionFilter(ctx: RequestContext, input: PutSubscriptionFilterRequest): Record<string, never> {
  const name = input.filterName!;
  compileFilter(input.filterPattern);
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  checkDestination(ctx, input.destinationArn!);
  const existing = ctx.sql.get('SELECT 1 FROM logs_subscription_filters WHERE group_id = ? AND name = ?').get(group.id, name);
  if (!existing) {
    const { n } = ctx.sql.get('SELECT COUNT(*) AS n FROM logs_subscription_filters WHERE group_id = ?').get(group.id) as { n: number };
    if (n >= MAX_SUBSCRIPTIONS_PER_GROUP) throw new AwsError('LimitExceededException', 'Resource limit exceeded.');
  }
  ctx.sql
    .get(`INSERT INTO logs_subscription_filters (group_id, name, pattern, destination_arn, role_arn, distribution, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (group_id, name) DO UPDATE SET pattern = excluded.pattern, destination_arn = excluded.destination_arn,
            role_arn = excluded.role_arn, distribution = excluded.distribution`)
    .run(group.id, name, input.filterPattern!, input.destinationArn!, input.roleArn ?? null, input.distribution ?? 'ByLogStream', ctx.clock.now());
  return {};
}

export function describeSubscriptionFilters(ctx: RequestContext, input: DescribeSubscriptionFiltersRequest): DescribeSubscriptionFiltersResponse {
  const limit = pageLimit(input.limit, 50);
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const after = decodeToken(input.nextToken, isString);
  const prefix = input.filterNamePrefix ?? '';
  const rows = ctx.sql
    .get(`SELECT * FROM logs_subscription_filters WHERE group_id = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?`)
    .all(group.id, prefix.length, prefix, after ?? '', limit + 1) as SubscriptionRow[];
  const page = rows.slice(0, limit);
  return {
    subscriptionFilters: page.map((r) => ({
      filterName: r.name, logGroupName: group.name, filterPattern: r.pattern, destinationArn: r.destination_arn,
      ...(r.role_arn ? { roleArn: r.role_arn } : {}), distribution: r.distribution as 'Random' | 'ByLogStream',
      applyOnTransformedLogs: false, creationTime: r.created_at,
    })),
    ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].name) } : {}),
  };
}

export function deleteSubscriptionFilter(ctx: RequestContext, input: DeleteSubscriptionFilterRequest): Record<string, never> {
  const group = findGroup(ctx.sql, ctx, input.logGroupName!);
  if (!group) throw groupNotFound();
  const { changes } = ctx.sql.get('DELETE FROM logs_subscription_filters WHERE group_id = ? AND name = ?').run(group.id, input.filterName!);
  if (!changes) throw new AwsError('ResourceNotFoundException', 'The specified subscription filter does not exist.');
  return {};
}

// ---- destinations -------------------------------------------------------------

const toDestination = (ctx: RequestContext, r: DestinationRow): Destination => ({
  destinationName: r.name, targetArn: r.target_arn, roleArn: r.role_arn,
  ...(r.access_policy ? { accessPolicy: r.access_policy } : {}),
  arn: destinationArn(ctx, r.name), creationTime: r.created_at,
});

export function putDestination(ctx: RequestContext, input: PutDestinationRequest): PutDestinationResponse {
  const name = input.destinationName!;
  for (const [field, value] of [['targetArn', input.targetArn!], ['roleArn', input.roleArn!]] as const) {
    if (!parseArn(value)) throw invalidParameter(`Invalid ${field}: ${value}`);
  }
  ctx.sql
    .get(`INSERT INTO logs_destinations (account, region, name, target_arn, role_arn, created_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (account, region, name) DO UPDATE SET target_arn = excluded.target_arn, role_arn = excluded.role_arn`)
    .run(ctx.account, ctx.region, name, input.targetArn!, input.roleArn!, ctx.clock.now());
  if (input.tags && Object.keys(input.tags).length) putGroupTags(ctx, destinationArn(ctx, name), input.tags);
  return { destination: toDestination(ctx, findDestination(ctx, name)!) };
}

export function putDestinationPolicy(ctx: RequestContext, input: PutDestinationPolicyRequest): Record<string, never> {
  const d = findDestination(ctx, input.destinationName!);
  if (!d) throw destinationNotFound();
  try {
    JSON.parse(input.accessPolicy!);
  } catch {
    throw invalidParameter('The access policy is not a valid JSON document.');
  }
  ctx.sql.get('UPDATE logs_destinations SET access_policy = ? WHERE account = ? AND region = ? AND name = ?')
    .run(input.accessPolicy!, ctx.account, ctx.region, d.name);
  return {};
}

export function describeDestinations(ctx: RequestContext, input: DescribeDestinationsRequest): DescribeDestinationsResponse {
  const limit = pageLimit(input.limit, 50);
  const prefix = input.DestinationNamePrefix ?? '';
  const after = decodeToken(input.nextToken, isString);
  const rows = ctx.sql
    .get(`SELECT * FROM logs_destinations WHERE account = ? AND region = ? AND substr(name, 1, ?) = ? AND name > ? ORDER BY name LIMIT ?`)
    .all(ctx.account, ctx.region, prefix.length, prefix, after ?? '', limit + 1) as DestinationRow[];
  const page = rows.slice(0, limit);
  return {
    destinations: page.map((r) => toDestination(ctx, r)),
    ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].name) } : {}),
  };
}

export function deleteDestination(ctx: RequestContext, input: DeleteDestinationRequest): Record<string, never> {
  const { changes } = ctx.sql.get('DELETE FROM logs_destinations WHERE account = ? AND region = ? AND name = ?')
    .run(ctx.account, ctx.region, input.destinationName!);
  if (!changes) throw destinationNotFound();
  dropAllTags(ctx, destinationArn(ctx, input.destinationName!));
  return {};
}
