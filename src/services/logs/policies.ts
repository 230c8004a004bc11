/**
 * Resource policies: PutResourcePolicy, DescribeResourcePolicies,
 * DeleteResourcePolicy — stored and returned (Berth has no IAM evaluation that
 * would read them). Account-scoped policies are named (`policyName`, at most 10
 * per account and region); a policy on one log group is keyed by the group's ARN
 * (`resourceArn`, scope RESOURCE) and carries a revision id that
 * `expectedRevisionId` must match.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html
 */
import { randomUUID } from 'node:crypto';
import type {
  DeleteResourcePolicyRequest,
  DescribeResourcePoliciesRequest,
  DescribeResourcePoliciesResponse,
  PutResourcePolicyRequest,
  PutResourcePolicyResponse,
  ResourcePolicy,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { pageLimit, decodeToken, encodeToken, groupNameOf, isString } from './names.js';
import { findGroup, groupArn } from './store.js';

const MAX_ACCOUNT_POLICIES = 10;
/** Resource-scoped rows are keyed by this prefix + the group's ARN, beside the account's named policies. */
const RESOURCE_KEY = 'resource:';

interface PolicyRow { name: string; document: string; updated_at: number }
interface StoredPolicy { document: string; revisionId?: string }

const policyNotFound = () => new AwsError('ResourceNotFoundException', 'The specified resource policy does not exist.');

function parseDoc(row: PolicyRow): StoredPolicy {
  return JSON.parse(row.document) as StoredPolicy;
}

function toPolicy(row: PolicyRow): ResourcePolicy {
  const doc = parseDoc(row);
  if (row.name.startsWith(RESOURCE_KEY)) {
    return { policyDocument: doc.document, lastUpdatedTime: row.updated_at, policyScope: 'RESOURCE', resourceArn: row.name.slice(RESOURCE_KEY.length), revisionId: doc.revisionId };
  }
  return { policyName: row.name, policyDocument: doc.document, lastUpdatedTime: row.updated_at, policyScope: 'ACCOUNT' };
}

/** The key of a resource-scoped policy: a log group of this account and region, by its ARN (without `:*`). */
function resourceKey(ctx: RequestContext, resourceArn: string): string {
  const name = groupNameOf(ctx, resourceArn);
  if (!resourceArn.startsWith('arn:') || name === undefined) throw invalidParameter(`Invalid resourceArn: ${resourceArn}`);
  if (!findGroup(ctx.sql, ctx, name)) throw groupNotFound();
  return `${RESOURCE_KEY}${groupArn(ctx, name)}`;
}

const findPolicy = (ctx: RequestContext, key: string) =>
  ctx.sql.get('SELECT name, document, updated_at FROM logs_resource_policies WHERE account = ? AND region = ? AND name = ?').get(ctx.account, ctx.region, key) as PolicyRow | undefined;

export function putResourcePolicy(ctx: RequestContext, input: PutResourcePolicyRequest): PutResourcePolicyResponse {
  const document = input.policyDocument;
  if (document === undefined) throw invalidParameter('policyDocument is required.');
  try {
    JSON.parse(document);
  } catch {
    throw invalidParameter('Policy document is not a valid JSON document.');
  }
  let key: string;
  if (input.resourceArn !== undefined) {
    if (input.policyName !== undefined) throw invalidParameter('policyName and resourceArn are mutually exclusive parameters.');
    key = resourceKey(ctx, input.resourceArn);
  } else {
    if (input.policyName === undefined) throw invalidParameter('Either policyName or resourceArn is required.');
    key = input.policyName;
    if (key.startsWith(RESOURCE_KEY)) throw invalidParameter(`Invalid policyName: ${key}`);
  }
  const existing = findPolicy(ctx, key);
  if (input.resourceArn !== undefined && input.expectedRevisionId !== undefined && (!existing || parseDoc(existing).revisionId !== input.expectedRevisionId)) {
    throw new AwsError('OperationAbortedException', 'The expected revision id does not match the current revision of the policy.');
  }
  if (!existing && input.resourceArn === undefined) {
    const { n } = ctx.sql.get(`SELECT COUNT(*) AS n FROM logs_resource_policies WHERE account = ? AND region = ? AND name NOT LIKE '${RESOURCE_KEY}%'`).get(ctx.account, ctx.region) as { n: number };
    if (n >= MAX_ACCOUNT_POLICIES) throw new AwsError('LimitExceededException', 'Resource limit exceeded.');
  }
  const stored: StoredPolicy = { document, ...(input.resourceArn !== undefined ? { revisionId: randomUUID() } : {}) };
  ctx.sql
    .get(`INSERT INTO logs_resource_policies (account, region, name, document, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (account, region, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`)
    .run(ctx.account, ctx.region, key, JSON.stringify(stored), ctx.clock.now());
  const policy = toPolicy(findPolicy(ctx, key)!);
  return { resourcePolicy: policy, ...(policy.revisionId ? { revisionId: policy.revisionId } : {}) };
}

export function describeResourcePolicies(ctx: RequestContext, input: DescribeResourcePoliciesRequest): DescribeResourcePoliciesResponse {
  const limit = pageLimit(input.limit, 50);
  const after = decodeToken(input.nextToken, isString) ?? '';
  const where = ['account = ?', 'region = ?', 'name > ?'];
  const args: unknown[] = [ctx.account, ctx.region, after];
  if (input.resourceArn !== undefined) { where.push('name = ?'); args.push(resourceKey(ctx, input.resourceArn)); }
  else if (input.policyScope === 'RESOURCE') where.push(`name LIKE '${RESOURCE_KEY}%'`);
  else where.push(`name NOT LIKE '${RESOURCE_KEY}%'`);
  args.push(limit + 1);
  const rows = ctx.sql.get(`SELECT name, document, updated_at FROM logs_resource_policies WHERE ${where.join(' AND ')} ORDER BY name LIMIT ?`).all(...args) as PolicyRow[];
  const page = rows.slice(0, limit);
  return { resourcePolicies: page.map(toPolicy), ...(rows.length > limit ? { nextToken: encodeToken(page[page.length - 1].name) } : {}) };
}

export function deleteResourcePolicy(ctx: RequestContext, input: DeleteResourcePolicyRequest): Record<string, never> {
  let key: string;
  if (input.resourceArn !== undefined) key = resourceKey(ctx, input.resourceArn);
  else if (input.policyName !== undefined) key = input.policyName;
  else throw invalidParameter('Either policyName or resourceArn is required.');
  const existing = findPolicy(ctx, key);
  if (!existing) {
    throw input.policyName !== undefined
      ? new AwsError('ResourceNotFoundException', `Policy with name [${input.policyName}] does not exist`)
      : policyNotFound();
  }
  if (input.expectedRevisionId !== undefined && parseDoc(existing).revisionId !== input.expectedRevisionId) {
    throw new AwsError('OperationAbortedException', 'The expected revision id does not match the current revision of the policy.');
  }
  ctx.sql.get('DELETE FROM logs_resource_policies WHERE account = ? AND region = ? AND name = ?').run(ctx.account, ctx.region, key);
  return {};
}
