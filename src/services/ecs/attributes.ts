/**
 * ECS attributes: PutAttributes, ListAttributes, DeleteAttributes. Attributes
 * are name/value pairs on a target in a cluster; the only target type ECS has
 * is the container instance. `writeAttributes` and `removeAttributes` are the
 * storage that RegisterContainerInstance will share.
 * Rules: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Attribute.html
 */
import type {
  Attribute,
  DeleteAttributesRequest,
  DeleteAttributesResponse,
  ListAttributesRequest,
  ListAttributesResponse,
  PutAttributesRequest,
  PutAttributesResponse,
} from '@aws-sdk/client-ecs';
import { AwsError } from '../../protocol/errors.js';
import type { RequestContext } from '../provider.js';
import { requireActiveCluster } from './clusters.js';
import { containerInstanceArnOf } from './container-instance-refs.js';
import { invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';

const TARGET_TYPE = 'container-instance';
const MAX_PER_CALL = 10;
/** Custom attributes per resource; the ones ECS sets itself (ecs.*) do not count. */
const MAX_CUSTOM_PER_TARGET = 10;
const NAME_RE = /^[a-zA-Z0-9_\-/\\.]{1,128}$/;
const VALUE_RE = /^[a-zA-Z0-9_\-.@/\\: ]{1,128}$/;

const isEcsAttribute = (name: string) => name.startsWith('ecs.') || name.startsWith('com.amazonaws.ecs.');

const targetNotFound = () =>
  new AwsError(
    'TargetNotFoundException',
    'The specified target wasn\'t found. You can view your available container instances with ListContainerInstances. Amazon ECS container instances are cluster-specific and Region-specific.',
  );

function checkAttribute(a: Attribute, withValue: boolean) {
  if (!NAME_RE.test(a.name ?? '')) {
    throw invalidParameter(`Invalid attribute name: ${a.name}. Names are 1-128 characters: letters, numbers, hyphens, underscores, forward slashes, back slashes and periods.`);
  }
  if (withValue && a.value !== undefined && (!VALUE_RE.test(a.value) || a.value.trim() !== a.value)) {
    throw invalidParameter(`Invalid attribute value for ${a.name}: ${a.value}. Values are 1-128 characters: letters, numbers, hyphens, underscores, periods, at signs, slashes, colons and spaces, and can't start or end with a space.`);
  }
  if (a.targetType !== undefined && a.targetType !== TARGET_TYPE) {
    throw invalidParameter(`Invalid targetType: ${a.targetType}. Valid values are ${TARGET_TYPE}.`);
  }
  if (!a.targetId) throw invalidParameter(`A targetId is required for attribute ${a.name}.`);
  if (!a.targetId.startsWith('arn:') && a.targetType === undefined) {
    throw invalidParameter(`The targetType is required when targetId ${a.targetId} is not an ARN.`);
  }
}

function checkBatch(attributes: Attribute[] | undefined): Attribute[] {
  const list = attributes ?? [];
  if (list.length === 0) throw invalidParameter('At least one attribute must be specified.');
  if (list.length > MAX_PER_CALL) throw invalidParameter(`You can specify up to ${MAX_PER_CALL} attributes in a single call.`);
  return list;
}

/** Upserts attributes on a resolved target; AttributeLimitExceededException past 10 custom ones. */
export function writeAttributes(ctx: RequestContext, cluster: string, targetArn: string, attributes: Attribute[]) {
  const existing = ctx.sql
    .get('SELECT name FROM ecs_attributes WHERE account = ? AND region = ? AND cluster = ? AND target_id = ?')
    .all(ctx.account, ctx.region, cluster, targetArn) as { name: string }[];
  const names = new Set(existing.map((r) => r.name).filter((n) => !isEcsAttribute(n)));
  for (const a of attributes) if (!isEcsAttribute(a.name!)) names.add(a.name!);
  if (names.size > MAX_CUSTOM_PER_TARGET) {
    throw new AwsError(
      'AttributeLimitExceededException',
      `You can apply up to ${MAX_CUSTOM_PER_TARGET} custom attributes for each resource. You can view the attributes of a resource with ListAttributes. You can remove existing attributes on a resource with DeleteAttributes.`,
    );
  }
  const upsert = ctx.sql.get(`INSERT INTO ecs_attributes (account, region, cluster, target_type, target_id, name, value)
    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account, region, cluster, target_id, name) DO UPDATE SET value = excluded.value`);
  for (const a of attributes) upsert.run(ctx.account, ctx.region, cluster, TARGET_TYPE, targetArn, a.name, a.value ?? null);
}

export function removeAttributes(ctx: RequestContext, cluster: string, targetArn: string, names: string[]) {
  const del = ctx.sql.get('DELETE FROM ecs_attributes WHERE account = ? AND region = ? AND cluster = ? AND target_id = ? AND name = ?');
  for (const n of names) del.run(ctx.account, ctx.region, cluster, targetArn, n);
}

function resolveTarget(ctx: RequestContext, cluster: string, a: Attribute): string {
  const arn = containerInstanceArnOf(ctx, cluster, a.targetId!);
  if (!arn) throw targetNotFound();
  return arn;
}

export function putAttributes(ctx: RequestContext, input: PutAttributesRequest): PutAttributesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster).clusterName!;
  const attributes = checkBatch(input.attributes);
  for (const a of attributes) checkAttribute(a, true);
  const byTarget = new Map<string, Attribute[]>();
  for (const a of attributes) {
    const arn = resolveTarget(ctx, cluster, a);
    byTarget.set(arn, [...(byTarget.get(arn) ?? []), a]);
  }
  for (const [arn, list] of byTarget) writeAttributes(ctx, cluster, arn, list);
  return { attributes };
}

export function deleteAttributes(ctx: RequestContext, input: DeleteAttributesRequest): DeleteAttributesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster).clusterName!;
  const attributes = checkBatch(input.attributes);
  for (const a of attributes) checkAttribute(a, false);
  for (const a of attributes) removeAttributes(ctx, cluster, resolveTarget(ctx, cluster, a), [a.name!]);
  return { attributes };
}

export function listAttributes(ctx: RequestContext, input: ListAttributesRequest): ListAttributesResponse {
  const cluster = requireActiveCluster(ctx, input.cluster).clusterName!;
  if (input.targetType !== TARGET_TYPE) throw invalidParameter(`Invalid targetType: ${input.targetType}. Valid values are ${TARGET_TYPE}.`);
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw invalidParameter('You must also specify an attribute name to filter by attribute value.');
  }
  const limit = pageSize(input.maxResults, 100);
  const after = decodeNextToken<string>(input.nextToken, '');
  const [afterTarget, afterName] = after ? after.split('\n') : ['', ''];
  const rows = ctx.sql
    .get(`SELECT target_type, target_id, name, value FROM ecs_attributes
          WHERE account = ? AND region = ? AND cluster = ? AND target_type = ?
            AND (? IS NULL OR name = ?) AND (? IS NULL OR value = ?)
            AND (target_id > ? OR (target_id = ? AND name > ?))
          ORDER BY target_id, name LIMIT ?`)
    .all(ctx.account, ctx.region, cluster, TARGET_TYPE, input.attributeName ?? null, input.attributeName ?? null,
      input.attributeValue ?? null, input.attributeValue ?? null, afterTarget, afterTarget, afterName, limit + 1) as {
    target_type: string; target_id: string; name: string; value: string | null;
  }[];
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    attributes: page.map((r) => ({ name: r.name, value: r.value ?? undefined, targetType: 'container-instance', targetId: r.target_id })),
    nextToken: rows.length > limit ? encodeNextToken(`${last.target_id}\n${last.name}`) : undefined,
  };
}
