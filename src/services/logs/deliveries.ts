/**
 * Vended-log deliveries: delivery sources, delivery destinations (with their
 * policies) and the deliveries joining them — stored and returned. Berth runs no
 * service that vends logs this way, so nothing flows through a delivery.
 * Rules kept: names `[\w-]*` (1–60), a destination's type from its resource ARN
 * (S3 bucket, log group, Firehose stream; XRAY), one delivery per source and
 * destination, and a source or destination in use cannot be deleted (ConflictException).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html
 */
import { randomBytes } from 'node:crypto';
import type {
  CreateDeliveryRequest,
  CreateDeliveryResponse,
  DeleteDeliveryDestinationPolicyRequest,
  DeleteDeliveryDestinationRequest,
  DeleteDeliveryRequest,
  DeleteDeliverySourceRequest,
  Delivery,
  DeliveryDestination,
  DeliveryDestinationType,
  DeliverySource,
  DescribeDeliveriesRequest,
  DescribeDeliveriesResponse,
  DescribeDeliveryDestinationsRequest,
  DescribeDeliveryDestinationsResponse,
  DescribeDeliverySourcesRequest,
  DescribeDeliverySourcesResponse,
  GetDeliveryDestinationPolicyRequest,
  GetDeliveryDestinationPolicyResponse,
  GetDeliveryDestinationRequest,
  GetDeliveryDestinationResponse,
  GetDeliveryRequest,
  GetDeliveryResponse,
  GetDeliverySourceRequest,
  GetDeliverySourceResponse,
  PutDeliveryDestinationPolicyRequest,
  PutDeliveryDestinationPolicyResponse,
  PutDeliveryDestinationRequest,
  PutDeliveryDestinationResponse,
  PutDeliverySourceRequest,
  PutDeliverySourceResponse,
  UpdateDeliveryConfigurationRequest,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsError } from '../../protocol/errors.js';
import { arn, parseArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { decodeToken, encodeToken, isString } from './names.js';

type Kind = 'source' | 'destination' | 'destination-policy' | 'delivery';

const validation = (message: string) => new AwsError('ValidationException', message);
const notFound = (what: string, name: string) => new AwsError('ResourceNotFoundException', `The specified ${what} '${name}' does not exist.`);
const conflict = (message: string) => new AwsError('ConflictException', message);

function get<T>(ctx: RequestContext, kind: Kind, name: string): T | undefined {
  const r = ctx.sql.get('SELECT doc FROM logs_delivery_objects WHERE account = ? AND region = ? AND kind = ? AND name = ?')
    .get(ctx.account, ctx.region, kind, name) as { doc: string } | undefined;
  return r && (JSON.parse(r.doc) as T);
}

function put(ctx: RequestContext, kind: Kind, name: string, doc: unknown) {
  ctx.sql.get(`INSERT INTO logs_delivery_objects (account, region, kind, name, doc) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (account, region, kind, name) DO UPDATE SET doc = excluded.doc`)
    .run(ctx.account, ctx.region, kind, name, JSON.stringify(doc));
}

const remove = (ctx: RequestContext, kind: Kind, name: string) =>
  ctx.sql.get('DELETE FROM logs_delivery_objects WHERE account = ? AND region = ? AND kind = ? AND name = ?').run(ctx.account, ctx.region, kind, name).changes > 0;

function all<T>(ctx: RequestContext, kind: Kind): T[] {
  return (ctx.sql.get('SELECT doc FROM logs_delivery_objects WHERE account = ? AND region = ? AND kind = ? ORDER BY name')
    .all(ctx.account, ctx.region, kind) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
}

/** A page of `items` (already in name order) after the token's name. */
function page<T>(items: T[], key: (t: T) => string, limit: number | undefined, token: string | undefined): { items: T[]; nextToken?: string } {
  const max = limit ?? 50;
  const after = decodeToken(token, isString);
  const rest = after === undefined ? items : items.filter((t) => key(t) > after);
  const out = rest.slice(0, max);
  return { items: out, ...(rest.length > max ? { nextToken: encodeToken(key(out[out.length - 1])) } : {}) };
}

// ---- sources --------------------------------------------------------------------

export function putDeliverySource(ctx: RequestContext, input: PutDeliverySourceRequest): PutDeliverySourceResponse {
  const name = input.name!;
  const resource = parseArn(input.resourceArn!);
  if (!resource) throw validation(`Invalid resourceArn: ${input.resourceArn}`);
  const existing = get<DeliverySource>(ctx, 'source', name);
  if (existing && (existing.resourceArns![0] !== input.resourceArn || existing.logType !== input.logType)) {
    throw conflict('A delivery source with this name already exists for a different resource or log type; its resourceArn and logType cannot be changed.');
  }
  const source: DeliverySource = {
    name, arn: arn('logs', ctx.region, ctx.account, `delivery-source:${name}`), resourceArns: [input.resourceArn!],
    service: resource.service, logType: input.logType!, ...(input.tags ? { tags: input.tags } : existing?.tags ? { tags: existing.tags } : {}),
  };
  put(ctx, 'source', name, source);
  return { deliverySource: source };
}

export function getDeliverySource(ctx: RequestContext, input: GetDeliverySourceRequest): GetDeliverySourceResponse {
  const s = get<DeliverySource>(ctx, 'source', input.name!);
  if (!s) throw notFound('delivery source', input.name!);
  return { deliverySource: s };
}

export function describeDeliverySources(ctx: RequestContext, input: DescribeDeliverySourcesRequest & { resourceArns?: string[] }): DescribeDeliverySourcesResponse {
  let items = all<DeliverySource>(ctx, 'source');
  if (input.resourceArns?.length) items = items.filter((s) => s.resourceArns!.some((a) => input.resourceArns!.includes(a)));
  const p = page(items, (s) => s.name!, input.limit, input.nextToken);
  return { deliverySources: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
}

export function deleteDeliverySource(ctx: RequestContext, input: DeleteDeliverySourceRequest): Record<string, never> {
  const name = input.name!;
  if (!get(ctx, 'source', name)) throw notFound('delivery source', name);
  if (all<Delivery>(ctx, 'delivery').some((d) => d.deliverySourceName === name)) {
    throw conflict(`The delivery source '${name}' is used by a delivery; delete the delivery first.`);
  }
  remove(ctx, 'source', name);
  return {};
}

// ---- destinations -----------------------------------------------------------------

/** The type of a destination resource: an S3 bucket, a log group or a Firehose stream (XRAY has no resource). */
function destinationType(resourceArn: string | undefined, given: DeliveryDestinationType | undefined): DeliveryDestinationType {
  if (resourceArn === undefined) {
    if (given === 'XRAY') return 'XRAY';
    throw validation('deliveryDestinationConfiguration.destinationResourceArn is required unless deliveryDestinationType is XRAY.');
  }
  const a = parseArn(resourceArn);
  const t: DeliveryDestinationType | undefined = a?.service === 's3' ? 'S3' : a?.service === 'logs' && a.resource.startsWith('log-group:') ? 'CWL'
    : a?.service === 'firehose' ? 'FH' : undefined;
  if (!t) throw validation(`Invalid destinationResourceArn: ${resourceArn}. It must be an S3 bucket, a CloudWatch Logs log group or a Firehose delivery stream.`);
  if (given !== undefined && given !== t) throw validation(`deliveryDestinationType ${given} does not match the destination resource ${resourceArn}.`);
  return t;
}

export function putDeliveryDestination(ctx: RequestContext, input: PutDeliveryDestinationRequest): PutDeliveryDestinationResponse {
  const name = input.name!;
  const resourceArn = input.deliveryDestinationConfiguration?.destinationResourceArn;
  const type = destinationType(resourceArn, input.deliveryDestinationType);
  const existing = get<DeliveryDestination>(ctx, 'destination', name);
  if (existing && existing.deliveryDestinationType !== type) throw conflict('The type of an existing delivery destination cannot be changed.');
  const d: DeliveryDestination = {
    name, arn: arn('logs', ctx.region, ctx.account, `delivery-destination:${name}`), deliveryDestinationType: type,
    ...(input.outputFormat ? { outputFormat: input.outputFormat } : existing?.outputFormat ? { outputFormat: existing.outputFormat } : {}),
    ...(resourceArn ? { deliveryDestinationConfiguration: { destinationResourceArn: resourceArn } } : {}),
    ...(input.roleArn ? { roleArn: input.roleArn } : {}),
    ...(input.tags ? { tags: input.tags } : existing?.tags ? { tags: existing.tags } : {}),
  };
  put(ctx, 'destination', name, d);
  return { deliveryDestination: d };
}

export function getDeliveryDestination(ctx: RequestContext, input: GetDeliveryDestinationRequest): GetDeliveryDestinationResponse {
  const d = get<DeliveryDestination>(ctx, 'destination', input.name!);
  if (!d) throw notFound('delivery destination', input.name!);
  return { deliveryDestination: d };
}

export function describeDeliveryDestinations(ctx: RequestContext, input: DescribeDeliveryDestinationsRequest & { names?: string[] }): DescribeDeliveryDestinationsResponse {
  let items = all<DeliveryDestination>(ctx, 'destination');
  if (input.names?.length) items = items.filter((d) => input.names!.includes(d.name!));
  const p = page(items, (d) => d.name!, input.limit, input.nextToken);
  return { deliveryDestinations: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
}

export function deleteDeliveryDestination(ctx: RequestContext, input: DeleteDeliveryDestinationRequest): Record<string, never> {
  const d = get<DeliveryDestination>(ctx, 'destination', input.name!);
  if (!d) throw notFound('delivery destination', input.name!);
  if (all<Delivery>(ctx, 'delivery').some((x) => x.deliveryDestinationArn === d.arn)) {
    throw conflict(`The delivery destination '${d.name}' is used by a delivery; delete the delivery first.`);
  }
  remove(ctx, 'destination', d.name!);
  remove(ctx, 'destination-policy', d.name!);
  return {};
}

export function putDeliveryDestinationPolicy(ctx: RequestContext, input: PutDeliveryDestinationPolicyRequest): PutDeliveryDestinationPolicyResponse {
  const name = input.deliveryDestinationName!;
  if (!get(ctx, 'destination', name)) throw notFound('delivery destination', name);
  try {
    JSON.parse(input.deliveryDestinationPolicy!);
  } catch {
    throw validation('The delivery destination policy is not a valid JSON document.');
  }
  put(ctx, 'destination-policy', name, { deliveryDestinationPolicy: input.deliveryDestinationPolicy });
  return { policy: { deliveryDestinationPolicy: input.deliveryDestinationPolicy } };
}

export function getDeliveryDestinationPolicy(ctx: RequestContext, input: GetDeliveryDestinationPolicyRequest): GetDeliveryDestinationPolicyResponse {
  const name = input.deliveryDestinationName!;
  if (!get(ctx, 'destination', name)) throw notFound('delivery destination', name);
  return { policy: get(ctx, 'destination-policy', name) ?? {} };
}

export function deleteDeliveryDestinationPolicy(ctx: RequestContext, input: DeleteDeliveryDestinationPolicyRequest): Record<string, never> {
  const name = input.deliveryDestinationName!;
  if (!get(ctx, 'destination', name)) throw notFound('delivery destination', name);
  if (!remove(ctx, 'destination-policy', name)) throw notFound('delivery destination policy', name);
  return {};
}

// ---- deliveries -------------------------------------------------------------------

/** Delivery ids are 16 characters of [A-Za-z0-9], as AWS's look. */
function deliveryId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function createDelivery(ctx: RequestContext, input: CreateDeliveryRequest): CreateDeliveryResponse {
  const sourceName = input.deliverySourceName!;
  if (!get(ctx, 'source', sourceName)) throw notFound('delivery source', sourceName);
  const destArn = input.deliveryDestinationArn!;
  const a = parseArn(destArn);
  const destName = a?.service === 'logs' && a.resource.startsWith('delivery-destination:') ? a.resource.slice('delivery-destination:'.length) : undefined;
  const dest = destName !== undefined && a!.account === ctx.account && a!.region === ctx.region ? get<DeliveryDestination>(ctx, 'destination', destName) : undefined;
  if (!dest) throw notFound('delivery destination', destArn);
  if (all<Delivery>(ctx, 'delivery').some((d) => d.deliverySourceName === sourceName && d.deliveryDestinationArn === destArn)) {
    throw conflict(`A delivery from '${sourceName}' to '${destArn}' already exists.`);
  }
  const id = deliveryId();
  const delivery: Delivery = {
    id, arn: arn('logs', ctx.region, ctx.account, `delivery:${id}`), deliverySourceName: sourceName, deliveryDestinationArn: destArn,
    deliveryDestinationType: dest.deliveryDestinationType,
    ...(input.recordFields ? { recordFields: input.recordFields } : {}),
    ...(input.fieldDelimiter !== undefined ? { fieldDelimiter: input.fieldDelimiter } : {}),
    ...(dest.deliveryDestinationType === 'S3'
      ? { s3DeliveryConfiguration: { enableHiveCompatiblePath: false, ...input.s3DeliveryConfiguration } } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  put(ctx, 'delivery', id, delivery);
  return { delivery };
}

function requireDelivery(ctx: RequestContext, id: string): Delivery {
  const d = get<Delivery>(ctx, 'delivery', id);
  if (!d) throw notFound('delivery', id);
  return d;
}

export function getDelivery(ctx: RequestContext, input: GetDeliveryRequest): GetDeliveryResponse {
  return { delivery: requireDelivery(ctx, input.id!) };
}

export function describeDeliveries(ctx: RequestContext, input: DescribeDeliveriesRequest & { deliverySourceNames?: string[] }): DescribeDeliveriesResponse {
  let items = all<Delivery>(ctx, 'delivery');
  if (input.deliverySourceNames?.length) items = items.filter((d) => input.deliverySourceNames!.includes(d.deliverySourceName!));
  const p = page(items, (d) => d.id!, input.limit, input.nextToken);
  return { deliveries: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
}

export function updateDeliveryConfiguration(ctx: RequestContext, input: UpdateDeliveryConfigurationRequest): Record<string, never> {
  const d = requireDelivery(ctx, input.id!);
  if (input.recordFields) d.recordFields = input.recordFields;
  if (input.fieldDelimiter !== undefined) d.fieldDelimiter = input.fieldDelimiter;
  if (input.s3DeliveryConfiguration) {
    if (d.deliveryDestinationType !== 'S3') throw validation('s3DeliveryConfiguration applies only to deliveries to S3.');
    d.s3DeliveryConfiguration = { ...d.s3DeliveryConfiguration, ...input.s3DeliveryConfiguration };
  }
  put(ctx, 'delivery', d.id!, d);
  return {};
}

export function deleteDelivery(ctx: RequestContext, input: DeleteDeliveryRequest): Record<string, never> {
  requireDelivery(ctx, input.id!);
  remove(ctx, 'delivery', input.id!);
  return {};
}
