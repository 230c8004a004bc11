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
import { resourceId } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { requireActiveCluster } from './clusters.js';
import { invalidParameter } from './errors.js';
import { decodeNextToken, encodeNextToken, pageSize } from './pagination.js';
import { attributeNames, deleteAttributes as deleteAttributeRows, listAttributeRows, registeredInstanceArn, upsertAttributes } from './store/index.js';

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
  const names = new Set(attributeNames(ctx, cluster, targetArn).filter((n) => !isEcsAttribute(n)));
  for (const a of attributes) if (!isEcsAttribute(a.name!)) names.add(a.name!);
  if (names.size > MAX_CUSTOM_PER_TARGET) {
    throw new AwsError(
      'AttributeLimitExceededException',
      `You can apply up to ${MAX_CUSTOM_PER_TARGET} custom attributes for each resource. You can view the attributes of a resource with ListAttributes. You can remove existing attributes on a resource with DeleteAttributes.`,
    );
  }
  upsertAttributes(ctx, cluster, TARGET_TYPE, targetArn, attributes);
}

export function removeAttributes(ctx: RequestContext, cluster: string, targetArn: string, names: string[]) {
  deleteAttributeRows(ctx, cluster, targetArn, names);
}

function resolveTarget(ctx: RequestContext, cluster: string, a: Attribute): string {
  // A target is an instance's id or ARN, resolved in the caller's scope.
  const arn = registeredInstanceArn(ctx, cluster, resourceId(a.targetId!));
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
  const rows = listAttributeRows(ctx, cluster, {
    targetType: TARGET_TYPE, name: input.attributeName, value: input.attributeValue, afterTarget, afterName, limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    attributes: page.map((r) => ({ name: r.name, value: r.value ?? undefined, targetType: 'container-instance', targetId: r.target_id })),
    nextToken: rows.length > limit ? encodeNextToken(`${last.target_id}\n${last.name}`) : undefined,
  };
}
